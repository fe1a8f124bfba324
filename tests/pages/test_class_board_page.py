"""Class board: refuses without the instructor key, shows a workshop's learners and runs with it."""

from nnkit.ui.identity import shared_store
from tests.helpers import page_test

BOARD = "pages/class_board.py"


def _board(code="", key=""):
    at = page_test(BOARD, timeout=60)
    if code:
        at.query_params["workshop"] = code
    if key:
        at.query_params["instructor"] = key
    return at.run()


def test_the_board_refuses_without_the_right_key():
    code, key = shared_store().create_workshop("first_neuron")
    for at in (_board(code, "not-the-key"), _board(code, ""), _board("NOPE99", key)):
        assert not at.exception
        assert any("instructor key" in e.value for e in at.error)
        assert not at.get("metric")


def test_creating_a_workshop_gives_a_learner_link_and_a_secret_board_link():
    at = _board()
    at.button(key="board.create").click().run()
    assert not at.exception
    code, key, preset = at.session_state["board.created"]
    links = [c.value for c in at.code]
    assert any(f"workshop={code}" in link and "instructor" not in link for link in links)
    assert any(f"instructor={key}" in link for link in links)
    assert shared_store().check_key(code, key)


def test_a_learners_run_in_the_workshop_shows_on_the_board():
    code, key = shared_store().create_workshop("variants_test")
    learner = page_test("tests/ui/variants_page.py")
    learner.query_params["workshop"] = code
    learner.run()
    learner.button(key="variants_test.train").click().run()
    assert not learner.exception
    at = _board(code, key)
    assert not at.exception and not at.error
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Learners"] == "1" and metrics["Finished"] == "2"
    table = at.dataframe[0].value
    assert len(table) == 2 and set(table["run"]) == {"2 units", "8 units"}
    assert all("/variants_test?" in link for link in table["open"])
