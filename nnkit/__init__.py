"""nnkit: the shared spine of the nnkit lab.

Importing the package is cheap on purpose: it only picks the Keras backend.
Keras and its backend load the first time a page trains something, so the home
page opens without waiting for a deep-learning framework.

JAX is the default backend because it gave the fastest click-to-result on our
small models (see README, "Choosing the default backend"); set KERAS_BACKEND to
override it (TensorFlow is tested in CI too).
"""

import os
import tempfile

DEFAULT_BACKEND = "jax"
os.environ.setdefault("KERAS_BACKEND", DEFAULT_BACKEND)

# JAX's persistent compilation cache: a page's compiled train step survives
# reruns, other sessions and server restarts, so the first click on a freshly
# woken server costs what a second click costs (measured in the README). Small
# models compile in well under JAX's default 1 s threshold, so cache them all.
# JAX reads these when it is first imported; nothing here imports it.
JAX_CACHE_DIR = os.path.join(tempfile.gettempdir(), "nnkit-jax-cache")
os.environ.setdefault("JAX_COMPILATION_CACHE_DIR", JAX_CACHE_DIR)
os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "0")
os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES", "0")


def __getattr__(name: str):
    # `nnkit.train` is the one entry point pages call (and tests patch);
    # resolving it lazily keeps `import nnkit` free of Keras.
    if name == "train":
        from nnkit.core.training import train

        return train
    raise AttributeError(f"module 'nnkit' has no attribute {name!r}")
