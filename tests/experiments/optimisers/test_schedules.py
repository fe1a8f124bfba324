"""Schedules: the formula shown, the plot and the trained schedule are one function (#16)."""

import math

import numpy as np
import pytest

from nnkit.core.data import REAL
from nnkit.experiments.optimisers import model as opt
from nnkit.experiments.optimisers import schedules
from nnkit.experiments.optimisers.settings import SETTINGS

N_SAMPLES = len(REAL["digits"](0).x)


def _page_totals() -> list[int]:
    """Every T = updates per epoch × epochs the page can train: batch 1 … the full batch, every epoch count."""
    epochs = next(s for s in SETTINGS if s.name == "epochs")
    epoch_limit = epochs.limit(False)
    assert epoch_limit == 40 and epochs.low == 1
    n_train = N_SAMPLES - round(opt.VALIDATION * N_SAMPLES)
    per_epoch = {opt.steps_per_epoch(N_SAMPLES, opt.VALIDATION, batch) for batch in range(1, n_train + 1)}
    return sorted({p * e for p in per_epoch for e in range(1, epoch_limit + 1)})


@pytest.mark.parametrize("kind", list(schedules.SCHEDULES))
def test_schedule_formula_matches_keras_schedule(kind):
    total = 90
    schedule = schedules.make_schedule(kind, 0.05, total)
    steps = [0, 9, 10, 11, 30, 31, 60, 89, 95]  # around every boundary and past the end
    keras_values = [schedule if isinstance(schedule, float) else float(schedule(s)) for s in steps]
    np.testing.assert_allclose(schedules.formula(kind, 0.05, total, steps), keras_values, rtol=1e-5, atol=1e-9)
    plotted_steps, plotted = schedules.schedule_values(kind, 0.05, total)
    np.testing.assert_allclose(plotted, schedules.formula(kind, 0.05, total, plotted_steps), rtol=1e-5, atol=1e-9)


def test_step_decay_has_three_levels_with_integer_boundaries():
    """#16: at T = 100, t = 33 is already the second level (d = ⌊100/3⌋ = 33) and t = 99 is the third."""
    values = schedules.keras_values(schedules.make_schedule("step decay", 1.0, 100), np.arange(101))
    assert values[32] == 1.0 and values[33] == pytest.approx(0.1) and values[65] == pytest.approx(0.1)
    assert values[66] == pytest.approx(0.01) and values[99] == pytest.approx(0.01) and values[100] == pytest.approx(0.01)
    assert len(set(np.round(values, 12))) == 3
    assert r"d = \lfloor T/3 \rfloor = 33" in schedules.latex("step decay", 100)
    assert r"W = \lfloor T/10 \rfloor = 10" in schedules.latex("warm-up + cosine", 100)


def test_step_decay_equals_its_formula_at_every_step_for_every_batch_and_epochs_the_page_allows():
    """#16: the trained schedule (integer steps, as the optimizer counts) is the formula, exactly."""
    totals = _page_totals()
    assert 23 * 8 in totals and 15 * 11 in totals  # (batch 64, 8 epochs) and (100, 11) are among them
    for total in totals:
        # Steps 0 … T and beyond, padded to a power of two: a handful of array shapes for thousands
        # of schedules, so the backend compiles each operation a few times, not once per T.
        t = np.arange(1 << int(total).bit_length())
        trained = schedules.keras_values(schedules.make_schedule("step decay", 1.0, total), t)
        np.testing.assert_allclose(trained, schedules.formula("step decay", 1.0, total, t), rtol=1e-6,
                                   err_msg=f"T = {total}")


@pytest.mark.parametrize("batch,epochs", [(64, 8), (100, 11), (64, 30), (1, 1), (1, 40), (1438, 1), (7, 3)])
def test_step_decay_under_the_compiled_training_step_is_not_one_step_late(batch, epochs):
    """#16: on JAX, ExponentialDecay(staircase) kept η at step 61 of T = 184; the trained value is compiled."""
    import keras

    total = opt.steps_per_epoch(N_SAMPLES, opt.VALIDATION, batch) * epochs
    schedule = schedules.make_schedule("step decay", 1.0, total)
    t = np.arange(total + 1)
    if keras.backend.backend() == "jax":
        import jax

        trained = np.asarray(jax.jit(jax.vmap(schedule))(t.astype("int32")), "float64")
    else:
        trained = schedules.keras_values(schedule, t)
    np.testing.assert_allclose(trained, schedules.formula("step decay", 1.0, total, t), rtol=1e-6)


@pytest.mark.parametrize("kind", ["cosine", "warm-up + cosine"])
def test_cosine_schedules_equal_their_formula_at_every_step(kind):
    for total in [2, 3, 9, 10, 11, 45, 184, 360]:
        t = np.arange(total + 3)
        trained = schedules.keras_values(schedules.make_schedule(kind, 0.3, total), t)
        # float32 cos near π: a few 1e-9 absolute where η_t is nearly 0
        np.testing.assert_allclose(trained, schedules.formula(kind, 0.3, total, t), rtol=1e-5, atol=3e-8,
                                   err_msg=f"T = {total}")


def test_the_optimizer_trains_with_the_plotted_schedule():
    """The optimizer's own learning rate at iteration t is the plotted value (one function)."""
    schedule = schedules.make_schedule("step decay", 0.1, 184)
    optimizer = opt.make_optimizer("SGD", schedule)
    steps, plotted = schedules.schedule_values("step decay", 0.1, 184)
    for t, value in zip(steps, plotted):
        if t in (0, 60, 61, 121, 122, 184):
            optimizer.iterations.assign(int(t))
            assert float(optimizer.learning_rate) == pytest.approx(value, rel=1e-6), t
    assert 60 in steps and 61 in steps  # the plot draws both sides of each drop
    # d = ⌊184/3⌋ = 61: step 60 still trains at η, step 61 at η/10 (the step JAX used to get wrong)
    assert math.isclose(plotted[list(steps).index(60)], 0.1, rel_tol=1e-6)
    assert math.isclose(plotted[list(steps).index(61)], 0.01, rel_tol=1e-6)


def test_constant_schedule_is_a_float_and_unknown_kinds_are_refused():
    assert schedules.make_schedule("constant", 0.3, 10) == 0.3
    with pytest.raises(KeyError):
        schedules.schedule_arguments("linear", 0.1, 10)
    with pytest.raises(KeyError):
        schedules.latex("linear", 10)
