import numpy as np
import pytest

from nnkit.core import models
from nnkit.core.callbacks import LiveBatchHistory, LiveHistory, live_history

RNG = np.random.default_rng(1337)
X = RNG.normal(size=(10, 3)).astype("float32")
Y = (X[:, 0] > 0).astype("int32")


def _model():
    return models.build_mlp(models.MLPConfig(hidden=(4,), seed=1), n_inputs=3, n_classes=2)


@pytest.mark.smoke
def test_live_history_equals_fit_history():
    updates = []
    live = LiveHistory(updates.append, min_interval=0)
    model = _model()
    fit = model.fit(X, Y, epochs=3, batch_size=4, validation_data=(X, Y), verbose=0, callbacks=[live])
    assert live.history == pytest.approx(fit.history)
    assert updates[-1].history == pytest.approx(fit.history)
    # min_interval=0: one update per epoch, the last one flagged final
    assert [u.epoch for u in updates] == [1, 2, 3]
    assert [u.final for u in updates] == [False, False, True]


def test_throttle_skips_updates_but_always_sends_the_end():
    updates = []
    _model().fit(X, Y, epochs=6, batch_size=4, verbose=0,
                 callbacks=[LiveHistory(updates.append, min_interval=3600)])
    # nothing is due within the interval; the end of training is always sent
    assert [u.epoch for u in updates] == [6]
    assert updates[-1].final and len(updates[-1].history["loss"]) == 6


def test_batch_updates_report_steps_within_an_epoch():
    updates = []
    _model().fit(X, Y, epochs=2, batch_size=2, verbose=0,
                 callbacks=[live_history(updates.append, batch_updates=True, min_interval=0)])
    mid = [u for u in updates if u.step is not None]
    assert mid, "expected mid-epoch updates"
    assert all(0 < u.step <= u.steps == 5 for u in mid)
    assert all("loss" in u.batch_logs for u in mid)
    fractions = [u.fraction for u in updates]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0


def test_epoch_only_callback_keeps_async_dispatch():
    # Overriding batch hooks costs async dispatch; the default live callback must not.
    assert "on_train_batch_end" not in LiveHistory.__dict__
    assert "on_train_batch_end" in LiveBatchHistory.__dict__
    assert type(live_history(print)) is LiveHistory
