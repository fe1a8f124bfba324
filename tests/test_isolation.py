"""Isolation: one learner's runs never show up in another learner's session."""

import ast

from tests.helpers import ROOT, page_test

MUTABLE_CALLS = {"list", "dict", "set", "defaultdict", "OrderedDict", "deque", "Counter"}


def _module_level_mutables(path):
    tree = ast.parse(path.read_text())
    found = []
    for node in tree.body:
        if not isinstance(node, (ast.Assign, ast.AnnAssign)) or node.value is None:
            continue
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        names = [t.id for t in targets if isinstance(t, ast.Name)]
        value = node.value
        mutable = isinstance(value, (ast.List, ast.Dict, ast.Set, ast.ListComp, ast.DictComp, ast.SetComp)) or (
            isinstance(value, ast.Call) and getattr(value.func, "id", getattr(value.func, "attr", None)) in MUTABLE_CALLS)
        # UPPER_CASE registries are read-only by convention; lower-case mutables are state.
        found += [f"{path.name}: {n}" for n in names if mutable and not n.isupper()]
    return found


def test_no_module_level_mutable_state_in_nnkit():
    # nnkit modules are imported once per server and shared by every session.
    # (Page scripts and app.py are re-executed per run, so their top-level
    # names are per-run locals, not shared state.)
    offenders = [m for f in sorted((ROOT / "nnkit").rglob("*.py")) for m in _module_level_mutables(f)]
    assert offenders == []


def test_two_sessions_do_not_see_each_others_runs():
    alice, bob = page_test("pages/first_neuron.py"), page_test("pages/first_neuron.py")
    for at in (alice, bob):
        at.session_state["first_neuron.epochs"] = 1
        at.session_state["first_neuron.points"] = 100
        at.run()
    alice.button(key="first_neuron.train").click().run()
    bob.run()
    assert len(alice.session_state["first_neuron.runs"]) == 1
    assert "first_neuron.runs" not in bob.session_state
    assert "first_neuron.model" not in bob.session_state
    assert not bob.get("plotly_chart")
