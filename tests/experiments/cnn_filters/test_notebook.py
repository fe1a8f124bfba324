"""The CNN notebook: valid, self-contained, the app's own layer specs, and the app's loss."""

import pytest

from nnkit import notebook as export
from nnkit.core.models import layer_code
from nnkit.experiments.cnn_filters import model as cnn
from nnkit.experiments.cnn_filters.notebook import cnn_notebook
from tests.helpers import run_notebook

NOTEBOOK_RUNS = {
    "one conv layer": {"n_train": 200, "filters": 4, "depth": 1, "ksize": 3, "dropout": 0.2, "augment": False,
                       "epochs": 1, "batch": 64, "seed": 3},
    "two layers, augmented": {"n_train": 200, "filters": 4, "depth": 2, "ksize": 5, "dropout": 0.3,
                              "augment": True, "aug_flip": True, "aug_translation": True, "epochs": 1,
                              "batch": 32, "seed": 1},
}


@pytest.mark.parametrize("name", list(NOTEBOOK_RUNS))
def test_exported_notebook_runs_and_reproduces_the_run(name):
    import nnkit
    from nnkit.core import images
    from nnkit.core.training import TrainConfig

    s = NOTEBOOK_RUNS[name]
    data = images.fashion_mnist(s["n_train"], cnn.N_TEST, s["seed"], allow_download=False)
    assert data.origin == images.DEBIAN  # the notebook reads the same idx files
    model = cnn.build_cnn(cnn.config_from(s), data.image_shape, data.n_classes)
    result = nnkit.train(model, data, TrainConfig(s["epochs"], s["batch"], cnn.VALIDATION_FRACTION, s["seed"]))
    losses = run_notebook(cnn_notebook(s, result.message))
    assert len(losses) == s["epochs"]
    assert losses[-1] == pytest.approx(result.history["loss"][-1], rel=0.05)


def test_notebook_is_valid_nbformat_and_builds_the_apps_layers():
    import nbformat

    s = {**NOTEBOOK_RUNS["two layers, augmented"], "aug_zoom": True}
    nb = nbformat.reads(cnn_notebook(s, "ok").decode(), as_version=4)
    nbformat.validate(nb)
    code = export.code_cells(cnn_notebook(s, "ok"))
    assert "nnkit" not in code and "gzip.open" in code
    assert "assets/" not in code and "def set_seed" in code  # no project paths; seeding without TensorFlow
    config = cnn.config_from(s)
    assert config.filters == (4, 8) and config.augment == ("flip", "zoom", "translation")
    for spec in cnn.cnn_layer_specs(config, (28, 28, 1), 10):
        assert layer_code(spec) in code
    assert cnn.classifier_compile(config.learning_rate).code() in code
