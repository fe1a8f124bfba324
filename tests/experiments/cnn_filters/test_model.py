"""The CNN and its dense rival: built from the layer specs, with the parameter counts the formulas give."""

import numpy as np
import pytest

from nnkit.core.models import layer_code
from nnkit.experiments.cnn_filters import model as cnn

PAGE_SETTINGS = {"n_train": 500, "filters": 4, "depth": 2, "ksize": 3, "dropout": 0.2, "augment": True,
                 "aug_flip": True, "aug_zoom": True, "epochs": 1, "batch": 64, "seed": 2}


@pytest.mark.parametrize("filters,k,shape", [((8, 16), 3, (28, 28, 1)), ((4, 8, 16), 5, (8, 8, 1))])
def test_cnn_builder_param_count_matches_the_formula(filters, k, shape):
    config = cnn.CNNConfig(filters, k)
    model = cnn.build_cnn(config, shape, 10)
    assert model.count_params() == cnn.count_cnn_params(config, shape, 10)
    assert model.output_shape == (None, 10)


def test_dense_baseline_has_about_the_cnns_parameter_count():
    shape, target = (28, 28, 1), 9098
    hidden = cnn.dense_units_for(target, shape, 10)
    dense = cnn.build_dense(hidden, shape, 10)
    assert abs(dense.count_params() - target) < 28 * 28 + 11  # within one hidden unit


def test_models_are_built_from_their_specs_and_the_shared_compile():
    config = cnn.config_from(PAGE_SETTINGS)
    assert config.filters == (4, 8) and config.augment == ("flip", "zoom")
    model = cnn.build_cnn(config, (28, 28, 1), 10)
    specs = cnn.cnn_layer_specs(config, (28, 28, 1), 10)
    assert [type(layer).__name__ for layer in model.layers] == [cls for cls, _, _ in specs[1:]]
    assert float(np.asarray(model.optimizer.learning_rate)) == pytest.approx(cnn.LEARNING_RATE)
    assert "keras.layers.RandomFlip('horizontal', seed=2)" in [layer_code(s) for s in specs]
    dense = cnn.build_dense(7, (28, 28, 1), 10)
    assert [layer.name for layer in dense.layers] == ["flatten", "hidden", "dropout", "output"]


def test_the_two_comparisons_build_what_their_labels_say():
    configs = cnn.pair_configs(PAGE_SETTINGS, (28, 28, 1), 10)
    assert configs["no augmentation"][0].augment == () and configs["with augmentation"][0].augment == ("flip", "zoom")
    assert configs["CNN"][0] == configs["no augmentation"][0] and configs["dense"][0] is None
    dense = cnn.build_labelled("dense", PAGE_SETTINGS, (28, 28, 1), 10)
    cnn_model = cnn.build_labelled("CNN", PAGE_SETTINGS, (28, 28, 1), 10)
    assert abs(dense.count_params() - cnn_model.count_params()) < 28 * 28 + 11


def test_augmentation_names_are_checked():
    with pytest.raises(ValueError, match="unknown augmentation"):
        cnn.build_cnn(cnn.CNNConfig(augment=("blur",)), (28, 28, 1), 10)


def test_a_run_rebuilt_from_its_kept_weights_predicts_like_the_trained_model():
    settings = {**PAGE_SETTINGS, "augment": False}
    model = cnn.build_cnn(cnn.config_from(settings), (28, 28, 1), 10)
    x = np.random.default_rng(0).random((4, 28, 28, 1)).astype("float32")
    model.fit(x, np.arange(4), epochs=1, verbose=0)
    again = cnn.rebuild(settings, (28, 28, 1), 10, model.get_weights())
    np.testing.assert_allclose(again.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-6)
    assert "conv_1 28×28×4" in cnn.architecture_text(again)
