"""Autoencoders: squeeze data through a bottleneck, rebuild it, score the misfits.

An autoencoder is trained to output its own input (x → x) through a narrow
middle layer, the bottleneck. Trained on normal data only, it learns to
rebuild what normal looks like; whatever it rebuilds badly is suspicious.
This module builds dense and convolutional autoencoders, scores each sample
by its reconstruction error (`reconstruction_error`, the ONE definition that
the histogram, the metrics and the ROC curve all use), and keeps what the
page draws after a run (`analyse`). Thresholds live in `threshold.py`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from nnkit.core import metrics
from nnkit.core.backend import set_seed
from nnkit.core.diagnosis import Baseline
from nnkit.experiments.autoencoder.threshold import worst

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
    set_seed(config.seed)
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


# ---- latent space and PCA ---------------------------------------------------------------

def encode(model, x: np.ndarray) -> np.ndarray:
    """The bottleneck values of each sample, shape (n, bottleneck)."""
    import keras

    encoder = keras.Model(model.inputs, model.get_layer("bottleneck").output)
    return np.asarray(encoder.predict(x, batch_size=256, verbose=0))


def project_2d(values: np.ndarray, seed: int = 0) -> tuple[np.ndarray, str]:
    """Flatten to (n, d); d ≤ 2 is padded and returned as is, larger d goes
    through PCA (`nnkit.core.metrics.pca_2d`). Returns (points (n, 2), how they were obtained)."""
    flat = np.asarray(values, dtype="float64").reshape(len(values), -1)
    if flat.shape[1] <= 2:
        return np.pad(flat, ((0, 0), (0, 2 - flat.shape[1]))), f"the {flat.shape[1]}-D code itself"
    points, shares = metrics.pca_2d(flat, seed)
    return points, f"PCA of {flat.shape[1]}-D ({sum(shares):.0%} of variance)"


def mean_baseline(x: np.ndarray) -> Baseline:
    """What "rebuild every sample as the average sample" scores: the mean squared
    distance from each feature's mean, in the same units as the training loss.
    An autoencoder that does not beat it has learned nothing about the data."""
    flat = np.asarray(x, dtype="float64").reshape(len(x), -1)
    return Baseline("always predicting each feature's mean", float(np.mean((flat - flat.mean(0)) ** 2)))


# ---- denoising -----------------------------------------------------------------------

def add_noise(x: np.ndarray, level: float, seed: int = 0, clip: bool = False) -> np.ndarray:
    """x plus Gaussian noise of standard deviation `level` (clipped to [0, 1] for pixels).

    A denoising autoencoder trains on (noisy → clean) pairs: to undo noise it
    must learn what real samples look like rather than copy its input.
    """
    noisy = np.asarray(x, "float32") + np.random.default_rng(seed).normal(0, level, np.shape(x))
    return (np.clip(noisy, 0, 1) if clip else noisy).astype("float32")


# ---- what a page keeps after a run -----------------------------------------------------

N_SHOWN = 5


def analyse(model, data, seed: int = 0, validation_fraction: float = VALIDATION) -> dict:
    """Everything the page draws after training, as plain arrays (no model kept).

    `data` is an `AnomalySet` (`samples.py`). The threshold is suggested from
    the errors of the normal rows `nnkit.train` held out for validation (same
    seeded split), so it is chosen without ever looking at the anomalies.
    """
    from nnkit.core.data import split

    _, (x_val, _) = split(data.x_train, data.x_train, validation_fraction, seed)
    _, val_errors = score(model, x_val if len(x_val) else data.x_train)
    x_hat, errors = score(model, data.x_test)
    baseline = mean_baseline(data.x_train)
    kept = {"name": data.name, "kind": data.kind, "labelled": data.labelled, "errors": errors,
            "labels": data.y_test, "groups": data.groups, "val_errors": val_errors,
            "sample_shape": data.sample_shape, "baseline": (baseline.name, baseline.loss)}
    if not np.isfinite(errors).all():  # a ruined model: nothing to project or show
        return kept
    rng = np.random.default_rng(seed)
    picks = {name: rng.permutation(np.flatnonzero(data.y_test == value))[:N_SHOWN]
             for name, value in (("normal", 0), ("anomaly", 1))}
    picks["worst"] = worst(errors, N_SHOWN)
    code, code_how = project_2d(encode(model, data.x_test), seed)
    raw, raw_how = project_2d(data.x_test, seed)
    return {**kept, "shown": {k: (data.x_test[i], x_hat[i], errors[i]) for k, i in picks.items()},
            "latent": (code, code_how), "raw_pca": (raw, raw_how)}


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
            "kind": data.kind, "baseline": ("passing the noisy input through unchanged",
                                            float(reconstruction_error(clean, noisy).mean()))}
