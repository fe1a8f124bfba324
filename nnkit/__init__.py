"""nnkit: the shared spine of the nnkit lab.

Importing the package is cheap on purpose: it only picks the Keras backend.
Keras and its backend load the first time a page trains something, so the home
page opens without waiting for a deep-learning framework.

JAX is the default backend because it gave the fastest click-to-result on our
small models (see README, "Choosing the default backend"); set KERAS_BACKEND to
override it (TensorFlow is tested in CI too).
"""

import os

DEFAULT_BACKEND = "jax"
os.environ.setdefault("KERAS_BACKEND", DEFAULT_BACKEND)


def __getattr__(name: str):
    # `nnkit.train` is the one entry point pages call (and tests patch);
    # resolving it lazily keeps `import nnkit` free of Keras.
    if name == "train":
        from nnkit.core.training import train

        return train
    raise AttributeError(f"module 'nnkit' has no attribute {name!r}")
