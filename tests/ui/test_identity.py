"""nnkit.ui.identity: a learner's runs come back with their link, and only theirs."""

from tests.helpers import page_test

PAGE = "tests/ui/variants_page.py"


def _trained_learner() -> str:
    at = page_test(PAGE).run()
    at.button(key="variants_test.train").click().run()
    assert not at.exception
    at.run()  # the next run writes the learner id into the link
    learner = at.session_state["_identity.learner"]
    assert at.query_params["learner"] == [learner] or at.query_params["learner"] == learner
    return learner


def _expanders(at) -> list[str]:
    return [e.label for e in at.expander]


def test_reopening_the_link_brings_the_runs_back_to_that_learner_only():
    learner = _trained_learner()
    again = page_test(PAGE)
    again.query_params["learner"] = learner
    again.run()
    assert not again.exception
    assert "Your earlier runs on this page (2)" in _expanders(again)
    stranger = page_test(PAGE)
    stranger.query_params["learner"] = "someone-else-entirely"
    stranger.run()
    assert not any(label.startswith("Your earlier runs") for label in _expanders(stranger))


def test_a_first_visit_link_stays_clean_and_a_bad_id_is_replaced():
    at = page_test(PAGE).run()
    assert "learner" not in dict(at.query_params)
    bad = page_test(PAGE)
    bad.query_params["learner"] = "x'; DROP TABLE runs; --"
    bad.run()
    assert not bad.exception and bad.session_state["_identity.learner"] != "x'; DROP TABLE runs; --"
