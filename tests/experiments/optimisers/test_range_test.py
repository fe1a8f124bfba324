"""The learning-rate range test on the real network."""

import numpy as np
import pytest

from nnkit.experiments.optimisers import lesson, range_test


def test_range_test_callback_recovers_each_batch_loss_from_running_means():
    batch_losses, sizes = [1.0, 2.0, 4.0], [32, 32, 10]
    recorder = range_test.range_test_callback(1e-3, 1.0, 10, 32, 74)

    class _Model:
        stop_training = False

    recorder.set_model(_Model())
    recorder.on_train_begin()
    recorder.on_epoch_begin(0)
    for i in range(3):
        running = np.dot(batch_losses[: i + 1], sizes[: i + 1]) / sum(sizes[: i + 1])
        recorder.on_train_batch_end(i, {"loss": running})
    np.testing.assert_allclose(recorder.losses, batch_losses, rtol=1e-9)
    assert recorder.lrs[0] == pytest.approx(1e-3) and recorder.lrs[1] > recorder.lrs[0]


def test_range_test_summary_suggests_a_tenth_of_the_best_lr():
    lrs = np.logspace(-4, 1, 60)
    losses = (np.log10(lrs) + 1.5) ** 2 + 1  # lowest at η = 10^-1.5
    result = range_test.summarise_range_test(lrs, losses, 60)
    # an EMA over ~10 of 60 steps lags the raw minimum by under a decade, never leads it
    assert 10 ** -1.5 <= result.best_lr < 10 ** -0.5
    assert result.suggested_lr == pytest.approx(result.best_lr / 10)
    assert result.stopped_early_at is None
    assert "η ≈" in lesson.range_lesson(result)


def test_lr_range_test_on_digits_runs_and_stops_when_the_loss_explodes():
    from nnkit.core.data import REAL, Dataset

    digits = REAL["digits"](0)
    small = Dataset("digits", digits.x[:320], digits.y[:320], "", "", digits.class_names)
    result = range_test.lr_range_test("SGD", None, small, lr_min=1e-3, lr_max=1e4, steps=40, batch_size=32)
    assert 5 <= len(result.lrs) <= 40
    assert np.all(np.diff(result.lrs) > 0)
    assert result.best_lr is not None and 1e-3 <= result.best_lr <= 1e4
