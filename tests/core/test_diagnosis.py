"""nnkit.core.diagnosis: each failure kind named from the numbers, advice never pointing the wrong way."""

import math

import numpy as np
import pytest

from nnkit.core import diagnosis as dx

TEN = dx.uniform_baseline(10)


def _advice_never_raises_lr(d: dx.Diagnosis) -> None:
    text = d.text.lower()
    assert "raise the learning rate" not in text and "larger learning rate" not in text


def test_baselines_match_their_textbook_forms():
    assert TEN.loss == pytest.approx(math.log(10)) and TEN.accuracy == pytest.approx(0.1)
    prior = dx.classification_baseline([0, 0, 0, 1])
    assert prior.accuracy == 0.75
    assert prior.loss == pytest.approx(-(0.75 * math.log(0.75) + 0.25 * math.log(0.25)))
    assert dx.regression_baseline([1.0, 3.0]).loss == pytest.approx(1.0)  # MSE of the mean = variance


def test_a_good_run_is_the_only_green_one():
    history = {"loss": list(np.linspace(1.0, 0.1, 20)), "val_loss": list(np.linspace(1.0, 0.12, 20)),
               "accuracy": [0.99] * 20, "val_accuracy": [0.97] * 20}
    d = dx.diagnose(history, "finished", dx.classification_baseline([0, 1]), 20)
    assert d.kind == dx.LEARNED and d.severity == dx.SUCCESS


def test_nan_is_diverged_with_lower_lr_advice():
    d = dx.diagnose({"loss": [1.0, float("nan")]}, "diverged", TEN)
    assert d.kind == dx.DIVERGED and d.severity == dx.ERROR and "lower" in d.advice.lower()


def test_flat_loss_at_chance_is_stuck_not_green_and_says_lower_lr_first():
    # first neuron, lr 10, ReLU 4x32: loss flat at 8.05, accuracy 50% on two balanced classes
    history = {"loss": [8.05] * 10, "val_loss": [8.06] * 10, "accuracy": [0.5] * 10, "val_accuracy": [0.5] * 10}
    d = dx.diagnose(history, "finished", dx.classification_baseline([0, 1] * 50), 10)
    assert d.kind == dx.CHANCE and d.severity == dx.WARNING
    assert "lower it" in d.advice
    _advice_never_raises_lr(d)


def test_rnn_loss_far_above_uniform_guessing_is_not_a_success():
    # RNN, lr 10: 373.78 nats against ln(56) = 4.03 for guessing uniformly
    history = {"loss": [50.0, 200.0, 373.78], "val_loss": [60.0, 250.0, 380.0]}
    d = dx.diagnose(history, "finished", dx.uniform_baseline(56), 3)
    assert d.kind in (dx.LR_TOO_HIGH, dx.CHANCE) and d.severity != dx.SUCCESS
    _advice_never_raises_lr(d)


def test_accuracy_just_above_chance_on_ten_classes_is_stuck():
    # optimisers, lr 10: 12.8% on a 10-class task
    history = {"loss": [2.5, 2.31, 2.30], "val_loss": [2.4, 2.31, 2.30], "val_accuracy": [0.1, 0.12, 0.128]}
    d = dx.diagnose(history, "finished", TEN, 3)
    assert d.kind == dx.CHANCE and "10.0%" in d.headline


def test_rising_or_oscillating_loss_means_lr_too_large():
    rising = dx.diagnose({"loss": [1.0, 2.0, 4.0, 3.5]}, "finished", None, 4)
    swinging = dx.diagnose({"loss": [1.0, 0.5, 1.1, 0.4, 1.2, 0.45, 1.0, 0.5]}, "finished", None, 8)
    for d in (rising, swinging):
        assert d.kind == dx.LR_TOO_HIGH and "Lower the learning rate" in d.advice
        _advice_never_raises_lr(d)


def test_validation_rising_from_its_best_epoch_is_over_fitting():
    train = list(np.linspace(1.0, 0.05, 30))
    val = list(np.concatenate([np.linspace(1.0, 0.4, 10), np.linspace(0.42, 0.9, 20)]))
    d = dx.diagnose({"loss": train, "val_loss": val}, "finished", None, 30)
    assert d.kind == dx.OVERFIT and d.numbers["best epoch"] == 10
    assert "epoch 10" in d.headline


def test_poor_validation_with_equally_poor_training_is_not_over_fitting():
    # spiral, batch 1: 30% validation accuracy and training accuracy no better
    history = {"loss": [0.7, 0.69, 0.7, 0.69, 0.7, 0.69], "val_loss": [0.7, 0.71, 0.7, 0.71, 0.7, 0.71],
               "accuracy": [0.31] * 6, "val_accuracy": [0.30] * 6}
    d = dx.diagnose(history, "finished", dx.classification_baseline([0, 1] * 50), 6)
    assert d.kind != dx.OVERFIT and d.severity != dx.SUCCESS


def test_still_falling_at_the_end_is_cut_short():
    history = {"loss": list(np.linspace(1.0, 0.3, 10))}
    assert dx.diagnose(history, "finished", None, 10).kind == dx.CUT_SHORT


def test_stopped_runs_are_not_judged_and_get_no_learning_rate_advice():
    for reason in ("stopped by user", "interrupted"):
        d = dx.diagnose({"loss": [1.0, 5.0]}, reason, TEN, 10)
        assert d.kind == dx.STOPPED and d.severity == dx.INFO and "learning rate" not in d.text


def test_a_run_that_raised_is_red_and_not_judged_on_its_settings():
    d = dx.diagnose({"loss": [1.0, 0.5]}, "failed", TEN, 10)
    assert d.kind == dx.FAILED and d.severity == dx.ERROR
    assert "not a verdict" in d.text and "learning rate" not in d.text


def test_a_short_run_still_falling_is_not_called_flattened_under_fitting():
    # CNN filters default: 3 epochs of Fashion-MNIST, 82% and still improving, loss far below ln 10
    history = {"loss": [1.2, 0.7, 0.55], "val_loss": [0.8, 0.6, 0.5],
               "accuracy": [0.6, 0.75, 0.8], "val_accuracy": [0.72, 0.79, 0.82]}
    d = dx.diagnose(history, "finished", TEN, 3)
    assert d.kind == dx.LEARNED and "flattened" not in d.text and "still improving" in d.advice
    slow = {"loss": [2.2, 1.9, 1.7], "val_loss": [2.1, 1.85, 1.65], "val_accuracy": [0.3, 0.38, 0.42]}
    assert dx.diagnose(slow, "finished", TEN, 3).kind == dx.CUT_SHORT  # not skilled yet: train longer
    one = dx.diagnose({"loss": [1.4], "val_loss": [1.3], "val_accuracy": [0.55]}, "finished", TEN, 1)
    assert one.kind != dx.UNDERFIT  # one point shows no curve to have flattened


def test_a_flat_curve_short_of_a_good_fit_is_under_fitting():
    flat = {"loss": [1.0, 0.8, 0.79, 0.79, 0.79, 0.79], "val_loss": [0.9, 0.82, 0.81, 0.81, 0.81, 0.81],
            "val_accuracy": [0.6, 0.7, 0.71, 0.71, 0.71, 0.71]}
    d = dx.diagnose(flat, "finished", TEN, 6)
    assert d.kind == dx.UNDERFIT and "flattened" in d.headline
    _advice_never_raises_lr(d)


def test_a_training_loss_far_above_guessing_is_not_under_fitting_even_above_chance_accuracy():
    # first neuron, spiral, batch 1, lr 3: loss flat at 6.2 nats (guessing scores 0.69) with 59% accuracy
    history = {"loss": [6.3, 6.2, 6.196, 6.196, 6.196, 6.196], "val_loss": [6.4, 6.3, 6.25, 6.25, 6.25, 6.25],
               "accuracy": [0.6] * 6, "val_accuracy": [0.592] * 6}
    d = dx.diagnose(history, "finished", dx.classification_baseline([0, 1] * 50), 6)
    assert d.kind == dx.CHANCE and d.severity == dx.WARNING
    assert "6.196 against 0.6931" in d.headline and "lower it" in d.advice
    _advice_never_raises_lr(d)


def test_a_flat_loss_at_guessing_level_asks_for_capacity_before_blaming_the_learning_rate():
    # first neuron, a single neuron on circles: no line separates a ring from a disc
    history = {"loss": [0.70, 0.695, 0.694, 0.694, 0.694], "val_loss": [0.70, 0.695, 0.694, 0.694, 0.694],
               "accuracy": [0.55] * 5, "val_accuracy": [0.5] * 5}
    d = dx.diagnose(history, "finished", dx.classification_baseline([0, 1] * 50), 5)
    assert d.kind == dx.CHANCE and "more units or layers first" in d.advice
    assert "saturated" not in d.advice
    _advice_never_raises_lr(d)


def test_cut_short_quotes_the_curve_it_judged():
    # first neuron, spiral, batch 1, lr 0.1, 5 epochs: training loss 0.74 -> 0.744, validation still falling
    history = {"loss": [0.7395, 0.781, 0.738, 0.717, 0.7439], "val_loss": [0.80, 0.76, 0.74, 0.72, 0.70],
               "accuracy": [0.55, 0.56, 0.57, 0.58, 0.587], "val_accuracy": [0.7, 0.72, 0.75, 0.76, 0.78]}
    d = dx.diagnose(history, "finished", dx.classification_baseline([0, 1] * 50), 5)
    assert d.kind == dx.CUT_SHORT
    assert "validation loss went from 0.8 to 0.7" in d.headline and "0.7395" not in d.headline


def test_metric_none_judges_a_next_character_model_by_its_loss_alone():
    # A character model right 45% of the time is doing well; held to a classifier's 90% it would
    # always read as under-fitted, so the RNN page passes metric=None and the loss decides.
    history = {"loss": [3.2, 2.4, 2.0], "val_loss": [3.0, 2.3, 1.9], "accuracy": [0.2, 0.35, 0.45],
               "val_accuracy": [0.22, 0.36, 0.46]}
    d = dx.diagnose(history, "finished", dx.uniform_baseline(56), 3, metric=None)
    assert d.kind == dx.LEARNED and not any("accuracy" in name for name in d.numbers)
    stuck = dx.diagnose({"loss": [4.05, 4.02, 4.0], "val_loss": [4.04, 4.03, 4.02], "accuracy": [0.3] * 3},
                        "finished", dx.uniform_baseline(56), 3, metric=None)
    assert stuck.kind == dx.CHANCE and "4.025" in stuck.headline


def test_a_dropout_noisy_training_loss_with_validation_falling_is_not_a_too_large_learning_rate():
    # build network, wine, Dense 16 → Dropout 0.2 → Dense 8, Adam lr 0.0003, 3 epochs, seed 0: the training
    # loss (measured with dropout on) rose 1.47 → 1.518 while the validation loss fell steadily.
    history = {"loss": [1.47, 1.479, 1.518], "val_loss": [1.288, 1.269, 1.25],
               "accuracy": [0.395, 0.36, 0.342], "val_accuracy": [0.286, 0.321, 0.357]}
    d = dx.diagnose(history, "finished", dx.classification_baseline([0] * 59 + [1] * 71 + [2] * 48), 3)
    assert d.kind != dx.LR_TOO_HIGH and "Lower the learning rate" not in d.advice
    _advice_never_raises_lr(d)
    # A real overshoot still reads as one: the training loss far above where it started.
    wild = dx.diagnose({"loss": [1.1, 1.6, 2.4], "val_loss": [1.2, 1.1, 1.05]}, "finished", None, 3)
    assert wild.kind == dx.LR_TOO_HIGH


def test_a_loss_above_guessing_that_falls_every_epoch_is_slow_not_a_too_large_learning_rate():
    # autoencoder, digits, lr 0.0003 for 2 epochs: a sigmoid output starts near 0.5 per pixel, far above
    # rebuilding the average digit (0.0245), and creeps down; lowering the rate would make it worse.
    baseline = dx.Baseline("always predicting each feature's mean", 0.0245)
    d = dx.diagnose({"loss": [0.167, 0.164], "val_loss": [0.167, 0.164]}, "finished", baseline, 2, metric=None)
    assert d.kind == dx.CHANCE and "more epochs" in d.advice and "lower" not in d.advice.lower()
    _advice_never_raises_lr(d)
    # A start blown up far beyond anything an untrained model scores is the steps overshooting.
    blown = dx.diagnose({"loss": [4.6e6, 2.2e6, 3.9e5], "val_loss": [4.5e6, 5.3e5, 1e5]}, "finished",
                        dx.Baseline("mean", 1.0), 3, metric=None)
    assert "lower it" in blown.advice


def test_a_loss_at_guessing_that_creeps_down_every_epoch_is_slow_not_a_reason_to_lower_the_rate():
    # training strategies, noisy moons, 2×32, Adam lr 0.0003, 5 epochs, seed 0: accuracy stuck at the
    # majority's, the loss falling 3.7% in 5 steady steps; "lower the learning rate" would point the wrong way.
    history = {"loss": [0.6948, 0.6878, 0.681, 0.6751, 0.6691], "val_loss": [0.7004, 0.694, 0.6879, 0.6822, 0.6767],
               "accuracy": [0.5533] * 5, "val_accuracy": [0.485] * 5}
    d = dx.diagnose(history, "finished", dx.Baseline("always guessing the majority class", 0.6927, 0.515), 5)
    assert d.kind == dx.CHANCE and "more epochs" in d.advice and "lower" not in d.advice.lower()
    _advice_never_raises_lr(d)
