"""The 2-D GAN run as a plain-Keras notebook, from the same specs and the same GAN class the app trained.

The GAN (`adversarial`), the targets and the mode census travel by their own
source (they import only Keras and NumPy), so the notebook runs the very
`train_step` the app ran, in an empty folder or on Colab, without nnkit.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from nnkit import notebook
from nnkit.core import data
from nnkit.experiments.gans import adversarial, modes, targets
from nnkit.experiments.gans.model import discriminator_specs, generator_specs, optimizers
from nnkit.experiments.gans.watch import SAMPLES


def module_code(module: ModuleType) -> str:
    """A module's source as one notebook cell. `from __future__` must open a file, and a
    notebook's cells are one program when run top to bottom, so it is left out (Python
    3.11 evaluates these annotations fine without it)."""
    lines = notebook.source(module).splitlines()
    return "\n".join(line for line in lines if not line.startswith("from __future__"))


def _gan_code(s: dict[str, Any]) -> str:
    d_opt, g_opt = optimizers(s)
    return (f'gan = GAN(generator, discriminator, d_steps={s["d_steps"]}, g_loss={s["g_loss"]!r}, '
            f'seed={s["seed"]}, name="gan")\n'
            f"gan.compile(PairedOptimizer(discriminator={d_opt.optimizer_code()},\n"
            f"                            generator={g_opt.optimizer_code()}))")


def gans_notebook(settings: dict[str, Any], result_line: str) -> bytes:
    """Reproduce a GAN page run: same target points, networks, seeds, optimizers and fit."""
    s = settings
    cells = [
        *notebook.setup_cells(f"A GAN on the {s['target']} target, exported from nnkit",
                              f"Settings: `{settings}`\n\nIn the app this run ended: {result_line}"),
        notebook.markdown("## The GAN\nOne `keras.Model` whose `train_step` takes "
                          f"{s['d_steps']} step(s) on the discriminator D, then one on the generator G. "
                          "It is the app's own class, shipped by its source: on JAX it runs statelessly, on "
                          "TensorFlow with a gradient tape."),
        notebook.code(module_code(adversarial)),
        notebook.markdown("## The data\nThe same real points as in the app, and where the target's modes are."),
        notebook.code(module_code(targets) + "\n\n" + module_code(modes)),
        notebook.code(notebook.source(data.split)
                      + f'\nx = target_points({s["target"]!r}, {s["points"]}, {s["seed"]})\n'
                      'dummy = np.zeros((len(x), 1), dtype="float32")  # a GAN has no labels\n'
                      f"(x_train, y_train), _ = split(x, dummy, 0.0, seed={s['seed']})  # the app's shuffle"),
        notebook.markdown("## The two networks\nG maps noise to a point in the plane; D maps a point to one "
                          "logit of \"real\". Each seed fixes one network's initial weights, as in the app."),
        notebook.code(notebook.model_code(generator_specs(s), None, s["seed"], "generator") + "\n"
                      + notebook.model_code(discriminator_specs(s), None, s["seed"] + 1, "discriminator") + "\n"
                      + _gan_code(s)),
        *notebook.fit_cells(s["epochs"], s["batch"], s["seed"], validation=None, model="gan"),
        notebook.markdown("## Which modes did G cover?\nThe app's census: the same fixed noise, counted into "
                          "the target's modes."),
        notebook.code(f"z = np.random.default_rng({s['seed'] + 1000}).normal(size=({SAMPLES}, "
                      f"{s['noise_dim']})).astype(\"float32\")\n"
                      "fake = np.asarray(gan.generator(z))\n"
                      f"census = coverage(fake, *target_modes({s['target']!r}))\n"
                      'print(f"covered {census.covered} of {census.modes} modes; per mode: {census.counts}")'),
        notebook.code('fig = go.Figure([go.Scatter(x=x[:500, 0], y=x[:500, 1], mode="markers", name="real"),\n'
                      '                 go.Scatter(x=fake[:, 0], y=fake[:, 1], mode="markers", name="generated")])\n'
                      'fig.update_yaxes(scaleanchor="x")\nfig'),
        notebook.history_plot_cell(),
    ]
    return notebook.notebook_bytes(cells)
