"""Transfer learning's three variants: what is frozen stays frozen, counts, the download, the plan."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

import nnkit
from nnkit.core.saving import model_bytes
from nnkit.core.training import TrainConfig
from nnkit.experiments.transfer_learning import mobilenet
from nnkit.experiments.transfer_learning import model as pt
from tests.experiments.transfer_learning.conftest import SIZE


def test_frozen_layers_stay_unchanged_and_unfrozen_ones_change(net):
    rng = np.random.default_rng(4)
    x, y = rng.uniform(0, 1, (8, SIZE, SIZE, 3)).astype("float32"), np.array([0, 1] * 4)
    model = pt.build_finetune(net, 2, n_blocks=1, learning_rate=1e-2)
    base = model.get_layer("mobilenetv2_base")
    names = ("block_1_expand", "block_15_project", "block_16_project", "Conv_1", "block_16_project_BN")
    before = {n: [w.copy() for w in base.get_layer(n).get_weights()] for n in names}
    head_before = model.get_layer("head").get_weights()[0].copy()
    nnkit.train(model, (x, y), TrainConfig(1, 8, 0.0, 0))
    after = {n: base.get_layer(n).get_weights() for n in names}
    for frozen in ("block_1_expand", "block_15_project"):
        assert all(np.array_equal(a, b) for a, b in zip(before[frozen], after[frozen]))
    for unfrozen in ("block_16_project", "Conv_1"):
        assert not np.allclose(before[unfrozen][0], after[unfrozen][0])
    bn_before, bn_after = before["block_16_project_BN"], after["block_16_project_BN"]
    for a, b in zip(bn_before, bn_after):                           # BN stays in inference mode
        np.testing.assert_array_equal(a, b)
    assert not np.allclose(head_before, model.get_layer("head").get_weights()[0])
    # the shared, cached network is untouched by fine-tuning a copy
    np.testing.assert_array_equal(net.net.get_layer("block_16_project").get_weights()[0],
                                  before["block_16_project"][0])


def test_trainable_parameter_counts(net):
    head = pt.build_head(3)
    assert pt.trainable_params(head) == 1280 * 3 + 3
    assert pt.trainable_params(pt.build_finetune(net, 3, 0)) == 1280 * 3 + 3
    one = pt.build_finetune(net, 3, 1)
    two = pt.build_finetune(net, 3, 2)
    assert 1280 * 3 + 3 < pt.trainable_params(one) < pt.trainable_params(two)
    assert pt.unfreeze_top(mobilenet.base_of(net, copy=True), 1)[0].startswith("block_16")
    with pytest.raises(pt.TransferError):
        pt.unfreeze_top(mobilenet.base_of(net), 17)


def test_features_classifier_and_export_agree(net):
    import keras

    rng = np.random.default_rng(5)
    x = rng.uniform(0, 1, (3, SIZE, SIZE, 3)).astype("float32")
    feats = mobilenet.features(net, x, batch_size=2)
    assert feats.shape == (3, 1280) and np.isfinite(feats).all()
    head = pt.build_head(2)
    full = pt.classifier(net, head)
    np.testing.assert_allclose(pt.probabilities(full, x), pt.probabilities(head, feats), atol=1e-4)
    blob = model_bytes(full)
    assert blob[:2] == b"PK" and len(blob) > 5_000_000      # the whole MobileNetV2 travels along
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:           # plain Keras layers: loads without nnkit
        (Path(tmp) / "c.keras").write_bytes(blob)
        again = keras.saving.load_model(Path(tmp) / "c.keras")
    np.testing.assert_allclose(pt.probabilities(again, x), pt.probabilities(full, x), atol=1e-5)
    small = pt.build_small_cnn(SIZE, 2)
    assert small.output_shape == (None, 2) and isinstance(small, keras.Model)


def test_separability_is_leave_one_out_nearest_neighbour_accuracy():
    feats = np.r_[np.ones((5, 4)) + np.eye(5, 4) * 0.1, -np.ones((5, 4))]
    y = np.r_[np.zeros(5, int), np.ones(5, int)]
    assert pt.separability(feats, y) == 1.0
    assert np.isnan(pt.separability(feats[:1], y[:1]))


PAGE = {"run_cnn": True, "run_tune": False, "cnn_epochs": 3, "head_epochs": 7, "tune_epochs": 1, "blocks": 2,
        "seed": 1}


def test_the_plan_lists_the_ticked_variants_in_order_with_their_epochs():
    plan = pt.planned(PAGE)
    assert list(plan) == ["cnn", "frozen"] and plan["frozen"] == (pt.VARIANTS["frozen"], 7)
    tune = pt.planned({**PAGE, "run_cnn": False, "run_tune": True})
    assert tune["tune"] == ("(c) fine-tuned MobileNetV2 · top 2 blocks", 1)
    assert [pt.variant_key(label) for label, _ in tune.values()] == ["frozen", "tune"]


def test_each_variant_builds_what_it_trains_on(net):
    head = pt.build_variant("frozen", net, 3, PAGE)
    assert head.input_shape == (None, pt.N_FEATURES) and head.output_shape == (None, 3)
    assert [layer.name for layer in head.layers] == ["dropout", "head"]
    assert pt.build_variant("cnn", net, 3, PAGE).input_shape == (None, SIZE, SIZE, 3)


def test_the_keras_download_reloads_in_a_fresh_process_and_predicts_the_same(net, tmp_path):
    full = pt.classifier(net, pt.build_head(2, seed=3))
    (tmp_path / "nnkit-transfer_learning.keras").write_bytes(model_bytes(full))
    x = np.random.default_rng(6).uniform(0, 1, (2, SIZE, SIZE, 3)).astype("float32")
    np.save(tmp_path / "x.npy", x)
    code = ("import json, keras, numpy as np\n"
            "model = keras.saving.load_model('nnkit-transfer_learning.keras')  # safe_mode stays on\n"
            "print(json.dumps(model.predict(np.load('x.npy'), verbose=0).tolist()))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600,
                         cwd=tmp_path, env={**os.environ, "PYTHONPATH": ""})  # a learner's folder: no nnkit
    assert out.returncode == 0, out.stderr[-3000:]
    np.testing.assert_allclose(np.asarray(json.loads(out.stdout.strip().splitlines()[-1])),
                               pt.probabilities(full, x), atol=1e-5)
