"""Run records: what a finished (or cut-off) run leaves behind for comparison.

Records keep curves and small artefacts, never the model, so a session that
trains 30 times does not hold 30 models in memory.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # training imports Keras; the home page must not
    from nnkit.core.training import TrainResult

MAX_RUNS_KEPT = 20


@dataclass
class RunRecord:
    """One training run as the runs table and the charts need it."""

    label: str
    settings: dict[str, Any]
    history: dict[str, list[float]]
    reason: str
    message: str = ""
    epochs_run: int = 0
    seconds_per_epoch: float | None = None
    samples_per_second: float | None = None
    device: str = ""
    cpu_seconds_per_epoch: float | None = None  # a short CPU run of the same model, on GPU machines
    artifacts: dict[str, Any] = field(default_factory=dict)  # e.g. the final boundary grid
    guess: str | None = None            # the learner's prediction before Train, if they made one
    guessed_right: bool | None = None   # set once the run's answer is read (None: not settled)
    run_id: int | None = None           # its row in the run store, where there is one
    created: float = field(default_factory=time.time)

    @classmethod
    def from_result(cls, label: str, settings: dict[str, Any], result: TrainResult,
                    artifacts: dict[str, Any] | None = None) -> RunRecord:
        return cls(label, dict(settings), result.history, result.reason, result.message,
                   result.epochs_run, result.seconds_per_epoch, result.samples_per_second,
                   result.device, artifacts=dict(artifacts or {}))

    @property
    def speedup(self) -> float | None:
        """How many times faster than the short CPU run, where one was made."""
        if self.cpu_seconds_per_epoch and self.seconds_per_epoch:
            return self.cpu_seconds_per_epoch / self.seconds_per_epoch
        return None

    def final(self, metric: str) -> float | None:
        values = self.history.get(metric)
        return values[-1] if values else None

    def final_held_out(self, metric: str = "accuracy") -> float | None:
        """The last validation value of `metric`, else the training one where no data was held out.

        Checked against None, not truthiness: a validation accuracy of exactly 0
        is a result to report, not a missing value to replace with training accuracy.
        """
        held_out = self.final(f"val_{metric}")
        return held_out if held_out is not None else self.final(metric)

    def summary_row(self) -> dict[str, Any]:
        """One row of the runs table."""
        row = {"run": self.label, "ended": self.reason, "epochs": self.epochs_run}
        for metric in ("loss", "val_loss", "accuracy", "val_accuracy"):
            if metric in self.history:
                row[metric] = self.final(metric)
        row["s/epoch"] = self.seconds_per_epoch
        row["device"] = self.device
        if self.speedup:
            row["GPU speed-up"] = round(self.speedup, 1)
        return row


def append_run(runs: list[RunRecord], record: RunRecord) -> list[RunRecord]:
    """A new list with `record` last, oldest runs dropped past MAX_RUNS_KEPT."""
    return [*runs, record][-MAX_RUNS_KEPT:]
