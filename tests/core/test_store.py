"""nnkit.core.store against a real SQLite file and a real PostgreSQL server."""

from __future__ import annotations

import os
import threading

import time

import pytest
import sqlalchemy as sa

from nnkit.core import store
from nnkit.core.runs import RunRecord
from nnkit.core.store import RunStore
from tests.core import postgres

needs_postgres = pytest.mark.skipif(not postgres.available() and not os.environ.get("CI"),
                                    reason="Debian postgresql not installed")


@pytest.fixture(scope="module")
def pg_url():
    if not postgres.available():
        pytest.fail("PostgreSQL is required in CI (.ci/run installs Debian's postgresql)")
    with postgres.server() as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=needs_postgres)])
def db(request, tmp_path):
    if request.param == "sqlite":
        yield RunStore(f"sqlite:///{tmp_path / 'runs.sqlite3'}")
        return
    url = request.getfixturevalue("pg_url")
    engine = sa.create_engine(url)
    with engine.begin() as conn:  # a clean schema per test
        conn.execute(sa.text("DROP TABLE IF EXISTS runs, workshops, schema_version"))
    engine.dispose()
    yield RunStore(url)


def _record(label="run", lr=0.1, epochs=3):
    return RunRecord(label, {"lr": lr, "epochs": epochs}, {"loss": [1.0, 0.5, 0.25][:epochs]}, "finished",
                     "Finished.", epochs, 0.01, "CPU")


def test_runs_come_back_for_their_learner_only(db):
    db.save_run("alice-123", "first_neuron", _record("a"), metric_name="val_accuracy", metric_value=0.9)
    db.save_run("bob-45678", "first_neuron", _record("b"))
    db.save_run("alice-123", "losses", _record("c"))
    mine = db.runs("alice-123", "first_neuron")
    assert [r.label for r in mine] == ["a"] and mine[0].history == {"loss": [1.0, 0.5, 0.25]}
    assert mine[0].settings == {"lr": 0.1, "epochs": 3} and mine[0].metric_value == 0.9
    assert [r.label for r in db.runs("alice-123")] == ["a", "c"]
    assert [r.label for r in db.runs("bob-45678")] == ["b"]
    assert db.runs("nobody-000") == []
    db.forget("alice-123")
    assert db.runs("alice-123") == [] and len(db.runs("bob-45678")) == 1


def test_hostile_text_is_stored_as_data(db):
    evil = "x'); DROP TABLE runs; --"
    db.save_run(evil, evil, _record(evil))
    assert db.runs(evil, evil)[0].label == evil
    assert db.runs("alice-123") == []  # the table is still there


def test_curves_are_thinned_and_non_finite_values_kept_as_gaps(db):
    long = RunRecord("long", {}, {"loss": [float(i) for i in range(5000)] + [float("nan")]}, "diverged")
    db.save_run("alice-123", "p", long)
    loss = db.runs("alice-123")[0].history["loss"]
    assert len(loss) == store.MAX_CURVE_POINTS and loss[0] == 0.0 and loss[-1] is None


def test_oldest_runs_are_pruned_past_the_cap(db, monkeypatch):
    monkeypatch.setattr(store, "MAX_RUNS_PER_LEARNER", 5)
    for i in range(8):
        db.save_run("alice-123", "p", _record(f"r{i}"))
    assert [r.label for r in db.runs("alice-123")] == [f"r{i}" for i in range(3, 8)]


def test_workshop_board_needs_the_instructor_key(db):
    code, key = db.create_workshop("pages/first_neuron.py?lock=epochs")
    assert db.workshop_exists(code) and db.preset(code).startswith("pages/")
    queued = db.start_run("alice-123", "first_neuron", "a", {}, workshop=code)
    db.save_run("bob-45678", "first_neuron", _record("b"), workshop=code, metric_name="val_accuracy",
                metric_value=0.8)
    with pytest.raises(PermissionError):
        db.workshop_runs(code, "wrong key")
    with pytest.raises(PermissionError):
        db.workshop_runs(code, "")
    assert not db.check_key("NOPE42", key)
    summary = store.board_summary(db.workshop_runs(code, key))["first_neuron"]
    assert summary["learners"] == 2 and summary[store.QUEUED] == 1 and summary[store.DONE] == 1
    db.set_status(queued, store.RUNNING)
    summary = store.board_summary(db.workshop_runs(code, key))["first_neuron"]
    assert summary[store.RUNNING] == 1 and [r.label for r in summary["leaders"]] == ["b"]


def test_a_run_keeps_when_it_joined_the_line_got_its_slot_and_ended(db):
    run = db.start_run("alice-123", "first_neuron", "a", {})
    time.sleep(0.05)
    db.set_status(run, store.RUNNING)
    db.finish_run(run, _record("a"))
    (kept,) = db.runs("alice-123", "first_neuron")
    assert kept.created < kept.started <= kept.ended and kept.waited >= 0.05
    left = db.start_run("alice-123", "first_neuron", "b", {})  # never got a slot
    db.finish_run(left, _record("b"))
    assert next(r for r in db.runs("alice-123", "first_neuron") if r.label == "b").waited is None


def test_thirty_concurrent_writers_lose_nothing(db):
    errors = []

    def learner(i):
        try:
            for j in range(5):
                db.save_run(f"learner-{i:03d}", "p", _record(f"{i}-{j}"))
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=learner, args=(i,)) for i in range(30)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    assert sum(len(db.runs(f"learner-{i:03d}")) for i in range(30)) == 150


def test_migration_from_an_older_schema_keeps_its_runs(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:  # what a version-1 app left behind
        conn.execute(sa.text("CREATE TABLE schema_version (version INTEGER NOT NULL)"))
        conn.execute(sa.text("INSERT INTO schema_version (version) VALUES (1)"))
        for statement in store.MIGRATIONS[0]:
            conn.execute(sa.text(statement.format(autoincrement="")))
        conn.execute(sa.text("INSERT INTO runs (learner, page, label, settings, history, reason, message, "
                             "epochs_run, created) VALUES ('old-learner', 'p', 'kept', '{}', '{}', 'finished', "
                             "'', 1, 1.0)"))
    engine.dispose()
    db = RunStore(url)
    assert db.version() == store.SCHEMA_VERSION
    kept = db.runs("old-learner")
    assert [r.label for r in kept] == ["kept"] and kept[0].status == store.DONE and kept[0].workshop is None
    RunStore(url)  # migrating again is a no-op
    assert db.version() == store.SCHEMA_VERSION


def test_empty_database_is_created_at_the_latest_version(db):
    assert db.version() == store.SCHEMA_VERSION


def test_predictions_are_kept_with_their_run_and_counted_for_the_board(db):
    code, key = db.create_workshop()
    right = db.save_run("alice-123", "first_neuron", _record("a"), workshop=code)
    wrong = db.save_run("bob-45678", "first_neuron", _record("b"), workshop=code)
    unsettled = db.save_run("carol-999", "first_neuron", _record("c"), workshop=code)
    db.save_run("dave-00000", "first_neuron", _record("d"), workshop=code)  # skipped the question
    db.set_guess(right, "Nearly all (over 90%)", True)
    db.set_guess(wrong, "Some (60–90%)", False)
    db.set_guess(unsettled, "Some (60–90%)", None)
    runs = {r.label: r for r in db.workshop_runs(code, key)}
    assert (runs["a"].guess, runs["a"].guessed_right) == ("Nearly all (over 90%)", True)
    assert runs["b"].guessed_right is False and runs["c"].guessed_right is None and runs["d"].guess is None
    summary = store.board_summary(runs.values())["first_neuron"]
    assert (summary["predicted_right"], summary["predictions"]) == (1, 2)  # only settled guesses count
