"""The transfer-learning question answered by real runs of (a) and (b) on the shipped shoes:
which variant ends with the higher validation accuracy, or a tie."""

import pytest

import nnkit
from nnkit.core.predict import Verdict
from nnkit.core.runs import RunRecord
from nnkit.core.training import STOPPED, TrainConfig
from nnkit.experiments.transfer_learning import imagesets, mobilenet, predict
from nnkit.experiments.transfer_learning import model as tl
from tests.experiments.transfer_learning.conftest import SIZE


def _comparison(net, per_class: int, cnn_epochs: int, head_epochs: int) -> list[RunRecord]:
    s = {"per_class": per_class, "cnn_epochs": cnn_epochs, "head_epochs": head_epochs, "tune_epochs": 1,
         "run_cnn": True, "run_tune": False, "blocks": 1, "seed": 0}
    data = imagesets.offline_set(next(iter(imagesets.OFFLINE_SETS)), per_class, SIZE, 0)
    features, records = mobilenet.features(net, data.x), []
    for key, (label, epochs) in tl.planned(s).items():
        model = tl.build_variant(key, net, len(data.classes), s)
        result = nnkit.train(model, (features if key == "frozen" else data.x, data.y),
                             TrainConfig(epochs, tl.BATCH_SIZE, tl.VALIDATION, 0))
        records.append(RunRecord.from_result(label, s, result, {"trainable": tl.trainable_params(model)}))
    return records


@pytest.mark.parametrize("run, option", [
    ((6, 8, 1), 0),    # one epoch for the head, eight for the CNN: the head has barely started
    ((15, 8, 30), 1),  # the page's default: ImageNet features separate the shoes
    ((6, 1, 3), 2),    # both barely trained: the same share of the few held-out images
])
def test_the_right_option_is_the_variant_with_the_higher_validation_accuracy(net, run, option):
    records = _comparison(net, *run)
    answer = predict.answer(records)
    a, b = (r.final("val_accuracy") for r in records)
    assert answer.correct == predict.QUESTION.options[option], (a, b)
    assert f"(a) scored {a:.0%}" in answer.because and f"(b) {b:.0%}" in answer.because
    assert Verdict(predict.QUESTION.options[option], answer).right is True
    assert Verdict(predict.QUESTION.options[(option + 1) % 3], answer).right is False


def test_without_the_scratch_cnn_or_a_finished_head_nothing_is_settled():
    frozen = RunRecord(tl.VARIANTS["frozen"], {}, {"loss": [1.0], "val_accuracy": [0.9]}, "finished", epochs_run=1)
    assert predict.answer([frozen]).correct is None  # "train (a)" unticked
    scratch = RunRecord(tl.VARIANTS["cnn"], {}, {"loss": [1.0], "val_accuracy": [0.5]}, "finished", epochs_run=1)
    cut = RunRecord(tl.VARIANTS["frozen"], {}, {"loss": [1.0], "val_accuracy": [0.9]}, STOPPED, epochs_run=1)
    assert predict.answer([scratch, cut]).correct is None
