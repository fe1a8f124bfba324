from types import SimpleNamespace

import pytest

from nnkit.core import backend, device


class FakeTF:
    """Just enough of `tensorflow.config` for device listing."""

    def __init__(self, gpus):
        self._gpus = gpus
        self.config = SimpleNamespace(list_physical_devices=self._list,
                                      experimental=SimpleNamespace(get_device_details=self._details))

    def _list(self, kind):
        return [SimpleNamespace(name=f"/physical_device:GPU:{i}") for i in range(len(self._gpus))] \
            if kind == "GPU" else []

    def _details(self, dev):
        return self._gpus[int(dev.name.rsplit(":", 1)[1])]


class FakeJax:
    def __init__(self, devices):
        self._devices = devices

    def devices(self, kind):
        if not self._devices:
            raise RuntimeError("Unknown backend: 'gpu' requested, but no platforms are 'gpu'")
        return self._devices


def _jax_gpu(name, gb, cc="8.9"):
    return SimpleNamespace(device_kind=name, compute_capability=cc,
                           memory_stats=lambda: {"bytes_limit": gb * 2**30})


def test_no_gpu_says_cpu_only_plainly(monkeypatch):
    monkeypatch.setenv("KERAS_BACKEND", "jax")
    info = device.from_backend_gpus(backend.list_gpus(FakeJax([])), "JAX x")
    assert not info.has_gpu and not info.mixed_precision
    assert info.summary() == f"CPU only: training runs on {device.cpu_cores()} cores"


def test_one_jax_gpu_with_name_memory_and_mixed_precision(monkeypatch):
    monkeypatch.setenv("KERAS_BACKEND", "jax")
    info = device.from_backend_gpus(backend.list_gpus(FakeJax([_jax_gpu("NVIDIA RTX 4070 Laptop GPU", 8)])), "JAX x")
    assert info.summary() == "GPU: NVIDIA RTX 4070 Laptop GPU (8 GB)"
    assert info.mixed_precision and info.gpus[0].memory_mb == 8192


def test_several_tensorflow_gpus_and_old_card_without_mixed_precision(monkeypatch):
    monkeypatch.setenv("KERAS_BACKEND", "tensorflow")
    fake = FakeTF([{"device_name": "Tesla P100", "compute_capability": (6, 0)},
                   {"device_name": "Tesla P100", "compute_capability": (6, 0)}])
    info = device.from_backend_gpus(backend.list_gpus(fake), "TensorFlow x")
    assert info.summary() == "2 GPUs: Tesla P100, Tesla P100"
    assert not info.mixed_precision


def test_tensorflow_without_gpu(monkeypatch):
    monkeypatch.setenv("KERAS_BACKEND", "tensorflow")
    assert backend.list_gpus(FakeTF([])) == []


@pytest.mark.smoke
def test_detect_is_cached_and_matches_the_real_backend():
    first = device.detect()
    assert device.detect() is first
    assert first.backend == backend.name()
    assert first.framework  # e.g. "JAX 0.10.2"


def test_probe_reads_nvidia_smi_without_a_framework(monkeypatch, tmp_path):
    smi = tmp_path / "nvidia-smi"
    smi.write_text("#!/bin/sh\necho 'NVIDIA H100 80GB HBM3, 81559'\n")
    smi.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    info = device.probe()
    assert info.summary() == "GPU: NVIDIA H100 80GB HBM3 (80 GB)" and info.framework is None


def test_the_warm_up_trains_a_tiny_model_on_the_configured_backend():
    from nnkit.core import backend

    assert backend.warm_up() == backend.name()
