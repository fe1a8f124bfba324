"""The few things Keras's backend-neutral API cannot do for us.

Everything backend-specific lives here: seeding without loading a second
framework, listing GPUs, autodiff of a plain function, per-layer loss gradients.
"""

from __future__ import annotations

import os
import random
from typing import Any, Callable

import numpy as np


def name() -> str:
    """The Keras backend that is (or will be) in use, without importing Keras."""
    return os.environ.get("KERAS_BACKEND", "jax")


def set_seed(seed: int) -> None:
    """Make weight initialisation, shuffling and dropout reproducible.

    `keras.utils.set_random_seed` imports TensorFlow whenever it is installed,
    which under JAX costs ~400 MB and seconds. So under other backends we do
    what it does minus the TensorFlow part: reset Keras's global seed
    generator and seed Python and NumPy (the generator draws from them).
    """
    import keras

    if keras.backend.backend() == "tensorflow":
        keras.utils.set_random_seed(seed)
        return
    from keras.src.backend.common import global_state
    from keras.src.random import seed_generator
    from keras.src.utils import rng_utils

    global_state.set_global_attribute(rng_utils.GLOBAL_RANDOM_SEED, seed)
    global_state.set_global_attribute(seed_generator.GLOBAL_SEED_GENERATOR, None)
    random.seed(seed)
    np.random.seed(seed)
    if keras.backend.backend() == "torch":
        import torch

        torch.manual_seed(seed)


def warm_up() -> str:
    """Import Keras and run one tiny fit, evaluate and predict; returns the backend's name.

    Why: the first minute of a workshop is thirty sessions touching Keras for
    the first time at once. Python hands a second thread a module that another
    thread is still initialising whenever their imports wait on each other in
    a cycle, and Keras's package has many. Called once per process before any
    session builds a model (`ui.page_settings`), every later import is a
    dictionary lookup and every lazily loaded training module is already in
    place, so no learner's first click pays for them either.
    """
    import keras

    keep_tensorflow_unloaded()
    x = np.zeros((8, 2), "float32")
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2, activation="relu"), keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    model.fit(x, x[:, :1], epochs=1, batch_size=4, validation_split=0.25, verbose=0)
    model.evaluate(x, x[:, :1], verbose=0)
    model.predict(x, verbose=0)
    return keras.backend.backend()


def keep_tensorflow_unloaded() -> None:
    """Under JAX or torch, let Keras consult TensorFlow only once something else has imported it.

    Why: Keras's serialisation asks "is this a tf.TensorShape?" for every value
    it writes (saving a `.keras` file, `clone_model`), and to ask it imports
    TensorFlow wherever it is installed: ~450 MB more resident and seconds, once
    per process, the first time a learner downloads a model - on a server with a
    hard memory cap. While TensorFlow is not imported no object can be one of its
    types, so "not available" is the true answer then; once something imports
    it, Keras's own check applies again.
    """
    if name() == "tensorflow":
        return
    import sys

    from keras.src.utils import module_utils

    class ImportedOnly(module_utils.LazyModule):
        @property
        def available(self) -> bool:
            if self._available is None and self.name.split(".")[0] not in sys.modules:
                return False
            return module_utils.LazyModule.available.fget(self)

    for lazy in (module_utils.tensorflow, module_utils.gfile):
        if type(lazy) is module_utils.LazyModule:
            lazy.__class__ = ImportedOnly


def framework_version() -> str:
    """Version string of the framework behind the active backend."""
    backend = name()
    if backend == "tensorflow":
        import tensorflow as tf

        return f"TensorFlow {tf.__version__}"
    if backend == "jax":
        import jax

        return f"JAX {jax.__version__}"
    if backend == "torch":
        import torch

        return f"PyTorch {torch.__version__}"
    return backend


def list_gpus(framework: Any = None) -> list[dict]:
    """GPUs the active backend can use, as dicts with "name" and "memory_mb".

    `framework` is the imported framework module; tests pass a fake one.
    Memory is None where the framework does not report it.
    """
    backend = name()
    if backend == "tensorflow":
        return _tf_gpus(framework or _import("tensorflow"))
    if backend == "jax":
        return _jax_gpus(framework or _import("jax"))
    if backend == "torch":
        return _torch_gpus(framework or _import("torch"))
    return []


def _import(module: str):
    import importlib

    return importlib.import_module(module)


def _tf_gpus(tf) -> list[dict]:
    gpus = []
    for device in tf.config.list_physical_devices("GPU"):
        details = tf.config.experimental.get_device_details(device) or {}
        gpus.append({"name": details.get("device_name", device.name), "memory_mb": None,
                     "compute_capability": details.get("compute_capability")})
    return gpus


def _jax_gpus(jax) -> list[dict]:
    try:
        devices = jax.devices("gpu")
    except RuntimeError:  # jax raises when no GPU platform is installed
        return []
    gpus = []
    for device in devices:
        stats = device.memory_stats() or {}
        limit = stats.get("bytes_limit")
        capability = getattr(device, "compute_capability", None)
        gpus.append({"name": device.device_kind,
                     "memory_mb": int(limit / 2**20) if limit else None,
                     "compute_capability": _capability_tuple(capability)})
    return gpus


def _torch_gpus(torch) -> list[dict]:
    if not torch.cuda.is_available():
        return []
    gpus = []
    for index in range(torch.cuda.device_count()):
        props = torch.cuda.get_device_properties(index)
        gpus.append({"name": props.name, "memory_mb": int(props.total_memory / 2**20),
                     "compute_capability": (props.major, props.minor)})
    return gpus


def _capability_tuple(value: Any) -> tuple[int, int] | None:
    if value is None:
        return None
    if isinstance(value, tuple):
        return value
    major, _, minor = str(value).partition(".")
    return (int(major), int(minor or 0))


def gradient_fn(fn: Callable) -> Callable[[np.ndarray], np.ndarray]:
    """Elementwise derivative of `fn` (a function of a tensor) by autodiff.

    Used to plot f'(z) from the real Keras activation or loss instead of a
    hand-written formula. Returns a NumPy-in, NumPy-out function.
    """
    backend = name()
    if backend == "jax":
        import jax

        grad = jax.vmap(jax.grad(lambda z: fn(z)))
        return lambda z: np.asarray(grad(np.asarray(z, dtype="float32")))
    if backend == "tensorflow":
        import tensorflow as tf

        def tf_grad(z):
            z = tf.convert_to_tensor(np.asarray(z, dtype="float32"))
            with tf.GradientTape() as tape:
                tape.watch(z)
                out = fn(z)
            return tape.gradient(out, z).numpy()

        return tf_grad
    if backend == "torch":
        import torch

        def torch_grad(z):
            t = torch.tensor(np.asarray(z, dtype="float32"), requires_grad=True)
            fn(t).sum().backward()
            return t.grad.numpy()

        return torch_grad
    raise NotImplementedError(f"autodiff is not wired for backend {backend!r}")

def gradient(fn: Callable, x: np.ndarray) -> np.ndarray:
    """Gradient of a scalar function of one array, by autodiff, at `x` (same shape and dtype).

    For quantities that are not weights, e.g. the loss with respect to a
    layer's output, so a page can check a hand-written chain rule against
    the framework's own derivative of the real Keras layers.
    """
    backend = name()
    x = np.asarray(x)
    if backend == "jax":
        import jax

        return np.asarray(jax.grad(fn)(x))
    if backend == "tensorflow":
        import tensorflow as tf

        t = tf.convert_to_tensor(x)
        with tf.GradientTape() as tape:
            tape.watch(t)
            out = fn(t)
        return tape.gradient(out, t).numpy()
    raise NotImplementedError(f"autodiff is not wired for backend {backend!r}")


def compiled_call(model) -> Callable[[np.ndarray], np.ndarray]:
    """`model(x, training=False)` compiled once as a whole graph; NumPy in, NumPy out.

    Why not a plain call: under JAX a plain call runs op by op, and on
    MobileNetV2 that held 1.3 GB more at its peak than one compiled graph (XLA
    buffers and a kernel per op and shape) - on a shared server with a hard
    memory cap. Why not `model.predict`: it detaches the variables' values for
    the length of the call, which a model shared by sessions must never do;
    this only reads them (under JAX as explicit arguments of a stateless call).
    """
    backend = name()
    if backend == "jax":
        import jax

        @jax.jit
        def forward(trainable, non_trainable, x):
            return model.stateless_call(trainable, non_trainable, x, training=False)[0]

        return lambda x: np.asarray(forward([v.value for v in model.trainable_variables],
                                            [v.value for v in model.non_trainable_variables], x))
    if backend == "tensorflow":
        import tensorflow as tf

        forward = tf.function(lambda x: model(x, training=False), reduce_retracing=True)
        return lambda x: forward(tf.convert_to_tensor(x)).numpy()
    from keras import ops

    return lambda x: ops.convert_to_numpy(model(x, training=False))


def loss_gradients(model, x: np.ndarray, y: np.ndarray, loss_fn: Callable) -> list[np.ndarray]:
    """Gradients of the mean loss w.r.t. each trainable weight, as NumPy arrays.

    Keras 3 has no backend-neutral gradient call, and pages need the real
    per-layer gradients (e.g. to show sigmoid's vanishing gradients), so this
    differentiates `loss_fn(y, model(x))` with the active backend, in
    inference mode and without touching the optimizer. Order matches
    `model.trainable_variables`.
    """
    from keras import ops

    backend = name()
    if backend == "jax":
        import jax

        trainable = [v.value for v in model.trainable_variables]
        non_trainable = [v.value for v in model.non_trainable_variables]

        def mean_loss(values):
            y_pred, _ = model.stateless_call(values, non_trainable, x, training=False)
            return ops.mean(loss_fn(y, y_pred))

        return [np.asarray(g) for g in jax.grad(mean_loss)(trainable)]
    if backend == "tensorflow":
        import tensorflow as tf

        with tf.GradientTape() as tape:
            loss = ops.mean(loss_fn(y, model(x, training=False)))
        return [g.numpy() for g in tape.gradient(loss, model.trainable_variables)]
    raise NotImplementedError(f"loss gradients are not wired for backend {backend!r}")
