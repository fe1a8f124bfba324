"""The autoencoder question answered by real runs on digits (normal: 0): the band is how many
times worse than held-out zeros the run rebuilds the other digits."""

import numpy as np
import pytest

import nnkit
from nnkit.core.predict import Verdict
from nnkit.core.runs import RunRecord
from nnkit.core.training import STOPPED, TrainConfig
from nnkit.experiments.autoencoder import anomalies, predict
from nnkit.experiments.autoencoder import model as ae


def _run(bottleneck: int, hidden: int, epochs: int) -> RunRecord:
    data = anomalies.digits((0,), seed=0)
    s = {"kind": ae.DENSE, "bottleneck": bottleneck, "hidden": hidden, "epochs": epochs, "lr": 0.003, "seed": 0}
    model = ae.build_autoencoder(ae.config_from(s, data.unit_range), data.sample_shape)
    result = nnkit.train(model, (data.x_train, data.x_train), TrainConfig(epochs, ae.BATCH_SIZE, ae.VALIDATION, 0))
    return RunRecord.from_result("ae", s, result, ae.analyse(model, data, 0))


@pytest.mark.parametrize("size, band", [
    ((1, 8, 1), 0),    # one number, one epoch: it has not learned what a zero looks like yet
    ((2, 64, 3), 1),   # two numbers, three epochs: the other digits stand out, but not far
    ((8, 64, 10), 2),  # the page's net: other digits are rebuilt several times worse than zeros
])
def test_the_right_option_is_the_band_of_the_anomalies_error_ratio(size, band):
    record = _run(*size)
    answer = predict.answer([record])
    errors, labels = record.artifacts["errors"], record.artifacts["labels"]
    ratio = np.median(errors[labels == 1]) / np.median(errors[labels == 0])
    assert answer.correct == predict.QUESTION.options[band], ratio
    assert f"({ratio:.1f}×)" in answer.because and f"{np.median(errors[labels == 0]):.4f}" in answer.because
    assert Verdict(predict.QUESTION.options[band], answer).right is True
    assert Verdict(predict.QUESTION.options[(band + 1) % 3], answer).right is False


def test_a_stopped_run_or_unlabelled_data_settles_nothing():
    stopped = RunRecord("cut", {}, {"loss": [0.1]}, STOPPED, epochs_run=1)
    assert predict.answer([stopped]).correct is None
    unlabelled = RunRecord("csv", {}, {"loss": [0.1, 0.05]}, "finished", epochs_run=2,
                           artifacts={"errors": np.array([0.1, 0.2]), "labels": np.zeros(2, int), "labelled": False})
    assert predict.answer([unlabelled]).correct is None
