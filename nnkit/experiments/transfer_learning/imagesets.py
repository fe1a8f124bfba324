"""The images a transfer run learns from: shipped sets, the learner's own classes, a single photo.

Uploads are hostile until decoded: each bad file is skipped with its reason,
names are shown as plain text (`plaintext.quote`), and large photos are
downscaled once, on arrival, so later reruns do not pay for them again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

import numpy as np

from nnkit.core import images
from nnkit.core.plaintext import quote
from nnkit.experiments.transfer_learning.mobilenet import square
from nnkit.experiments.transfer_learning.model import TransferError

OFFLINE_SETS = {
    "Fashion-MNIST: sandal / sneaker / ankle boot": "fashion",
    "Faces vs non-faces (scikit-image lfw_subset)": "faces",
}
FASHION_PICK = (5, 7, 9)   # Sandal, Sneaker, Ankle boot: similar shoes, a fair test
FASHION_POOL = 6000        # Fashion-MNIST training images drawn first; each class is picked from them


@dataclass
class ImageSet:
    """Images (N, size, size, 3) in [0, 1], integer labels, class names, provenance and notes."""

    x: np.ndarray
    y: np.ndarray
    classes: tuple[str, ...]
    source: str
    notes: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """A short fingerprint, so features can be cached per image set."""
        import hashlib

        digest = hashlib.sha1(self.x.tobytes() + self.y.tobytes()).hexdigest()[:12]
        return f"{len(self.x)}x{self.x.shape[1]}-{digest}"


def offline_set(name: str, per_class: int, size: int, seed: int = 0) -> ImageSet:
    """A shipped image set: `per_class` images of each class, resized to `size`."""
    rng = np.random.default_rng(seed)
    if OFFLINE_SETS.get(name) == "fashion":
        data = images.fashion_mnist(FASHION_POOL, 10, seed)
        picks = [rng.permutation(np.where(data.y == c)[0])[:per_class] for c in FASHION_PICK]
        raw, classes, source = data.x, tuple(data.class_names[c] for c in FASHION_PICK), data.source
    elif OFFLINE_SETS.get(name) == "faces":
        import skimage.data

        raw = skimage.data.lfw_subset()[..., None]   # 100 faces, then 100 non-faces
        picks = [rng.permutation(np.arange(100))[:per_class], 100 + rng.permutation(100)[:per_class]]
        classes = ("face", "not a face")
        source = "scikit-image lfw_subset: 25×25 crops from Labeled Faces in the Wild (public)"
    else:
        raise TransferError(f"unknown image set {quote(name)}; choose one of {list(OFFLINE_SETS)}")
    x = np.stack([square(raw[i], size) for idx in picks for i in idx])
    y = np.concatenate([np.full(len(idx), c, "int32") for c, idx in enumerate(picks)])
    return ImageSet(x, y, classes, source)


Files = Sequence[tuple[str, bytes]]  # (file name, bytes) of one class


def uploaded_set(classes: Iterable[tuple[str, Files]] | Mapping[str, Files], size: int) -> ImageSet:
    """The learner's own classes from uploads: [(class name, [(file name, bytes), ...]), ...].

    A list of pairs, not a dict, so two classes given the same name stay two
    and get their own message. Files that are not images are skipped, each
    with its reason; too few usable classes or images raise TransferError
    (carrying those notes) with a message saying what to add.
    """
    pairs = [(str(name).strip(), list(items)) for name, items in
             (classes.items() if isinstance(classes, Mapping) else classes)]
    seen: set[str] = set()
    for name in (name for name, _ in pairs if name):
        if name.casefold() in seen:
            raise TransferError(f"Class names must differ: two classes are called {quote(name)}. "
                                "Give each class its own name.")
        seen.add(name.casefold())
    notes, xs, ys, names = [], [], [], []
    for name, items in pairs:
        if not items:
            continue
        if not name:
            raise TransferError("Every class with images needs a name.", tuple(notes))
        good = []
        for filename, data in items:
            try:
                image, _ = images.decode_upload(data, max_side=1024)
                good.append(square(image, size))
            except images.ImageError as exc:
                notes.append(f"{quote(filename)} (class {quote(name)}) was skipped: {exc}")
        if len(good) < 2:
            raise TransferError(f"Class {quote(name)} has {len(good)} usable image(s); each class needs at "
                                "least 2 (one to learn from, one to check).", tuple(notes))
        xs += good
        ys += [len(names)] * len(good)
        names.append(name)
    if len(names) < 2:
        raise TransferError("Add images for at least two classes: one class alone has nothing to "
                            "be told apart from.", tuple(notes))
    return ImageSet(np.stack(xs), np.array(ys, "int32"), tuple(names), "your uploads", tuple(notes))


def photo_from_upload(data: bytes, name: str = "") -> tuple[np.ndarray, list[str]]:
    """One uploaded photo, downscaled to at most 512 pixels a side, plus notes for the learner.

    Raises images.ImageError with the file's name (as plain text) in the message.
    """
    try:
        return images.decode_upload(data)
    except images.ImageError as exc:
        raise images.ImageError(f"{quote(name)}: {exc}" if name else str(exc)) from None
