"""nnkit.experiments.activations.notebook: the export reproduces each activation's run in an empty folder."""

import numpy as np
import pytest

import nnkit
from nnkit import notebook as export
from nnkit.experiments.activations import functions as fn
from nnkit.experiments.activations import model as act
from nnkit.experiments.activations import notebook as nb
from tests.helpers import run_notebook


@pytest.mark.parametrize("name", ["moons", "circles", "xor", "spiral", "digits", "breast cancer"])
def test_notebook_data_code_gives_the_apps_examples(name):
    scope = {"np": np}  # the notebook imports NumPy in its first cell
    exec(nb.data_code(name, 3), scope)
    data = act.load_dataset(name, 3)
    np.testing.assert_allclose(np.asarray(scope["x"], "float32"), data.x)
    np.testing.assert_array_equal(scope["y"], data.y)


NOTEBOOK_RUN = {"dataset": "xor", "depth": 2, "width": 4, "optimizer": "sgd", "lr": 0.3, "epochs": 2,
                "batch": 64, "seed": 4, "slope": 0.1}


@pytest.mark.parametrize("changes, keys", [({}, ["tanh", "leaky_relu", "arctan"]),
                                           ({"dataset": "digits", "optimizer": "adam", "lr": 0.01}, ["relu"])])
def test_exported_notebook_reproduces_each_activations_run(changes, keys):
    from nnkit.core.training import TrainConfig

    s = {**NOTEBOOK_RUN, **changes}
    data = act.load_dataset(s["dataset"], s["seed"])
    losses = {}
    for key in keys:
        model = act.build_network(key, data.n_features, act.n_classes(data), s["depth"], s["width"],
                                  s["optimizer"], s["lr"], s["seed"], s["slope"])
        losses[key] = nnkit.train(model, data, TrainConfig(s["epochs"], s["batch"], 0.2, s["seed"])).history["loss"]
    # Run in an empty folder, without TensorFlow under JAX (run_notebook checks both).
    exported = run_notebook(nb.activations_notebook(s, keys, "ok"),
                            report="{k: h.history['loss'] for k, h in histories.items()}")
    labels = [fn.ACTIVATIONS[key].label for key in keys]
    assert list(exported) == labels
    for key, label in zip(keys, labels):
        assert len(exported[label]) == s["epochs"]
        assert exported[label][-1] == pytest.approx(losses[key][-1], rel=0.05)


def test_notebook_is_valid_nbformat_and_names_the_settings():
    import nbformat

    notebook = nbformat.reads(nb.activations_notebook(NOTEBOOK_RUN, ["sigmoid", "relu"]).decode(), as_version=4)
    nbformat.validate(notebook)
    code = export.code_cells(nb.activations_notebook(NOTEBOOK_RUN, ["sigmoid", "relu"]))
    assert "xor_points" in code and "nnkit" not in code
    assert "hidden_2" in code and "hidden_3" not in code  # depth 2, as in the settings


def test_the_notebooks_model_is_printed_from_the_specs_the_app_builds():
    s = NOTEBOOK_RUN
    code = export.code_cells(nb.activations_notebook(s, ["leaky_relu", "arctan", "selu"]))
    for key in ("leaky_relu", "arctan", "selu"):
        specs = act.network_specs(key, 2, 2, s["depth"], s["width"], s["slope"])
        assert export.model_code(specs, act.network_compile(2, s["optimizer"], s["lr"]), s["seed"]) in code
    assert "keras.layers.LeakyReLU(negative_slope=0.1, name='leaky_relu_1')" in code
    assert "activation=arctan" in code and "def arctan(z):" in code
    assert code.count("set_seed(4)  # the same initial weights") == 3  # one seeded build per activation


@pytest.mark.parametrize("key", ["leaky_relu", "arctan"])
def test_keras_download_reloads_in_a_fresh_process_and_predicts_the_same(key, tmp_path):
    from nnkit.core.saving import model_bytes

    model = act.build_network(key, 2, 2, 2, 4, slope=0.05)
    (tmp_path / "model.keras").write_bytes(model_bytes(model))
    x = np.random.default_rng(2).normal(size=(8, 2)).astype("float32")
    np.save(tmp_path / "x.npy", x)
    # A learner's own kernel: plain Keras, safe mode on; arctan needs its definition, as the notebook gives it.
    custom = (export.source(fn.arctan) + "\n", ', custom_objects={"nnkit>arctan": arctan}') if key == "arctan" \
        else ("", "")
    cell = export.code(f"import os\nimport keras\nimport numpy as np\n{custom[0]}"
                       f"model = keras.saving.load_model({str(tmp_path / 'model.keras')!r}{custom[1]})\n"
                       f"predicted = model.predict(np.load({str(tmp_path / 'x.npy')!r}), verbose=0).tolist()")
    reloaded = run_notebook(export.notebook_bytes([cell]), report="predicted")
    np.testing.assert_allclose(np.asarray(reloaded), model.predict(x, verbose=0), atol=1e-6)
