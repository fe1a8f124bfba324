"""What hardware a run uses, said plainly for the sidebar badge.

`detect()` asks the Keras backend (it imports the framework, so call it once a
page needs Keras anyway); `probe()` answers from the environment alone, for the
home page, which must stay free of TensorFlow/JAX.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field

from nnkit.core import backend

# Tensor cores (and so a real mixed-precision speed-up) arrived with Volta, 7.0.
MIXED_PRECISION_MIN_CAPABILITY = (7, 0)


@dataclass(frozen=True)
class GPU:
    """One accelerator as the backend reports it."""

    name: str
    memory_mb: int | None = None
    compute_capability: tuple[int, int] | None = None

    def __str__(self) -> str:
        memory = f" ({self.memory_mb / 1024:.0f} GB)" if self.memory_mb else ""
        return f"{self.name}{memory}"


@dataclass(frozen=True)
class DeviceInfo:
    """The backend and the devices a training run will use."""

    backend: str
    framework: str | None  # e.g. "JAX 0.10.2"; None when only probed
    cpu_cores: int
    gpus: tuple[GPU, ...] = field(default_factory=tuple)
    mixed_precision: bool = False

    @property
    def has_gpu(self) -> bool:
        return bool(self.gpus)

    @property
    def device_name(self) -> str:
        """Short name of where training runs, for run records."""
        return str(self.gpus[0]) if self.gpus else f"CPU ({self.cpu_cores} cores)"

    def summary(self) -> str:
        """One line a learner understands."""
        if not self.gpus:
            return f"CPU only: training runs on {self.cpu_cores} cores"
        names = ", ".join(str(gpu) for gpu in self.gpus)
        label = "GPU" if len(self.gpus) == 1 else f"{len(self.gpus)} GPUs"
        return f"{label}: {names}"


def cpu_cores() -> int:
    """Cores this process may use (respects container CPU affinity)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def from_backend_gpus(raw: list[dict], framework: str | None) -> DeviceInfo:
    """Build DeviceInfo from `backend.list_gpus()` output (kept separate to test)."""
    gpus = tuple(GPU(g["name"], g.get("memory_mb"), g.get("compute_capability")) for g in raw)
    mixed = any((g.compute_capability or (0, 0)) >= MIXED_PRECISION_MIN_CAPABILITY for g in gpus)
    return DeviceInfo(backend.name(), framework, cpu_cores(), gpus, mixed)


@functools.lru_cache(maxsize=1)
def detect() -> DeviceInfo:
    """Ask the backend which devices it sees; cached for the process."""
    return from_backend_gpus(backend.list_gpus(), backend.framework_version())


def framework_loaded() -> bool:
    """Whether Keras is already imported, so `detect()` costs nothing extra."""
    return "keras" in sys.modules


def probe() -> DeviceInfo:
    """Best guess without importing a framework: `nvidia-smi` if present."""
    return DeviceInfo(backend.name(), None, cpu_cores(), tuple(_nvidia_smi_gpus()))


def _nvidia_smi_gpus() -> list[GPU]:
    if not shutil.which("nvidia-smi"):
        return []
    try:
        out = subprocess.run(
            ["nvidia-smi", "--query-gpu=name,memory.total", "--format=csv,noheader,nounits"],
            capture_output=True, text=True, timeout=5, check=True).stdout
    except (subprocess.SubprocessError, OSError):
        return []
    gpus = []
    for line in out.strip().splitlines():
        gpu_name, _, memory = line.rpartition(",")
        gpus.append(GPU(gpu_name.strip(), int(memory) if memory.strip().isdigit() else None))
    return gpus
