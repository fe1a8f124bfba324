"""AppTests: build, mismatch, train, evaluate, CSVs (through session state: AppTest cannot upload),
shared links, uploaded models, twin runs and downloads."""

import keras
import numpy as np
import pytest

from nnkit.core import backend, saving
from nnkit.core.training import FINISHED
from tests.helpers import page_test, page_with

PAGE, NS = "pages/build_network.py", "build_network"


def _page(**settings):
    return page_with(PAGE, NS, settings)


def _train(at):
    at.button(key=f"{NS}.train").click().run()
    assert not at.exception
    return at.session_state[f"{NS}.runs"][-1]


def _frame(at, column):
    """The first table on the page with this column (charts add their own number tables)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def _text(at):
    return " ".join(m.value for m in at.markdown)


def test_loads_with_the_data_the_builder_its_summary_and_code():
    at = page_test(PAGE).run()
    assert not at.exception and not at.error
    assert any("Press **Train**" in i.value for i in at.info)
    assert "569 rows × 30 features, task: binary" in " ".join(c.value for c in at.caption)
    code = at.code[0].value
    assert "keras.layers.Dense(16, activation='relu', name='dense_1')" in code
    assert "keras.layers.Dense(1, activation='sigmoid', name='output')" in code
    assert "loss='binary_crossentropy'" in code and "epochs=20, batch_size=32" in code
    summary = _frame(at, "parameters")
    assert list(summary["parameters"]) == [31 * 16, 0, 17 * 8, 9] and list(summary["layer"])[-1] == "output"
    assert any("Total: 641 parameters" in c.value for c in at.caption)


def test_building_updates_summary_code_and_link():
    at = page_test(PAGE).run()
    at.button(key=f"{NS}.layer.1.close").click().run()  # remove the Dropout
    at.button(key=f"{NS}.layer.1.arrow_upward").click().run()  # Dense 8 above Dense 16
    at.number_input(key=f"{NS}.layer.0.units").set_value(4).run()
    at.selectbox(key=f"{NS}.layer.1.activation").set_value("tanh").run()
    at.selectbox(key=f"{NS}.add_kind").set_value("batchnorm").run()
    at.button(key=f"{NS}.add").click().run()
    assert not at.exception
    assert at.session_state[f"{NS}.layers"] == "dense:4:relu,dense:16:tanh,batchnorm"
    assert dict(at.query_params) == {"layers": "dense:4:relu,dense:16:tanh,batchnorm"}
    assert "Dense(16, activation='tanh', name='dense_2')" in at.code[0].value
    assert "BatchNormalization(name='batch_norm_3')" in at.code[0].value
    summary = _frame(at, "parameters")
    assert list(summary["parameters"]) == [31 * 4, 5 * 16, 4 * 16, 17]


def test_a_mismatched_output_and_loss_gets_a_message_and_cannot_train():
    at = _page(output="softmax", loss="binary_crossentropy")
    assert not at.exception
    assert "Mismatch: softmax spreads probability" in at.error[0].value
    assert "needs a sigmoid output with binary_crossentropy" in at.error[0].value
    assert at.button(key=f"{NS}.train").disabled and not at.code
    at.selectbox(key=f"{NS}.loss").set_value("sparse_categorical_crossentropy").run()
    assert not at.error and "Dense(2, activation='softmax'" in at.code[0].value  # two softmax classes fit


@pytest.mark.smoke
def test_default_run_trains_evaluates_and_beats_the_majority_baseline():
    at = page_test(PAGE).run()
    record = _train(at)
    assert record.reason == FINISHED and len(record.history["loss"]) == 20
    scores, base = record.artifacts["scores"], record.artifacts["baselines"]
    assert scores["accuracy"] > base["always the majority class"]["accuracy"] + 0.2
    assert at.success and "Finished 20 epochs" in at.success[0].value
    assert "beats always the majority class" in _text(at)
    table = _frame(at, "model")
    assert list(table["model"]) == ["your network", "always the majority class", "LogisticRegression"]
    assert table["accuracy"][0] == pytest.approx(scores["accuracy"])
    assert len(at.get("plotly_chart")) == 3  # curves, baselines, confusion matrix
    assert [b.label for b in at.get("download_button")] == ["Notebook (.ipynb)", "Trained model (.keras)"]
    assert f"On the test rows its accuracy is {scores['accuracy']:.3f}" in _text(at)


def test_predict_on_an_edited_row():
    at = _page(epochs=3)
    _train(at)
    prediction = _frame(at, "prediction")
    assert prediction["prediction"][0] in ("malignant", "benign")
    assert prediction["P(malignant)"][0] + prediction["P(benign)"][0] == pytest.approx(1, abs=1e-5)


def test_regression_shows_the_scatter_and_r2():
    at = _page(dataset="diabetes", epochs=3)
    record = _train(at)
    assert "R²" in record.artifacts["scores"] and "mae" in record.history
    assert "LinearRegression" in list(_frame(at, "model")["model"])
    assert "Predicted vs true progression" in at.get("plotly_chart")[2].proto.spec


def test_a_csv_with_bad_columns_gets_a_clear_plain_text_message():
    at = _page(dataset="your CSV")
    assert any("Upload a CSV" in i.value for i in at.info)
    at.session_state[f"{NS}.csv_blob"] = b"name,colour\nx,red\ny,blue\n"
    at.session_state[f"{NS}.csv_name"] = "[evil](http://e.example).csv"
    at.run()
    assert not at.exception
    assert "`[evil](http://e.example).csv` has no numeric feature columns besides the target `colour`" \
        in at.error[0].value
    at.session_state[f"{NS}.csv_blob"] = "a,b\n1,2\n".encode("utf-16")
    at.run()
    assert not at.exception and "not UTF-8" in at.error[0].value


def test_a_good_csv_picks_its_target_and_trains():
    rng = np.random.default_rng(0)
    rows = ["size,weight,label"] + [f"{a:.3f},{b:.3f},{'big' if a > 0 else 'small'}" for a, b in rng.normal(size=(60, 2))]
    at = _page(dataset="your CSV", epochs=2)
    at.session_state[f"{NS}.csv_blob"] = "\n".join(rows).encode()
    at.session_state[f"{NS}.csv_name"] = "mine.csv"
    at.run()
    assert not at.exception and not at.error
    assert at.selectbox(key=f"{NS}.target").value == "label"
    record = _train(at)
    assert record.artifacts["table"].startswith("mine.csv → label (binary") and "accuracy" in record.artifacts["scores"]
    at.selectbox(key=f"{NS}.target").set_value("weight").run()  # a number: regression, inferred
    assert not at.exception and "task: regression" in " ".join(c.value for c in at.caption)
    assert any("last run was on other data" in i.value for i in at.info)  # no classification scores shown here


def test_a_shared_link_builds_the_whole_model_and_bad_layers_get_a_notice():
    at = page_test(PAGE)
    at.query_params.update({"layers": "dense:8:tanh,batchnorm", "dataset": "iris", "lr": "0.03",
                            "lock": "layers"})
    at.run()
    assert not at.exception
    assert at.session_state[f"{NS}.layers"] == "dense:8:tanh,batchnorm"
    assert "Dense(3, activation='softmax', name='output')" in at.code[0].value
    assert at.button(key=f"{NS}.add").disabled
    bad = page_test(PAGE)
    bad.query_params.update({"layers": "dense:9999:relu"})
    bad.run()
    assert not bad.exception
    assert any("Ignored `layers=dense:9999:relu`" in w.value and "1 to 512" in w.value for w in bad.warning)
    assert bad.session_state[f"{NS}.layers"] == "dense:16:relu,dropout:0.2,dense:8:relu"


def _upload(at, blob, name="model.keras"):
    at.session_state[f"{NS}.model_blob"], at.session_state[f"{NS}.model_name"] = blob, name
    return at.run()


def test_uploaded_models_are_checked_then_scored_on_the_same_test_rows():
    at = _page(epochs=2)
    record = _train(at)
    good = saving.model_bytes(at.session_state[f"{NS}.model"])
    _upload(at, good, "mine.keras")
    assert not at.exception
    assert any(f"accuracy {record.artifacts['scores']['accuracy']:.3f}" in s.value and "`mine.keras`" in s.value
               for s in at.success)
    backend.set_seed(0)
    wrong = saving.model_bytes(keras.Sequential([keras.Input((5,)), keras.layers.Dense(1)]))
    for blob, says in ((b"", "The file is empty"), (b"junk", "not a .keras file"), (wrong, "input shape is (5,)")):
        _upload(at, blob, "[x](http://e).keras")
        assert not at.exception
        assert says in at.error[0].value and "`[x](http://e).keras`" in at.error[0].value
        assert any("`mine.keras`" in s.value for s in at.success)  # the earlier upload's scores stay


def test_twin_run_changes_one_setting():
    at = _page(epochs=2)
    _train(at)
    at.selectbox(key=f"{NS}.twin.name").set_value("optimizer").run()
    at.selectbox(key=f"{NS}.twin.optimizer").set_value("sgd").run()
    at.button(key=f"{NS}.twin.go").click().run()
    assert not at.exception
    first, twin = at.session_state[f"{NS}.runs"]
    assert {k for k in first.settings if first.settings[k] != twin.settings[k]} == {"optimizer"}


def test_early_stopping_ends_the_over_fitting_run_and_the_lesson_says_so():
    at = _page(lr=0.01, epochs=30, layers="dense:32:relu,dropout:0.2,dense:16:relu", early_stop=True)
    record = _train(at)
    assert record.epochs_run < 30 and "EarlyStopping ended it" in _text(at)
    assert at.success  # the restored best weights are judged, not the epochs after them


@pytest.mark.parametrize("stop_clicked, reason", [(True, "stopped by user"), (False, "interrupted")])
def test_a_run_cut_off_mid_training_keeps_its_curves_and_is_not_judged(stop_clicked, reason):
    from nnkit.core import settings
    from nnkit.experiments.build_network.model import SETTINGS

    at = page_test(PAGE)
    # What train_live leaves behind when Streamlit abandons the script mid-fit.
    at.session_state[f"{NS}.live"] = {"label": "cut", "settings": settings.defaults(SETTINGS),
                                      "history": {"loss": [0.7, 0.5], "accuracy": [0.6, 0.8]}, "epochs": 2}
    at.session_state[f"{NS}.stop_requested"] = stop_clicked
    at.run()
    assert not at.exception
    record = at.session_state[f"{NS}.runs"][-1]
    assert record.reason == reason and record.history["loss"] == [0.7, 0.5]
    assert any("curves so far are kept" in i.value and "not a verdict" in i.value for i in at.info)
    assert not any("Evaluate" in h.value for h in at.header)  # nothing to evaluate without a model
    assert not at.get("download_button") or [b.label for b in at.get("download_button")] == ["Notebook (.ipynb)"]


def test_workshop_mode_caps_epochs(monkeypatch):
    monkeypatch.setenv("NNKIT_WORKSHOP", "1")
    at = page_test(PAGE).run()
    assert at.slider(key=f"{NS}.epochs").max == 60
    assert at.number_input(key=f"{NS}.layer.0.units").max == 64


def test_a_prediction_is_judged_against_the_linear_models_test_score():
    from nnkit.experiments.build_network import predict

    at = _page(epochs=3)
    guess = predict.QUESTION.options[predict.BETTER]
    at.radio(key=f"{NS}.guess").set_value(guess).run()
    record = _train(at)
    scores, linear = record.artifacts["scores"], record.artifacts["baselines"]["LogisticRegression"]
    right = scores["accuracy"] > linear["accuracy"]
    assert record.guess == guess and record.guessed_right is right
    verdict = [b.value for b in [*at.success, *at.warning] if "You predicted" in b.value]
    assert verdict and f"{scores['accuracy']:.3f}" in verdict[0] and f"{linear['accuracy']:.3f}" in verdict[0]
