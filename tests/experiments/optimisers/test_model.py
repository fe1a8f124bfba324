"""The optimisers module against Keras itself: equations, race, schedules, range test."""


import numpy as np
import pytest

from nnkit import notebook as export
from nnkit.experiments.optimisers import figures as oplots
from nnkit.experiments.optimisers import model as opt
from nnkit.experiments.optimisers import surfaces
from tests.helpers import run_notebook

NAMES = list(opt.OPTIMISERS)
# Which shown quantity is which Keras optimizer slot (variable path suffix).
SLOTS = {"SGD + momentum": {"m_t (velocity)": "momentum"}, "Nesterov": {"m_t (velocity)": "momentum"},
         "RMSprop": {"v_t (mean of g²)": "velocity"}, "Adagrad": {"a_t (sum of g²)": "accumulator"},
         "Adam": {"m_t (1st moment)": "momentum", "v_t (2nd moment)": "velocity"},
         "AdamW": {"m_t (1st moment)": "momentum", "v_t (2nd moment)": "velocity"},
         "Nadam": {"m_t (1st moment)": "momentum", "v_t (2nd moment)": "velocity"},
         "Lion": {"m_t": "momentum"}}


def _knob(name):
    return opt.OPTIMISERS[name].knob_default if opt.OPTIMISERS[name].knob else None


@pytest.mark.parametrize("name", list(surfaces.SURFACES))
def test_surface_gradient_matches_finite_differences(name):
    surface = surfaces.get(name, condition=7.0)
    rng = np.random.default_rng(0)
    for _ in range(5):
        p = np.array([rng.uniform(*surface.x_range), rng.uniform(*surface.y_range)])
        h = 1e-6
        numeric = [(surface.value(p + d) - surface.value(p - d)) / (2 * h) for d in (np.array([h, 0]), np.array([0, h]))]
        np.testing.assert_allclose(surface.gradient(p), numeric, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name", list(surfaces.SURFACES))
def test_listed_minima_are_stationary_and_at_f_min(name):
    surface = surfaces.get(name)
    for point in surface.minima:
        assert surface.value(point) == pytest.approx(surface.f_min, abs=1e-6)
        np.testing.assert_allclose(surface.gradient(point), 0.0, atol=1e-4)


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
    trajectory = opt.race(surface, [opt.Racer(name, lr, _knob(name))], (0.5, -1.0), steps)[0]
    eager_path, _ = _eager_keras(name, lr, _knob(name), surface, (0.5, -1.0), steps)
    np.testing.assert_allclose(trajectory.path, eager_path, atol=1e-6)  # the compiled race is Keras's update
    for t in range(1, steps + 1):
        ex = opt.explain_step(surface, trajectory, t)
        np.testing.assert_allclose(ex.x_formula, eager_path[t], atol=1e-6)
        update = ex.quantities["Δx (step)"] + ex.quantities.get("−ηλx (weight decay)", 0.0)
        np.testing.assert_allclose(update, trajectory.path[t] - trajectory.path[t - 1], atol=1e-6)
        # and the moments shown are the optimizer's own slots after step t
        _, slots = _eager_keras(name, lr, _knob(name), surface, (0.5, -1.0), t)
        for shown, slot in SLOTS.get(name, {}).items():
            np.testing.assert_allclose(ex.quantities[shown], slots[slot], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", NAMES)
def test_every_optimiser_lowers_the_quadratic_loss(name):
    surface = surfaces.quadratic(20)
    trajectory = opt.race(surface, [opt.Racer(name, opt.default_lr(name, surface), _knob(name))],
                          surface.start, 100)[0]
    assert trajectory.diverged_at is None
    assert trajectory.steps_run == 100
    assert trajectory.losses[-1] < 0.5 * trajectory.losses[0]


def test_huge_learning_rate_is_reported_as_diverged_with_its_step():
    surface = surfaces.quadratic(10)
    trajectories = opt.race(surface, [opt.Racer(n, 1e6, _knob(n)) for n in NAMES], surface.start, 50)
    for tr in trajectories:
        assert tr.diverged_at == 1, tr.racer.name
        assert np.all(np.isfinite(tr.path)) and len(tr.path) == 1  # nothing broken left to plot
        assert "diverged at step 1" in opt.divergence_message(tr)
    assert "diverged at step 1" in opt.race_lesson(surface, trajectories)


def test_too_high_sgd_learning_rate_diverges_later_not_at_once():
    # On the quadratic SGD multiplies y by (1 − η) each step: |1 − 3| = 2 grows slowly.
    tr = opt.race(surfaces.quadratic(10), [opt.Racer("SGD", 3.0)], (-5.0, 2.0), 100)[0]
    assert tr.diverged_at is not None and 5 < tr.diverged_at < 30


def test_zero_learning_rate_never_moves_and_zero_steps_is_empty():
    surface = surfaces.rosenbrock()
    tr = opt.race(surface, [opt.Racer("Adam", 0.0, 0.9)], surface.start, 10)[0]
    np.testing.assert_array_equal(tr.path, np.tile(tr.path[0], (11, 1)))
    assert "did not lower the loss" in opt.race_lesson(surface, [tr])
    assert opt.race(surface, [opt.Racer("SGD", 0.1)], surface.start, 0)[0].steps_run == 0


def test_explain_step_rejects_steps_outside_the_run():
    surface = surfaces.saddle()
    tr = opt.race(surface, [opt.Racer("SGD", 0.1)], surface.start, 3)[0]
    with pytest.raises(ValueError):
        opt.explain_step(surface, tr, 4)


@pytest.mark.parametrize("kind", list(opt.SCHEDULES))
def test_schedule_formula_matches_keras_schedule(kind):
    total = 90
    schedule = opt.make_schedule(kind, 0.05, total)
    steps = [0, 9, 10, 11, 30, 31, 60, 89, 95]  # around every boundary and past the end
    keras_values = [schedule if isinstance(schedule, float) else float(schedule(s)) for s in steps]
    np.testing.assert_allclose(opt.schedule_formula(kind, 0.05, total, steps), keras_values, rtol=1e-5, atol=1e-9)
    plotted_steps, plotted = opt.schedule_values(kind, 0.05, total)
    np.testing.assert_allclose(plotted, opt.schedule_formula(kind, 0.05, total, plotted_steps), rtol=1e-5, atol=1e-9)


def test_range_test_callback_recovers_each_batch_loss_from_running_means():
    batch_losses, sizes = [1.0, 2.0, 4.0], [32, 32, 10]
    recorder = opt.range_test_callback(1e-3, 1.0, 10, 32, 74)

    class _Model:
        stop_training = False

    recorder.set_model(_Model())
    recorder.on_train_begin()
    recorder.on_epoch_begin(0)
    for i in range(3):
        running = np.dot(batch_losses[: i + 1], sizes[: i + 1]) / sum(sizes[: i + 1])
        recorder.on_train_batch_end(i, {"loss": running})
    np.testing.assert_allclose(recorder.losses, batch_losses, rtol=1e-9)
    assert recorder.lrs[0] == pytest.approx(1e-3) and recorder.lrs[1] > recorder.lrs[0]


def test_range_test_summary_suggests_a_tenth_of_the_best_lr():
    lrs = np.logspace(-4, 1, 60)
    losses = (np.log10(lrs) + 1.5) ** 2 + 1  # lowest at η = 10^-1.5
    result = opt.summarise_range_test(lrs, losses, 60)
    # an EMA over ~10 of 60 steps lags the raw minimum by under a decade, never leads it
    assert 10 ** -1.5 <= result.best_lr < 10 ** -0.5
    assert result.suggested_lr == pytest.approx(result.best_lr / 10)
    assert result.stopped_early_at is None
    assert "η ≈" in opt.range_lesson(result)


def test_lr_range_test_on_digits_runs_and_stops_when_the_loss_explodes():
    from nnkit.core.data import REAL, Dataset

    digits = REAL["digits"](0)
    small = Dataset("digits", digits.x[:320], digits.y[:320], "", "", digits.class_names)
    result = opt.lr_range_test("SGD", None, small, lr_min=1e-3, lr_max=1e4, steps=40, batch_size=32)
    assert 5 <= len(result.lrs) <= 40
    assert np.all(np.diff(result.lrs) > 0)
    assert result.best_lr is not None and 1e-3 <= result.best_lr <= 1e4


def test_networks_for_different_optimisers_start_from_the_same_weights():
    a = opt.build_network("SGD", 0.1, None, 64, 10, seed=3)
    b = opt.build_network("Adam", 0.003, 0.9, 64, 10, seed=3)
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(wa, wb)
    assert type(b.optimizer).__name__ == "Adam"


def test_steps_per_epoch_counts_the_last_partial_batch():
    assert opt.steps_per_epoch(100, 0.2, 32) == 3  # 80 training rows → 32 + 32 + 16
    assert opt.steps_per_epoch(100, 0.2, 1000) == 1


def test_figures_have_one_path_per_optimiser_and_a_log_loss_axis():
    surface = surfaces.beale()
    trs = opt.race(surface, [opt.Racer("SGD", 0.001), opt.Racer("Adam", 0.03, 0.9)], surface.start, 20)
    paths = oplots.paths_figure(surface, trs, upto=5)
    lines = [t for t in paths.data if t.type == "scatter" and t.mode == "lines"]
    assert [t.name for t in lines] == [tr.racer.label for tr in trs]
    assert all(len(t.x) == 6 for t in lines)
    assert oplots.loss_figure(surface, trs).layout.yaxis.type == "log"


def test_paths_summary_says_where_each_optimiser_stands():
    surface = surfaces.quadratic(10)
    trs = opt.race(surface, [opt.Racer("SGD", 0.3)], surface.start, 10)
    text = oplots.paths_summary(surface, trs, upto=4)
    assert "SGD (η 0.3) at step 4" in text and f"{trs[0].losses[4]:.3g}" in text


def test_subset_setting_reads_comma_lists_and_its_own_link_text():
    from nnkit.core import settings

    schema = [settings.SettingList("net", ["SGD", "Adam"], choices=tuple(NAMES), most=3)]
    assert schema[0].parse("SGD + momentum, Adam,Adam") == ["SGD + momentum", "Adam"]
    link = settings.encode({"net": ["Nesterov", "SGD + momentum"]}, schema)
    assert settings.decode(link, schema) == ({"net": ["Nesterov", "SGD + momentum"]}, [])
    assert settings.decode({"net": ""}, schema) == ({"net": []}, [])
    _, notices = settings.decode({"net": "SGD,Adamax"}, schema)
    assert "Adamax" in notices[0]
    _, notices = settings.decode({"net": "SGD,Adam,Lion,Nadam"}, schema)
    assert "at most 3" in notices[0]


NOTEBOOK_RUN = {"optimizer": "Nesterov", "netlr.Nesterov": 0.1, "netlr.Adam": 0.003, "batch": 128, "epochs": 2,
                "schedule": "warm-up + cosine", "seed": 4}


def _app_network_run(s):
    """The page's training of one optimiser, as nnkit does it."""
    import nnkit
    from nnkit.core.data import REAL
    from nnkit.core.training import TrainConfig

    name, data = s["optimizer"], REAL["digits"](s["seed"])
    total = opt.steps_per_epoch(len(data.x), 0.2, s["batch"]) * s["epochs"]
    model = opt.build_network(name, opt.make_schedule(s["schedule"], s[f"netlr.{name}"], total), _knob(name),
                              data.n_features, data.n_classes, seed=s["seed"])
    return nnkit.train(model, data, TrainConfig(s["epochs"], s["batch"], 0.2, s["seed"]))


def test_exported_notebook_runs_and_reproduces_the_network_run():
    s = NOTEBOOK_RUN  # a schedule and a knob: the most that can go wrong in the export
    result = _app_network_run(s)
    notebook = opt.optimisers_notebook(s, result.message)
    assert "nnkit" not in export.code_cells(notebook)
    losses = run_notebook(notebook)
    assert len(losses) == s["epochs"]
    assert losses[-1] == pytest.approx(result.history["loss"][-1], rel=0.05)


def test_network_notebook_is_valid_nbformat_and_names_the_keras_classes():
    import nbformat

    nb = nbformat.reads(opt.optimisers_notebook(NOTEBOOK_RUN, "ok").decode(), as_version=4)
    nbformat.validate(nb)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "keras.optimizers.SGD(learning_rate=learning_rate, nesterov=True, momentum=0.9)" in code
    assert "keras.optimizers.schedules.CosineDecay(" in code and "warmup_target=0.1" in code
    constant = export.code_cells(opt.optimisers_notebook({**NOTEBOOK_RUN, "optimizer": "Adam", "schedule": "constant"}))
    assert "learning_rate = 0.003\n" in constant
    assert "keras.optimizers.Adam(learning_rate=learning_rate, beta_1=0.9)" in constant
