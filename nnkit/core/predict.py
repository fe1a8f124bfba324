"""Predict, then watch: a learner commits to a guess before a run, and the run's
own numbers say whether the guess was right.

Why: a surprise against one's own guess is what sticks (predict–observe–
explain). Each experiment's catalog entry carries one `Question`; the
experiment's `predict.answer(records)` reads the runs of one Train click and
returns an `Answer`: the option those numbers make correct and the numbers
behind it. Nothing here is a fixed string: a run with other settings (or one
that failed) can make another option right, or settle nothing.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Question:
    """One short multiple-choice question asked before Train."""

    prompt: str
    options: tuple[str, ...]


@dataclass(frozen=True)
class Answer:
    """What the run says: the right option, or None when the run cannot settle
    the question (it stopped early, diverged, or lacks the comparison)."""

    correct: str | None
    because: str  # the run's own numbers, as a sentence


@dataclass(frozen=True)
class Verdict:
    """A learner's guess read against the run's answer."""

    guess: str
    answer: Answer

    @property
    def right(self) -> bool | None:
        """True or False once the run settled the question; None when it could not."""
        return None if self.answer.correct is None else self.guess == self.answer.correct

    @property
    def text(self) -> str:
        if self.right is None:
            return f"You predicted “{self.guess}”. This run cannot settle it: {self.answer.because}"
        if self.right:
            return f"You predicted “{self.guess}”, and the run agrees: {self.answer.because}"
        return (f"You predicted “{self.guess}”; the run says “{self.answer.correct}”: "
                f"{self.answer.because}")


def pick(question: Question, index: int) -> str:
    """The option at `index`; answers name options through this so a reworded
    option cannot silently stop matching."""
    return question.options[index]
