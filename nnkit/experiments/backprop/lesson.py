"""The words around the numbers: filled-in formulas, the table of every value, what it all means."""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np

from nnkit.experiments.backprop.chain import PARAMS, expanded, pretty
from nnkit.experiments.backprop.model import INTERMEDIATES, WEIGHT_RANGE, Worked

FORWARD = ("z1", "a1", "z2", "a2", "z", "ŷ", "L_i")


def loss_latex(loss: str, fwd: Mapping[str, Any]) -> str:
    """The loss formula, then the same formula with this example's numbers, then its value."""
    y, p, n = fwd["y"], fwd["ŷ"], fwd["n"]
    if loss == "log loss":
        formula = r"L_i = -\left[y_i \ln \hat y_i + (1 - y_i)\ln(1 - \hat y_i)\right]"
        filled = [rf"-\left[{a:.3g} \ln {b:.4g} + {1 - a:.3g}\ln {1 - b:.4g}\right]" for a, b in zip(y, p)]
    else:
        formula = r"L_i = (\hat y_i - y_i)^2"
        filled = [rf"({b:.4g} - {a:.3g})^2" for a, b in zip(y, p)]
    if n == 1:
        return rf"{formula} \qquad L = {filled[0]} = {fwd['L']:.6g}"
    rows = " + ".join(f"{v:.4g}" for v in fwd["L_i"])
    return rf"{formula} \qquad L = \tfrac{{1}}{{{n}}}\textstyle\sum_i L_i = \tfrac{{1}}{{{n}}}({rows}) = {fwd['L']:.6g}"


def value_rows(worked: Worked) -> list[dict[str, Any]]:
    """Every number of the forward and backward pass, by hand and by Keras, one row each (the
    diagram's text alternative)."""
    w, many = worked, worked.forward["n"] > 1
    out = []

    def add(quantity, hand, keras):
        out.append({"quantity": quantity, "by hand": float(hand), "Keras": float(keras),
                    "difference": abs(float(hand) - float(keras))})

    for name in PARAMS:
        add(f"weight {pretty(name)}", w.params[name], w.params[name])
    for i in range(w.forward["n"]):
        tag = f" (row {i + 1})" if many else ""
        for name in FORWARD:
            label = "L" if name == "L_i" and not many else pretty(name)
            add(f"{label}{tag}", w.forward[name][i], w.keras["forward"][name][i])
        for name in INTERMEDIATES:
            add(f"∂L/∂{pretty(name)}{tag}", w.grads[name][i], w.keras["grads"][name][i])
    if many:
        add("L (mean)", w.forward["L"], w.keras["forward"]["L"])
    for name in PARAMS:
        add(f"∂L/∂{pretty(name)}", w.grads[name], w.keras["grads"][name])
    return out


def agreement(worked: Worked) -> str:
    """The check the page promises, with its number."""
    d = max(worked.forward_difference, worked.gradient_difference)
    return (f"Every value above, and all {len(PARAMS)} weight gradients, equal what the real Keras model "
            f"computes (forward pass, and gradients by the backend's autodiff): the largest difference is "
            f"**{d:.1e}**.")


def step_text(worked: Worked, index: int, row: int = 0) -> str:
    """Markdown for backward step `index` (0-based): upstream × local = gradient, then the whole chain."""
    name, upstream, local_name, local, rows = worked.steps[index]
    keras = worked.keras["grads"][name]
    many = worked.forward["n"] > 1
    if upstream is None:
        text = (f"**∂L/∂ŷ** for row {row + 1}: how the loss changes with the prediction = "
                f"**{rows[row]:.6g}**" if many else f"**∂L/∂ŷ** = **{rows[row]:.6g}**: how the loss changes "
                "with the prediction.")
    else:
        up = worked.steps[[s[0] for s in worked.steps].index(upstream)][4][row]
        text = (f"**∂L/∂{pretty(name)} = ∂L/∂{pretty(upstream)} × {pretty(local_name)}** = {up:.6g} × "
                f"{local[row]:.6g} = **{rows[row]:.6g}**" + (f" (row {row + 1})" if many else ""))
    if name in PARAMS:
        if many:
            text += f"; summed over the {len(rows)} rows: **{rows.sum():.6g}**"
        factors, product = expanded(worked.steps, name, row)
        names = ["∂L/∂ŷ", *(pretty(f).split(" = ")[-1] for f, _ in factors[1:])]
        text += ("\n\nThe whole chain: " + " × ".join(names)
                 + " = " + " × ".join(f"{v:.4g}" for _, v in factors) + f" = {product:.6g}")
        mine, theirs = rows.sum(), float(keras)
    else:
        mine, theirs = rows[row], float(np.asarray(keras)[row])
    return text + f"\n\nKeras autodiff: {theirs:.6g} (difference {abs(mine - theirs):.1e})."


def step_message(settings: Mapping[str, Any], artifacts: Mapping[str, Any]) -> str:
    """What the click did, in the page's words (one full-batch epoch is one SGD step)."""
    n = settings["steps"]
    what = "one SGD step" if n == 1 else f"{n} SGD steps"
    held = [pretty(k) for k in PARAMS if artifacts["next"][k] != artifacts["after"][k]]
    return (f"Took {what} at learning rate η = {settings['lr']:g}: the loss went from "
            f"{artifacts['loss_before']:.6g} to {artifacts['loss_after']:.6g}."
            + (f" {', '.join(held)} left the sliders' range (±{WEIGHT_RANGE:g}), so the sliders hold "
               f"{'it' if len(held) == 1 else 'them'} at the edge." if held else ""))


def what_it_means(worked: Worked, walk: Sequence[float], deep: Mapping[str, Mapping[str, Sequence[float]]],
                  lr: float | None) -> str:
    """Back-propagation in a few sentences, every number from this page's own calculation."""
    g, steps = worked.grads, worked.steps
    reused = steps[1][4]  # ∂L/∂z at the output, computed once
    biggest = max(PARAMS, key=lambda k: abs(g[k]))
    smallest = min(PARAMS, key=lambda k: abs(g[k]))
    parts = [
        f"**Back-propagation is the chain rule, applied from the output back.** The output's gradient "
        f"∂L/∂z = {reused[0]:.4g} was computed once and then reused by all eight other gradients: "
        f"three multiply it by one local number (a₁, a₂ or 1), six pass it on through v₁ or v₂ and f′(z) "
        f"first. Nothing is differentiated twice, which is why back-propagation costs about as much as a "
        f"forward pass.",
        f"Here the largest gradient is ∂L/∂{pretty(biggest)} = {g[biggest]:.3g} and the smallest "
        f"∂L/∂{pretty(smallest)} = {g[smallest]:.3g}: a weight whose chain passes a small local "
        f"derivative (a flat f′(z), a small input or a small v) gets a small gradient and learns slowly.",
    ]
    if len(walk) >= 2 and lr is not None:
        rose = walk[-1] > walk[0]
        parts.append(f"Your {len(walk) - 1} SGD step{'s' if len(walk) > 2 else ''} (latest at η = {lr:g}) took the "
                     f"loss from {walk[0]:.4g} to {walk[-1]:.4g}: "
                     + ("it rose, so the steps overshoot the valley: lower η." if rose else
                        "it fell" + (", though it went up on the way (peak "
                                     f"{max(walk):.4g}): some steps overshot." if max(walk) > walk[0] else
                                     ": each step moved every weight a little against its gradient.")))
    if deep:
        ends = {name: chain["gradient"][0] / chain["gradient"][-1] for name, chain in deep.items()}
        parts.append("In the 6-layer chain the gradient reaching layer 1 is "
                     + " and ".join(f"{ratio:.2g}× the one at layer 6 for {name}" for name, ratio in ends.items())
                     + ": each layer multiplies in its local derivative w·f′(z), and a sigmoid's f′ is at most "
                       "0.25, so deep sigmoid nets' first layers barely learn.")
    return "\n\n".join(parts)


def deep_summary(chains: Mapping[str, Mapping[str, Sequence[float]]]) -> str:
    """The vanishing-gradient chart in one line, with the check against Keras."""
    parts = [f"{name}: {abs(c['gradient'][-1]):.3g} at layer 6, {abs(c['gradient'][0]):.3g} at layer 1"
             for name, c in chains.items()]
    worst = max(abs(a - b) for c in chains.values() for a, b in zip(c["gradient"], c["keras"]))
    return "; ".join(parts) + f". Keras's autodiff of the real 6-layer models gives the same (largest difference {worst:.1e})."
