"""A minimal page for AppTest: two small MLPs trained side by side with ui.train_variants."""

import streamlit as st

from nnkit import plots, ui
from nnkit.core import data, models
from nnkit.core.settings import Setting
from nnkit.core.training import TrainConfig

NS = "variants_test"
controls = ui.page_settings(NS, (Setting("epochs", 2, low=1, high=5),))
controls.publish()
dataset = data.TOY_2D["moons"](n_samples=120, noise=0.2, seed=0)


def draw(results, epochs, tag, numbers):
    ui.chart(plots.history_figure({n: r["history"] for n, r in results.items()}, planned_epochs=epochs),
             f"{tag}.curves", st.container(), numbers=numbers)
    st.session_state.setdefault("drawn", []).append(sorted(results))


variants = [ui.Variant(f"{units} units", {"units": units},
                       lambda units=units: models.build_mlp(models.MLPConfig((units,), "tanh", "adam", 0.05, 0), 2, 2),
                       dataset, TrainConfig(2, 32, 0.2, 0), keep=lambda model: {"params": model.count_params()})
            for units in (2, 8)]
if st.session_state.get("fail_first"):  # a builder that raises, as a setting Keras refuses would
    variants[0].build = lambda: models.build_mlp(models.MLPConfig((0,), "tanh", "adam", 0.05, 0), 2, 2)
if st.session_state.get("with_callbacks"):  # each variant's callback made for the model it watches
    import keras

    class MadeFor(keras.callbacks.Callback):
        def __init__(self, model):
            super().__init__()
            self.made_for = model

        def on_train_begin(self, logs=None):
            st.session_state.setdefault("callbacks_on", []).append(self.model is self.made_for)

    for variant in variants:
        variant.callbacks = lambda model: (MadeFor(model),)
view = st.empty()
if ui.train_button(NS):
    ui.train_variants(NS, variants, view, draw)
finished = ui.comparison_runs(NS)
if finished:
    with view.container():
        draw(ui.results(finished), 2, f"{NS}.final", True)
