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

import inspect
import math
from dataclasses import dataclass

import numpy as np

from nnkit.core import backend

DENSE, CONV = "dense", "conv"
BATCH_SIZE, VALIDATION = 32, 0.2  # every page run: batches of 32, 20% of normal rows held out
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


def config_from(settings: dict, sigmoid_output: bool) -> AEConfig:
    """The autoencoder a page run's settings describe (conv filters follow the width)."""
    return AEConfig(settings["kind"], settings["bottleneck"], settings["hidden"],
                    max(4, settings["hidden"] // 4), settings["lr"], sigmoid_output, settings["seed"])


def build_autoencoder(config: AEConfig, sample_shape: tuple[int, ...]):
    """`autoencoder_model` with seeded initial weights: same seed, same start."""
    backend.set_seed(config.seed)
    return autoencoder_model(config, sample_shape)


def autoencoder_model(config: AEConfig, sample_shape: tuple[int, ...]):
    """Build and compile an autoencoder (MSE loss, Adam) for samples of `sample_shape`.

    Dense: flatten → hidden → bottleneck → hidden → reshape back.
    Conv on (H, W, C): two stride-2 Conv2D (H/4 × W/4) → dense bottleneck →
    mirror with Conv2DTranspose. Conv on (L, C): the same with Conv1D. Conv
    needs the spatial sides divisible by 4 (8×8, 28×28, windows of 32 are).
    The bottleneck layer is named "bottleneck" so `encode` can read it.
    """
    import keras

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


def analyse(model, data, seed: int = 0, validation_fraction: float = VALIDATION) -> dict:
    """Everything the page draws after training, as plain arrays (no model kept).

    `data` is an `nnkit.experiments.autoencoder.anomalies.AnomalySet`. The threshold is suggested from
    the errors of the normal rows `nnkit.train` held out for validation (same
    seeded split), so it is chosen without ever looking at the anomalies.
    """
    from nnkit.core.data import split

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


def error_summary(errors: np.ndarray, labels: np.ndarray, threshold: float, labelled: bool) -> str:
    """One line saying what the error histogram shows (its text alternative)."""
    groups = (("normal", 0), ("anomalous", 1)) if labelled else (("unlabelled", 0),)
    parts = [f"{int((labels == v).sum())} {name} samples, median error {np.median(errors[labels == v]):.4f}"
             for name, v in groups if (labels == v).any()]
    return (f"{'; '.join(parts)}. Threshold {threshold:.4f}: {int(flag(errors, threshold).sum())} "
            f"of {len(errors)} samples lie above it.")


# ---- take a run home: the same run as a plain-Keras notebook -----------------------------

def notebook_supported(source: str) -> bool:
    """Sources a notebook can rebuild from scikit-learn/statsmodels alone (no upload, no download)."""
    from nnkit.experiments.autoencoder import anomalies as an

    return source in (an.DIGITS_SRC, an.CANCER_SRC) or source.removesuffix(" (series)") in an.SERIES


def autoencoder_notebook(settings: dict, percentile: float = 95.0, result_line: str = "") -> bytes:
    """Reproduce the page's main run: same data, split, seed, model and fit, then
    reconstruction errors, a threshold from held-out normal rows and ROC AUC.

    `settings` is a run's record (source, normal, kind, bottleneck, hidden, lr,
    epochs, seed). The data and model code is nnkit's own, inlined with
    `inspect.getsource`, so the notebook cannot drift from the app.
    """
    from nnkit import notebook as export
    from nnkit.core import data as nnkit_data

    s = settings
    config = config_from(s, False)
    data_code = _data_code(s)
    cells: list[tuple[str, str]] = [
        ("markdown", f"# Autoencoder anomaly detection: {s['source']}, exported from nnkit\n\n"
                     f"Settings: `{settings}`\n\n" + (f"In the app this run ended: {result_line}" if result_line else "")),
        ("code", f'import os\nos.environ.setdefault("KERAS_BACKEND", "{backend.name()}")\n'
                 "import math\nfrom dataclasses import dataclass, field\n\n"
                 "import keras\nimport numpy as np\nimport plotly.graph_objects as go\nfrom sklearn import metrics"),
        ("markdown", "## The data\nNormal rows only for training; the test set mixes held-out normal rows "
                     "(label 0) with anomalies (label 1)."),
        ("code", data_code + "\nprint(data)"),
        ("markdown", "## The autoencoder\nInput and target are the same: it must rebuild x through the "
                     "bottleneck. The seed fixes the initial weights, so this starts where the app's run started."),
        ("code", _inline(None, ("DENSE", "CONV"), (AEConfig, _out, _dense, _conv, autoencoder_model))
                 + f"\n\nconfig = AEConfig({config.kind!r}, bottleneck={config.bottleneck}, hidden={config.hidden}, "
                   f"filters={config.filters},\n                  learning_rate={config.learning_rate}, "
                   f"sigmoid_output=data.unit_range, seed={config.seed})\n"
                   f"keras.utils.set_random_seed({s['seed']})\nmodel = autoencoder_model(config, data.sample_shape)\n"
                   "model.summary()"),
        ("markdown", f"## Train on normal data only\nA seeded {VALIDATION:.0%} of the normal rows is held out: "
                     "it shows the fit and later suggests the alarm threshold."),
        ("code", inspect.getsource(nnkit_data.split)
                 + f"\n(x_fit, _), (x_val, _) = split(data.x_train, data.x_train, {VALIDATION}, seed={s['seed']})\n"
                   f"keras.utils.set_random_seed({s['seed']})\n"
                   f"history = model.fit(x_fit, x_fit, epochs={s['epochs']}, batch_size={BATCH_SIZE},\n"
                   "                    validation_data=(x_val, x_val), shuffle=True, verbose=0)\n"
                   'print("final loss", history.history["loss"][-1])'),
        ("markdown", "## Reconstruction errors, threshold and ROC AUC\nThe error of a sample is the mean "
                     f"squared difference between it and its reconstruction. The threshold is the "
                     f"{percentile:g}th percentile of held-out NORMAL errors, chosen without looking at anomalies."),
        ("code", inspect.getsource(reconstruction_error)
                 + "\nerrors = reconstruction_error(data.x_test, model.predict(data.x_test, batch_size=256, verbose=0))\n"
                   "val_errors = reconstruction_error(x_val, model.predict(x_val, batch_size=256, verbose=0))\n"
                   f"threshold = float(np.percentile(val_errors, {percentile}))\n"
                   "flagged = (errors > threshold).astype(int)\n"
                   "auc = metrics.roc_auc_score(data.y_test, errors)\n"
                   'print(f"threshold {threshold:.4f}: precision {metrics.precision_score(data.y_test, flagged, zero_division=0):.3f}, "\n'
                   '      f"recall {metrics.recall_score(data.y_test, flagged, zero_division=0):.3f}, ROC AUC {auc:.3f}")'),
        ("code", "fig = go.Figure()\n"
                 'for value, name in ((0, "normal"), (1, "anomaly")):\n'
                 "    fig.add_histogram(x=errors[data.y_test == value], name=name, opacity=0.65)\n"
                 'fig.add_vline(x=threshold, line_dash="dash", annotation_text="threshold")\n'
                 'fig.update_layout(barmode="overlay", xaxis_title="reconstruction error", yaxis_title="samples")\n'
                 "fig"),
        ("code", "fpr, tpr, _ = metrics.roc_curve(data.y_test, errors)\n"
                 'roc = go.Figure(go.Scatter(x=fpr, y=tpr, name=f"AUC {auc:.3f}"))\n'
                 'roc.update_layout(xaxis_title="false-alarm rate", yaxis_title="anomalies caught", showlegend=True)\n'
                 "roc"),
    ]
    return export.notebook_bytes(cells)


def _data_code(settings: dict) -> str:
    """The code that rebuilds a page run's `AnomalySet`, as nnkit builds it."""
    from nnkit.experiments.autoencoder import anomalies as an

    source, seed = settings["source"], settings["seed"]
    if source == an.DIGITS_SRC:
        normal, _ = an.normal_classes(source, settings["normal"])
        return _inline(an, ("TRAIN_FRACTION",), (an.AnomalySet, an._split_normal, an.from_classes, an.digits)) \
            + f"\n\ndata = digits({normal!r}, seed={seed})"
    if source == an.CANCER_SRC:
        return _inline(an, ("TRAIN_FRACTION",), (an.AnomalySet, an._split_normal, an._standardise,
                                                 an.breast_cancer)) + f"\n\ndata = breast_cancer(seed={seed})"
    name = source.removesuffix(" (series)")
    if name in an.SERIES:
        return _inline(an, ("SPIKE", "LEVEL_SHIFT", "NOISE_BURST", "ANOMALY_KINDS", "SERIES"),
                       (an.AnomalySet, an.load_series, an.inject_anomalies, an._free_start, an.windows,
                        an.detrend, an.series_set)) + f"\n\ndata = series_set({name!r}, seed={seed})"
    raise ValueError(f"no notebook export for {source!r}: it needs an upload or a download")


def _inline(module, constants: tuple[str, ...], objects: tuple) -> str:
    """Constants (as literals) and the source of functions/classes, ready to paste."""
    import sys

    module = module or sys.modules[__name__]
    lines = "\n".join(f"{name} = {getattr(module, name)!r}" for name in constants)
    return lines + "\n\n\n" + "\n\n".join(inspect.getsource(obj) for obj in objects)
