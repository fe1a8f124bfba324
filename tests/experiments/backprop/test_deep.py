"""The deep chain: the product of local derivatives, by hand and by Keras's autodiff."""

import pytest

from nnkit.experiments.backprop import deep
from nnkit.experiments.backprop import model as bp


@pytest.mark.parametrize("weight", [0.5, 1.0, 2.5])
def test_hand_products_equal_keras_bias_gradients(weight):
    with bp.precision():
        chains = deep.compare(weight)
    for chain in chains.values():
        assert len(chain["gradient"]) == deep.DEPTH
        assert chain["gradient"] == pytest.approx(chain["keras"], rel=1e-9, abs=1e-12)


def test_sigmoid_shrinks_at_least_four_times_per_layer_and_relu_passes_w():
    sigmoid = deep.chain_by_hand("sigmoid", 1.0)
    assert all(s <= 0.25 for s in sigmoid["slope"])
    ratios = [a / b for a, b in zip(sigmoid["gradient"], sigmoid["gradient"][1:])]
    assert all(r <= 0.25 for r in ratios)
    assert sigmoid["gradient"][0] < 1e-3
    relu = deep.chain_by_hand("relu", 1.5)
    assert relu["gradient"] == pytest.approx([1.5 ** (deep.DEPTH - 1 - l) for l in range(deep.DEPTH)])
    assert relu["local"] == pytest.approx([1.5] * deep.DEPTH)
