"""The converted offline weights, the download fallback, and the preprocessing both sources need."""

import importlib.util

import numpy as np
import pytest

from nnkit.experiments.transfer_learning import mobilenet as pt
from tests.experiments.transfer_learning.conftest import SIZE
from tests.helpers import ROOT

CATS = {"tabby", "tiger cat", "Persian cat", "Siamese cat", "Egyptian cat"}


def _converter():
    spec = importlib.util.spec_from_file_location("convert", ROOT / "scripts/convert_mobilenet_weights.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


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




def test_workshop_mode_caps_the_image_size():
    assert pt.sizes() == pt.SIZES and max(pt.sizes(workshop=True)) == pt.WORKSHOP_MAX_SIZE


def test_features_are_pooled_per_image_whatever_the_batch(net):
    x = np.random.default_rng(5).uniform(0, 1, (3, SIZE, SIZE, 3)).astype("float32")
    feats = pt.features(net, x, batch_size=2)
    assert feats.shape == (3, 1280) and np.isfinite(feats).all()
    np.testing.assert_allclose(pt.features(net, x[:1], batch_size=2), feats[:1], atol=1e-4)
    assert pt.features(net, x[:0]).shape == (0, 1280)


def test_compiled_features_are_the_plain_networks_pooled_output(net):
    import keras

    x = np.random.default_rng(6).uniform(0, 1, (2, SIZE, SIZE, 3)).astype("float32")
    plain = keras.ops.mean(pt.base_of(net)(pt.preprocess(x, net.source), training=False), axis=(1, 2))
    np.testing.assert_allclose(pt.features(net, x), keras.ops.convert_to_numpy(plain), rtol=1e-4, atol=1e-4)


def test_a_copied_base_computes_what_the_shared_one_does_and_owns_its_weights(net):
    import keras

    x = pt.preprocess(np.random.default_rng(7).uniform(0, 1, (2, SIZE, SIZE, 3)).astype("float32"), net.source)
    shared, copy = pt.base_of(net), pt.base_of(net, copy=True)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(copy(x)), keras.ops.convert_to_numpy(shared(x)),
                               rtol=1e-4, atol=1e-4)
    kernel = copy.get_layer("Conv_1").kernel
    kernel.assign(np.zeros(kernel.shape, "float32"))
    assert np.abs(keras.ops.convert_to_numpy(net.net.get_layer("Conv_1").kernel)).sum() > 0


# ---- one network shared by every session -------------------------------------------------

def test_learners_sharing_the_network_use_it_one_at_a_time_and_all_get_answers(net):
    """Keras's JAX predict detaches the model's variables while it runs: without the lock, a
    second thread's predict on the same network fails ("'NoneType' object is not callable")."""
    import threading

    import skimage.data

    photo, images = skimage.data.chelsea(), np.random.default_rng(0).random((8, SIZE, SIZE, 3), "float32")
    answers, errors = [], []

    def learner(work):
        try:
            for _ in range(3):
                answers.append(work())
        except Exception as error:  # noqa: BLE001 - collected for the assertion
            errors.append(error)

    with net.lock:  # held by "another learner": nobody else reaches the network meanwhile
        threads = [threading.Thread(target=learner, args=(w,)) for w in
                   (lambda: pt.top_classes(net, photo), lambda: pt.features(net, images),
                    lambda: pt.base_of(net, copy=True).count_params())]
        for thread in threads:
            thread.start()
        threads[0].join(0.5)
        assert not answers and all(t.is_alive() for t in threads)
    for thread in threads:
        thread.join(120)
    assert not errors, errors
    assert len(answers) == 9
