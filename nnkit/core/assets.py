"""Where the files that ship with nnkit live (see assets/README.md)."""

from pathlib import Path

ASSETS = Path(__file__).resolve().parents[2] / "assets"
