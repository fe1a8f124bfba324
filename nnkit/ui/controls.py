"""Settings widgets drawn from a page's settings table, shareable links,
instructor locks, and twin runs (re-run with exactly one setting changed)."""

from __future__ import annotations

from typing import Any

import streamlit as st

from nnkit.core import limits, settings
from nnkit.core.runs import RunRecord
from nnkit.ui import identity
from nnkit.ui.frame import ensure_app_navigation, keras_ready
from nnkit.ui.state import key


class Controls:
    """Draws a page's widgets from its settings table and keeps the URL in step.

    Create it once at the top of a page with `page_settings`; call it per
    widget: `controls("epochs", col.slider, "Epochs", step=1)`. Ranges and
    options come from the table (capped in workshop mode), locked settings
    are disabled, hidden ones not drawn.
    """

    def __init__(self, ns: str, schema, locked: set[str], hidden: set[str], workshop: bool):
        self.ns, self.schema = ns, {s.name: s for s in schema}
        self.locked, self.hidden, self.workshop = locked, hidden, workshop
        self.labels: dict[str, str] = {}  # widget labels as drawn, for the twin-run menu

    def __call__(self, name: str, widget, label: str, **kwargs):
        setting = self.schema[name]
        self.labels[name] = label
        if name in self.hidden:
            return st.session_state[key(self.ns, name)]
        if setting.choices is not None:
            kwargs.setdefault("options", list(setting.options(self.workshop)))
        if setting.low is not None:
            kwargs.setdefault("min_value", setting.low)
            kwargs.setdefault("max_value", setting.limit(self.workshop))
        if name in self.locked:
            kwargs["disabled"] = True
            kwargs["help"] = "Fixed by the link you opened (your instructor's set-up)."
        return widget(label, key=key(self.ns, name), **kwargs)

    def value(self, name: str):
        return st.session_state[key(self.ns, name)]

    def values(self) -> dict[str, Any]:
        return {name: self.value(name) for name in self.schema}

    def publish(self) -> None:
        """Write the current settings into the URL, so copying it shares them."""
        current = self.values()
        st.session_state[key(self.ns, "_saved")] = current
        params = settings.encode(current, self.schema.values())
        if self.locked:
            params[settings.LOCK_PARAM] = ",".join(sorted(self.locked))
        if self.hidden:
            params[settings.HIDE_PARAM] = ",".join(sorted(self.hidden))
        params.update(identity.identity_params())
        if st.query_params.to_dict() != params:
            st.query_params.from_dict(params)


def page_settings(ns: str, schema) -> Controls:
    """Initialise a page's settings: saved values, then the link's, then defaults.

    The link is applied once per session (a shared link sets everyone up the
    same way); bad parameters are dropped with a visible notice.
    """
    ensure_app_navigation()  # a deep link as a fresh server's first request
    keras_ready()  # before this page's first model, and only once per process
    workshop = limits.workshop_mode()
    saved = st.session_state.get(key(ns, "_saved"), {})
    for name, value in {**settings.defaults(schema), **saved}.items():
        # Streamlit forgets widget values when the learner visits another page.
        st.session_state.setdefault(key(ns, name), value)
    params = st.query_params.to_dict()
    if not st.session_state.get(key(ns, "_link_applied")):
        values, notices = settings.decode(params, schema, workshop)
        for name, value in values.items():
            st.session_state[key(ns, name)] = value
        st.session_state[key(ns, "_link_applied")] = True
        st.session_state[key(ns, "_link_notices")] = notices
        st.session_state[key(ns, "_link_notices")] += settings.list_notices(params, schema)
    for notice in st.session_state.get(key(ns, "_link_notices"), []):
        st.warning(notice, icon=":material/link_off:")
    if workshop:
        st.caption(":material/groups: Workshop mode: epochs, data and model sizes are capped "
                   "so everyone's runs stay quick.")
    earlier_runs(ns)
    return Controls(ns, schema, settings.name_list(params, settings.LOCK_PARAM, schema),
                    settings.name_list(params, settings.HIDE_PARAM, schema), workshop)


def twin_run(ns: str, controls: Controls, record: RunRecord) -> None:
    """Re-run `record` with exactly one setting changed: same seed, same
    initial weights, so any difference in the curves is caused by that change."""
    names = [n for n, setting in controls.schema.items()
             if n in record.settings and n != "seed" and n not in controls.locked | controls.hidden
             and not isinstance(setting, settings.SettingList)
             and (setting.choices is not None or not isinstance(setting.default, str))]
    if not names:
        return
    with st.expander("Twin run: change one thing, keep everything else", icon=":material/compare_arrows:"):
        name = st.selectbox("Setting to change", names, key=key(ns, "twin.name"),
                            format_func=lambda n: controls.labels.get(n, n))
        setting, current = controls.schema[name], record.settings[name]
        if setting.choices is not None:
            others = [c for c in setting.options(controls.workshop) if c != current]
            new = st.selectbox(f"New value (was {current})", others, key=key(ns, f"twin.{name}"))
        elif isinstance(setting.default, bool):
            new = not current
            st.caption(f"{name} becomes {new}.")
        else:
            new = st.number_input(f"New value (was {current})", setting.low, setting.limit(controls.workshop),
                                  current, key=key(ns, f"twin.{name}"))
        st.button("Run the twin", key=key(ns, "twin.go"), on_click=_start_twin,
                  args=(ns, record.settings, name, new), icon=":material/play_arrow:")


def _start_twin(ns: str, base: dict[str, Any], name: str, value: Any) -> None:
    # A callback runs before the rerun, the only moment widget values may be set.
    for setting, old in base.items():
        st.session_state[key(ns, setting)] = old
    st.session_state[key(ns, name)] = value
    st.session_state[key(ns, "auto_train")] = True


def earlier_runs(ns: str) -> None:
    """This learner's runs on this page from earlier visits (a reload, their link), with their curves."""
    kept = identity.earlier_runs(ns)
    if not kept:
        return
    import pandas as pd

    from nnkit import plots
    from nnkit.ui.widgets import chart

    with st.expander(f"Your earlier runs on this page ({len(kept)})", icon=":material/history:"):
        st.caption("Kept for you by your link; tick runs to overlay their curves.")
        frame = pd.DataFrame([{**r.summary_row(), "when": pd.Timestamp(r.created, unit="s").strftime("%d %b %H:%M")}
                              for r in kept])
        event = st.dataframe(frame, key=key(ns, "earlier_table"), on_select="rerun", selection_mode="multi-row",
                             hide_index=True, width="stretch")
        chosen = [kept[i] for i in event.selection.rows]
        if chosen:
            chart(plots.history_figure({f"{i + 1}. {r.label}": r.history for i, r in enumerate(chosen)}),
                  key(ns, "earlier_chart"))
