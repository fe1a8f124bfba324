"""The NumPy update rules (the LaTeX) against what Keras did, step by step."""

import numpy as np
import pytest

from nnkit.experiments.optimisers import model as opt
from nnkit.experiments.optimisers import race, rules, surfaces

NAMES = list(opt.OPTIMISERS)
SLOTS = {"SGD + momentum": {"m_t (velocity)": "momentum"}, "Nesterov": {"m_t (velocity)": "momentum"},
         "RMSprop": {"v_t (mean of g²)": "velocity"}, "Adagrad": {"a_t (sum of g²)": "accumulator"},
         "Adam": {"m_t (1st moment)": "momentum", "v_t (2nd moment)": "velocity"},
         "AdamW": {"m_t (1st moment)": "momentum", "v_t (2nd moment)": "velocity"},
         "Nadam": {"m_t (1st moment)": "momentum", "v_t (2nd moment)": "velocity"},
         "Lion": {"m_t": "momentum"}}


def _knob(name):
    return opt.default_knob(name)


def _eager_keras(name, lr, knob, surface, start, steps):
    """Plain `apply_gradients` on a keras.Variable: the reference, no compilation."""
    import keras

    optimizer = opt.make_optimizer(name, lr, knob)
    variable = keras.Variable(np.asarray(start, "float32"), name="point")
    path = [np.asarray(variable.numpy(), "float64")]
    for _ in range(steps):
        g = surface.gradient(path[-1]).astype("float32")
        optimizer.apply_gradients([(g, variable)])
        path.append(np.asarray(variable.numpy(), "float64"))
    slots = {v.path.split("_")[-1]: np.asarray(v.numpy(), "float64") for v in optimizer.variables
             if v.path.startswith(optimizer.name + "/point_")}
    return np.array(path), slots


@pytest.mark.parametrize("name", NAMES)
def test_shown_step_equals_keras_update(name):
    """The numbers the page shows for step t equal what Keras did, to 1e-6."""
    surface = surfaces.himmelblau()
    lr = opt.default_lr(name, surface)
    steps = 4
    trajectory = race.race(surface, [race.Racer(name, lr, _knob(name))], (0.5, -1.0), steps)[0]
    eager_path, _ = _eager_keras(name, lr, _knob(name), surface, (0.5, -1.0), steps)
    np.testing.assert_allclose(trajectory.path, eager_path, atol=1e-6)  # the compiled race is Keras's update
    for t in range(1, steps + 1):
        ex = rules.explain_step(surface, trajectory, t)
        np.testing.assert_allclose(ex.x_formula, eager_path[t], atol=1e-6)
        update = ex.quantities["Δx (step)"] + ex.quantities.get("−ηλx (weight decay)", 0.0)
        np.testing.assert_allclose(update, trajectory.path[t] - trajectory.path[t - 1], atol=1e-6)
        # and the moments shown are the optimizer's own slots after step t
        _, slots = _eager_keras(name, lr, _knob(name), surface, (0.5, -1.0), t)
        for shown, slot in SLOTS.get(name, {}).items():
            np.testing.assert_allclose(ex.quantities[shown], slots[slot], rtol=1e-5, atol=1e-6)


def test_explain_step_rejects_steps_outside_the_run():
    surface = surfaces.saddle()
    tr = race.race(surface, [race.Racer("SGD", 0.1)], surface.start, 3)[0]
    with pytest.raises(ValueError):
        rules.explain_step(surface, tr, 4)


def test_nadam_caption_says_keras_forms_one_minus_beta2_in_float32():
    """#16: the table matches Keras, whose Nadam forms 1 − β₂ in float32; the caption says so."""
    surface = surfaces.himmelblau()
    tr = race.race(surface, [race.Racer("Nadam", 0.01, 0.9)], (0.5, -1.0), 2)[0]
    note = rules.rounding_note("Nadam", tr.hyper)
    assert "float32" in note and "0.000999987125" in note and "follows Keras" in note
    ex = rules.explain_step(surface, tr, 1)
    g2 = ex.quantities["g_t (gradient)"] ** 2
    keras_rounding = np.float32(1) - np.float32(0.999)
    np.testing.assert_allclose(ex.quantities["v_t (2nd moment)"], g2 * keras_rounding, rtol=1e-6)
    assert not np.allclose(ex.quantities["v_t (2nd moment)"], g2 * 0.001, rtol=1e-6, atol=0)
    adam = rules.rounding_note("Adam", {"beta_2": 0.999})
    assert "float64 and then rounded to float32" in adam and "textbook" not in adam
    assert rules.rounding_note("SGD", {"momentum": 0.0}) == ""


def test_step_table_and_verdict_show_the_numbers_of_the_step():
    surface = surfaces.quadratic(10)
    tr = race.race(surface, [race.Racer("SGD", 0.1)], surface.start, 3)[0]
    ex = rules.explain_step(surface, tr, 2)
    rows = rules.step_table(ex)
    assert rows[0]["quantity"] == "x_{t−1} (before the step)" and rows[-1]["quantity"] == "x_t (Keras)"
    assert rows[-1]["x"] == f"{ex.x_keras[0]:.7g}"
    assert rules.step_verdict(ex, "SGD").startswith("Step 2: the equations give x_t = (")
