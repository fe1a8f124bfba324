"""Model builders: a frozen config in, a compiled Keras model out."""

from __future__ import annotations

from dataclasses import dataclass

from nnkit import backend


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


def build_mlp(config: MLPConfig, n_inputs: int, n_classes: int = 2):
    """Build and compile an MLP classifier with reproducible initial weights.

    Example: `MLPConfig(hidden=(8, 8))` on 2 inputs and 2 classes gives
    2 → 8 → 8 → 1 (sigmoid), trained with binary cross-entropy.
    """
    import keras

    backend.set_seed(config.seed)
    units, out_activation, loss, metric = output_spec(n_classes)
    layers = [keras.Input((n_inputs,))]
    layers += [keras.layers.Dense(n, activation=config.activation, name=f"hidden_{i + 1}")
               for i, n in enumerate(config.hidden)]
    layers.append(keras.layers.Dense(units, activation=out_activation, name="output"))
    model = keras.Sequential(layers, name="mlp")
    optimizer = keras.optimizers.get({"class_name": config.optimizer,
                                      "config": {"learning_rate": config.learning_rate}})
    model.compile(optimizer=optimizer, loss=loss, metrics=[metric])
    return model


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
