"""nnkit.experiments.transfer_learning.model: the converted offline weights, the fallback, and freezing."""

import importlib.util
import io
import json
import os
import subprocess
import sys

import numpy as np
import pytest

import nnkit
from nnkit import notebook as export
from nnkit.core import images
from nnkit.core.training import TrainConfig
from nnkit.experiments.transfer_learning import model as pt
from tests.helpers import ROOT

SIZE = 96
CATS = {"tabby", "tiger cat", "Persian cat", "Siamese cat", "Egyptian cat"}


@pytest.fixture(scope="module")
def net():
    return pt.load_pretrained(SIZE)


def _converter():
    spec = importlib.util.spec_from_file_location("convert", ROOT / "scripts/convert_mobilenet_weights.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _png(array: np.ndarray, mode: str) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(array, mode).save(buf, "PNG")
    return buf.getvalue()


# ---- the converted weights -------------------------------------------------------------

def test_offline_weights_classify_check_images(net):
    import skimage.data

    assert net.source == pt.OFFLINE and not net.notice
    cat = pt.top_classes(net, skimage.data.chelsea())
    coffee = pt.top_classes(net, skimage.data.coffee())
    assert cat[0][0] in CATS, cat
    assert coffee[0][0] == "espresso", coffee
    assert abs(sum(p for _, p in cat) - 1) < 0.5 and cat[0][1] > 0.3


def test_classes_json_has_1000_imagenet_names():
    names = pt.imagenet_classes()
    assert len(names) == 1000 and names[0] == "tench" and names[967] == "espresso"


def test_symmetric_padding_pads_one_pixel_on_each_side(net):
    import keras

    conv1 = keras.Model(net.net.input, net.net.get_layer("Conv1").output)
    x = np.random.default_rng(0).normal(size=(1, SIZE, SIZE, 3)).astype("float32")
    kernel = net.net.get_layer("Conv1").get_weights()[0]          # (3, 3, 3, 32)
    padded = np.pad(x[0], ((1, 1), (1, 1), (0, 0)))
    expected = np.zeros((SIZE // 2, SIZE // 2, 32), "float32")
    for i in range(3):
        for j in range(3):
            expected += padded[i:i + SIZE:2, j:j + SIZE:2] @ kernel[i, j]
    np.testing.assert_allclose(np.asarray(conv1.predict(x, verbose=0))[0], expected, atol=1e-4)
    pads = [lay.padding for lay in net.net.layers if isinstance(lay, keras.layers.ZeroPadding2D)]
    assert len(pads) == 5 and all(p == ((1, 1), (1, 1)) for p in pads)


def test_converter_layouts_and_epsilon_fold_match_torch_formulas():
    import keras

    conv = _converter()
    rng = np.random.default_rng(1)
    state = {"features.0.0.weight": rng.normal(size=(32, 3, 3, 3)).astype("float32"),
             "features.2.conv.1.0.weight": rng.normal(size=(96, 1, 3, 3)).astype("float32"),
             "features.0.1.weight": rng.normal(size=32).astype("float32"),
             "features.0.1.bias": rng.normal(size=32).astype("float32"),
             "features.0.1.running_mean": rng.normal(size=32).astype("float32"),
             "features.0.1.running_var": np.r_[np.full(16, 1e-9), rng.uniform(0, 2, 16)].astype("float32"),
             "classifier.1.weight": rng.normal(size=(1000, 1280)).astype("float32"),
             "classifier.1.bias": rng.normal(size=1000).astype("float32")}
    w = conv.keras_weights(state)
    assert w["Conv1"][0].shape == (3, 3, 3, 32) and w["block_1_depthwise"][0].shape == (3, 3, 96, 1)
    assert w["Conv1"][0][1, 2, 0, 5] == state["features.0.0.weight"][5, 0, 1, 2]
    assert w["predictions"][0].shape == (1280, 1000)
    # BatchNorm with Keras's epsilon 1e-3 and the folded gamma == torch's formula with 1e-5.
    bn = keras.layers.BatchNormalization(epsilon=1e-3)
    bn.build((None, 32))
    bn.set_weights(w["bn_Conv1"])
    x = rng.normal(size=(4, 32)).astype("float32")
    s = {k.split(".")[-1]: v for k, v in state.items() if k.startswith("features.0.1")}
    torch_out = (x - s["running_mean"]) / np.sqrt(s["running_var"] + 1e-5) * s["weight"] + s["bias"]
    np.testing.assert_allclose(np.asarray(bn(x, training=False)), torch_out, rtol=1e-4, atol=1e-3)


def test_keras_names_cover_every_torchvision_block():
    conv = _converter()
    assert conv.keras_name("features.1.conv.1") == "expanded_conv_project"
    assert conv.keras_name("features.2.conv.0.0") == "block_1_expand"
    assert conv.keras_name("features.17.conv.3") == "block_16_project_BN"
    assert conv.keras_name("features.18.1") == "Conv_1_bn"


# ---- sources and preprocessing -----------------------------------------------------------

def test_failed_download_falls_back_to_offline_with_notice():
    def fail(size):
        raise OSError("network unreachable")

    got = pt.load_pretrained(SIZE, prefer_online=True, download=fail, offline=lambda size: "offline-net")
    assert got.source == pt.OFFLINE and got.net == "offline-net"
    assert "failed" in got.notice and "network unreachable" in got.notice


def test_online_is_used_only_when_asked():
    calls = []
    got = pt.load_pretrained(SIZE, download=lambda s: calls.append(s), offline=lambda s: "off")
    assert got.source == pt.OFFLINE and calls == []
    got = pt.load_pretrained(SIZE, prefer_online=True, download=lambda s: "on", offline=lambda s: "off")
    assert got.source == pt.ONLINE and got.net == "on" and not got.notice
    with pytest.raises(ValueError):
        pt.load_pretrained(100)


def test_preprocessing_matches_keras_and_torchvision():
    import keras

    x = np.random.default_rng(2).uniform(0, 1, (2, 8, 8, 3)).astype("float32")
    keras_way = keras.applications.mobilenet_v2.preprocess_input(x * 255.0)
    np.testing.assert_allclose(pt.preprocess(x, pt.ONLINE), keras_way, atol=1e-6)
    torch_way = (x - [0.485, 0.456, 0.406]) / [0.229, 0.224, 0.225]
    np.testing.assert_allclose(pt.preprocess(x, pt.OFFLINE), torch_way, atol=1e-5)
    for source in (pt.ONLINE, pt.OFFLINE):
        model = keras.Sequential([keras.Input((8, 8, 3)), *pt.preprocessing_layers(source)])
        np.testing.assert_allclose(np.asarray(model(x)), pt.preprocess(x, source), atol=1e-5)


def test_square_crops_centre_and_makes_rgb():
    grey = np.zeros((40, 100), "uint8")
    grey[:, 30:70] = 255                      # the centre 40 columns are white
    out = pt.square(grey, 32)
    assert out.shape == (32, 32, 3) and out.min() > 0.99
    rgba = np.full((50, 50, 4), 128, "uint8")
    assert pt.square(rgba, 32).shape == (32, 32, 3)


# ---- own classes ------------------------------------------------------------------------------

def test_uploaded_set_accepts_grey_and_rgba_and_skips_non_images():
    rng = np.random.default_rng(3)
    grey = _png(rng.integers(0, 255, (30, 40), dtype="uint8"), "L")
    rgba = _png(rng.integers(0, 255, (20, 20, 4), dtype="uint8"), "RGBA")
    data = pt.uploaded_set({"a": [("1.png", grey), ("2.png", rgba)],
                            "b": [("3.png", rgba), ("4.png", grey), ("notes.txt", b"hello")]}, 32)
    assert data.x.shape == (4, 32, 32, 3) and data.classes == ("a", "b")
    assert list(data.y) == [0, 0, 1, 1] and any("notes.txt" in n for n in data.notes)


@pytest.mark.parametrize("files, message", [
    ({"only": [("1.png", None), ("2.png", None)]}, "at least two classes"),
    ({"a": [("1.png", None), ("2.png", None)], "b": [("3.png", None)]}, "needs at"),
    ({"a": [("1.png", None), ("2.png", None)], "b": [("x.png", b"\x89PNG broken"), ("y", b"")]}, "0 usable"),
])
def test_uploaded_set_explains_unusable_sets(files, message):
    png = _png(np.zeros((8, 8, 3), "uint8"), "RGB")
    files = {k: [(n, png if d is None else d) for n, d in v] for k, v in files.items()}
    with pytest.raises(pt.TransferError, match=message):
        pt.uploaded_set(files, 32)


def test_offline_sets_are_balanced():
    for name in pt.OFFLINE_SETS:
        data = pt.offline_set(name, 4, 32)
        assert data.x.shape[1:] == (32, 32, 3) and np.bincount(data.y).tolist() == [4] * len(data.classes)


# ---- transfer learning -------------------------------------------------------------------------

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
    assert pt.unfreeze_top(pt.base_of(net, copy=True), 1)[0].startswith("block_16")
    with pytest.raises(pt.TransferError):
        pt.unfreeze_top(pt.base_of(net), 17)


def test_features_classifier_and_export_agree(net):
    import keras

    rng = np.random.default_rng(5)
    x = rng.uniform(0, 1, (3, SIZE, SIZE, 3)).astype("float32")
    feats = pt.features(net, x, batch_size=2)
    assert feats.shape == (3, 1280) and np.isfinite(feats).all()
    head = pt.build_head(2)
    full = pt.classifier(net, head)
    np.testing.assert_allclose(pt.probabilities(full, x), pt.probabilities(head, feats), atol=1e-4)
    blob = export.model_bytes(full)
    assert blob[:2] == b"PK" and len(blob) > 5_000_000      # the whole MobileNetV2 travels along
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:           # plain Keras layers: loads without nnkit
        (Path(tmp) / "c.keras").write_bytes(blob)
        again = keras.saving.load_model(Path(tmp) / "c.keras")
    np.testing.assert_allclose(pt.probabilities(again, x), pt.probabilities(full, x), atol=1e-5)
    small = pt.build_small_cnn(SIZE, 2)
    assert small.output_shape == (None, 2) and isinstance(small, keras.Model)


def test_projection_separability_and_lesson():
    feats = np.r_[np.ones((5, 4)) + np.eye(5, 4) * 0.1, -np.ones((5, 4))]
    y = np.r_[np.zeros(5, int), np.ones(5, int)]
    xy, ratio = pt.project_2d(feats)
    assert xy.shape == (10, 2) and ratio[0] > 0.9
    assert pt.separability(feats, y) == 1.0
    assert pt.confusion([0, 0, 1, 2], [0, 1, 1, 2], 3).tolist() == [[1, 1, 0], [0, 1, 0], [0, 0, 1]]
    rows = [{"variant": "(a) CNN", "trainable": 20000, "val_accuracy": 0.5, "seconds_per_epoch": 1.0},
            {"variant": "(b) frozen", "trainable": 3843, "val_accuracy": 0.9, "seconds_per_epoch": 0.01},
            {"variant": "(c) tune", "trainable": 900000, "val_accuracy": 0.8, "seconds_per_epoch": 7.0}]
    text = pt.lesson(rows, 40, 3)
    assert "(b) frozen" in text and "90%" in text and "40%" in text and "3,843" in text and "-10%" in text


def test_workshop_mode_caps_the_image_size():
    assert pt.sizes() == pt.SIZES and max(pt.sizes(workshop=True)) == pt.WORKSHOP_MAX_SIZE


# ---- the exported notebook -----------------------------------------------------------------------

FASHION, FACES = list(pt.OFFLINE_SETS)
TINY = {"set": FASHION, "per_class": 4, "size": SIZE, "seed": 3, "head_epochs": 2}


@pytest.mark.parametrize("name", [FASHION, FACES])
def test_notebook_picks_the_same_images_as_the_app(name):
    expected = pt.offline_set(name, 3, 32, seed=7)
    scope = {"SIZE": 32, "PER_CLASS": 3, "SEED": 7, "FASHION_DIR": str(images.DEBIAN_DIR)}
    exec(pt._images_code(pt.OFFLINE_SETS[name]), scope)
    np.testing.assert_array_equal(scope["x"], expected.x)
    np.testing.assert_array_equal(scope["y"], expected.y)
    assert tuple(scope["classes"]) == expected.classes


@pytest.mark.parametrize("source", [pt.ONLINE, pt.OFFLINE])
@pytest.mark.parametrize("name", [FASHION, FACES])
def test_notebook_is_valid_and_needs_no_nnkit(source, name):
    import nbformat

    blob = pt.frozen_features_notebook({**TINY, "set": name}, source, "Finished 2 epochs.")
    nbformat.validate(nbformat.reads(blob.decode(), as_version=4))
    code = export.code_cells(blob)
    compile(code, "notebook", "exec")
    assert "import nnkit" not in code and "from nnkit" not in code
    assert ("WEIGHTS_FILE" in code) == (source == pt.OFFLINE) and ("FASHION_DIR" in code) == (name == FASHION)


def test_exported_notebook_reproduces_the_frozen_features_run(net, tmp_path):
    data = pt.offline_set(TINY["set"], TINY["per_class"], SIZE, TINY["seed"])
    head = pt.build_head(len(data.classes), seed=TINY["seed"])
    result = nnkit.train(head, (pt.features(net, data.x), data.y),
                         TrainConfig(TINY["head_epochs"], pt.BATCH_SIZE, pt.VALIDATION, TINY["seed"]))
    code = export.code_cells(pt.frozen_features_notebook(TINY, pt.OFFLINE, result.message))
    # Run where nnkit cannot be imported, with the weights file's path edited as a learner would.
    code = code.replace(f'"{pt.OFFLINE_WEIGHTS.relative_to(ROOT)}"', repr(str(pt.OFFLINE_WEIGHTS)))
    code += '\nimport json; print(json.dumps(history.history["loss"]))'
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600,
                         cwd=tmp_path, env={**os.environ, "PYTHONPATH": ""})
    assert out.returncode == 0, out.stderr[-3000:]
    losses = json.loads(out.stdout.strip().splitlines()[-1])
    assert len(losses) == TINY["head_epochs"]
    assert losses[-1] == pytest.approx(result.history["loss"][-1], rel=0.1)
