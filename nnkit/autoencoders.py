"""Autoencoders: squeeze data through a bottleneck, rebuild it, score the misfits.

An autoencoder is trained to output its own input (x → x) through a narrow
middle layer, the bottleneck. Trained on normal data only, it learns to
rebuild what normal looks like; whatever it rebuilds badly is suspicious.
This module builds dense and convolutional autoencoders, scores each sample
by its reconstruction error (`reconstruction_error`, the ONE definition that
the histogram, the metrics and the ROC curve all use), turns a threshold
into precision/recall/F1 with scikit-learn, and explains a run in words.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from nnkit import backend

DENSE, CONV = "dense", "conv"
ERROR_LATEX = r"e_i = \frac{1}{D}\sum_{j=1}^{D}\left(x_{ij} - \hat{x}_{ij}\right)^2"


@dataclass(frozen=True)
class AEConfig:
    """An autoencoder; defaults train on 8×8 digits in a few seconds on a CPU."""

    kind: str = DENSE               # DENSE for any data, CONV for images (2-D) or series (1-D)
    bottleneck: int = 8             # numbers the whole sample must squeeze through
    hidden: int = 64                # units (dense) of the layer either side of the bottleneck
    filters: int = 16               # filters of the first conv layer (the second has twice as many)
    learning_rate: float = 0.003
    sigmoid_output: bool = False    # True for data in [0, 1] (pixels), else a linear output
    seed: int = 0                   # fixes the initial weights


def build_autoencoder(config: AEConfig, sample_shape: tuple[int, ...]):
    """Build and compile an autoencoder (MSE loss, Adam) for samples of `sample_shape`.

    Dense: flatten → hidden → bottleneck → hidden → reshape back.
    Conv on (H, W, C): two stride-2 Conv2D (H/4 × W/4) → dense bottleneck →
    mirror with Conv2DTranspose. Conv on (L, C): the same with Conv1D. Conv
    needs the spatial sides divisible by 4 (8×8, 28×28, windows of 32 are).
    The bottleneck layer is named "bottleneck" so `encode` can read it.
    """
    import keras

    backend.set_seed(config.seed)
    inputs = keras.Input(sample_shape)
    if config.kind == CONV:
        if len(sample_shape) not in (2, 3):
            raise ValueError("a convolutional autoencoder needs images (H, W, C) or series (L, C)")
        if any(s % 4 for s in sample_shape[:-1]):
            raise ValueError(f"conv layers halve each side twice: {sample_shape[:-1]} must be divisible by 4")
        outputs = _conv(inputs, config, sample_shape)
    else:
        outputs = _dense(inputs, config, sample_shape)
    model = keras.Model(inputs, outputs, name=f"{config.kind}_autoencoder")
    model.compile(optimizer=keras.optimizers.Adam(config.learning_rate), loss="mse")
    return model


def _dense(inputs, config: AEConfig, shape: tuple[int, ...]):
    import keras
    from keras import layers

    size = math.prod(shape)
    h = layers.Flatten()(inputs)
    h = layers.Dense(config.hidden, activation="relu", name="encoder")(h)
    z = layers.Dense(config.bottleneck, name="bottleneck")(h)  # linear: a free code
    h = layers.Dense(config.hidden, activation="relu", name="decoder")(z)
    h = layers.Dense(size, activation=_out(config), name="reconstruction")(h)
    return keras.layers.Reshape(shape)(h)


def _conv(inputs, config: AEConfig, shape: tuple[int, ...]):
    from keras import layers

    two_d = len(shape) == 3
    Conv, ConvT = (layers.Conv2D, layers.Conv2DTranspose) if two_d else (layers.Conv1D, layers.Conv1DTranspose)
    f = config.filters
    h = Conv(f, 3, strides=2, padding="same", activation="relu")(inputs)
    h = Conv(2 * f, 3, strides=2, padding="same", activation="relu")(h)
    inner = tuple(int(s) for s in h.shape[1:])
    h = layers.Flatten()(h)
    z = layers.Dense(config.bottleneck, name="bottleneck")(h)
    h = layers.Dense(math.prod(inner), activation="relu")(z)
    h = layers.Reshape(inner)(h)
    h = ConvT(2 * f, 3, strides=2, padding="same", activation="relu")(h)
    h = ConvT(f, 3, strides=2, padding="same", activation="relu")(h)
    return Conv(shape[-1], 3, padding="same", activation=_out(config), name="reconstruction")(h)


def _out(config: AEConfig) -> str:
    return "sigmoid" if config.sigmoid_output else "linear"


def describe(config: AEConfig, sample_shape: tuple[int, ...]) -> str:
    """E.g. "64 numbers → 64 → 8 → 64 → 64 (compressed 8×)"."""
    size = math.prod(sample_shape)
    if config.kind == CONV:
        body = f"conv {config.filters}→{2 * config.filters} filters → {config.bottleneck} → mirrored deconvs"
    else:
        body = f"{config.hidden} → {config.bottleneck} → {config.hidden}"
    return f"{size:,} numbers → {body} → {size:,} (compressed {size / config.bottleneck:.1f}×)"


# ---- scoring: ONE definition of reconstruction error ----------------------------------

def reconstruction_error(x: np.ndarray, x_hat: np.ndarray) -> np.ndarray:
    """Per-sample mean squared error over every value of a sample (shape (n,)).

    This is the Keras "mse" training loss, kept per sample: the histogram, the
    threshold metrics and the ROC curve all read it from here, so they can
    never disagree about which sample scored what.
    """
    x, x_hat = np.asarray(x, dtype="float64"), np.asarray(x_hat, dtype="float64")
    if x.shape != x_hat.shape:
        raise ValueError(f"shapes differ: {x.shape} vs {x_hat.shape}")
    return ((x - x_hat) ** 2).reshape(len(x), -1).mean(axis=1)


def reconstruct(model, x: np.ndarray, batch_size: int = 256) -> np.ndarray:
    return np.asarray(model.predict(x, batch_size=batch_size, verbose=0))


def score(model, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(reconstructions, per-sample reconstruction errors)."""
    x_hat = reconstruct(model, x)
    return x_hat, reconstruction_error(x, x_hat)


def suggest_threshold(normal_errors: np.ndarray, percentile: float = 95.0) -> float:
    """The `percentile` of NORMAL errors: by construction about (100 − p)% of
    normal samples would be flagged, whatever the anomalies look like."""
    errors = np.asarray(normal_errors, dtype="float64")
    if errors.size == 0:
        raise ValueError("no normal samples to base a threshold on")
    return float(np.percentile(errors, percentile))


@dataclass(frozen=True)
class ThresholdReport:
    """What flagging "error > threshold" as anomalous does on a labelled test set."""

    threshold: float
    precision: float
    recall: float
    f1: float
    confusion: np.ndarray           # [[TN, FP], [FN, TP]] (rows: truth normal/anomaly)
    auc: float                      # threshold-free: P(anomaly error > normal error)
    fpr: np.ndarray
    tpr: np.ndarray

    @property
    def false_alarms(self) -> int:
        return int(self.confusion[0, 1])

    @property
    def missed(self) -> int:
        return int(self.confusion[1, 0])


def evaluate(errors: np.ndarray, labels: np.ndarray, threshold: float) -> ThresholdReport:
    """Precision, recall, F1, confusion matrix (scikit-learn) and ROC/AUC of the errors."""
    from sklearn import metrics

    labels = np.asarray(labels, int)
    predicted = flag(errors, threshold)
    both = len(np.unique(labels)) == 2
    fpr, tpr, _ = metrics.roc_curve(labels, errors) if both else (np.array([0, 1]), np.array([0, 1]), None)
    return ThresholdReport(
        float(threshold),
        float(metrics.precision_score(labels, predicted, zero_division=0)),
        float(metrics.recall_score(labels, predicted, zero_division=0)),
        float(metrics.f1_score(labels, predicted, zero_division=0)),
        metrics.confusion_matrix(labels, predicted, labels=[0, 1]),
        float(metrics.roc_auc_score(labels, errors)) if both else float("nan"), fpr, tpr)


def flag(errors: np.ndarray, threshold: float) -> np.ndarray:
    """1 where a sample's error is above the threshold (called an anomaly)."""
    return (np.asarray(errors) > threshold).astype(int)


def worst(errors: np.ndarray, k: int = 5) -> np.ndarray:
    """Indices of the k worst-reconstructed samples, worst first."""
    return np.argsort(np.asarray(errors))[::-1][:k]


# ---- latent space and PCA ---------------------------------------------------------------

def encode(model, x: np.ndarray) -> np.ndarray:
    """The bottleneck values of each sample, shape (n, bottleneck)."""
    import keras

    encoder = keras.Model(model.inputs, model.get_layer("bottleneck").output)
    return np.asarray(encoder.predict(x, batch_size=256, verbose=0))


def project_2d(values: np.ndarray, seed: int = 0) -> tuple[np.ndarray, str]:
    """Flatten to (n, d); d ≤ 2 is padded and returned as is, larger d goes
    through PCA. Returns (points (n, 2), how they were obtained)."""
    from sklearn.decomposition import PCA

    flat = np.asarray(values, dtype="float64").reshape(len(values), -1)
    if flat.shape[1] <= 2:
        return np.pad(flat, ((0, 0), (0, 2 - flat.shape[1]))), f"the {flat.shape[1]}-D code itself"
    pca = PCA(n_components=2, random_state=seed).fit(flat)
    kept = pca.explained_variance_ratio_.sum()
    return pca.transform(flat), f"PCA of {flat.shape[1]}-D ({kept:.0%} of variance)"


# ---- denoising -----------------------------------------------------------------------

def add_noise(x: np.ndarray, level: float, seed: int = 0, clip: bool = False) -> np.ndarray:
    """x plus Gaussian noise of standard deviation `level` (clipped to [0, 1] for pixels).

    A denoising autoencoder trains on (noisy → clean) pairs: to undo noise it
    must learn what real samples look like rather than copy its input.
    """
    noisy = np.asarray(x, "float32") + np.random.default_rng(seed).normal(0, level, np.shape(x))
    return (np.clip(noisy, 0, 1) if clip else noisy).astype("float32")


# ---- what just happened ---------------------------------------------------------------

def lesson(dataset_name: str, bottleneck: int, sample_shape: tuple[int, ...], final_loss: float | None,
           normal_errors: np.ndarray, anomaly_errors: np.ndarray,
           report: ThresholdReport | None) -> str:
    """Markdown explaining THIS run from its numbers."""
    size = math.prod(sample_shape)
    parts = [f"Each {dataset_name} sample ({size:,} numbers) was squeezed into **{bottleneck}** "
             f"numbers ({size / bottleneck:.1f}× compression) and rebuilt."]
    if final_loss is not None and math.isfinite(final_loss):
        parts.append(f"On the normal training data the mean squared reconstruction error ended at "
                     f"**{final_loss:.4f}**.")
    n_med = float(np.median(normal_errors)) if len(normal_errors) else float("nan")
    if len(anomaly_errors):
        a_med = float(np.median(anomaly_errors))
        ratio = a_med / n_med if n_med > 0 else float("inf")
        verdict = ("so anomalies stand out: the model learned what *normal* looks like"
                   if ratio > 1.5 else
                   "barely different: the model rebuilds anomalies almost as well as normal data. "
                   "Try a smaller bottleneck (less room to copy anything) or more epochs")
        parts.append(f"Median error on held-out normal samples is **{n_med:.4f}**, on anomalies "
                     f"**{a_med:.4f}** ({ratio:.1f}×), {verdict}.")
    if report is not None and math.isfinite(report.auc):
        tn, fp, fn, tp = (int(v) for v in report.confusion.ravel())
        parts.append(
            f"At threshold **{report.threshold:.4f}** ({_share_above(normal_errors, report.threshold)} "
            f"of held-out normal samples lie above it) the detector flags "
            f"{tp + fp} samples: {tp} real anomalies and **{fp} false alarms**, and it **misses {fn}**. "
            f"Precision {report.precision:.2f} (how many alarms are real), recall {report.recall:.2f} "
            f"(how many anomalies are caught), F1 {report.f1:.2f}. Raising the threshold trades "
            f"missed anomalies for fewer false alarms. The ROC AUC of **{report.auc:.3f}** says how "
            f"often a random anomaly scores above a random normal sample, whatever threshold you pick"
            f"{' (0.5 would be guessing)' if report.auc < 0.75 else ''}.")
    return " ".join(parts)


def _share_above(errors: np.ndarray, threshold: float) -> str:
    return f"{float(np.mean(np.asarray(errors) > threshold)):.0%}" if len(errors) else "none"


# ---- what a page keeps after a run -----------------------------------------------------

N_SHOWN = 5


def analyse(model, data, seed: int = 0, validation_fraction: float = 0.2) -> dict:
    """Everything the page draws after training, as plain arrays (no model kept).

    `data` is an `nnkit.anomalies.AnomalySet`. The threshold is suggested from
    the errors of the normal rows `nnkit.train` held out for validation (same
    seeded split), so it is chosen without ever looking at the anomalies.
    """
    from nnkit.data import split

    _, (x_val, _) = split(data.x_train, data.x_train, validation_fraction, seed)
    _, val_errors = score(model, x_val if len(x_val) else data.x_train)
    x_hat, errors = score(model, data.x_test)
    rng = np.random.default_rng(seed)
    picks = {name: rng.permutation(np.flatnonzero(data.y_test == value))[:N_SHOWN]
             for name, value in (("normal", 0), ("anomaly", 1))}
    picks["worst"] = worst(errors, N_SHOWN)
    code, code_how = project_2d(encode(model, data.x_test), seed)
    raw, raw_how = project_2d(data.x_test, seed)
    return {"name": data.name, "kind": data.kind, "labelled": data.labelled, "errors": errors,
            "labels": data.y_test, "groups": data.groups, "val_errors": val_errors,
            "shown": {k: (data.x_test[i], x_hat[i], errors[i]) for k, i in picks.items()},
            "latent": (code, code_how), "raw_pca": (raw, raw_how), "sample_shape": data.sample_shape}


def denoise_analysis(model, data, level: float, seed: int = 0) -> dict:
    """Noisy / cleaned / original held-out NORMAL samples (the kind the denoiser
    learned) and how far, on average, noisy and cleaned ones are from the originals."""
    clean = data.x_test[data.y_test == 0] if (data.y_test == 0).any() else data.x_test
    noisy = add_noise(clean, level, seed + 7, clip=data.unit_range)
    cleaned = reconstruct(model, noisy)
    idx = np.random.default_rng(seed).permutation(len(noisy))[:N_SHOWN]
    return {"noisy": noisy[idx], "cleaned": cleaned[idx], "original": clean[idx],
            "noisy_error": float(reconstruction_error(clean, noisy).mean()),
            "cleaned_error": float(reconstruction_error(clean, cleaned).mean()), "level": level,
            "kind": data.kind}


def denoise_lesson(result: dict) -> str:
    """Markdown for THIS denoising run."""
    before, after = result["noisy_error"], result["cleaned_error"]
    if not (math.isfinite(before) and math.isfinite(after)):
        return "The denoising run produced no finite numbers; lower the learning rate and train again."
    if after < before:
        change = f"it removed {1 - after / before:.0%} of the error"
    else:
        change = "worse than the noisy input: train longer, or use a wider bottleneck"
    return (f"Noise of standard deviation {result['level']:g} put the test inputs at a mean squared error "
            f"of **{before:.4f}** from the originals; the denoiser's outputs are at **{after:.4f}** "
            f"({change}). It never saw these test samples: it learned what clean samples look like "
            "and pulls noisy ones back towards that.")
