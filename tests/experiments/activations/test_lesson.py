"""nnkit.experiments.activations.lesson: every sentence reads this comparison's own numbers."""

from nnkit.core.diagnosis import classification_baseline
from nnkit.core.runs import RunRecord
from nnkit.core.training import DIVERGED, FINISHED
from nnkit.experiments.activations import lesson

COIN = classification_baseline([0, 1])  # two balanced classes: guessing scores 50%

def _record(label, key, acc, norms, stuck, reason=FINISHED, message="Finished 5 epochs."):
    return RunRecord(label, {"activation": key, "epochs": 5}, {"loss": [0.7], "val_accuracy": [acc]},
                     reason, message, 5, artifacts={"probe": {"epoch": 5, "grad_norms": norms,
                                                              "stuck": stuck, "layers": []}})


def test_what_happened_reads_this_runs_numbers():
    runs = [_record("sigmoid", "sigmoid", 0.48, [2e-5, 3e-3, 4e-2, 0.3], [0.0, 0.0, 0.25]),
            _record("ReLU", "relu", 0.96, [0.05, 0.06, 0.04, 0.02], [0.0, 0.5, 0.25])]
    text = lesson.what_happened(runs, "moons", 3, COIN)
    assert "**ReLU** 96%, **sigmoid** 48%" in text
    assert "2,000× smaller" in text and "stayed near chance" in text
    assert "25% of its hidden units were dead" in text and "hidden_2 (50%)" in text
    assert "factor 1.2" in text


def test_what_happened_reports_divergence_and_empty_comparisons():
    boom = _record("ReLU", "relu", float("nan"), [], [], DIVERGED, "The loss became NaN in epoch 3.")
    assert "NaN in epoch 3" in lesson.what_happened([boom], "xor", 6, COIN)
    assert "Run the comparison" in lesson.what_happened([], "xor", 6, COIN)


def test_what_happened_compares_the_untrained_network_with_the_trained_one():
    run = _record("sigmoid", "sigmoid", 0.9, [1e-3, 2e-3, 6.1e-2, 0.3], [0.0, 0.0, 0.0])
    run.artifacts["probe"].update(first_epoch=0, first_grad_norms=[3e-5, 1e-3, 0.12, 0.4])
    text = lesson.what_happened([run], "moons", 3, COIN)
    assert "at initialisation its first hidden layer got gradients 4,000× smaller" in text
    assert "after epoch 5 the first layer's gradient was 61× smaller than the last" in text
    assert "at most 0.25" in text  # sigmoid's steepest slope, σ'(0) = 1/4
    assert "near chance" not in text  # 90% is well above chance


def test_what_happened_says_when_no_gradient_reaches_the_first_layer():
    run = _record("ReLU", "relu", 0.5, [0.0, 0.0, 0.0, 0.1], [1.0, 1.0, 1.0])
    run.artifacts["probe"].update(first_epoch=0, first_grad_norms=[0.05, 0.06, 0.04, 0.02])
    text = lesson.what_happened([run], "moons", 3, COIN)
    assert "by epoch 5 no gradient reached the first hidden layer at all" in text
    assert "100% of its hidden units were dead" in text and "inf" not in text


def test_what_happened_handles_growing_and_vanished_last_layer_gradients():
    grow = _record("SELU", "selu", 0.9, [0.5, 0.1, 0.01, 0.1], [0.0, 0.0, 0.0])
    assert "50× *larger* gradients" in lesson.what_happened([grow], "xor", 3, COIN)
    dead_end = _record("ReLU", "relu", 0.5, [0.5, 0.1, 0.0, 0.1], [0.0, 0.0, 1.0])
    assert "infinitely *larger*" in lesson.what_happened([dead_end], "xor", 3, COIN)


def test_what_happened_explains_why_leaky_relu_units_do_not_die():
    run = _record("leaky ReLU", "leaky_relu", 0.9, [0.05, 0.06, 0.04, 0.02], [0.0, 0.0, 0.0])
    run.settings["slope"] = 0.05
    assert "leaky ReLU still has slope 0.05" in lesson.what_happened([run], "moons", 3, COIN)


def test_saturation_summary_names_each_interval():
    text = lesson.saturation_summary({"sigmoid": [(-6.0, -4.6), (4.6, 6.0)], "linear": []})
    assert "sigmoid saturates (|f'(z)| < 0.01) on z ∈ [-6, -4.6] and [4.6, 6]" in text
    assert "linear never saturates" in text


def test_a_validation_accuracy_of_exactly_zero_is_reported_not_replaced_by_training_accuracy():
    run = RunRecord("ReLU", {"activation": "relu", "epochs": 5}, {"loss": [0.7], "accuracy": [0.9],
                                                                   "val_accuracy": [0.0]},
                    FINISHED, "Finished 5 epochs.", 5, artifacts={"probe": {}})
    text = lesson.what_happened([run], "moons", 3, COIN)
    assert "validation accuracy was **ReLU** 0%" in text and "90%" not in text


def test_each_activation_line_carries_its_diagnosis_and_never_advises_a_larger_learning_rate():
    flat = _record("sigmoid", "sigmoid", 0.5, [0.05, 0.06, 0.04, 0.02], [0.0, 0.0, 0.0])
    flat.history.update(loss=[0.70, 0.695, 0.694, 0.694, 0.694], val_loss=[0.70, 0.695, 0.694, 0.694, 0.694])
    d = lesson.diagnosis_of(flat, COIN)
    text = lesson.what_happened([flat], "moons", 3, COIN)
    assert d.kind == "stuck at chance" and "verdict: stuck at chance" in text
    assert "larger learning rate" not in text and "raise" not in text
    good = _record("ReLU", "relu", 0.98, [0.05, 0.06, 0.04, 0.02], [0.0, 0.0, 0.0])
    good.history.update(loss=[0.6, 0.3, 0.2, 0.15, 0.14, 0.14], val_loss=[0.6, 0.3, 0.2, 0.16, 0.15, 0.15],
                        val_accuracy=[0.98] * 6)
    assert lesson.diagnosis_of(good, COIN).kind == "learned"
    assert "verdict" not in lesson.what_happened([good], "moons", 3, COIN)
