"""Model builders: a frozen config in, a compiled Keras model out.

A model is described once, as data: a list of `LayerSpec`s and a `Compile`.
The app builds from that description (`build_sequential`) and the exported
notebook prints it (`layer_code`, `Compile.code`), so the code a learner takes
home is the model the app trained, never a second copy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

from nnkit.core import backend

LayerSpec = tuple[str, tuple, dict]  # (keras.layers class, positional args, keyword args)


@dataclass(frozen=True)
class KerasObject:
    """A Keras object as data, e.g. `KerasObject("regularizers.L2", {"l2": 0.001})`.

    Used as a `LayerSpec` argument (a regulariser, an initialiser) or on its
    own (a callback): `build()` makes the object, and its repr is the code
    that makes it, so `layer_code` prints "kernel_regularizer=keras.regularizers.L2(l2=0.001)".
    """

    path: str                                          # under keras., e.g. "callbacks.EarlyStopping"
    kwargs: dict[str, Any] = field(default_factory=dict)

    def build(self):
        import keras

        target = keras
        for part in self.path.split("."):
            target = getattr(target, part)
        return target(**self.kwargs)

    def __repr__(self) -> str:
        return f"keras.{self.path}({', '.join(f'{k}={v!r}' for k, v in self.kwargs.items())})"


def build_layers(specs: Sequence[LayerSpec]) -> list:
    """Keras layer objects for `specs`, in order (`KerasObject` arguments built too)."""
    import keras

    def built(value):
        return value.build() if isinstance(value, KerasObject) else value

    return [getattr(keras.layers, cls)(*map(built, args), **{k: built(v) for k, v in kwargs.items()})
            for cls, args, kwargs in specs]


def layer_code(spec: LayerSpec) -> str:
    """A spec as the Keras call that builds it, e.g. "keras.layers.Conv2D(8, 3, padding='same')"."""
    cls, args, kwargs = spec
    return f"keras.layers.{cls}({', '.join([*map(repr, args), *(f'{k}={v!r}' for k, v in kwargs.items())])})"


@dataclass(frozen=True)
class Compile:
    """The arguments of `model.compile`, as data the app and the notebook share."""

    optimizer: str = "adam"          # any keras.optimizers name
    learning_rate: float = 0.01
    loss: str = "binary_crossentropy"
    metrics: tuple[str, ...] = ("accuracy",)
    options: dict[str, Any] = field(default_factory=dict)  # extra optimizer arguments (momentum…)

    def optimizer_object(self):
        import keras

        return keras.optimizers.get({"class_name": self.optimizer,
                                     "config": {"learning_rate": self.learning_rate, **self.options}})

    def apply(self, model) -> None:
        model.compile(optimizer=self.optimizer_object(), loss=self.loss, metrics=list(self.metrics))

    def optimizer_code(self) -> str:
        """The optimizer as a learner would write it, e.g. "keras.optimizers.Adam(learning_rate=0.01)"."""
        cls = type(self.optimizer_object()).__name__  # "adam" -> "Adam"
        args = ", ".join([f"learning_rate={self.learning_rate!r}", *(f"{k}={v!r}" for k, v in self.options.items())])
        return f"keras.optimizers.{cls}({args})"

    def code(self, model: str = "model") -> str:
        return (f"{model}.compile(optimizer={self.optimizer_code()},\n"
                f"{' ' * (len(model) + 9)}loss={self.loss!r}, metrics={list(self.metrics)!r})")


def build_sequential(specs: Sequence[LayerSpec], compile: Compile | None, seed: int, name: str = "model"):
    """A seeded `keras.Sequential` from specs (Input first), compiled when `compile` is given."""
    import keras

    backend.set_seed(seed)
    model = keras.Sequential(build_layers(specs), name=name)
    if compile is not None:
        compile.apply(model)
    return model


@dataclass(frozen=True)
class MLPConfig:
    """A dense network; the defaults solve moons in a few seconds on a CPU."""

    hidden: tuple[int, ...] = (16, 16)  # units per hidden layer; () is a single neuron
    activation: str = "relu"            # any keras.activations name
    optimizer: str = "adam"             # any keras.optimizers name
    learning_rate: float = 0.01
    seed: int = 0                       # fixes the initial weights


def output_spec(n_classes: int) -> tuple[int, str, str, str]:
    """(units, activation, loss, accuracy metric) for a classification head."""
    if n_classes <= 2:
        return 1, "sigmoid", "binary_crossentropy", "accuracy"
    return n_classes, "softmax", "sparse_categorical_crossentropy", "accuracy"


def mlp_layer_specs(config: MLPConfig, n_inputs: int, n_classes: int = 2) -> list[LayerSpec]:
    """The layers of `build_mlp`, Input first."""
    units, out_activation, _, _ = output_spec(n_classes)
    return [("Input", ((n_inputs,),), {}),
            *(("Dense", (n,), {"activation": config.activation, "name": f"hidden_{i + 1}"})
              for i, n in enumerate(config.hidden)),
            ("Dense", (units,), {"activation": out_activation, "name": "output"})]


def mlp_compile(config: MLPConfig, n_classes: int = 2) -> Compile:
    _, _, loss, metric = output_spec(n_classes)
    return Compile(config.optimizer, config.learning_rate, loss, (metric,))


def build_mlp(config: MLPConfig, n_inputs: int, n_classes: int = 2):
    """Build and compile an MLP classifier with reproducible initial weights.

    Example: `MLPConfig(hidden=(8, 8))` on 2 inputs and 2 classes gives
    2 → 8 → 8 → 1 (sigmoid), trained with binary cross-entropy.
    """
    return build_sequential(mlp_layer_specs(config, n_inputs, n_classes), mlp_compile(config, n_classes),
                            config.seed, name="mlp")


def count_params(n_inputs: int, hidden: tuple[int, ...], n_outputs: int) -> int:
    """Weights plus biases of a dense stack, without building it in Keras."""
    sizes = [n_inputs, *hidden, n_outputs]
    return sum((a + 1) * b for a, b in zip(sizes, sizes[1:]))


def describe(n_inputs: int, hidden: tuple[int, ...], n_outputs: int) -> str:
    """E.g. "2 inputs → 8 → 8 → 1 output (105 weights and biases)"."""
    arrows = " → ".join(str(n) for n in hidden)
    middle = f" → {arrows}" if hidden else ""
    return (f"{n_inputs} inputs{middle} → {n_outputs} output"
            f"{'s' if n_outputs > 1 else ''} ({count_params(n_inputs, hidden, n_outputs):,} weights and biases)")
