"""The predict-first verdict: right, wrong, or not settled by the run."""

from nnkit import catalog
from nnkit.core.predict import Answer, Question, Verdict, pick


def test_a_guess_is_right_only_when_it_is_the_runs_answer():
    because = "it classified 97.0% of the held-out points correctly."
    right = Verdict("Nearly all", Answer("Nearly all", because))
    wrong = Verdict("Some", Answer("Nearly all", because))
    assert right.right is True and "the run agrees" in right.text and because in right.text
    assert wrong.right is False and "the run says “Nearly all”" in wrong.text


def test_a_run_that_cannot_settle_the_question_judges_nobody():
    verdict = Verdict("Some", Answer(None, "it ended early (stopped by user)."))
    assert verdict.right is None and "cannot settle" in verdict.text


def test_pick_names_an_option_of_the_question():
    question = Question("Which?", ("a", "b"))
    assert pick(question, 1) == "b"


def test_every_question_has_distinct_options_and_is_asked_on_a_known_page():
    for entry in catalog.EXPERIMENTS:
        if entry.question is not None:
            assert len(set(entry.question.options)) == len(entry.question.options) >= 2, entry.name
            assert catalog.experiment(entry.name) is entry
