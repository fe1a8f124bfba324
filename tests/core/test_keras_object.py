"""KerasObject: a Keras object as data, built by the app and printed as code for the notebook."""

import nnkit  # noqa: F401  (selects the backend)
from nnkit.core.models import KerasObject, build_sequential, layer_code


def test_repr_is_the_code_that_builds_it_and_build_makes_the_keras_object():
    import keras

    l2 = KerasObject("regularizers.L2", {"l2": 0.001})
    assert repr(l2) == "keras.regularizers.L2(l2=0.001)"
    assert eval(repr(l2), {"keras": keras}).get_config() == l2.build().get_config()
    assert isinstance(KerasObject("callbacks.EarlyStopping", {"patience": 3}).build(), keras.callbacks.EarlyStopping)


def test_a_layer_spec_with_a_keras_object_builds_it_and_prints_it():
    spec = ("Dense", (4,), {"kernel_regularizer": KerasObject("regularizers.L2", {"l2": 0.01})})
    assert layer_code(spec) == "keras.layers.Dense(4, kernel_regularizer=keras.regularizers.L2(l2=0.01))"
    model = build_sequential([("Input", ((3,),), {}), spec], None, seed=0)
    config = model.layers[0].get_config()["kernel_regularizer"]
    assert config["class_name"] == "L2" and config["config"]["l2"] == 0.01
