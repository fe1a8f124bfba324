"""Training strategies: batch 1 / 32 / full batch, measured from real runs."""

import math

import numpy as np
import pytest

import nnkit
from nnkit.core.runs import RunRecord
from nnkit.experiments.training_strategies import batches, lesson

SETTINGS = {"dataset": "breast cancer", "rows": 60, "units": 16, "layers": 1, "lr": 0.01, "epochs": 3,
            "batch": 32, "seed": 1, "bs_rows": 70, "bs_epochs": 3}


def test_batch_losses_undo_the_running_mean():
    sizes = batches.batch_sizes(10, 4)
    assert sizes == [4, 4, 2]
    own = [1.0, 3.0, 0.5]
    running = list(np.cumsum(np.multiply(own, sizes)) / np.cumsum(sizes))
    assert batches.per_batch(running, sizes) == pytest.approx(own)
    assert batches.rises([1, 2, 1, 0.5, 0.7]) == 0.5 and batches.rises([1.0]) == 0.0


@pytest.fixture(scope="module")
def records():
    found = []
    for v in batches.variants(SETTINGS):
        model = v["build"]()
        result = nnkit.train(model, v["data"], v["config"], callbacks=list(v["callbacks"](model)))
        found.append(RunRecord.from_result(v["label"], SETTINGS, result, v["keep"](model)))
    return found


def test_updates_per_epoch_and_each_update_loss_match_keras(records):
    assert [r.artifacts["batch"] for r in records] == [1, 32, 70]
    for r in records:
        kept = r.artifacts
        assert kept["updates_per_epoch"] == math.ceil(70 / kept["batch"])
        assert len(kept["batch_losses"]) == kept["updates_per_epoch"] * SETTINGS["bs_epochs"]
        # Size-weighted, the last epoch's batch losses average to Keras's epoch loss.
        last = kept["batch_losses"][-kept["updates_per_epoch"]:]
        sizes = batches.batch_sizes(70, kept["batch"])
        assert np.average(last, weights=sizes) == pytest.approx(r.history["loss"][-1], rel=1e-4)


def test_the_table_and_the_sentence_come_from_the_runs(records):
    rows = lesson.batch_rows(records)
    assert [row["updates per epoch"] for row in rows] == [70, 3, 1]
    assert all(row["ms per epoch"] > 0 for row in rows)
    assert rows[2]["updates where the loss rose"] == batches.rises(records[2].artifacts["batch_losses"])
    text = lesson.batch_text(rows)
    assert "70 updates per epoch" in text or "(70 updates per epoch)" in text
    best = min(rows, key=lambda r: r["validation loss"])
    assert f"{best['validation loss']:.3f}" in text
