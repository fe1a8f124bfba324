"""The architecture as text: strict parsing, canonical round trip, builder edits, link notices."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nnkit.core import settings
from nnkit.experiments.build_network import architecture as arch

layer = st.one_of(
    st.builds(arch.Layer, st.just(arch.DENSE), st.integers(1, arch.MAX_UNITS), st.sampled_from(arch.ACTIVATIONS)),
    st.builds(lambda r: arch.Layer(arch.DROPOUT, rate=r), st.sampled_from([0.0, 0.05, 0.1, 0.25, 0.5, 0.9])),
    st.just(arch.Layer(arch.BATCHNORM)))


@given(st.lists(layer, max_size=arch.MAX_LAYERS).map(tuple))
def test_text_round_trips(layers):
    assert arch.parse_layers(arch.format_layers(layers)) == layers


@given(st.text(max_size=60))
def test_any_text_parses_or_says_why(text):
    try:
        parsed = arch.parse_layers(text)
    except ValueError as reason:
        assert str(reason)
    else:
        assert arch.parse_layers(arch.format_layers(parsed)) == parsed


def test_default_and_spacing():
    assert arch.parse_layers(" Dense:32:ReLU , dropout:0.2,batchnorm ") == (
        arch.Layer(arch.DENSE, 32, "relu"), arch.Layer(arch.DROPOUT, rate=0.2), arch.Layer(arch.BATCHNORM))
    assert arch.parse_layers("") == ()
    assert arch.format_layers(arch.parse_layers(arch.DEFAULT)) == arch.DEFAULT


@pytest.mark.parametrize("text, says", [
    ("dense:3x:relu", "whole number from 1 to 512"), ("dense:0:relu", "1 to 512"),
    ("dense:32:swish2", "activation must be one of"), ("dropout:1.5", "from 0 to 0.9"),
    ("dropout:abc", "from 0 to 0.9"), ("conv:3", "not dense:UNITS:ACTIVATION"), ("batchnorm:2", "not dense"),
    (",".join(["batchnorm"] * 9), "at most 8"), ("dense:32:relu,,dense:8:relu", "not dense")])
def test_bad_text_is_refused_with_the_reason(text, says):
    with pytest.raises(ValueError, match=says):
        arch.parse_layers(text)


def test_workshop_caps_units():
    assert arch.parse_layers("dense:512:relu")[0].units == 512
    with pytest.raises(ValueError, match="1 to 64"):
        arch.parse_layers("dense:512:relu", workshop=True)


def test_a_link_with_a_bad_architecture_gets_a_plain_text_notice_and_a_good_one_is_canonical():
    schema = [arch.LayersSetting("layers", arch.DEFAULT)]
    values, notices = settings.decode({"layers": "dense:64:RELU, dropout:0.5"}, schema)
    assert values == {"layers": "dense:64:relu,dropout:0.5"} and not notices
    values, notices = settings.decode({"layers": "dense:[x](e.vil):relu"}, schema)
    assert values == {} and len(notices) == 1
    assert "`dense:[x](e.vil):relu`" in notices[0] and "whole number" in notices[0]


def test_builder_edits():
    layers = arch.parse_layers("dense:32:relu,dropout:0.2,dense:16:tanh")
    assert arch.format_layers(arch.moved(layers, 0, 1)) == "dropout:0.2,dense:32:relu,dense:16:tanh"
    assert arch.moved(layers, 0, -1) == layers and arch.moved(layers, 2, 1) == layers
    assert arch.format_layers(arch.removed(layers, 1)) == "dense:32:relu,dense:16:tanh"
    assert arch.format_layers(arch.added(layers, arch.BATCHNORM)) == "dense:32:relu,dropout:0.2,dense:16:tanh,batchnorm"
    assert arch.format_layers(arch.changed(layers, 2, units=8, activation="elu")).endswith("dense:8:elu")
    full = (arch.Layer(arch.BATCHNORM),) * arch.MAX_LAYERS
    assert arch.added(full, arch.DENSE) == full
    assert arch.describe(layers) == "Dense(32, relu) → Dropout(0.2) → Dense(16, tanh)"
    assert arch.describe(()) == "no hidden layers"
