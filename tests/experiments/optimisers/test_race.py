"""The race: real Keras optimizers on 2-D surfaces, divergence named with its step."""

import numpy as np

import pytest

from nnkit.experiments.optimisers import lesson, race, surfaces
from nnkit.experiments.optimisers import model as opt

NAMES = list(opt.OPTIMISERS)


def _knob(name):
    return opt.default_knob(name)


@pytest.mark.parametrize("name", NAMES)
def test_every_optimiser_lowers_the_quadratic_loss(name):
    surface = surfaces.quadratic(20)
    trajectory = race.race(surface, [race.Racer(name, opt.default_lr(name, surface), _knob(name))],
                          surface.start, 100)[0]
    assert trajectory.diverged_at is None
    assert trajectory.steps_run == 100
    assert trajectory.losses[-1] < 0.5 * trajectory.losses[0]


def test_huge_learning_rate_is_reported_as_diverged_with_its_step():
    surface = surfaces.quadratic(10)
    trajectories = race.race(surface, [race.Racer(n, 1e6, _knob(n)) for n in NAMES], surface.start, 50)
    for tr in trajectories:
        assert tr.diverged_at == 1, tr.racer.name
        assert np.all(np.isfinite(tr.path)) and len(tr.path) == 1  # nothing broken left to plot
        assert "diverged at step 1" in race.divergence_message(tr)
    assert "diverged at step 1" in lesson.race_lesson(surface, trajectories)


def test_too_high_sgd_learning_rate_diverges_later_not_at_once():
    # On the quadratic SGD multiplies y by (1 − η) each step: |1 − 3| = 2 grows slowly.
    tr = race.race(surfaces.quadratic(10), [race.Racer("SGD", 3.0)], (-5.0, 2.0), 100)[0]
    assert tr.diverged_at is not None and 5 < tr.diverged_at < 30


def test_zero_learning_rate_never_moves_and_zero_steps_is_empty():
    surface = surfaces.rosenbrock()
    tr = race.race(surface, [race.Racer("Adam", 0.0, 0.9)], surface.start, 10)[0]
    np.testing.assert_array_equal(tr.path, np.tile(tr.path[0], (11, 1)))
    assert "did not lower the loss" in lesson.race_lesson(surface, [tr])
    assert race.race(surface, [race.Racer("SGD", 0.1)], surface.start, 0)[0].steps_run == 0


def test_race_problems_are_sentences():
    surface = surfaces.quadratic(10)
    assert "at least one optimiser" in race.problem(surface, [], 10, surface.start)
    assert "Zero steps" in race.problem(surface, ["SGD"], 0, surface.start)
    assert "outside the plotted range" in race.problem(surface, ["SGD"], 10, (50.0, 0.0))
    assert race.problem(surface, ["SGD"], 10, surface.start) == ""
