"""nnkit.board and store.board_summary: the class board's numbers."""

from urllib.parse import parse_qs, urlsplit

from nnkit import board
from nnkit.core import store
from nnkit.core.store import StoredRun


def _run(i, lr, value, metric="val_accuracy", status="done", learner=None, page="first_neuron"):
    return StoredRun(i, learner or f"learner-{i}", page, f"run {i}", {"lr": lr, "epochs": 10, "seed": 0,
                     "compare": ["a", "b"], "flag": True, "_group": 1}, {}, "finished", "", 10, None, None,
                     float(i), "ABC123", status, metric, value, "learned")


def test_leaders_sort_by_accuracy_descending_and_loss_ascending():
    acc = store.board_summary([_run(1, 0.1, 0.7), _run(2, 0.01, 0.9), _run(3, 1.0, 0.5, status="running")])
    page = acc["first_neuron"]
    assert [r.id for r in page["leaders"]] == [2, 1] and page[store.RUNNING] == 1 and page["learners"] == 3
    loss = store.board_summary([_run(1, 0.1, 0.7, "val_loss"), _run(2, 0.01, 0.2, "val_loss")])
    assert [r.id for r in loss["first_neuron"]["leaders"]] == [2, 1]


def test_a_run_link_carries_its_settings_but_not_internal_keys():
    link = board.run_link(_run(1, 0.03, 0.9), "http://127.0.0.1:8501")
    parts = urlsplit(link)
    assert parts.path == "/first_neuron"
    assert parse_qs(parts.query) == {"lr": ["0.03"], "epochs": ["10"], "seed": ["0"], "compare": ["a,b"],
                                     "flag": ["true"]}


def test_leaderboard_rows_hide_learner_ids_and_the_scatter_uses_a_log_axis_for_wide_sweeps():
    runs = [_run(1, 0.001, 0.6), _run(2, 0.1, 0.9), _run(3, 1.0, 0.4)]
    rows = board.leaderboard_rows(runs)
    assert rows[0]["learner"] == "lear" and rows[0]["rank"] == 1 and rows[0]["val_accuracy"] == 0.6
    assert board.numeric_settings(runs) == ["lr"]  # epochs and seed do not vary / are not a sweep
    fig = board.setting_scatter(runs, "lr")
    assert fig.layout.xaxis.type == "log" and list(fig.data[0].x) == [0.001, 0.1, 1.0]
