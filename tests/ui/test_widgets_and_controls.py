"""nnkit.ui: outcome colours follow the diagnosis; link text is shown literally; locks work."""

from tests.helpers import page_test


def _outcome(history, reason="finished"):
    at = page_test("tests/ui/outcome_page.py")
    at.session_state["history"] = history
    at.session_state["reason"] = reason
    return at.run()


def test_only_a_run_that_learned_is_green():
    good = _outcome({"loss": [0.69, 0.3, 0.1, 0.05, 0.049], "accuracy": [0.6, 0.9, 0.97, 0.99, 0.99]})
    assert len(good.success) == 1 and not good.warning
    useless = _outcome({"loss": [0.69] * 5, "accuracy": [0.5] * 5})
    assert not useless.success and len(useless.warning) == 1
    assert "learned nothing useful" in useless.warning[0].value


def test_a_stopped_run_gets_an_info_box_without_learning_rate_advice():
    at = _outcome({"loss": [0.69, 3.0]}, reason="stopped by user")
    assert len(at.info) == 1 and "learning rate" not in at.info[0].value


def test_link_text_is_shown_as_code_and_unknown_lock_names_get_a_notice():
    at = page_test("tests/ui/settings_page.py")
    at.query_params["[click here](https://evil.example/login)"] = "1"
    at.query_params["epochs"] = "7"
    at.query_params["lock"] = "epochs,nosuch"
    at.run()
    assert not at.exception
    notices = [w.value for w in at.warning]
    assert any("`[click here](https://evil.example/login)`" in n for n in notices)
    assert any("`nosuch`" in n and "lock=" in n for n in notices)
    assert at.slider(key="settings_test.epochs").value == 7 and at.slider(key="settings_test.epochs").disabled
