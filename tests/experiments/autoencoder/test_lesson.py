"""Autoencoder lessons from the run's numbers, and seeded real runs for each way a run on this page
goes wrong, with advice that never points the wrong way (issue #27)."""

import numpy as np
import pytest

import nnkit
from nnkit.core import diagnosis as dx
from nnkit.core.runs import RunRecord
from nnkit.core.training import TrainConfig
from nnkit.experiments.autoencoder import anomalies, csv_upload, lesson
from nnkit.experiments.autoencoder import model as ae
from nnkit.experiments.autoencoder import threshold as th


def test_lesson_reports_this_runs_numbers(trained_on_benign):
    data, model, result = trained_on_benign
    _, errors = ae.score(model, data.x_test)
    report = th.evaluate(errors, data.y_test, 0.5)
    baseline = ae.mean_baseline(data.x_train).loss
    text = lesson.lesson("breast cancer", 4, data.sample_shape, result.final("loss"),
                         errors[data.y_test == 0], errors[data.y_test == 1], report, baseline)
    tn, fp, fn, tp = report.confusion.ravel()
    assert "7.5× compression" in text and f"{result.final('loss'):.4f}" in text
    assert f"**{fp} false alarms**" in text and f"misses {fn}" in text
    assert f"{report.auc:.3f}" in text
    assert f"would score {baseline:.4f}" in text and f"{result.final('loss') / baseline:.0%} of that" in text


def test_a_bottleneck_no_smaller_than_the_input_is_called_what_it_is():
    # issue #27: "3 numbers squeezed into 8 (0.4× compression)"
    assert "not smaller than a sample (3 numbers)" in lesson.bottleneck_note(8, (3,))
    assert lesson.bottleneck_note(3, (3,)) and lesson.bottleneck_note(2, (3,)) is None
    text = lesson.lesson("your CSV", 8, (3,), 0.5, np.array([0.1]), np.array([]), None)
    assert "no compression" in text and "0.4×" not in text and "squeezed" not in text


def test_a_run_worse_than_the_average_sample_says_so_with_its_diagnosis_advice():
    text = lesson.lesson("your CSV", 2, (3,), 240_923.0, np.array([0.1]), np.array([]), None, 1.0,
                         "Lower the learning rate (÷10); do not raise it.")
    assert "240923.0000" in text and "**240,923.0× worse than that**" in text and "Lower the learning rate" in text


def test_after_stop_there_is_no_learning_rate_advice():
    # issue #27: the "you pressed Stop" note was followed by "lower the learning rate and train again"
    record = RunRecord("dense, bottleneck 8", {"epochs": 15}, {"loss": [0.09, 0.05]}, "stopped by user",
                       "Training ended after 2 epochs because you pressed Stop; the curves so far are kept.", 2)
    assert "learning rate" not in lesson.no_reconstructions(record) and "let it finish" in lesson.no_reconstructions(record)
    d = lesson.run_diagnosis(record)
    assert d.kind == dx.STOPPED and "learning rate" not in d.text
    diverged = RunRecord("x", {}, {"loss": [0.5, float("nan")]}, "diverged", "", 2)
    assert "Lower the learning rate" in lesson.no_reconstructions(diverged)


def test_denoise_lesson_reports_its_numbers():
    text = lesson.denoise_lesson({"noisy_error": 0.08, "cleaned_error": 0.02, "level": 0.3})
    assert "**0.0800**" in text and "**0.0200**" in text and "removed 75%" in text
    assert "worse than the noisy input" in lesson.denoise_lesson({"noisy_error": 0.02, "cleaned_error": 0.03,
                                                                  "level": 0.3})


# ---- seeded real runs, one per failure kind this page produces -------------------------

def _three_column_csv():
    rng = np.random.default_rng(0)
    rows = rng.normal(size=(300, 3)) @ np.array([[1, 0.5, 0], [0, 1, 0.3], [0, 0, 1]])
    text = "a,b,c\n" + "\n".join(",".join(f"{v:.3f}" for v in row) for row in rows)
    return csv_upload.csv_set(csv_upload.parse_csv(text.encode()), seed=0)


def _run(data, lr: float, epochs: int, bottleneck: int = 8):
    s = {"kind": ae.DENSE, "bottleneck": bottleneck, "hidden": 64, "lr": lr, "seed": 0, "epochs": epochs}
    model = ae.build_autoencoder(ae.config_from(s, data.unit_range), data.sample_shape)
    result = nnkit.train(model, (data.x_train, data.x_train), TrainConfig(epochs, ae.BATCH_SIZE, ae.VALIDATION, 0))
    record = RunRecord.from_result("run", s, result, ae.analyse(model, data, 0))
    return record, lesson.run_diagnosis(record)


def test_seeded_csv_run_at_lr_1_is_far_worse_than_the_mean_and_told_to_lower_the_rate():
    data = _three_column_csv()
    record, d = _run(data, 1.0, 5, bottleneck=8)
    assert lesson.bottleneck_note(8, data.sample_shape)  # 3 numbers through 8: warned
    assert record.final("val_loss") > 10 * record.artifacts["baseline"][1]
    assert d.kind == dx.CHANCE and d.severity == dx.WARNING and "lower it" in d.advice
    assert "raise the learning rate" not in d.text.lower()


def test_seeded_tiny_learning_rate_is_slow_and_never_told_to_go_lower():
    record, d = _run(anomalies.digits((0,), seed=0), 0.0003, 2)
    assert d.kind == dx.CHANCE and "more epochs" in d.advice and "lower" not in d.advice.lower()


def test_seeded_good_run_is_the_green_one(trained_on_benign):
    data, _, _ = trained_on_benign
    record, d = _run(data, 0.01, 8, bottleneck=4)
    assert d.kind == dx.LEARNED and d.severity == dx.SUCCESS
