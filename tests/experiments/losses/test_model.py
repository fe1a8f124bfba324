"""The loss page's maths against Keras: formulas, autodiff gradients, the by-hand table."""

import math

import numpy as np
import pytest

from nnkit.experiments.losses import figures as loss_plots
from nnkit.experiments.losses import model as losses

PARAMS = {"delta": [0.5, 1.0, 2.0], "gamma": [0.0, 2.0, 3.5], None: [None]}


def _cases():
    for name, spec in losses.LOSSES.items():
        labels = [0.0] if spec.kind == losses.REGRESSION else [0.0, 1.0]
        for y in labels:
            for param in PARAMS[spec.param]:
                yield name, y, param


def _kinks(name, param):
    # Points where the loss is not differentiable: finite differences are meaningless there.
    return {"MAE": [0.0], "Huber": [-(param or 1.0), param or 1.0], "hinge": [-1.0, 1.0],
            "squared hinge": [-1.0, 1.0]}.get(name, [])


@pytest.mark.parametrize("name,y,param", list(_cases()))
def test_keras_loss_matches_the_formula_on_the_page(name, y, param):
    xs = losses.grid(name, 101).astype("float32").astype("float64")
    loss, _ = losses.curve(name, xs, y, param)
    np.testing.assert_allclose(loss, losses.formula(name, np.full_like(xs, y), xs, param),
                               rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name,y,param", list(_cases()))
def test_autodiff_gradient_matches_finite_differences(name, y, param):
    xs = losses.grid(name, 101).astype("float32").astype("float64")
    xs = xs[[all(abs(x - k) > 1e-3 for k in _kinks(name, param)) for x in xs]]
    _, grad = losses.curve(name, xs, y, param)
    h = 1e-6
    ys = np.full_like(xs, y)
    numeric = (losses.formula(name, ys, xs + h, param) - losses.formula(name, ys, xs - h, param)) / (2 * h)
    np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-6)


def test_gradients_tell_the_story_of_each_loss():
    errors = np.array([-4.0, -0.5, 0.5, 4.0])
    _, mse = losses.curve("MSE", errors)
    _, mae = losses.curve("MAE", errors)
    _, huber = losses.curve("Huber", errors, param=1.0)
    np.testing.assert_allclose(mse, 2 * errors, rtol=1e-6)     # grows with the error
    np.testing.assert_allclose(mae, np.sign(errors))             # always ±1
    np.testing.assert_allclose(huber, np.clip(errors, -1, 1))    # capped at δ


def test_categorical_equals_binary_cross_entropy_for_two_classes():
    xs = losses.grid("binary cross-entropy", 31)
    for y in (0.0, 1.0):
        bce, gb = losses.curve("binary cross-entropy", xs, y)
        cce, gc = losses.curve("categorical cross-entropy", xs, y)
        np.testing.assert_allclose(cce, bce, rtol=1e-5)
        np.testing.assert_allclose(gc, gb, rtol=1e-4)


def test_keras_clips_log_zero_with_epsilon_1e7():
    loss, _ = losses.curve("binary cross-entropy", np.array([0.0, 1.0]), y=1.0)
    assert math.isfinite(loss[0])
    assert loss[0] == pytest.approx(-math.log(1e-7), rel=1e-6)   # −log(ε)
    assert loss[1] == pytest.approx(0.0, abs=1e-6)
    wrong, _ = losses.curve("binary cross-entropy", np.array([1.0]), y=0.0)
    # 1 − ε rounds to 0.99999988 in float32, so this mistake costs −log(1.19e-7).
    assert wrong[0] == pytest.approx(-math.log(float(np.float32(1) - np.float32(0.99999988))), rel=1e-5)
    assert losses.CLIP_LOW == pytest.approx(1e-7) and losses.CLIP_HIGH < 1.0


@pytest.mark.parametrize("name", losses.BY_HAND)
def test_by_hand_terms_sum_to_the_keras_value(name):
    rng = np.random.default_rng(3)
    spec = losses.LOSSES[name]
    if spec.kind == losses.REGRESSION:
        y_true, y_pred = rng.normal(0, 2, 7), rng.normal(0, 2, 7)
    else:
        y_true = rng.integers(0, 2, 7).astype(float)
        y_pred = rng.uniform(0.01, 0.99, 7) if spec.probability else rng.normal(0, 1.5, 7)
    param = {"delta": 0.7, "gamma": 1.5, None: None}[spec.param]
    calc = losses.by_hand(name, list(y_true), list(y_pred), param)
    assert len(calc.rows) == 7 and len(calc.columns) == len(calc.rows[0])
    assert calc.total == pytest.approx(np.mean(calc.terms))
    assert calc.total == pytest.approx(calc.keras_total, rel=1e-6, abs=1e-6)
    assert calc.warnings == []


def test_by_hand_at_exactly_0_and_1_clips_like_keras_and_says_so():
    calc = losses.by_hand("binary cross-entropy", [1, 0, 1], [0.0, 1.0, 0.5])
    assert calc.total == pytest.approx(calc.keras_total, rel=1e-6)
    assert math.isfinite(calc.total)
    assert "clip" in calc.warnings[0] and "10⁻⁷" in calc.warnings[0]
    clipped = calc.rows[0][calc.columns.index("p̂ = clip(ŷ)")]
    assert clipped == pytest.approx(1e-7)


@pytest.mark.parametrize("loss,y_true,y_pred,message", [
    ("MSE", "1, 2, 3", "1, 2", "3 values but y_pred has 2"),
    ("MSE", "", "1", "empty"),
    ("MSE", "1, two", "1, 2", "'two', is not a number"),
    ("MSE", "1, nan", "1, 2", "finite"),
    ("binary cross-entropy", "1, 0", "1.3, 0.2", "outside [0, 1]"),
    ("binary cross-entropy", "1, 0", "-0.1, 0.2", "outside [0, 1]"),
    ("focal", "2, 0", "0.5, 0.2", "labels"),
])
def test_bad_by_hand_input_raises_a_clear_input_error(loss, y_true, y_pred, message):
    with pytest.raises(losses.InputError, match=message.replace("[", r"\[").replace("]", r"\]")):
        losses.by_hand(loss, losses.parse_numbers(y_true, "y_true"),
                       losses.parse_numbers(y_pred, "y_pred"))


def test_hinge_accepts_plus_minus_one_labels_like_keras():
    calc = losses.by_hand("hinge", [-1, 1, 1], [0.3, 2.0, -0.5])
    assert calc.terms == pytest.approx([1.3, 0.0, 1.5])
    assert calc.keras_total == pytest.approx(np.mean([1.3, 0.0, 1.5]), rel=1e-6)


def test_hand_lesson_names_the_largest_term():
    calc = losses.by_hand("MSE", [0, 0, 0], [0.1, 3.0, 0.2])
    text = losses.hand_lesson(calc)
    assert "Entry 2" in text and f"{calc.keras_total:.6g}" in text


# ---- experiments -----------------------------------------------------------------

def test_same_seed_gives_same_initial_weights_for_every_loss():
    a = losses.build_model(1, (4,), None, losses.regression_loss("MSE"), 0.1, seed=7)
    b = losses.build_model(1, (4,), None, losses.regression_loss("Huber", 2.0), 0.1, seed=7)
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(wa, wb)
    c = losses.build_model(1, (4,), None, "mse", 0.1, seed=8)
    assert not np.array_equal(a.get_weights()[0], c.get_weights()[0])


def test_outlier_data_marks_the_injected_points():
    d = losses.outlier_data(200, 0.2, seed=1)
    assert d.x.shape == d.y.shape == (200, 1) and d.outlier.sum() == 40
    clean_error = d.y[~d.outlier, 0] - d.true_line(d.x[~d.outlier, 0])
    assert abs(clean_error.mean()) < 0.1 and clean_error.std() < 0.4
    assert (d.y[d.outlier, 0] - d.true_line(d.x[d.outlier, 0])).min() > 5
    assert losses.clean_rmse(d, d.true_line(d.x[:, 0])) == pytest.approx(0.0, abs=1e-5)
    with pytest.raises(ValueError):
        losses.outlier_data(100, 1.5)


def test_imbalanced_data_has_the_requested_class_share():
    x, y = losses.imbalanced_data(2000, 0.1, seed=0)
    assert x.shape == (2000, 2) and y.shape == (2000, 1)
    assert y.mean() == pytest.approx(0.1, abs=0.01)
    w0, w1 = losses.balanced_weights(y)
    n1 = y.sum()
    assert w1 == pytest.approx(2000 / (2 * n1)) and w0 == pytest.approx(2000 / (2 * (2000 - n1)))


def test_weighted_bce_is_bce_scaled_by_class_weight():
    import keras
    from keras import ops

    y = np.array([[1.0], [0.0], [1.0]], "float32")
    p = np.array([[0.8], [0.3], [0.1]], "float32")
    plain = ops.convert_to_numpy(keras.losses.binary_crossentropy(y, p))
    same = ops.convert_to_numpy(losses.weighted_bce(1.0, 1.0)(y, p))
    np.testing.assert_allclose(same, plain, rtol=1e-6)
    weighted = ops.convert_to_numpy(losses.weighted_bce(0.5, 4.0)(y, p))
    np.testing.assert_allclose(weighted, plain * np.array([4.0, 0.5, 4.0]), rtol=1e-6)
    # The formula shown: w_y · BCE with the float32 clipping.
    np.testing.assert_allclose(weighted, np.array([4.0, 0.5, 4.0]) *
                               losses.formula("binary cross-entropy", y[:, 0], p[:, 0]), rtol=1e-6)


def test_classification_metrics_on_a_worked_example():
    m = losses.classification_metrics([1, 1, 0, 0, 1], [0.9, 0.2, 0.6, 0.1, 0.7])
    # predictions 1,0,1,0,1 -> TP 2, FN 1, FP 1, TN 1
    assert m["confusion"] == [[1, 1], [1, 2]]
    assert m["precision"] == pytest.approx(2 / 3) and m["recall"] == pytest.approx(2 / 3)
    assert m["f1"] == pytest.approx(2 / 3) and m["positives"] == 3
    none = losses.classification_metrics([1, 0], [0.1, 0.2])
    assert none["precision"] == 0 and none["recall"] == 0


def test_lessons_are_built_from_the_numbers():
    text = losses.outlier_lesson({"MSE": 1.2, "MAE": 0.1, "Huber": 0.15}, 0.15,
                                 {"MSE": "finished", "MAE": "finished", "Huber": "finished"})
    assert "MSE 1.200" in text and "**MSE** fitted worst" in text and "**MAE** stayed closest" in text
    assert "diverged" in losses.outlier_lesson({}, 0.1, {"MSE": "diverged"})
    metrics = {"BCE": {"precision": 1.0, "recall": 0.5, "f1": 0.67, "positives": 10, "n": 100},
               "weighted": {"precision": 0.5, "recall": 0.9, "f1": 0.64, "positives": 10, "n": 100}}
    text = losses.imbalance_lesson(metrics, 0.1, {"BCE": "finished", "weighted": "finished"})
    assert "only 50%" in text and "**weighted** found the most (90%)" in text and "F1) came from **BCE**" in text


def test_figures_have_one_trace_per_curve():
    xs = np.linspace(-1, 1, 5)
    fig = loss_plots.loss_curves_figure({"MSE": (xs, xs ** 2, 2 * xs), "MAE": (xs, abs(xs), np.sign(xs))}, "error")
    assert len(fig.data) == 4
    d = losses.outlier_data(50, 0.2)
    fig = loss_plots.fit_figure(d.x, d.y, d.outlier, xs, d.true_line(xs), {"MSE": xs, "MAE": xs})
    assert len(fig.data) == 5 and len(fig.data[1].x) == d.outlier.sum() == 10
    fig = loss_plots.confusion_figure({"a": [[5, 1], [2, 3]], "b": [[6, 0], [4, 1]]})
    assert len(fig.data) == 2 and fig.data[0].z.tolist() == [[5, 1], [2, 3]]


def test_regression_curves_are_against_the_error_whatever_the_label():
    xs = np.linspace(-2, 2, 41)
    for y in (0.0, 1.0):
        loss, grad = losses.curve("MSE", xs, y=y)
        assert xs[np.argmin(loss)] == pytest.approx(0.0) and grad[20] == pytest.approx(0.0)


def test_family_curves_cover_every_loss_of_a_kind_and_are_cached():
    cls = losses.family_curves(losses.CLASSIFICATION, 0, 1.0, 2.0)
    assert list(cls) == [f"{n} · y=0" for n in losses.names(losses.CLASSIFICATION)]
    assert losses.family_curves(losses.CLASSIFICATION, 0, 1.0, 2.0)["focal · y=0"][1] is cls["focal · y=0"][1]
    reg = losses.family_curves(losses.REGRESSION, 1, 0.5, 2.0)
    x, huber, _ = reg["Huber"]
    np.testing.assert_allclose(huber, losses.formula("Huber", np.zeros_like(x), x.astype("float32"), 0.5),
                               rtol=1e-6, atol=1e-6)


# ---- export ------------------------------------------------------------------------

A_SETTINGS = {"a_outliers": 0.2, "a_points": 60, "a_epochs": 3, "a_lr": 0.1, "delta": 0.5, "seed": 3}
B_SETTINGS = {"b_minority": 0.1, "b_points": 200, "b_epochs": 3, "b_lr": 0.03, "gamma": 3.0, "seed": 3}


def _app_losses(experiment):
    """Each loss's training curve through nnkit, as the page trains it."""
    import nnkit
    from nnkit.core import data

    if experiment == "outliers":
        s, setup = A_SETTINGS, losses.OUTLIERS
        points = losses.outlier_data(s["a_points"], s["a_outliers"], seed=s["seed"])
        xy = points.x, points.y
        variants = {n: losses.regression_loss(n, s["delta"]) for n in losses.OUTLIER_LOSSES}
        lr, epochs = s["a_lr"], s["a_epochs"]
    else:
        s, setup = B_SETTINGS, losses.IMBALANCE
        xy = losses.imbalanced_data(s["b_points"], s["b_minority"], s["seed"])
        (_, train_y), _ = data.split(*xy, setup.validation, s["seed"])
        variants = losses.imbalance_losses(train_y, s["gamma"])
        lr, epochs = s["b_lr"], s["b_epochs"]
    return {label: nnkit.train(setup.model(loss, lr, s["seed"]), xy,
                               setup.train_config(epochs, s["seed"])).history["loss"]
            for label, loss in variants.items()}


@pytest.mark.parametrize("experiment", ["outliers", "imbalance"])
def test_exported_notebook_runs_and_reproduces_every_loss(experiment):
    import json
    import os
    import subprocess
    import sys

    from nnkit import notebook as export

    notebook = (losses.outlier_notebook(A_SETTINGS) if experiment == "outliers"
                else losses.imbalance_notebook(B_SETTINGS))
    code = export.code_cells(notebook) + '\nimport json; print(json.dumps({k: h["loss"] for k, h in histories.items()}))'
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                         env={**os.environ})
    assert out.returncode == 0, out.stderr[-3000:]
    exported = json.loads(out.stdout.strip().splitlines()[-1])
    app = _app_losses(experiment)
    assert list(exported) == list(app) and len(app) == 3
    for label, curve in app.items():
        assert len(exported[label]) == len(curve) == 3
        assert exported[label][-1] == pytest.approx(curve[-1], rel=0.05), label


def test_notebooks_are_valid_and_need_no_nnkit():
    import nbformat

    for notebook in (losses.outlier_notebook(A_SETTINGS), losses.imbalance_notebook(B_SETTINGS)):
        nb = nbformat.reads(notebook.decode(), as_version=4)
        nbformat.validate(nb)
        code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
        assert "import nnkit" not in code and "from nnkit" not in code
        assert "keras.utils.set_random_seed(3)" in code
    assert "Huber(delta=delta)" in losses.outlier_notebook(A_SETTINGS).decode()
