"""The CNN page's sentences: each number comes from the lab's result or the run."""

import re

import numpy as np
import pytest

from nnkit.core import diagnosis as dx
from nnkit.core.runs import RunRecord
from nnkit.experiments.cnn_filters import convolution as conv
from nnkit.experiments.cnn_filters import lesson


@pytest.fixture(scope="module")
def photo():
    return np.random.default_rng(0).random((23, 30, 1)).astype("float32")


def test_arithmetic_text_writes_out_this_labs_numbers():
    text = lesson.arithmetic_text(300, 451, 3, 2, "valid", "max", 2)
    assert "⌊(300 − 3) / 2⌋ + 1 = **149**" in text and "**225**" in text
    assert "**74**" in text and "**112**" in text  # pooling 149 → 74, 225 → 112
    assert "pads 0 zeros before and 1 after" in lesson.arithmetic_text(6, 6, 3, 2, "same")


def test_conv_story_reports_this_results_numbers(photo):
    lab = conv.conv_lab(photo, conv.KERNELS["Laplacian"], 1, "valid", "max", 2)
    story = lesson.conv_story(lab, "Laplacian")
    assert "28×21 = 588 positions" in story and "sum to 0" in story and "28×21 → 14×10" in story


@pytest.mark.parametrize("colour", [False, True])
def test_the_multiply_add_sentence_multiplies_out_to_its_total(colour):
    rgb = np.random.default_rng(1).random((10, 12, 3)).astype("float32")  # 8×10 = 80 positions for 3×3
    lab = conv.conv_lab(rgb, conv.KERNELS["sharpen"], 1, "valid", "none", colour=colour)
    story = lesson.conv_story(lab, "sharpen")
    match = re.search(r"([\d,]+) × (\d+)(?: × (\d+))? = ([\d,]+) multiply-adds", story)
    factors = [int(g.replace(",", "")) for g in match.groups()[:3] if g]
    total = int(match.group(4).replace(",", ""))
    assert int(np.prod(factors)) == total
    # …and the total is the real work: every output value is one k×k dot product.
    assert total == lab.feature.size * lab.kernel.size
    assert total == (2160 if colour else 720) and ("3 colour channels" in story) == colour


def _record(history, epochs, reason="finished", **kw):
    return RunRecord("CNN", {"epochs": epochs}, history, reason, epochs_run=len(history["loss"]), **kw)


def test_lessons_use_the_runs_numbers():
    a = RunRecord("dense", {}, {"accuracy": [0.9], "val_accuracy": [0.7]}, "finished", epochs_run=1,
                  seconds_per_epoch=2.0, samples_per_second=1200, device="CPU")
    b = RunRecord("CNN", {}, {"accuracy": [0.82], "val_accuracy": [0.8]}, "finished", epochs_run=1)
    text = lesson.twin_lesson("dense", a, "CNN", b, 9000, 9100)
    assert "CNN is 10.0% better" in text and "dense scores 20.0% higher" in text
    cnn_lesson = lesson.cnn_lesson(a, 9098, 2400, "Fashion-MNIST")
    assert "70%" in cnn_lesson and "2.0 s per epoch, 1,200 images/s" in cnn_lesson and "memorise" in cnn_lesson


def test_cnn_lesson_reads_the_curve_and_the_filters_instead_of_fixed_text():
    falling = _record({"loss": [1.0, 0.6], "val_loss": [0.7, 0.5], "accuracy": [0.7, 0.8],
                       "val_accuracy": [0.75, 0.81]}, 2)
    text = lesson.cnn_lesson(falling, 9098, 2400, "Fashion-MNIST", change=0.4)
    assert "still falling at the last epoch (0.700 → 0.500)" in text and "by 40%" in text
    flat = _record({"loss": [1.0, 0.6], "val_loss": [0.5, 0.52], "accuracy": [0.7, 0.8],
                    "val_accuracy": [0.8, 0.79]}, 2)
    text = lesson.cnn_lesson(flat, 9098, 2400, "Fashion-MNIST", change=0.02)
    assert "stopped falling" in text and "more epochs" not in text.split("stopped falling")[1][:40]
    assert "still close to random noise" in text
    start = np.ones((4, 3, 3))
    assert lesson.filter_change(start, start * 1.5) == pytest.approx(0.5)


def test_run_diagnosis_uses_the_majority_class_and_the_planned_epochs():
    y = np.r_[np.zeros(60, int), np.ones(40, int)]  # always guessing class 0 scores 60%
    stuck = _record({"loss": [0.68, 0.68, 0.68], "val_loss": [0.68, 0.68, 0.68],
                     "accuracy": [0.6] * 3, "val_accuracy": [0.61] * 3}, 3)
    d = lesson.run_diagnosis(stuck, y)
    assert d.kind == dx.CHANCE and "60.0%" in d.headline and d.severity != dx.SUCCESS
    stopped = _record({"loss": [0.7]}, 3, reason="stopped by user")
    assert lesson.run_diagnosis(stopped, y).kind == dx.STOPPED


def _real_run(n_train, filters, dropout, epochs, batch):
    import nnkit
    from nnkit.core import images
    from nnkit.core.training import TrainConfig
    from nnkit.experiments.cnn_filters import model as cnn

    s = {"n_train": n_train, "filters": filters, "depth": 1, "ksize": 3, "dropout": dropout, "augment": False,
         "seed": 0, "epochs": epochs}
    data = images.fashion_mnist(n_train, 100, 0, allow_download=False)
    model = cnn.build_cnn(cnn.config_from(s), data.image_shape, data.n_classes)
    result = nnkit.train(model, data, TrainConfig(epochs, batch, cnn.VALIDATION_FRACTION, 0))
    return lesson.run_diagnosis(RunRecord.from_result("CNN", s, result), data.y)


@pytest.mark.parametrize("run, kind, advice", [
    # 160 images, 32 filters, no dropout, 25 epochs: memorises, validation loss climbs from its best
    ((200, 32, 0.0, 25, 16), dx.OVERFIT, "Stop earlier"),
    # 2 filters, 3 epochs of 4 batches: barely started, still falling
    ((300, 2, 0.0, 3, 64), dx.CUT_SHORT, "more epochs"),
])
def test_seeded_page_runs_get_the_diagnosis_their_curves_show(run, kind, advice):
    d = _real_run(*run)
    assert d.kind == kind and advice in d.advice and d.severity == dx.WARNING
    assert "raise the learning rate" not in d.text.lower()
