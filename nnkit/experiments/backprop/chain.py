"""Back-propagation by hand: the forward pass and the chain rule in NumPy (float64).

This is the arithmetic a learner does on paper for a 2 → 2 → 1 network, one
line per quantity, so the page can show each number and tests can check each
one against Keras's autodiff of the real model. The functions use only NumPy
and the names in this file, so the exported notebook embeds them by source.
"""

from __future__ import annotations

import numpy as np

PARAMS = ("w11", "w12", "w21", "w22", "b1", "b2", "v1", "v2", "c")  # w_jk: input k -> hidden unit j
EPSILON = 1e-7  # keras.config.epsilon(): Keras clips ŷ to [ε, 1 − ε] inside log loss
PRETTY = {"ŷ": "ŷ", "z": "z", "a1": "a₁", "a2": "a₂", "z1": "z₁", "z2": "z₂", "w11": "w₁₁", "w12": "w₁₂",
          "w21": "w₂₁", "w22": "w₂₂", "b1": "b₁", "b2": "b₂", "v1": "v₁", "v2": "v₂", "c": "c",
          "x1": "x₁", "x2": "x₂"}
LOSS_SLOPE = {"log loss": "−y/ŷ + (1−y)/(1−ŷ)", "MSE": "2(ŷ − y)"}  # ∂Lᵢ/∂ŷᵢ as printed


def activate(name, z):
    """f(z) and f'(z) for the hidden units (ReLU's slope at exactly 0 is 0, as in Keras)."""
    if name == "sigmoid":
        with np.errstate(over="ignore"):  # e^(−z) overflows to inf for z ≪ 0: f is then 0, as it should be
            f = 1.0 / (1.0 + np.exp(-z))
        return f, f * (1.0 - f)
    if name == "tanh":
        f = np.tanh(z)
        return f, 1.0 - f ** 2
    if name == "relu":
        return np.maximum(z, 0.0), (z > 0).astype(float)
    raise ValueError(f"unknown activation {name!r}")


def loss_and_slope(loss, y, y_hat):
    """Per-row loss L_i and ∂L_i/∂ŷ_i, exactly as Keras computes them.

    Log loss clips ŷ into [ε, 1 − ε] first; where the clip bites, ŷ no longer
    moves the loss, so the slope is 0 (as autodiff of the clipped loss says).
    """
    if loss == "log loss":
        clipped = np.clip(y_hat, EPSILON, 1.0 - EPSILON)
        inside = (y_hat > EPSILON) & (y_hat < 1.0 - EPSILON)
        value = -(y * np.log(clipped) + (1.0 - y) * np.log(1.0 - clipped))
        return value, np.where(inside, -y / clipped + (1.0 - y) / (1.0 - clipped), 0.0)
    if loss == "MSE":
        return (y_hat - y) ** 2, 2.0 * (y_hat - y)
    raise ValueError(f"unknown loss {loss!r}")


def forward(params, x, y, activation, loss):
    """Every intermediate of the forward pass for rows `x` (n, 2) and targets `y` (n,)."""
    p = {k: float(v) for k, v in params.items()}
    x, y = np.asarray(x, float), np.asarray(y, float)
    z1 = p["w11"] * x[:, 0] + p["w12"] * x[:, 1] + p["b1"]
    z2 = p["w21"] * x[:, 0] + p["w22"] * x[:, 1] + p["b2"]
    a1, d1 = activate(activation, z1)
    a2, d2 = activate(activation, z2)
    z = p["v1"] * a1 + p["v2"] * a2 + p["c"]
    y_hat = activate("sigmoid", z)[0]  # the output unit is always a sigmoid: ŷ is a probability
    rows, slope = loss_and_slope(loss, y, y_hat)
    return {"x1": x[:, 0], "x2": x[:, 1], "y": y, "z1": z1, "a1": a1, "f'(z1)": d1, "z2": z2, "a2": a2,
            "f'(z2)": d2, "z": z, "ŷ": y_hat, "ŷ(1−ŷ)": y_hat * (1.0 - y_hat), "L_i": rows,
            "∂L_i/∂ŷ": slope, "L": float(rows.mean()), "n": len(y), "loss": loss}


def backward(params, fwd):
    """The chain rule from the loss back, one entry per step, reusing each upstream gradient.

    Each step is (name, upstream name, local-derivative name, local values,
    gradient): gradient = upstream × local, row by row; a weight's gradient is
    the sum over rows (the 1/n of the mean loss is already in ∂L/∂ŷ).
    Returns the steps in order and every gradient by name.
    """
    p, n = {k: float(v) for k, v in params.items()}, fwd["n"]
    grads, steps = {}, []

    def step(name, upstream, local_name, local, total=False):
        rows = (grads[upstream] if upstream else 1.0) * np.broadcast_to(local, (n,))
        grads[name] = float(rows.sum()) if total else rows
        steps.append((name, upstream, local_name, np.broadcast_to(local, (n,)).astype(float), rows))

    mean = f"(1/{n})·" if n > 1 else ""  # L is the mean over the rows
    step("ŷ", None, f"{mean}({LOSS_SLOPE[fwd['loss']]})", fwd["∂L_i/∂ŷ"] / n)
    step("z", "ŷ", "∂ŷ/∂z = ŷ(1−ŷ)", fwd["ŷ(1−ŷ)"])
    step("v1", "z", "∂z/∂v1 = a1", fwd["a1"], total=True)
    step("v2", "z", "∂z/∂v2 = a2", fwd["a2"], total=True)
    step("c", "z", "∂z/∂c = 1", 1.0, total=True)
    for j in ("1", "2"):
        step(f"a{j}", "z", f"∂z/∂a{j} = v{j}", p[f"v{j}"])
        step(f"z{j}", f"a{j}", f"∂a{j}/∂z{j} = f'(z{j})", fwd[f"f'(z{j})"])
        step(f"w{j}1", f"z{j}", f"∂z{j}/∂w{j}1 = x1", fwd["x1"], total=True)
        step(f"w{j}2", f"z{j}", f"∂z{j}/∂w{j}2 = x2", fwd["x2"], total=True)
        step(f"b{j}", f"z{j}", f"∂z{j}/∂b{j} = 1", 1.0, total=True)
    return steps, grads


def sgd(params, x, y, activation, loss, learning_rate, steps=1):
    """`steps` full-batch gradient-descent updates w ← w − η·∂L/∂w, by hand; the losses before each."""
    p, losses = {k: float(v) for k, v in params.items()}, []
    for _ in range(steps):
        fwd = forward(p, x, y, activation, loss)
        losses.append(fwd["L"])
        grads = backward(p, fwd)[1]
        p = {k: p[k] - learning_rate * grads[k] for k in PARAMS}
    return p, losses


def pretty(text):
    """Names as a learner writes them: a1 → a₁, w12 → w₁₂, z1 → z₁."""
    for plain in sorted(PRETTY, key=len, reverse=True):
        text = text.replace(plain, PRETTY[plain])
    return text


def expanded(steps, name, row=0):
    """The whole chain from L down to `name`: every local derivative, its number for `row`, their product."""
    by_name = {s[0]: s for s in steps}
    factors = []
    while name is not None:
        step = by_name[name]
        factors.append((step[2], float(step[3][row])))
        name = step[1]
    factors.reverse()
    product = float(np.prod([v for _, v in factors]))
    return factors, product


def chain_lines(steps, keras_grads=None, row=0):
    """One printed line per step: the hand formula with its numbers, and Keras's autodiff beside it.

    For a weight the line shows `row`'s product and then the sum over rows
    (one row: the same number); Keras's value is the weight's gradient.
    """
    lines, values = [], {s[0]: s[4] for s in steps}
    for name, upstream, local_name, local, rows in steps:
        up = float(np.asarray(values[upstream])[row]) if upstream else 1.0
        total = name in PARAMS
        line = f"∂L/∂{pretty(name)} = " + (f"∂L/∂{pretty(upstream)} × " if upstream else "") + pretty(local_name)
        line += f" = {up:.6g} × {local[row]:.6g} = {rows[row]:.6g}" if upstream else f" = {rows[row]:.6g}"
        if total and len(rows) > 1:
            line += f"; summed over the {len(rows)} rows: {rows.sum():.6g}"
        if keras_grads is not None:
            mine = rows.sum() if total else rows[row]
            theirs = float(np.sum(keras_grads[name]) if total else np.asarray(keras_grads[name])[row])
            line += f"   | Keras autodiff {theirs:.6g} (difference {abs(mine - theirs):.1e})"
        lines.append(line)
    return lines
