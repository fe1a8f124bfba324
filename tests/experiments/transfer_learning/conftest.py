"""Shared fixtures: the offline MobileNetV2 at a small size, loaded once per test session."""

import pytest

SIZE = 96


@pytest.fixture(scope="session")
def net():
    from nnkit.experiments.transfer_learning import mobilenet

    return mobilenet.load_pretrained(SIZE)
