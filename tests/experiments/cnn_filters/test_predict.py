"""The CNN question answered by real runs: whether the first-layer filters moved 10% of their
random starting size is read from the filters the run kept."""

import pytest

import nnkit
from nnkit.core import images
from nnkit.core.predict import Verdict
from nnkit.core.runs import RunRecord
from nnkit.core.training import STOPPED, TrainConfig
from nnkit.experiments.cnn_filters import inside, lesson, predict
from nnkit.experiments.cnn_filters import model as cnn


def _run(n_train: int, epochs: int, batch: int) -> RunRecord:
    s = {"n_train": n_train, "filters": 4, "depth": 1, "ksize": 3, "dropout": 0.2, "augment": False, "seed": 0,
         "epochs": epochs}
    data = images.fashion_mnist(n_train, 100, 0, allow_download=False)
    model, snaps = cnn.build_cnn(cnn.config_from(s), data.image_shape, data.n_classes), inside.make_filter_snapshots()
    result = nnkit.train(model, data, TrainConfig(epochs, batch, cnn.VALIDATION_FRACTION, 0), callbacks=[snaps])
    return RunRecord.from_result("CNN", s, result, inside.kept(model, snaps, data.x_test))


@pytest.mark.parametrize("run, option", [
    ((500, 1, 128), 0),  # 4 updates: the kernels are still the random noise they began as
    ((1000, 3, 16), 1),  # 150 updates: they take shape
])
def test_the_right_option_is_whether_the_filters_moved(run, option):
    record = _run(*run)
    answer = predict.answer([record])
    change = lesson.filter_change(record.artifacts["start"], record.artifacts["filters"])
    assert answer.correct == predict.QUESTION.options[option], change
    assert f"by {change:.0%} of their random starting size" in answer.because
    assert Verdict(predict.QUESTION.options[option], answer).right is True
    assert Verdict(predict.QUESTION.options[1 - option], answer).right is False


def test_a_stopped_run_settles_nothing():
    record = RunRecord("cut", {}, {"loss": [2.0], "accuracy": [0.3]}, STOPPED, epochs_run=1)
    assert predict.answer([record]).correct is None
