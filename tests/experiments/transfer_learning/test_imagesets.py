"""The learner's classes: shipped sets, uploads with bad files, duplicate names, one photo."""

import io

import numpy as np
import pytest

from nnkit.core import images
from nnkit.experiments.transfer_learning import imagesets as pt
from nnkit.experiments.transfer_learning.model import TransferError


def _png(array: np.ndarray, mode: str) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(array, mode).save(buf, "PNG")
    return buf.getvalue()


def test_uploaded_set_accepts_grey_and_rgba_and_skips_non_images():
    rng = np.random.default_rng(3)
    grey = _png(rng.integers(0, 255, (30, 40), dtype="uint8"), "L")
    rgba = _png(rng.integers(0, 255, (20, 20, 4), dtype="uint8"), "RGBA")
    data = pt.uploaded_set({"a": [("1.png", grey), ("2.png", rgba)],
                            "b": [("3.png", rgba), ("4.png", grey), ("notes.txt", b"hello")]}, 32)
    assert data.x.shape == (4, 32, 32, 3) and data.classes == ("a", "b")
    assert list(data.y) == [0, 0, 1, 1] and any("notes.txt" in n for n in data.notes)


@pytest.mark.parametrize("files, message", [
    ({"only": [("1.png", None), ("2.png", None)]}, "at least two classes"),
    ({"a": [("1.png", None), ("2.png", None)], "b": [("3.png", None)]}, "needs at"),
    ({"a": [("1.png", None), ("2.png", None)], "b": [("x.png", b"\x89PNG broken"), ("y", b"")]}, "0 usable"),
])
def test_uploaded_set_explains_unusable_sets(files, message):
    png = _png(np.zeros((8, 8, 3), "uint8"), "RGB")
    files = {k: [(n, png if d is None else d) for n, d in v] for k, v in files.items()}
    with pytest.raises(TransferError, match=message):
        pt.uploaded_set(files, 32)


def test_offline_sets_are_balanced():
    for name in pt.OFFLINE_SETS:
        data = pt.offline_set(name, 4, 32)
        assert data.x.shape[1:] == (32, 32, 3) and np.bincount(data.y).tolist() == [4] * len(data.classes)


PNG = _png(np.zeros((8, 8, 3), "uint8"), "RGB")


def test_two_classes_with_one_name_get_their_own_message():
    for twin in ("cat", " Cat "):
        with pytest.raises(TransferError, match=r"Class names must differ: two classes are called `[Cc]at`"):
            pt.uploaded_set([("cat", [("1.png", PNG), ("2.png", PNG)]), (twin, [("3.png", PNG), ("4.png", PNG)])],
                            32)


def test_every_skipped_file_gets_its_reason_even_when_the_set_fails():
    with pytest.raises(TransferError) as caught:
        pt.uploaded_set([("a", [("1.png", PNG), ("2.png", PNG)]),
                         ("b", [("[x](http://evil)", b"junk"), ("empty.png", b""), ("3.png", PNG)])], 32)
    notes = caught.value.notes
    assert len(notes) == 2 and "not an image" in notes[0] and "empty" in notes[1]
    assert "`[x](http://evil)`" in notes[0] and "(class `b`)" in notes[0]  # names shown as plain text


def test_a_large_photo_is_downscaled_with_a_note_and_bad_ones_name_the_file():
    photo, notes = pt.photo_from_upload(_png(np.zeros((1300, 900, 3), "uint8"), "RGB"), "big.png")
    assert max(photo.shape[:2]) == images.MAX_SIDE and any("downscaled to 354×512" in n for n in notes)
    with pytest.raises(images.ImageError, match=r"`\*\*bold\*\*.png`: This file is not an image"):
        pt.photo_from_upload(b"not an image", "**bold**.png")
