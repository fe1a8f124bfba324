"""Several models side by side: `train_variants` trains a comparison in one click,
so no page writes its own loop, and holds one executor turn for all of it."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any, Callable

import streamlit as st

from nnkit.core.runs import RunRecord
from nnkit.ui.live import train_live
from nnkit.ui.state import key, runs


class HeldTurn:
    """One executor turn for all runs of one click.

    Why: a comparison trains its models one after another. Taking a turn per
    model would let other learners' runs in between, so everyone's comparison
    would end late instead of the first learners' ending first (FIFO per click).
    The turn is taken by the first run and given back when `stack` closes.
    """

    def __init__(self, stack: contextlib.ExitStack) -> None:
        self._stack = stack
        self._place = None

    def take(self, executor, label: str, while_waiting, heavy: bool = False):
        if self._place is None:
            self._place = self._stack.enter_context(executor.turn(label, while_waiting, heavy=heavy))
        return contextlib.nullcontext(self._place)


Draw = Callable[[dict[str, dict[str, Any]], int, str, bool], None]
"""draw(results by label, planned epochs, chart-key tag, numbers): one picture of a comparison."""


@dataclass
class Variant:
    """One model of a comparison: how to build it, and what to keep from it."""

    label: str
    settings: dict[str, Any]
    build: Callable[[], Any]                                # a compiled Keras model
    data: Any                                               # a Dataset, an (x, y) pair, or a function making one
    config: Any                                             # a TrainConfig
    live: Callable[[Any, Any], dict[str, Any]] | None = None  # (model, update) -> extra live results
    keep: Callable[[Any], dict[str, Any]] | None = None       # model -> artifacts kept with the run
    callbacks: Callable[[Any], tuple] | None = None           # model -> extra Keras callbacks
    batch_updates: bool = False


def train_variants(ns: str, variants: list[Variant], view, draw: Draw) -> list[RunRecord]:
    """Train `variants` one after another into `view`, each redraw showing the
    finished ones beside the one training, and return this comparison's runs.

    Chart keys are unique per variant and update, and every run of one click
    is tagged with the same comparison number, so `comparison_runs` finds the
    set again after a rerun (or a Stop) without the page tracking anything.
    """
    group = st.session_state.get(key(ns, "_groups"), 0) + 1
    st.session_state[key(ns, "_groups")] = group
    with contextlib.ExitStack() as stack:
        _train_each(ns, variants, view, draw, group, HeldTurn(stack))
    return comparison_runs(ns, group)


def _train_each(ns: str, variants: list[Variant], view, draw: Draw, group: int, held: HeldTurn) -> None:
    for index, variant in enumerate(variants):
        built: dict[str, Any] = {}  # filled once the run has its slot (see train_live)

        def build(variant=variant, built=built):
            built["model"] = variant.build()
            return built["model"]

        def render(update, tag, variant=variant, built=built, index=index) -> None:
            live = variant.live(built["model"], update) if variant.live else {}
            draw({**results(comparison_runs(ns, group)), variant.label: {"history": update.history, **live}},
                 update.epochs, f"{tag}.{index}", False)

        train_live(ns, variant.label, {**variant.settings, "_group": group}, build, variant.data,
                   variant.config, view, render, variant.batch_updates, first_frame=index == 0,
                   artifacts=(lambda variant=variant, built=built: variant.keep(built["model"]))
                   if variant.keep else None,
                   callbacks=(lambda variant=variant, built=built: tuple(variant.callbacks(built["model"])))
                   if variant.callbacks else (), held=held)


def comparison_runs(ns: str, group: int | None = None) -> list[RunRecord]:
    """The runs of one `train_variants` click (the latest by default), oldest first."""
    group = st.session_state.get(key(ns, "_groups"), 0) if group is None else group
    return [r for r in runs(ns) if r.settings.get("_group") == group]


def results(records: list[RunRecord]) -> dict[str, dict[str, Any]]:
    """Finished runs as a `Draw` function wants them: curves plus kept artifacts, by label."""
    return {r.label: {"history": r.history, **r.artifacts} for r in records}
