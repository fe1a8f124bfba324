"""AppTest for the loss-functions page: curves, by-hand table, both experiments."""

from tests.helpers import page_test

PAGE = "pages/losses.py"


def _page(**state):
    at = page_test(PAGE)
    for name, value in state.items():
        at.session_state[f"loss.{name}"] = value
    return at.run()


def test_page_opens_with_curves_formulas_and_the_clipping_note():
    at = _page()
    assert not at.exception and not at.error
    assert len(at.get("plotly_chart")) == 1
    assert len(at.latex) >= 5   # four regression formulas + the by-hand formula + weighted BCE
    # The default by-hand table has ŷ = 1 exactly: the page explains Keras's clipping.
    assert any("clips" in w.value and "10⁻⁷" in w.value for w in at.warning)
    assert any("`keras.losses` returns" in m.value for m in at.markdown)


def test_classification_curves_render():
    at = _page(family="classification", label=0, gamma=3.0)
    assert not at.exception
    assert len(at.get("plotly_chart")) == 1
    assert any("focal" in c.value for c in at.caption)


def test_bad_by_hand_input_gives_a_message_not_a_traceback():
    cases = [("1, 0", "0.5, abc", "not a number"), ("1, 0, 1", "0.5, 0.2", "3 values but y_pred has 2"),
             ("1, 0", "1.5, 0.2", "outside [0, 1]"), ("", "", "empty")]
    at = _page()
    for y_true, y_pred, message in cases:
        at.text_input(key="loss.hand_true").set_value(y_true)
        at.text_input(key="loss.hand_pred").set_value(y_pred)
        at.run()
        assert not at.exception
        assert any(message in e.value for e in at.error), (message, [e.value for e in at.error])


def test_outlier_experiment_trains_three_losses_from_the_same_seed():
    at = _page(a_epochs=2, a_points=50)
    at.button(key="loss.a.train").click().run()
    assert not at.exception
    runs = at.session_state["loss.a"]["runs"]
    assert list(runs) == ["MSE", "MAE", "Huber"]
    assert all(len(r.history["loss"]) == 2 and r.settings["seed"] == 0 for r in runs.values())
    assert all("rmse" in r.artifacts for r in runs.values())
    assert any(m.value.startswith("**Outliers.** Distance from the true line") for m in at.markdown)
    assert len(at.get("plotly_chart")) >= 3   # loss curves, fitted lines, training curves


def test_imbalance_experiment_reports_precision_recall_and_confusion():
    at = _page(b_epochs=2, b_points=200)
    at.button(key="loss.b.train").click().run()
    assert not at.exception
    runs = at.session_state["loss.b"]["runs"]
    assert len(runs) == 3 and list(runs)[0] == "BCE"
    metrics = [r.artifacts["metrics"] for r in runs.values()]
    assert all(sum(map(sum, m["confusion"])) == m["n"] == 40 for m in metrics)
    assert any(m.value.startswith("**Imbalance.** Class 1 is") for m in at.markdown)
    assert len(at.get("plotly_chart")) >= 3   # loss curves, training curves, confusion matrices
