"""The diagram shows every value, the revealed gradients and the current step; the other charts their numbers."""

import numpy as np

from nnkit.experiments.backprop import chain, deep, figures
from nnkit.experiments.backprop import model as bp


def _net(revealed=(), current=None, batch=False):
    x, y = bp.rows({"x1": 1.0, "x2": 0.5, "y": 1.0, "batch": bp.BATCH if batch else bp.ONE, "seed": 0})
    fwd = chain.forward(bp.DEFAULT_PARAMS, x, y, "sigmoid", "log loss")
    steps, grads = chain.backward(bp.DEFAULT_PARAMS, fwd)
    return fwd, grads, figures.network_figure(bp.DEFAULT_PARAMS, fwd, grads, list(revealed), current,
                                              row=1 if batch else 0)


def _text(fig) -> str:
    return " ".join([a.text for a in fig.layout.annotations] + [t for tr in fig.data if tr.text for t in tr.text])


def test_every_weight_and_value_is_on_the_diagram():
    fwd, _, fig = _net()
    text = _text(fig)
    for name in chain.PARAMS:
        assert f"{chain.pretty(name)} = {bp.DEFAULT_PARAMS[name]:.3g}" in text
    for name in ("a1", "a2"):
        assert f"{fwd[name][0]:.4g}" in text
    assert f"ŷ = σ(z) = {fwd['ŷ'][0]:.4g}" in text and f"L = {fwd['L']:.4g}" in text
    assert "∂L/∂" not in text  # nothing revealed yet
    assert len(fig.data) == 8  # six weights, the loss edge, the nodes


def test_revealed_gradients_appear_and_the_current_edge_is_highlighted():
    _, grads, fig = _net(revealed=("ŷ", "z", "v1"), current="v1")
    text = _text(fig)
    assert f"∂L/∂v₁ = {grads['v1']:.3g}" in text and f"∂L/∂z = {grads['z'][0]:.3g}" in text
    assert "∂L/∂w₁₁" not in text
    widths = {tr.name: tr.line.width for tr in fig.data if tr.mode == "lines"}
    assert widths["v₁"] == 6 and widths["w₁₁"] == 2
    _, _, node_step = _net(revealed=("ŷ", "z", "v1", "v2", "c", "a1", "z1"), current="z1")
    colours = node_step.data[-1].marker.color
    assert colours[2] == figures.HIGHLIGHT and colours[3] != figures.HIGHLIGHT  # unit 1, not unit 2


def test_a_mini_batch_diagram_shows_the_chosen_row():
    fwd, _, fig = _net(batch=True)
    assert f"x₁ = {fwd['x1'][1]:.3g}" in _text(fig)


def test_walk_and_deep_figures():
    walk = figures.walk_figure([0.6, 0.3, 0.2])
    assert list(walk.data[0].y) == [0.6, 0.3, 0.2] and list(walk.data[0].x) == [0, 1, 2]
    chains = {name: deep.chain_by_hand(name, 1.0) for name in deep.COMPARED}
    fig = figures.deep_figure(chains, 1.0)
    assert fig.layout.yaxis.type == "log" and [t.name for t in fig.data] == ["sigmoid", "relu"]
    np.testing.assert_allclose(fig.data[0].y, np.abs(chains["sigmoid"]["gradient"]))
