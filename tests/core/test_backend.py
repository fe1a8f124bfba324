"""nnkit.core.backend: a compiled inference call, and TensorFlow kept out of a JAX process."""

import os
import subprocess
import sys

import numpy as np

from nnkit.core import backend
from tests.helpers import ROOT


def test_a_compiled_call_returns_what_calling_the_model_does():
    import keras

    model = keras.Sequential([keras.Input((6, 6, 2)), keras.layers.Conv2D(3, 3, activation="relu"),
                              keras.layers.GlobalAveragePooling2D(), keras.layers.Dense(2)])
    call = backend.compiled_call(model)
    for n in (4, 1):  # a second batch size compiles once more, with the same answer
        x = np.random.default_rng(n).normal(size=(n, 6, 6, 2)).astype("float32")
        out = call(x)
        assert isinstance(out, np.ndarray)
        np.testing.assert_allclose(out, keras.ops.convert_to_numpy(model(x, training=False)), rtol=1e-5, atol=1e-6)


SAVE_AND_CLONE = """
import sys
from nnkit.core import backend, saving
backend.warm_up()
import keras
model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
blob = saving.model_bytes(model)
keras.models.clone_model(model)
assert saving.load_model_bytes(blob).count_params() == model.count_params()
assert "tensorflow" not in sys.modules, "saving or cloning imported TensorFlow under JAX"
import tensorflow as tf
from keras.src.saving import serialization_lib
assert serialization_lib.serialize_keras_object(tf.TensorShape([2, 3])) == [2, 3]  # Keras's own check again
print("ok")
"""


def test_saving_and_cloning_under_jax_leave_tensorflow_unloaded_until_something_imports_it():
    out = subprocess.run([sys.executable, "-c", SAVE_AND_CLONE], capture_output=True, text=True, timeout=300,
                         cwd=ROOT, env={**os.environ, "KERAS_BACKEND": "jax"})
    assert out.returncode == 0 and out.stdout.strip().endswith("ok"), out.stderr[-3000:]
