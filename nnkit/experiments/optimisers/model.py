"""Optimisers as learners meet them: the registry of real `keras.optimizers` and the network.

`OPTIMISERS` names each Keras class with its update rule in LaTeX (checked
against Keras by `rules.reference_step`), the learning rates that make it
behave on a surface or the digits network, and how to build it. The digits
network is described once, as `LayerSpec`s (`network_specs`): the app builds
from them and the notebook prints them. The race lives in `race.py`, the
rules in `rules.py`, schedules in `schedules.py`, the range test in
`range_test.py`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Sequence

from nnkit.core import models
from nnkit.experiments.optimisers.surfaces import Surface

# ---- the registry ---------------------------------------------------------------

@dataclass(frozen=True)
class OptimiserSpec:
    """One `keras.optimizers` class as the page offers it."""

    name: str
    keras_class: str                   # attribute of keras.optimizers
    fixed: tuple[tuple[str, Any], ...]  # constructor arguments the name implies
    knob: str | None                   # the one extra hyperparameter the page exposes
    knob_label: str
    knob_default: float
    lr_kind: str                       # "gradient" (step ∝ LR·g), "adaptive" (step ≈ LR) or "sign"
    equations: tuple[str, ...]         # LaTeX, one line each
    story: str


_G = r"g_t = \nabla f(x_{t-1})"
_ADAM_MV = (r"m_t = m_{t-1} + (1-\beta_1)(g_t - m_{t-1})",
            r"v_t = v_{t-1} + (1-\beta_2)(g_t^2 - v_{t-1})")

OPTIMISERS: dict[str, OptimiserSpec] = {s.name: s for s in (
    OptimiserSpec("SGD", "SGD", (), None, "", 0.0, "gradient",
                  (_G, r"x_t = x_{t-1} - \eta\, g_t"),
                  "Steps straight downhill, by a distance proportional to the slope."),
    OptimiserSpec("SGD + momentum", "SGD", (), "momentum", "momentum μ", 0.9, "gradient",
                  (_G, r"m_t = \mu\, m_{t-1} - \eta\, g_t", r"x_t = x_{t-1} + m_t"),
                  "A heavy ball: past steps keep it rolling along a valley floor."),
    OptimiserSpec("Nesterov", "SGD", (("nesterov", True),), "momentum", "momentum μ", 0.9,
                  "gradient",
                  (_G, r"m_t = \mu\, m_{t-1} - \eta\, g_t", r"x_t = x_{t-1} + \mu\, m_t - \eta\, g_t"),
                  "Momentum that looks one step ahead, so it overshoots less."),
    OptimiserSpec("RMSprop", "RMSprop", (), "rho", "decay ρ", 0.9, "adaptive",
                  (_G, r"v_t = \rho\, v_{t-1} + (1-\rho)\, g_t^2",
                   r"x_t = x_{t-1} - \frac{\eta\, g_t}{\sqrt{v_t + \epsilon}}"),
                  "Divides each coordinate's step by its recent gradient size: equal pace in every direction."),
    OptimiserSpec("Adagrad", "Adagrad", (), None, "", 0.0, "adaptive",
                  (_G, r"a_t = a_{t-1} + g_t^2 \quad (a_0 = 0.1)",
                   r"x_t = x_{t-1} - \frac{\eta\, g_t}{\sqrt{a_t + \epsilon}}"),
                  "Like RMSprop but sums all past squared gradients, so its steps only shrink."),
    OptimiserSpec("Adam", "Adam", (), "beta_1", "β₁ (momentum)", 0.9, "adaptive",
                  (_G, *_ADAM_MV, r"\alpha_t = \eta\, \frac{\sqrt{1-\beta_2^t}}{1-\beta_1^t}",
                   r"x_t = x_{t-1} - \alpha_t\, \frac{m_t}{\sqrt{v_t} + \epsilon}"),
                  "Momentum plus RMSprop's per-coordinate scaling, with start-up bias correction."),
    OptimiserSpec("AdamW", "AdamW", (), "beta_1", "β₁ (momentum)", 0.9, "adaptive",
                  (_G, r"x'_{t-1} = x_{t-1} - \eta\,\lambda\, x_{t-1}", *_ADAM_MV,
                   r"\alpha_t = \eta\, \frac{\sqrt{1-\beta_2^t}}{1-\beta_1^t}",
                   r"x_t = x'_{t-1} - \alpha_t\, \frac{m_t}{\sqrt{v_t} + \epsilon}"),
                  "Adam plus weight decay applied straight to the weights (λ = 0.004), pulling them towards 0."),
    OptimiserSpec("Nadam", "Nadam", (), "beta_1", "β₁ (momentum)", 0.9, "adaptive",
                  (_G, r"u_t = \beta_1\,(1 - \tfrac12\, 0.96^{t}), \quad \Pi_t = \Pi_{t-1}\, u_t",
                   *_ADAM_MV,
                   r"\hat m_t = \frac{u_{t+1}\, m_t}{1 - \Pi_t u_{t+1}} + \frac{(1-u_t)\, g_t}{1 - \Pi_t}, "
                   r"\quad \hat v_t = \frac{v_t}{1-\beta_2^t}",
                   r"x_t = x_{t-1} - \frac{\eta\, \hat m_t}{\sqrt{\hat v_t} + \epsilon}"),
                  "Adam with Nesterov's look-ahead on the momentum term."),
    OptimiserSpec("Lion", "Lion", (), "beta_1", "β₁ (interpolation)", 0.9, "sign",
                  (_G, r"c_t = \beta_1\, m_{t-1} + (1-\beta_1)\, g_t",
                   r"x_t = x_{t-1} - \eta\, \mathrm{sign}(c_t)",
                   r"m_t = \beta_2\, m_{t-1} + (1-\beta_2)\, g_t"),
                  "Keeps only the sign: every coordinate moves exactly η per step."),
)}

LR_CHOICES = (0.0, 1e-4, 3e-4, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 100.0, 1e3, 1e6)


def default_lr(name: str, surface: Surface) -> float:
    """A learning rate that makes `name` behave sensibly on `surface`.

    Gradient-scaled optimisers need an LR matched to the surface's curvature;
    adaptive ones move about LR per step, so they need an LR matched to its size.
    """
    kind = OPTIMISERS[name].lr_kind
    if kind == "gradient":
        return snap_lr(surface.sgd_lr)
    if kind == "sign":
        return snap_lr(surface.adaptive_lr / 3)
    return snap_lr(surface.adaptive_lr * (10 if name == "Adagrad" else 1))  # Adagrad's steps shrink fast


def snap_lr(learning_rate: float, choices: Sequence[float] = LR_CHOICES) -> float:
    """The positive entry of `choices` nearest to `learning_rate` on a log scale."""
    positive = [c for c in choices if c > 0]
    return min(positive, key=lambda c: abs(math.log(c) - math.log(max(learning_rate, 1e-12))))


NETWORK_LR = {"gradient": 0.1, "adaptive": 0.003, "sign": 0.0003}


def network_lr(name: str) -> float:
    """A learning rate that trains the digits MLP well with `name`."""
    return 0.03 if name == "Adagrad" else NETWORK_LR[OPTIMISERS[name].lr_kind]


def make_optimizer(name: str, learning_rate: Any, knob: float | None = None):
    """The real Keras optimizer for a registry entry.

    Args:
        name: a key of `OPTIMISERS`, e.g. "Nesterov".
        learning_rate: a float or a `keras.optimizers.schedules` schedule.
        knob: value for the entry's extra hyperparameter (momentum, ρ or β₁);
            None keeps the registry default.
    """
    import keras

    if isinstance(learning_rate, (int, float)):
        learning_rate = float(learning_rate)
    optimizer_class = getattr(keras.optimizers, OPTIMISERS[name].keras_class)
    return optimizer_class(learning_rate=learning_rate, **optimizer_arguments(name, knob))


def optimizer_arguments(name: str, knob: float | None = None) -> dict[str, Any]:
    """Constructor arguments besides the learning rate, e.g. {"momentum": 0.9, "nesterov": True}."""
    spec = OPTIMISERS[name]
    kwargs = dict(spec.fixed)
    if spec.knob:
        kwargs[spec.knob] = spec.knob_default if knob is None else float(knob)
    return kwargs


def default_knob(name: str) -> float | None:
    """The registry's value for `name`'s extra hyperparameter, or None when it has none."""
    spec = OPTIMISERS[name]
    return spec.knob_default if spec.knob else None


def hyperparameters(name: str, learning_rate: float, knob: float | None = None) -> dict[str, Any]:
    """Every constant the update rule uses, read from the Keras optimizer's own config."""
    config = make_optimizer(name, learning_rate, knob).get_config()
    config["learning_rate"] = float(learning_rate)
    return config

# ---- the real network -------------------------------------------------------------

HIDDEN = (32,)          # 64 pixels → 32 ReLU units → 10 softmax outputs
VALIDATION = 0.2        # held out, seeded, as in every nnkit run


def steps_per_epoch(n_samples: int, validation_split: float, batch_size: int) -> int:
    """Optimizer updates per epoch on the training part of `n_samples` examples."""
    n_train = n_samples - int(round(n_samples * validation_split))
    return max(1, math.ceil(n_train / max(1, batch_size)))


def network_specs(n_inputs: int, n_classes: int, hidden: tuple[int, ...] = HIDDEN) -> list[models.LayerSpec]:
    """The network every optimiser trains, as the specs the app builds and the notebook prints."""
    return models.mlp_layer_specs(models.MLPConfig(hidden, "relu"), n_inputs, n_classes)


def network_loss(n_classes: int) -> tuple[str, str]:
    """(loss, metric) the network compiles with."""
    _, _, loss, metric = models.output_spec(n_classes)
    return loss, metric


def build_network(name: str, learning_rate: Any, knob: float | None, n_inputs: int,
                  n_classes: int, hidden: tuple[int, ...] = HIDDEN, seed: int = 0):
    """The same MLP (same seed, so same initial weights) compiled with one optimiser."""
    model = models.build_sequential(network_specs(n_inputs, n_classes, hidden), None, seed, name="mlp")
    loss, metric = network_loss(n_classes)
    model.compile(optimizer=make_optimizer(name, learning_rate, knob), loss=loss, metrics=[metric])
    return model


def network_variants(names: Sequence[str], learning_rates: dict[str, float], schedule: str, batch: int,
                     epochs: int, seed: int, data) -> list[dict]:
    """One run per optimiser as `ui.Variant` fields: same data, seed and initial weights.

    Each run's settings record what the notebook needs to reproduce it.
    """
    from nnkit.core.training import TrainConfig
    from nnkit.experiments.optimisers import schedules

    total = steps_per_epoch(len(data.x), VALIDATION, batch) * epochs
    shared = {"batch": batch, "epochs": epochs, "schedule": schedule, "seed": seed,
              **{f"netlr.{n}": learning_rates[n] for n in names}}
    return [{"label": f"{name} (η {learning_rates[name]:g})", "settings": {**shared, "optimizer": name},
             "build": lambda name=name: build_network(
                 name, schedules.make_schedule(schedule, learning_rates[name], total), default_knob(name),
                 data.n_features, data.n_classes, seed=seed),
             "data": data, "config": TrainConfig(epochs, batch, VALIDATION, seed)} for name in names]
