"""Offline images: sample photos, a learner's upload, and Fashion-MNIST.

Every source here works without a network. Photos ship inside scikit-image
and scikit-learn; Fashion-MNIST comes from Debian's `dataset-fashion-mnist`
package. Where that is missing, `fashion_mnist()` walks a fallback chain and
says which source it ended up using, so a page can tell the learner.

Images are float32 arrays in [0, 1] with a channel axis, shape (H, W, C),
C = 1 (grey) or 3 (RGB): the layout Keras's Conv2D expects per sample.
"""

from __future__ import annotations

import gzip
import io
import socket
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from nnkit.core.data import Dataset

MAX_SIDE = 512            # uploads larger than this are downscaled (conv lab speed)
MAX_UPLOAD_BYTES = 20 * 2**20
DEBIAN_DIR = Path("/usr/share/datasets/fashion-mnist")
FASHION_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                   "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")


class ImageError(ValueError):
    """An upload we cannot use, with a message a learner can act on."""


# ---- sample photos -------------------------------------------------------------

@dataclass(frozen=True)
class Photo:
    """Where a sample photo comes from and under which licence."""

    name: str
    loader: Callable[[], np.ndarray]
    credit: str


def _skimage(name: str) -> Callable[[], np.ndarray]:
    def load() -> np.ndarray:
        import skimage.data

        return getattr(skimage.data, name)()
    return load


def _sklearn(filename: str) -> Callable[[], np.ndarray]:
    def load() -> np.ndarray:
        from sklearn.datasets import load_sample_image

        return load_sample_image(filename)
    return load


# Only images stored inside the installed packages: others download via pooch.
PHOTOS: dict[str, Photo] = {p.name: p for p in (
    Photo("chelsea (cat)", _skimage("chelsea"), "scikit-image · Stefan van der Walt, CC0"),
    Photo("astronaut", _skimage("astronaut"), "scikit-image · NASA (Eileen Collins), public domain"),
    Photo("camera", _skimage("camera"), "scikit-image · Lav Varshney, CC0"),
    Photo("coffee", _skimage("coffee"), "scikit-image · Rachel Michetti, CC0"),
    Photo("brick wall", _skimage("brick"), "scikit-image · CC0Textures, CC0"),
    Photo("coins", _skimage("coins"), "scikit-image · Brooklyn Museum, no known restrictions"),
    Photo("rocket", _skimage("rocket"), "scikit-image · SpaceX, public domain"),
    Photo("text", _skimage("text"), "scikit-image · Wikipedia, public domain"),
    Photo("china (temple)", _sklearn("china.jpg"), "scikit-learn · danielbuechele, CC BY 2.0"),
    Photo("flower", _sklearn("flower.jpg"), "scikit-learn · vultilion, CC BY 2.0"),
)}


def load_photo(name: str) -> np.ndarray:
    """A sample photo as float32 (H, W, C) in [0, 1]."""
    if name not in PHOTOS:
        raise KeyError(f"unknown photo {name!r}; choose one of {sorted(PHOTOS)}")
    return normalise(PHOTOS[name].loader())


def normalise(array: np.ndarray) -> np.ndarray:
    """Any integer/bool/float image to float32 (H, W, 1|3) in [0, 1].

    Why: uploads and sample images arrive as uint8, uint16, bool or float, and
    with 2, 3 or 4 channels; the convolution lab wants one layout.
    """
    a = np.asarray(array)
    if a.dtype == bool:
        a = a.astype("float32")
    elif np.issubdtype(a.dtype, np.integer):
        a = a.astype("float32") / float(np.iinfo(a.dtype).max)
    else:
        a = a.astype("float32")
        hi = float(np.nanmax(a)) if a.size else 1.0
        a = a / hi if hi > 1.0 else a
    if a.ndim == 2:
        a = a[:, :, None]
    if a.ndim != 3:
        raise ImageError(f"expected a 2-D image, got an array of shape {a.shape}")
    if a.shape[2] == 4:           # RGBA: drop alpha (composite on white would hide edges)
        a = a[:, :, :3]
    elif a.shape[2] == 2:         # grey + alpha
        a = a[:, :, :1]
    elif a.shape[2] not in (1, 3):
        raise ImageError(f"images need 1, 3 or 4 channels, this one has {a.shape[2]}")
    return np.clip(np.nan_to_num(a), 0.0, 1.0)


def to_grey(image: np.ndarray) -> np.ndarray:
    """(H, W, 1) luminance (ITU-R BT.601 weights), for single-channel kernels."""
    if image.shape[2] == 1:
        return image
    weights = np.array([0.299, 0.587, 0.114], dtype="float32")
    return (image[:, :, :3] @ weights)[:, :, None]


def downscale(image: np.ndarray, max_side: int = MAX_SIDE) -> tuple[np.ndarray, str]:
    """Shrink so the longer side is at most `max_side`; returns (image, notice or "")."""
    h, w = image.shape[:2]
    if max(h, w) <= max_side:
        return image, ""
    from skimage.transform import resize

    scale = max_side / max(h, w)
    size = (max(1, round(h * scale)), max(1, round(w * scale)))
    small = resize(image, (*size, image.shape[2]), anti_aliasing=True).astype("float32")
    return small, f"The image was {w}×{h} pixels; it was downscaled to {size[1]}×{size[0]} to keep the lab fast."


def decode_upload(data: bytes, max_side: int = MAX_SIDE) -> tuple[np.ndarray, list[str]]:
    """Decode an uploaded file safely into float32 (H, W, 1|3) plus notices.

    Raises:
        ImageError: empty, too large, not an image, corrupt, or a
            decompression bomb; the message says which.
    """
    from PIL import Image, UnidentifiedImageError

    if not data:
        raise ImageError("The file is empty.")
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImageError(f"The file is {len(data) / 2**20:.0f} MB; please upload an image under "
                         f"{MAX_UPLOAD_BYTES // 2**20} MB.")
    notes: list[str] = []
    try:
        with Image.open(io.BytesIO(data)) as img:
            img.load()
            mode = img.mode
            if mode == "P":
                img = img.convert("RGBA" if "transparency" in img.info else "RGB")
            elif mode in ("CMYK", "YCbCr", "LAB", "HSV"):
                img = img.convert("RGB")
            elif mode == "1":
                img = img.convert("L")
            array = np.asarray(img)
    except Image.DecompressionBombError as exc:
        raise ImageError(f"The image has too many pixels to open safely ({exc}).") from exc
    except UnidentifiedImageError as exc:
        raise ImageError("This file is not an image format we can read (try PNG or JPEG).") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise ImageError(f"The image file is damaged or truncated ({exc}).") from exc
    if mode in ("I;16", "I;16B", "I;16L", "I"):
        array = array.astype("uint16") if array.max(initial=0) <= 65535 else array.astype("float32")
        notes.append("16-bit image: scaled to [0, 1].")
    if mode in ("RGBA", "LA", "PA"):
        notes.append("The transparency (alpha) channel was dropped.")
    image = normalise(array)
    if min(image.shape[:2]) < 1:
        raise ImageError("The image has no pixels.")
    image, notice = downscale(image, max_side)
    if notice:
        notes.append(notice)
    return image, notes


# ---- Fashion-MNIST with a fallback chain ---------------------------------------------

DEBIAN, KERAS, DIGITS = "debian", "keras", "digits"


@dataclass(frozen=True, repr=False)
class ImageDataset(Dataset):
    """A `Dataset` of images (N, H, W, 1) plus a held-out test set.

    `x`/`y` are the training images (the subset asked for); `x_test`/`y_test`
    the test images. `origin` is DEBIAN, KERAS or DIGITS; `notes` says why a
    fallback was used, for the page to show.
    """

    x_test: np.ndarray = field(default=None, repr=False)
    y_test: np.ndarray = field(default=None, repr=False)
    origin: str = ""
    notes: tuple[str, ...] = ()

    @property
    def image_shape(self) -> tuple[int, int, int]:
        return tuple(int(s) for s in self.x.shape[1:])


def read_idx(path: Path) -> np.ndarray:
    """Read one gzipped IDX file (the MNIST format) into a uint8 array.

    The header is: 2 zero bytes, a type code (0x08 = ubyte), the number of
    dimensions, then each dimension as a big-endian uint32.
    """
    with gzip.open(path, "rb") as f:
        raw = f.read()
    zero, dtype, ndim = struct.unpack(">HBB", raw[:4])
    if zero != 0 or dtype != 0x08:
        raise ValueError(f"{path} is not an unsigned-byte IDX file")
    dims = struct.unpack(f">{ndim}I", raw[4:4 + 4 * ndim])
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    if data.size != int(np.prod(dims)):
        raise ValueError(f"{path} is truncated: expected {int(np.prod(dims))} values, got {data.size}")
    return data.reshape(dims)


def _from_debian(directory: Path):
    parts = [read_idx(directory / f"{split}-{kind}-ubyte.gz")
             for split in ("train", "t10k") for kind in ("images-idx3", "labels-idx1")]
    return tuple(parts)


def _from_keras():
    import keras

    old = socket.getdefaulttimeout()
    socket.setdefaulttimeout(10)  # offline machines must fail fast, not hang
    try:
        (x, y), (xt, yt) = keras.datasets.fashion_mnist.load_data()
    finally:
        socket.setdefaulttimeout(old)
    return x, y, xt, yt


def _from_digits():
    from sklearn.datasets import load_digits

    bunch = load_digits()
    images = (bunch.images / 16.0 * 255).astype("uint8")
    # Fixed split so the test images never leak into training.
    order = np.random.default_rng(12345).permutation(len(images))
    test, train = order[:360], order[360:]
    return images[train], bunch.target[train], images[test], bunch.target[test]


def fashion_mnist(n_train: int = 3000, n_test: int = 1000, seed: int = 0,
                  directory: Path | str = DEBIAN_DIR, allow_download: bool = True) -> ImageDataset:
    """Fashion-MNIST (or its stand-in) as a seeded subset, ready for Conv2D.

    Fallback chain: Debian's idx files in `directory` → `keras.datasets.
    fashion_mnist` (needs the network, or Keras's cache; skipped when
    `allow_download` is False) → scikit-learn's 8×8 digits. The result's
    `origin`, `source` and `notes` say which one was used and why.

    Args:
        n_train: training images to keep (a random subset, so CPU runs take
            seconds); capped at what the source has.
        n_test: test images to keep.
        seed: picks the subsets.
    """
    notes: list[str] = []
    attempts = [(DEBIAN, lambda: _from_debian(Path(directory)))]
    if allow_download:
        attempts.append((KERAS, _from_keras))
    attempts.append((DIGITS, _from_digits))
    for origin, load in attempts:
        try:
            x, y, xt, yt = load()
            break
        except Exception as exc:  # noqa: BLE001 - any failure moves down the chain
            notes.append(f"{_ORIGINS[origin][0]} unavailable: {type(exc).__name__}: {str(exc)[:120]}")
    else:
        raise RuntimeError("no image data set could be loaded: " + "; ".join(notes))
    rng = np.random.default_rng(seed)
    train = rng.permutation(len(x))[:max(1, min(n_train, len(x)))]
    test = rng.permutation(len(xt))[:max(1, min(n_test, len(xt)))]
    title, source = _ORIGINS[origin]
    classes = FASHION_CLASSES if origin != DIGITS else tuple(str(d) for d in range(10))
    shape = x.shape[1:]
    return ImageDataset(
        title, _prepare(x[train]), y[train].astype("int32"),
        f"{len(train):,} training and {len(test):,} test images of {shape[0]}×{shape[1]} pixels, "
        f"{len(classes)} classes.", source, classes,
        x_test=_prepare(xt[test]), y_test=yt[test].astype("int32"), origin=origin, notes=tuple(notes))


_ORIGINS = {
    DEBIAN: ("Fashion-MNIST", "Fashion-MNIST by Zalando Research (Expat licence), from Debian's "
                              "dataset-fashion-mnist package"),
    KERAS: ("Fashion-MNIST (keras.datasets)", "Fashion-MNIST by Zalando Research (MIT licence), "
                                              "downloaded by keras.datasets.fashion_mnist"),
    DIGITS: ("Digits 8×8 (fallback)", "scikit-learn load_digits: Fashion-MNIST was not available, "
                                      "so 8×8 handwritten digits stand in"),
}


def _prepare(images: np.ndarray) -> np.ndarray:
    return (images.astype("float32") / 255.0)[..., None]
