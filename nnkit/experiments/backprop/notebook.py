"""The back-propagation page as a notebook: the same numbers from keras + autodiff, hand formulas beside them."""

from __future__ import annotations

from typing import Any

from nnkit import notebook
from nnkit.core import backend
from nnkit.experiments.backprop import chain, deep, model

FLOAT64 = ('# The app computes in float64, so hand and Keras agree to ~1e-15 (JAX needs this switch).\n'
           'if keras.backend.backend() == "jax":\n    import jax\n    jax.config.update("jax_enable_x64", True)')


def backprop_notebook(settings: dict[str, Any]) -> bytes:
    """Recompute the page's forward pass, every gradient, the SGD step(s) and the deep chain."""
    s = settings
    x, y = model.rows(s)
    params = model.params_from(s)
    n = len(y)
    cells = [
        *notebook.setup_cells("Back-propagation by hand, exported from nnkit",
                              f"Settings: `{settings}`\n\nA 2 → 2 → 1 network ({s['act']} hidden units, sigmoid "
                              f"output, {s['loss']}); every number by hand and by Keras's autodiff.",
                              "from typing import Any, Callable"),
        notebook.code(FLOAT64),
        notebook.markdown("## The rows and the weights"),
        notebook.code(f"x = np.array({x.tolist()!r})\ny = np.array({y.tolist()!r})\n"
                      f"params = {params!r}\nactivation, loss, learning_rate = {s['act']!r}, {s['loss']!r}, {s['lr']!r}"),
        notebook.markdown("## The real Keras model, holding exactly these weights"),
        notebook.code(notebook.model_code(model.layer_specs(s["act"]), model.compile_for(s["loss"], s["lr"]),
                                          s["seed"])
                      + f"\n{notebook.source(model.keras_weights, model.params_of)}\nmodel.set_weights(keras_weights(params))"),
        notebook.markdown("## By hand: the forward pass and the chain rule (the app's own functions)"),
        notebook.code(f"PARAMS = {chain.PARAMS!r}\nEPSILON = {chain.EPSILON!r}\nPRETTY = {chain.PRETTY!r}\n"
                      f"LOSS_SLOPE = {chain.LOSS_SLOPE!r}\n\n"
                      + notebook.source(chain.activate, chain.loss_and_slope, chain.forward, chain.backward,
                                        chain.sgd, chain.pretty, chain.expanded, chain.chain_lines)),
        notebook.markdown("## By Keras: forward values and autodiff gradients (the app's own functions)"),
        notebook.code("import types\n\n" + notebook.source(backend.name, backend.gradient, backend.loss_gradients)
                      + "\n\nbackend = types.SimpleNamespace(name=name, gradient=gradient, loss_gradients=loss_gradients)\n\n"
                      + notebook.source(model.keras_numbers)),
        notebook.markdown("## Side by side: each step of the chain rule, and Keras's number"),
        notebook.code("fwd = forward(params, x, y, activation, loss)\nsteps, grads = backward(params, fwd)\n"
                      "keras_side = keras_numbers(model, x, y)\nprint(f\"loss by hand {fwd['L']:.10g}, "
                      "Keras {keras_side['forward']['L']:.10g}\")\nfor line in chain_lines(steps, keras_side['grads']):\n"
                      "    print(line)"),
        notebook.markdown(f"## {s['steps']} SGD step(s) with `keras.optimizers.SGD` (one full-batch epoch = one step)"),
        notebook.code(f"set_seed({s['seed']})\nhistory = model.fit(x, y.reshape(-1, 1), epochs={s['steps']}, "
                      f"batch_size={n}, shuffle=True, verbose=0)\n"
                      f"by_hand, hand_losses = sgd(params, x, y, activation, loss, learning_rate, {s['steps']})\n"
                      "after = params_of(model.get_weights())\nfor k in PARAMS:\n"
                      "    print(f\"{pretty(k):>3}: old {params[k]: .6f}  by hand {by_hand[k]: .6f}  Keras {after[k]: .6f}\")\n"
                      "loss_after = forward(after, x, y, activation, loss)['L']\n"
                      "print('loss before each step', history.history['loss'], 'after', loss_after)"),
        notebook.markdown("## Vanishing gradients: the chain rule down 6 one-unit layers\n"
                          "By hand, the product of local derivatives; by Keras, the bias gradients ∂ŷ/∂z of a real "
                          "6-layer model."),
        notebook.code(f"DEPTH, INPUT, weight = {deep.DEPTH}, {deep.INPUT}, {s['deep_w']!r}\n\n"
                      + notebook.source(deep.chain_by_hand)),
        *(notebook.code(notebook.model_code(deep.layer_specs(act), None, 0, "deep")
                        + "\ndeep.set_weights([np.array(v) for _ in range(DEPTH) for v in ([[weight]], [0.0])])\n"
                        "keras_grads = loss_gradients(deep, np.array([[INPUT]]), np.zeros((1, 1)), lambda y, p: p[:, 0])\n"
                        f"print({act!r}, 'by hand', [f'{{g:.4g}}' for g in chain_by_hand({act!r}, weight)['gradient']])\n"
                        f"print({act!r}, 'Keras  ', [f'{{float(g[0]):.4g}}' for g in keras_grads[1::2]])")
          for act in deep.COMPARED),
    ]
    return notebook.notebook_bytes(cells)
