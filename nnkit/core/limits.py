"""Workshop mode: tighter caps when many learners share one small server.

On Streamlit Community Cloud (a small CPU share and a few GB for the whole
app) 20-40 attendees may press Train at once, so epochs, data and model sizes
are capped there; locally only sanity limits apply. Each page declares its
workshop caps in its settings table (`Setting.workshop_high`).
"""

from __future__ import annotations

import os
from pathlib import Path

ENV_FLAG = "NNKIT_WORKSHOP"
MAX_UPLOAD_MB = 20  # must equal server.maxUploadSize in .streamlit/config.toml (a test checks)
CLOUD_SOURCE_DIR = Path("/mount/src")  # where Community Cloud checks out apps


def workshop_mode() -> bool:
    """True when NNKIT_WORKSHOP says so, else when running on Community Cloud."""
    flag = os.environ.get(ENV_FLAG, "").strip().lower()
    if flag in ("1", "true", "yes", "on"):
        return True
    if flag in ("0", "false", "no", "off"):
        return False
    return CLOUD_SOURCE_DIR.is_dir()
