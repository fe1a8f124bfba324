"""nnkit.core.runs: records keep curves (never models), and old runs are dropped past the cap."""

from nnkit.core.runs import MAX_RUNS_KEPT, RunRecord, append_run


def _record(i, **kw):
    return RunRecord(f"run {i}", {"lr": 0.1}, {"loss": [1.0, 0.5], "val_accuracy": [0.6, 0.8]}, "finished", **kw)


def test_append_keeps_the_newest_runs_only():
    runs = []
    for i in range(MAX_RUNS_KEPT + 5):
        runs = append_run(runs, _record(i))
    assert len(runs) == MAX_RUNS_KEPT and runs[0].label == "run 5" and runs[-1].label == f"run {MAX_RUNS_KEPT + 4}"


def test_summary_row_and_speed_up():
    record = _record(1, seconds_per_epoch=0.1, cpu_seconds_per_epoch=0.4)
    row = record.summary_row()
    assert row["loss"] == 0.5 and row["val_accuracy"] == 0.8 and row["GPU speed-up"] == 4.0
    assert _record(2).speedup is None and record.final("missing") is None
