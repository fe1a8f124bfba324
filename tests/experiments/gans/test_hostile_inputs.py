"""Whatever a run leaves behind (one epoch, NaN, a cut-off census, any settings the table allows),
the verdict and the lesson are computed without an error, and only a healthy run is green."""

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from nnkit.core import diagnosis as dx
from nnkit.core.runs import RunRecord
from nnkit.experiments.gans import failure, lesson
from nnkit.experiments.gans import model as gans

value = st.one_of(st.floats(0, 5), st.just(float("nan")), st.just(float("inf")))
share = st.floats(0, 1)
CHOICES = {s.name: st.sampled_from(s.choices) if s.choices else st.integers(s.low, s.high) for s in gans.SETTINGS}


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 30).flatmap(lambda n: st.fixed_dictionaries({
    "loss": st.lists(value, min_size=n, max_size=n), "g_loss": st.lists(value, min_size=n, max_size=n),
    "real_accuracy": st.lists(share, min_size=n, max_size=n),
    "fake_accuracy": st.lists(share, min_size=n, max_size=n),
    "g_grad_norm": st.lists(value, min_size=n, max_size=n),
    "modes": st.lists(st.integers(0, 8).map(float), min_size=n, max_size=n)})),
    st.sampled_from(["finished", "diverged", "stopped by user", "interrupted"]),
    st.fixed_dictionaries(CHOICES), st.one_of(st.none(), st.integers(0, 8)), st.one_of(st.none(), share))
def test_any_history_gets_a_verdict_and_a_lesson(history, reason, run_settings, covered, off_target):
    verdict = failure.diagnose(history, reason, run_settings, lesson.n_modes(run_settings["target"]), covered,
                               off_target)
    assert verdict.kind in failure.KINDS
    if verdict.severity == dx.SUCCESS:  # green: a finished run, finite at the end, every mode covered
        assert verdict.kind == dx.LEARNED and reason == "finished"
        assert math.isfinite(history["loss"][-1]) and math.isfinite(history["g_loss"][-1])
        assert verdict.numbers["typical modes"] == lesson.n_modes(run_settings["target"])
    if not math.isfinite(history["loss"][-1]) or not math.isfinite(history["g_loss"][-1]):
        assert verdict.kind in (dx.DIVERGED, dx.STOPPED)
    record = RunRecord("r", run_settings, history, reason, "ended", len(history["loss"]))
    assert isinstance(lesson.lesson(record, lesson.verdict(record)), str)
