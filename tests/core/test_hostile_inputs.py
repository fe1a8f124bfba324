"""Bad-input suite for every parser a learner can reach: whatever bytes or
text arrive, each parser returns a valid result or raises its own
learner-readable error, never anything else."""

import io
import tomllib

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nnkit.core import images, limits
from tests.helpers import ROOT

# Shared with the experiments' own parser tests (tests/experiments/*/test_hostile_inputs.py).
HOSTILE_BYTES = [b"", b"\x00" * 100, b"\xff\xd8\xff\xe0garbage", b"\x89PNG\r\n\x1a\n" + b"\x00" * 50,
                 "naïve, ünïcode\n1,2\n".encode(), b"../../etc/passwd", b"nan,inf\nnan,-inf\n" * 30,
                 b"a,b\n" + b"1,x\n" * 50, "😀".encode() * 1000]
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _readable(error: Exception) -> None:
    message = str(error)
    assert message and len(message) < 400 and "Traceback" not in message


@pytest.mark.parametrize("blob", HOSTILE_BYTES)
def test_image_upload_hostile_bytes(blob):
    try:
        image, notes = images.decode_upload(blob)
    except images.ImageError as error:
        _readable(error)
    else:
        assert image.ndim in (2, 3) and np.isfinite(image).all()


@given(st.binary(max_size=2000))
@FAST
def test_image_upload_any_bytes(blob):
    test_image_upload_hostile_bytes(blob)


def test_image_upload_real_png_greyscale_and_rgba():
    from PIL import Image

    for mode in ("L", "RGBA", "I;16"):
        buffer = io.BytesIO()
        Image.new(mode, (40, 30)).save(buffer, format="PNG")
        image, _ = images.decode_upload(buffer.getvalue())
        assert image.shape[:2] == (30, 40) and np.isfinite(image).all()


def test_upload_limit_in_config_matches_the_code():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] == limits.MAX_UPLOAD_MB


def test_the_served_app_does_not_watch_its_source_files():
    # Streamlit's watcher evicts a changed package from sys.modules while other sessions import it:
    # under a workshop's first minute that broke pages ("KeyError: 'nnkit'").
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["fileWatcherType"] == "none"
