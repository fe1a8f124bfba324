"""The training-strategies question answered by real runs: whether the too-big net's
validation loss climbs is read from its own curve."""

import pytest

import nnkit
from nnkit.core.predict import Verdict
from nnkit.core.runs import RunRecord
from nnkit.core.training import STOPPED
from nnkit.experiments.training_strategies import model as ts
from nnkit.experiments.training_strategies import predict, remedies

BASE = {"dataset": "digits", "rows": 150, "units": 256, "layers": 2, "lr": 0.003, "epochs": 15, "batch": 32,
        "seed": 0}


def _run(**changes) -> RunRecord:
    s = {**BASE, **changes}
    variant = remedies.overfit_variant(s)
    model = variant["build"]()
    result = nnkit.train(model, variant["data"], variant["config"])
    return RunRecord.from_result(variant["label"], s, result)


@pytest.mark.parametrize("changes, option", [
    ({}, 1),                                                  # 85,000 weights on 150 rows: it memorises them
    ({"rows": 600, "units": 64, "epochs": 5, "lr": 0.001}, 0),  # more rows, fewer epochs: still improving
])
def test_the_right_option_is_whether_the_validation_curve_climbed(changes, option):
    record = _run(**changes)
    answer = predict.answer([record])
    gap = ts.gap_of(record.history, ts.fit_key_of(record.history))
    assert answer.correct == predict.QUESTION.options[option], record.history
    assert (gap.final_val_loss > predict.CLIMB * gap.best_val_loss) == bool(option)
    assert f"{gap.final_val_loss:.3f}" in answer.because and f"epoch {gap.best_epoch}" in answer.because
    assert Verdict(predict.QUESTION.options[option], answer).right is True
    assert Verdict(predict.QUESTION.options[1 - option], answer).right is False


def test_a_stopped_run_settles_nothing():
    history = {"loss": [0.9, 0.5], "val_loss": [1.0, 1.4], "sparse_categorical_crossentropy": [0.9, 0.5],
               "val_sparse_categorical_crossentropy": [1.0, 1.4]}
    record = RunRecord("cut", BASE, history, STOPPED, epochs_run=2)
    assert predict.answer([record]).correct is None
