"""The lesson quotes the run's numbers; the figures draw what the picture holds."""

import numpy as np
import pytest

from nnkit.core.runs import RunRecord
from nnkit.experiments.gans import failure, figures, lesson
from nnkit.experiments.gans import model as gans

DEFAULTS = {s.name: s.default for s in gans.SETTINGS}


def _picture(covered=3):
    rng = np.random.default_rng(0)
    return {"real": rng.normal(size=(50, 2)), "fake": rng.normal(size=(100, 2)), "grid": np.linspace(-3, 3, 5),
            "surface": np.full((5, 5), 0.25), "arrow_at": np.zeros((3, 2)),
            "arrows": np.array([[1.0, 0.0], [0.0, 2.0], [0.0, 0.0]]), "counts": (40, 30, 20, 0, 0, 0, 0, 0),
            "covered": covered, "off_target": 0.1}


def _record(history, picture):
    return RunRecord("r", dict(DEFAULTS), history, "finished", "Finished.", len(history["loss"]),
                     artifacts={"picture": picture})


def test_lesson_quotes_this_runs_numbers_and_verdict():
    n = 20
    history = {"loss": [0.4] * n, "g_loss": [1.2] * n, "real_accuracy": [0.7] * n, "fake_accuracy": [0.8] * n,
               "g_grad_norm": [0.5] * 5 + [2.0] * 15, "modes": [3] * n}
    record = _record(history, _picture())
    verdict = lesson.verdict(record)
    assert verdict.kind == failure.COLLAPSE
    text = lesson.lesson(record, verdict)
    assert "0.400" in text and "70%" in text and "80%" in text and "**3** of them" in text
    assert "grew: 0.5" in text and "Verdict: mode collapse" in text and "40, 30, 20" in text


def test_examples_text_names_every_example_change():
    text = lesson.examples_text()
    assert all(kind in text for kind in failure.EXAMPLES) and "D steps per G step 5" in text


def test_arrows_keep_direction_and_relative_size_with_outliers_capped():
    push = np.array([[1.0, 0.0]] * 9 + [[0.0, 2.0], [0.0, -100.0]])
    xs, ys = figures.arrow_segments(np.zeros((11, 2)), push)
    length = figures.ARROW_LENGTH
    assert xs[1] == pytest.approx(0.5 * length) and ys[1] == 0.0  # half the 90th-percentile gradient
    assert ys[28] == pytest.approx(length) and xs[28] == 0.0
    assert ys[31] == pytest.approx(-2 * length)  # the outlier keeps its direction, capped
    assert figures.arrow_segments(np.zeros((1, 2)), np.zeros((1, 2)))[0] == [0.0, 0.0, None]


def test_figures_draw_the_picture_and_the_game():
    fig = figures.plane_figure(_picture())
    assert [t.name for t in fig.data][:3] == ["D's P(real)", "real points", "generated points"]
    history = {"loss": [0.7, 0.6], "g_loss": [0.7, 0.8], "real_accuracy": [0.5, 0.6], "fake_accuracy": [0.5, 0.4],
               "modes": [2, 5]}
    game = figures.game_figure(history, 8, planned_epochs=10)
    drawn = [t for t in game.data if t.name]
    assert len(drawn) == 5 and list(drawn[-1].y) == [2, 5]
    assert {t.xaxis for t in figures.game_figure({}, 8, 10).data} == {"x", "x2", "x3"}  # empty frame: 3 panels
    both = figures.compare_figure({"a": history, "b": history})
    drawn = [t for t in both.data if t.name]
    assert len(drawn) == 6 and [t.showlegend for t in drawn[:3]] == [True, False, False]
    summary = figures.plane_summary(_picture(), 8)
    assert "0.25 to 0.25" in summary and "cover 3 of 8 modes" in summary and "10% lie in no mode" in summary
