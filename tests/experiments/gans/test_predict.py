"""The GAN question answered by real seeded runs: the option is the run's own verdict."""

import nnkit
from nnkit.core.predict import Verdict
from nnkit.core.runs import RunRecord
from nnkit.experiments.gans import failure, predict
from nnkit.experiments.gans import model as gans
from nnkit.experiments.gans.watch import GANWatch

DEFAULTS = {s.name: s.default for s in gans.SETTINGS}
HEALTHY, COLLAPSE = predict.QUESTION.options[0], predict.QUESTION.options[1]


def _record(**changes) -> RunRecord:
    s = {**DEFAULTS, **changes}
    gan, watch = gans.build(s), GANWatch(gans.real_points(s), s["target"], s["noise_dim"], s["seed"])
    result = nnkit.train(gan, gans.training_data(s), gans.train_config(s), callbacks=[watch])
    return RunRecord.from_result("run", s, result, {"picture": watch.picture()})


def test_the_default_ring_run_makes_healthy_right_and_collapse_wrong():
    answer = predict.answer([_record()])
    assert answer.correct == HEALTHY and "all 8 modes" in answer.because
    assert Verdict(HEALTHY, answer).right is True and Verdict(COLLAPSE, answer).right is False


def test_fast_learning_rates_make_collapse_the_right_guess():
    answer = predict.answer([_record(**failure.EXAMPLES[failure.COLLAPSE])])
    assert answer.correct == COLLAPSE and "of the target's 8 modes" in answer.because
    assert Verdict(HEALTHY, answer).right is False


def test_a_cut_off_run_settles_nothing():
    record = RunRecord("cut", DEFAULTS, {"loss": [0.7], "g_loss": [0.7], "real_accuracy": [0.5],
                                         "fake_accuracy": [0.5]}, "stopped by user", epochs_run=1)
    assert predict.answer([record]).correct is None
