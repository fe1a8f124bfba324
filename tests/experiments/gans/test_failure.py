"""Each failure mode is named from a real seeded run's numbers, and the default run is healthy.

Real runs (seed 0, the page's defaults with `failure.EXAMPLES` applied): the
verdict must come from the run itself, so these train for real (2-4 s each).
"""

import pytest

import nnkit
from nnkit.core import diagnosis as dx
from nnkit.experiments.gans import failure
from nnkit.experiments.gans import model as gans
from nnkit.experiments.gans.lesson import n_modes
from nnkit.experiments.gans.watch import GANWatch

DEFAULTS = {s.name: s.default for s in gans.SETTINGS}


def _verdict(s):
    gan, watch = gans.build(s), GANWatch(gans.real_points(s), s["target"], s["noise_dim"], s["seed"])
    result = nnkit.train(gan, gans.training_data(s), gans.train_config(s), callbacks=[watch])
    picture = watch.picture()
    return failure.diagnose(result.history, result.reason, s, n_modes(s["target"]), picture["covered"],
                            picture["off_target"])


@pytest.mark.parametrize("kind", list(failure.EXAMPLES))
def test_each_example_setting_shows_its_failure(kind):
    s = {**DEFAULTS, **failure.EXAMPLES[kind]}
    verdict = _verdict(s)
    assert verdict.kind == kind, verdict.text
    assert verdict.severity == dx.WARNING and verdict.advice


def test_the_default_ring_run_is_healthy_and_green():
    verdict = _verdict(DEFAULTS)
    assert verdict.kind == dx.LEARNED and verdict.severity == dx.SUCCESS, verdict.text
    assert "all 8 modes" in verdict.text


def test_a_healthy_line_run_is_not_called_oscillation():
    # On the thin line D sits at chance and its accuracy on generated points alone swings (45-75%):
    # the rule reads real and generated together, which stays flat.
    verdict = _verdict({**DEFAULTS, "target": "line"})
    assert verdict.kind == dx.LEARNED, verdict.text


def _history(n=40, d_loss=0.69, real=0.55, fake=0.5, modes=8, swing=0.0):
    return {"loss": [d_loss] * n, "g_loss": [0.7] * n, "g_grad_norm": [1.0] * n, "modes": [modes] * n,
            "real_accuracy": [real + (swing if i % 2 else -swing) for i in range(n)],
            "fake_accuracy": [fake + (swing if i % 2 else -swing) for i in range(n)]}


def test_rules_on_synthetic_histories():
    s = DEFAULTS
    assert failure.diagnose(_history(), "finished", s, 8, 8, 0.05).kind == dx.LEARNED
    assert failure.diagnose(_history(d_loss=0.1, real=0.95, fake=0.95), "finished", s, 8, 1, 0.7).kind \
        == failure.D_WINS
    assert failure.diagnose(_history(modes=3), "finished", s, 8, 3, 0.1).kind == failure.COLLAPSE
    assert failure.diagnose(_history(modes=1, swing=0.2), "finished", s, 8, 1, 0.9).kind == failure.OSCILLATION
    assert failure.diagnose(_history(modes=0), "finished", s, 8, 0, 1.0).kind == failure.OFF_TARGET
    assert failure.diagnose(_history(), "stopped by user", s, 8, None, None).kind == dx.STOPPED
    assert failure.diagnose({**_history(), "loss": [float("nan")]}, "diverged", s, 8, None, None).kind \
        == dx.DIVERGED


def test_advice_follows_the_settings_and_never_points_the_wrong_way():
    wins = _history(d_loss=0.1, real=0.95, fake=0.95)
    advice = failure.diagnose(wins, "finished", {**DEFAULTS, **failure.EXAMPLES[failure.D_WINS]}, 8, 1, 0.7).advice
    assert "non-saturating" in advice and "fewer D steps" in advice and "down to G's" in advice
    plain = failure.diagnose(wins, "finished", DEFAULTS, 8, 1, 0.7).advice
    assert "non-saturating" not in plain and "fewer D steps" not in plain
    collapse = failure.diagnose(_history(modes=3), "finished", {**DEFAULTS, "g_lr": 0.03}, 8, 3, 0.1).advice
    assert "lower the learning rate (G 0.03)" in collapse and "raise" not in collapse
    oscillating = {**DEFAULTS, **failure.EXAMPLES[failure.OSCILLATION]}
    advice = failure.diagnose(_history(modes=1, swing=0.2), "finished", oscillating, 8, 1, 0.9).advice
    assert "Adam instead of SGD for G and D" in advice
    assert "more epochs" in failure.diagnose(_history(modes=0), "finished", DEFAULTS, 8, 0, 1.0).advice


def test_the_d_winning_text_says_vanished_only_when_the_gradient_did_vanish():
    wins = _history(d_loss=0.05, real=0.97, fake=0.97)
    faded = {**wins, "g_grad_norm": [1.0] * 10 + [0.0005] * 30}
    assert "all but vanished" in failure.diagnose(faded, "finished", DEFAULTS, 8, 0, 1.0).text
    still = failure.diagnose(wins, "finished", DEFAULTS, 8, 0, 1.0).text
    assert "vanished" not in still and "still gets a push" in still
