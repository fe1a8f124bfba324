"""The registry and the digits network: same specs, same initial weights."""

import numpy as np
import pytest

from nnkit.experiments.optimisers import model as opt

NAMES = list(opt.OPTIMISERS)


def test_networks_for_different_optimisers_start_from_the_same_weights():
    a = opt.build_network("SGD", 0.1, None, 64, 10, seed=3)
    b = opt.build_network("Adam", 0.003, 0.9, 64, 10, seed=3)
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(wa, wb)
    assert type(b.optimizer).__name__ == "Adam"


def test_steps_per_epoch_counts_the_last_partial_batch():
    assert opt.steps_per_epoch(100, 0.2, 32) == 3  # 80 training rows → 32 + 32 + 16
    assert opt.steps_per_epoch(100, 0.2, 1000) == 1


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


def test_network_is_built_from_the_specs_the_notebook_prints():
    model = opt.build_network("RMSprop", 0.01, 0.8, 64, 10, seed=0)
    specs = opt.network_specs(64, 10)
    assert [s[0] for s in specs] == ["Input", "Dense", "Dense"]
    assert [(layer.units, layer.activation.__name__) for layer in model.layers] == [(32, "relu"), (10, "softmax")]
    assert model.optimizer.get_config()["rho"] == pytest.approx(0.8)
    assert opt.network_loss(10) == ("sparse_categorical_crossentropy", "accuracy")


def test_network_variants_share_weights_and_record_what_the_notebook_needs():
    from nnkit.core.data import REAL

    data = REAL["digits"](0)
    runs = opt.network_variants(["SGD", "Adam"], {"SGD": 0.1, "Adam": 0.003}, "step decay", 64, 2, 5, data)
    assert [r["label"] for r in runs] == ["SGD (η 0.1)", "Adam (η 0.003)"]
    assert runs[1]["settings"] == {"batch": 64, "epochs": 2, "schedule": "step decay", "seed": 5,
                                   "netlr.SGD": 0.1, "netlr.Adam": 0.003, "optimizer": "Adam"}
    a, b = runs[0]["build"](), runs[1]["build"]()
    np.testing.assert_array_equal(a.get_weights()[0], b.get_weights()[0])
    assert type(b.optimizer.learning_rate).__name__ != "float"  # the schedule, not a constant
    assert runs[0]["config"].validation_split == opt.VALIDATION and runs[0]["config"].batch_size == 64


def test_default_knob_is_the_registry_value():
    assert opt.default_knob("Adam") == 0.9 and opt.default_knob("SGD") is None
