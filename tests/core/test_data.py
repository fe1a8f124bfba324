import socket

import numpy as np
import pytest

from nnkit.core import data


@pytest.fixture
def offline(monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("network disabled in this test")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)


@pytest.mark.parametrize("name", sorted(data.TOY_2D))
def test_toy_sets_load_offline_with_the_asked_size(offline, name):
    ds = data.TOY_2D[name](n_samples=300, noise=0.1, seed=2)
    assert ds.x.shape == (300, 2) and ds.x.dtype == np.float32
    assert set(np.unique(ds.y)) == {0, 1} and ds.n_classes == 2
    assert ds.description and ds.source
    again = data.TOY_2D[name](n_samples=300, noise=0.1, seed=2)
    np.testing.assert_array_equal(ds.x, again.x)


@pytest.mark.parametrize("name, shape, classes", [("digits", (1797, 64), 10),
                                                  ("breast cancer", (569, 30), 2)])
def test_real_sets_load_offline_scaled_and_shuffled(offline, name, shape, classes):
    ds = data.REAL[name](seed=0)
    assert ds.x.shape == shape and ds.n_classes == classes
    assert len(np.unique(ds.y)) == classes
    assert np.abs(ds.x).max() <= 16  # scaled, not raw pixel counts / raw measurements
    assert len(np.unique(ds.y[: len(ds.y) // 10])) == classes  # shuffled: every class early
