"""Image sources: sample photos, safe upload decoding, Fashion-MNIST and its fallbacks."""

import gzip
import io
import struct

import numpy as np
import pytest

from nnkit.core import images


def _png(array: np.ndarray, mode: str | None = None) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    img = Image.fromarray(array)  # uint16 → "I;16", (h, w, 4) uint8 → "RGBA"
    assert mode is None or img.mode == mode
    img.save(buf, format="PNG")
    return buf.getvalue()


@pytest.mark.parametrize("name", sorted(images.PHOTOS))
def test_every_photo_loads_offline_as_unit_float(name):
    photo = images.load_photo(name)
    assert photo.dtype == np.float32 and photo.ndim == 3 and photo.shape[2] in (1, 3)
    assert 0.0 <= photo.min() and photo.max() <= 1.0 and photo.max() > 0.2


def test_normalise_scales_each_integer_depth_to_unit_range():
    assert images.normalise(np.array([[0, 65535]], dtype="uint16")).max() == pytest.approx(1.0)
    assert images.normalise(np.array([[0, 255]], dtype="uint8"))[0, 1, 0] == pytest.approx(1.0)
    rgba = np.zeros((2, 2, 4), "uint8")
    assert images.normalise(rgba).shape == (2, 2, 3)


def test_to_grey_uses_luminance_weights():
    rgb = np.zeros((1, 1, 3), "float32")
    rgb[..., 1] = 1.0  # pure green
    assert images.to_grey(rgb)[0, 0, 0] == pytest.approx(0.587)


@pytest.mark.parametrize("array,mode", [
    (np.full((10, 12), 200, "uint8"), "L"),
    (np.full((10, 12, 4), 200, "uint8"), "RGBA"),
    (np.full((10, 12), 40000, "uint16"), "I;16"),
])
def test_decode_upload_accepts_grey_rgba_and_16_bit(array, mode):
    image, notes = images.decode_upload(_png(array, mode))
    assert image.shape[:2] == (10, 12) and image.shape[2] in (1, 3)
    expected = array.astype(float).max() / (65535 if array.dtype == np.uint16 else 255)
    assert image.max() == pytest.approx(expected, abs=1e-3)
    if mode != "L":
        assert notes  # the learner is told about alpha / 16-bit handling


def test_decode_upload_downscales_huge_images_with_a_notice():
    image, notes = images.decode_upload(_png(np.zeros((1200, 600, 3), "uint8")), max_side=300)
    assert image.shape[:2] == (300, 150)
    assert any("downscaled" in n for n in notes)


@pytest.mark.parametrize("data,fragment", [
    (b"", "empty"),
    (b"hello, this is not an image", "not an image"),
    (None, "damaged"),
])
def test_decode_upload_rejects_bad_files_with_a_clear_message(data, fragment):
    if data is None:  # a PNG cut in half
        whole = _png(np.random.default_rng(0).integers(0, 256, (64, 64, 3), dtype="uint8"))
        data = whole[:len(whole) // 2]
    with pytest.raises(images.ImageError, match=fragment):
        images.decode_upload(data)


def _write_idx(path, array):
    header = struct.pack(">HBB", 0, 0x08, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    with gzip.open(path, "wb") as f:
        f.write(header + array.astype("uint8").tobytes())


def test_read_idx_roundtrips_the_mnist_format(tmp_path):
    array = np.arange(2 * 3 * 4, dtype="uint8").reshape(2, 3, 4)
    _write_idx(tmp_path / "x.gz", array)
    np.testing.assert_array_equal(images.read_idx(tmp_path / "x.gz"), array)


def test_fashion_mnist_reads_idx_files_from_a_directory(tmp_path):
    rng = np.random.default_rng(0)
    for split, n in (("train", 50), ("t10k", 20)):
        _write_idx(tmp_path / f"{split}-images-idx3-ubyte.gz", rng.integers(0, 256, (n, 28, 28)))
        _write_idx(tmp_path / f"{split}-labels-idx1-ubyte.gz", np.arange(n) % 10)
    data = images.fashion_mnist(30, 10, seed=1, directory=tmp_path, allow_download=False)
    assert data.origin == images.DEBIAN and data.notes == ()
    assert data.x.shape == (30, 28, 28, 1) and data.x_test.shape == (10, 28, 28, 1)
    assert data.x.max() <= 1.0 and data.class_names[9] == "Ankle boot"


@pytest.mark.skipif(not (images.DEBIAN_DIR / "train-images-idx3-ubyte.gz").exists(),
                    reason="Debian dataset-fashion-mnist not installed")
def test_fashion_mnist_reads_the_debian_package():
    data = images.fashion_mnist(200, 100, seed=0)
    assert data.origin == images.DEBIAN and data.image_shape == (28, 28, 1)
    assert len(data.x) == 200 and len(data.y_test) == 100 and set(data.y) <= set(range(10))
    assert "Expat" in data.source


def test_fashion_mnist_falls_back_to_digits_when_files_and_network_are_absent(tmp_path):
    data = images.fashion_mnist(100, 50, directory=tmp_path / "missing", allow_download=False)
    assert data.origin == images.DIGITS and data.image_shape == (8, 8, 1)
    assert "unavailable" in data.notes[0] and len(data.x) == 100


def test_fashion_mnist_tries_keras_and_survives_its_failure(tmp_path, monkeypatch):
    def offline():
        raise OSError("no network")

    monkeypatch.setattr(images, "_from_keras", offline)
    data = images.fashion_mnist(100, 50, directory=tmp_path)
    assert data.origin == images.DIGITS
    assert len(data.notes) == 2 and "no network" in data.notes[1]


def test_fashion_mnist_subset_is_seeded():
    a = images.fashion_mnist(50, 10, seed=3, directory="/nonexistent", allow_download=False)
    b = images.fashion_mnist(50, 10, seed=3, directory="/nonexistent", allow_download=False)
    np.testing.assert_array_equal(a.y, b.y)
