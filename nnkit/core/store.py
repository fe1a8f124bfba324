"""Runs that last: a run store in a real database, and workshops for the class board.

Why: a learner's runs used to live only in their browser session, so a reload,
a dropped Wi-Fi connection or a server restart lost them, and an instructor
could not see the room. Runs are stored here by an anonymous learner id (no
accounts) and, in a workshop, tagged with its short code. The default is an
SQLite file in a writable data folder (embedded, zero set-up); any SQLAlchemy
URL works by setting `NNKIT_DB_URL` (PostgreSQL is tested).

The schema is created and migrated on start by a small versioned migration
(`MIGRATIONS`), so no manual step exists. Every statement is parameterised;
sizes are bounded (curves thinned to `MAX_CURVE_POINTS`, `MAX_RUNS_PER_LEARNER`
kept per learner, oldest pruned first). Models are never stored.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import os
import re
import secrets
import tempfile
import time
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

import sqlalchemy as sa

DB_URL_ENV = "NNKIT_DB_URL"
DATA_DIR_ENV = "NNKIT_DATA_DIR"
MAX_CURVE_POINTS = 500
MAX_RUNS_PER_LEARNER = 200
ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{6,40}$")
CODE_PATTERN = re.compile(r"^[A-Z0-9]{4,12}$")
QUEUED, RUNNING, DONE = "queued", "running", "done"

# Each migration moves the schema one version up; version 0 is an empty database.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (  # 1: runs by learner and page
        "CREATE TABLE runs (id INTEGER PRIMARY KEY {autoincrement}, learner VARCHAR(40) NOT NULL, "
        "page VARCHAR(60) NOT NULL, label VARCHAR(200) NOT NULL, settings TEXT NOT NULL, "
        "history TEXT NOT NULL, reason VARCHAR(40) NOT NULL, message TEXT NOT NULL, epochs_run INTEGER NOT NULL, "
        "seconds_per_epoch FLOAT, device VARCHAR(200), created FLOAT NOT NULL)",
        "CREATE INDEX runs_by_learner ON runs (learner, page, created)",
    ),
    (  # 2: workshops, live status, the outcome the board ranks by
        "CREATE TABLE workshops (code VARCHAR(12) PRIMARY KEY, key_hash VARCHAR(64) NOT NULL, "
        "preset TEXT NOT NULL, created FLOAT NOT NULL)",
        "ALTER TABLE runs ADD COLUMN workshop VARCHAR(12)",
        "ALTER TABLE runs ADD COLUMN status VARCHAR(10) NOT NULL DEFAULT 'done'",
        "ALTER TABLE runs ADD COLUMN metric_name VARCHAR(40)",
        "ALTER TABLE runs ADD COLUMN metric_value FLOAT",
        "ALTER TABLE runs ADD COLUMN verdict VARCHAR(40)",
        "CREATE INDEX runs_by_workshop ON runs (workshop, page, status)",
    ),
    (  # 3: the learner's prediction before Train, and whether the run proved it right
        "ALTER TABLE runs ADD COLUMN guess VARCHAR(200)",
        "ALTER TABLE runs ADD COLUMN guessed_right INTEGER",
    ),
    (  # 4: when a run got its training slot and when it ended ("created" is when it joined the line)
        "ALTER TABLE runs ADD COLUMN started FLOAT",
        "ALTER TABLE runs ADD COLUMN ended FLOAT",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)


def default_url() -> str:
    """NNKIT_DB_URL, else an SQLite file in NNKIT_DATA_DIR (default: the temp folder)."""
    if os.environ.get(DB_URL_ENV):
        return os.environ[DB_URL_ENV]
    folder = os.environ.get(DATA_DIR_ENV) or os.path.join(tempfile.gettempdir(), "nnkit-data")
    os.makedirs(folder, exist_ok=True)
    return f"sqlite:///{os.path.join(folder, 'runs.sqlite3')}"


def new_learner_id() -> str:
    """An anonymous, unguessable learner id (the only key to a learner's runs)."""
    return secrets.token_urlsafe(12)


def valid_id(text: str | None) -> bool:
    return bool(text) and bool(ID_PATTERN.match(text))


def _hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _thin(values: list[float], limit: int = MAX_CURVE_POINTS) -> list[float]:
    """At most `limit` points, evenly spaced, always keeping the last one."""
    if len(values) <= limit:
        return values
    step = len(values) / limit
    return [values[int(i * step)] for i in range(limit - 1)] + [values[-1]]


def _json(value: Any) -> str:
    # NaN and inf are not JSON: a diverged curve stores them as null.
    def clean(v):
        if isinstance(v, float) and not math.isfinite(v):
            return None
        if isinstance(v, dict):
            return {str(k): clean(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [clean(x) for x in v]
        if isinstance(v, (str, int, float, bool)) or v is None:
            return v
        return str(v)
    return json.dumps(clean(value), allow_nan=False)


@dataclass(frozen=True)
class StoredRun:
    """A run as the store keeps it (curves and settings, never the model)."""

    id: int
    learner: str
    page: str
    label: str
    settings: dict[str, Any]
    history: dict[str, list[float | None]]
    reason: str
    message: str
    epochs_run: int
    seconds_per_epoch: float | None
    device: str | None
    created: float
    workshop: str | None
    status: str
    metric_name: str | None
    metric_value: float | None
    verdict: str | None
    guess: str | None = None
    guessed_right: bool | None = None
    started: float | None = None   # got its training slot (None: never trained, e.g. left the line)
    ended: float | None = None

    @property
    def waited(self) -> float | None:
        """Seconds in the training line, from joining it to the run's turn."""
        return None if self.started is None else self.started - self.created


class RunStore:
    """The database behind learners' runs and workshops. Thread-safe (one engine, pooled)."""

    def __init__(self, url: str | None = None) -> None:
        self.url = url or default_url()
        options: dict[str, Any] = {"future": True}
        if self.url.startswith("sqlite"):
            options["connect_args"] = {"check_same_thread": False, "timeout": 30}
        self.engine = sa.create_engine(self.url, **options)
        if self.url.startswith("sqlite"):
            @sa.event.listens_for(self.engine, "connect")
            def _wal(connection, _record):  # readers never block the one writer
                connection.execute("PRAGMA journal_mode=WAL")
        self.migrate()

    # ---- schema ----------------------------------------------------------------

    def version(self) -> int:
        with self.engine.connect() as conn:
            if not sa.inspect(conn).has_table("schema_version"):
                return 0
            return int(conn.execute(sa.text("SELECT version FROM schema_version")).scalar_one())

    def migrate(self) -> None:
        """Bring the schema to SCHEMA_VERSION, one migration at a time, each in a transaction."""
        autoincrement = "" if self.engine.dialect.name == "sqlite" else "GENERATED BY DEFAULT AS IDENTITY"
        with self.engine.begin() as conn:
            if not sa.inspect(conn).has_table("schema_version"):
                conn.execute(sa.text("CREATE TABLE schema_version (version INTEGER NOT NULL)"))
                conn.execute(sa.text("INSERT INTO schema_version (version) VALUES (0)"))
        for target in range(self.version() + 1, SCHEMA_VERSION + 1):
            with self.engine.begin() as conn:
                for statement in MIGRATIONS[target - 1]:
                    conn.execute(sa.text(statement.format(autoincrement=autoincrement)))
                conn.execute(sa.text("UPDATE schema_version SET version = :v"), {"v": target})

    # ---- runs ------------------------------------------------------------------

    def start_run(self, learner: str, page: str, label: str, settings: Mapping[str, Any],
                  workshop: str | None = None, status: str = QUEUED) -> int:
        """A row for a run that is waiting or training, so the board can count it live."""
        with self.engine.begin() as conn:
            row = conn.execute(sa.text(
                "INSERT INTO runs (learner, page, label, settings, history, reason, message, epochs_run, "
                "created, workshop, status) VALUES (:learner, :page, :label, :settings, '{}', '', '', 0, "
                ":created, :workshop, :status) RETURNING id"),
                {"learner": learner, "page": page, "label": label[:200], "settings": _json(dict(settings)),
                 "created": time.time(), "workshop": workshop, "status": status})
            return int(row.scalar_one())

    def set_status(self, run_id: int, status: str) -> None:
        """Move a started run along; RUNNING also records when it got its training slot."""
        started = "started = :now, " if status == RUNNING else ""
        with self.engine.begin() as conn:
            conn.execute(sa.text(f"UPDATE runs SET {started}status = :s WHERE id = :id"),
                         {"s": status, "id": run_id, "now": time.time()})

    def finish_run(self, run_id: int, record: Any, metric_name: str | None = None,
                   metric_value: float | None = None, verdict: str | None = None) -> None:
        """Fill in a started run with its outcome (a RunRecord or anything shaped like one)."""
        history = {k: _thin([float(v) for v in vs]) for k, vs in record.history.items()}
        if metric_value is not None and not math.isfinite(metric_value):
            metric_value = None
        with self.engine.begin() as conn:
            conn.execute(sa.text(
                "UPDATE runs SET label = :label, settings = :settings, history = :history, reason = :reason, "
                "message = :message, epochs_run = :epochs, seconds_per_epoch = :spe, device = :device, "
                "status = 'done', metric_name = :mn, metric_value = :mv, verdict = :verdict, ended = :ended "
                "WHERE id = :id"),
                {"label": record.label[:200], "settings": _json(record.settings), "history": _json(history),
                 "reason": record.reason, "message": record.message, "epochs": record.epochs_run,
                 "spe": record.seconds_per_epoch, "device": record.device, "mn": metric_name,
                 "mv": metric_value, "verdict": verdict, "ended": time.time(), "id": run_id})
            learner = conn.execute(sa.text("SELECT learner FROM runs WHERE id = :id"), {"id": run_id}).scalar()
            if learner is not None:
                self._prune(conn, learner)

    def set_guess(self, run_id: int, guess: str, right: bool | None) -> None:
        """Record a learner's prediction and, once the run settled it, whether it was right."""
        with self.engine.begin() as conn:
            conn.execute(sa.text("UPDATE runs SET guess = :g, guessed_right = :r WHERE id = :id"),
                         {"g": guess[:200], "r": None if right is None else int(right), "id": run_id})

    def save_run(self, learner: str, page: str, record: Any, workshop: str | None = None, **outcome) -> int:
        run_id = self.start_run(learner, page, record.label, record.settings, workshop, RUNNING)
        self.finish_run(run_id, record, **outcome)
        return run_id

    def _prune(self, conn, learner: str) -> None:
        conn.execute(sa.text(
            "DELETE FROM runs WHERE learner = :learner AND status = 'done' AND id NOT IN "
            "(SELECT id FROM (SELECT id FROM runs WHERE learner = :learner ORDER BY created DESC, id DESC "
            "LIMIT :keep) AS newest)"), {"learner": learner, "keep": MAX_RUNS_PER_LEARNER})

    def runs(self, learner: str, page: str | None = None) -> list[StoredRun]:
        """One learner's finished runs (on one page, or all), oldest first."""
        query = "SELECT * FROM runs WHERE learner = :learner AND status = 'done'"
        params: dict[str, Any] = {"learner": learner}
        if page is not None:
            query += " AND page = :page"
            params["page"] = page
        return self._select(query + " ORDER BY created, id", params)

    def forget(self, learner: str) -> None:
        """Delete a learner's runs ("clear my runs")."""
        with self.engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM runs WHERE learner = :learner"), {"learner": learner})

    def _select(self, query: str, params: Mapping[str, Any]) -> list[StoredRun]:
        with self.engine.connect() as conn:
            rows = conn.execute(sa.text(query), dict(params)).mappings().all()
        return [StoredRun(r["id"], r["learner"], r["page"], r["label"], json.loads(r["settings"]),
                          json.loads(r["history"]), r["reason"], r["message"], r["epochs_run"],
                          r["seconds_per_epoch"], r["device"], r["created"], r["workshop"], r["status"],
                          r["metric_name"], r["metric_value"], r["verdict"], r["guess"],
                          None if r["guessed_right"] is None else bool(r["guessed_right"]),
                          r["started"], r["ended"]) for r in rows]

    # ---- workshops -------------------------------------------------------------

    def create_workshop(self, preset: str = "") -> tuple[str, str]:
        """A new workshop: (short code for learners' links, secret key for the instructor)."""
        key = secrets.token_urlsafe(16)
        for _ in range(10):
            code = "".join(secrets.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(6))
            try:
                with self.engine.begin() as conn:
                    conn.execute(sa.text("INSERT INTO workshops (code, key_hash, preset, created) "
                                         "VALUES (:code, :hash, :preset, :created)"),
                                 {"code": code, "hash": _hash_key(key), "preset": preset[:2000],
                                  "created": time.time()})
                return code, key
            except sa.exc.IntegrityError:
                continue
        raise RuntimeError("could not find a free workshop code")

    def workshop_exists(self, code: str | None) -> bool:
        if not code or not CODE_PATTERN.match(code):
            return False
        with self.engine.connect() as conn:
            return conn.execute(sa.text("SELECT 1 FROM workshops WHERE code = :code"), {"code": code}).first() is not None

    def preset(self, code: str) -> str:
        with self.engine.connect() as conn:
            return conn.execute(sa.text("SELECT preset FROM workshops WHERE code = :code"),
                                {"code": code}).scalar() or ""

    def check_key(self, code: str | None, key: str | None) -> bool:
        """True only for the workshop's own instructor key (constant-time compare)."""
        if not code or not key or not CODE_PATTERN.match(code):
            return False
        with self.engine.connect() as conn:
            stored = conn.execute(sa.text("SELECT key_hash FROM workshops WHERE code = :code"),
                                  {"code": code}).scalar()
        return stored is not None and hmac.compare_digest(stored, _hash_key(key))

    def workshop_runs(self, code: str, key: str) -> list[StoredRun]:
        """Every run tagged with the workshop (the board's data); PermissionError without its key."""
        if not self.check_key(code, key):
            raise PermissionError("This needs the workshop's instructor key.")
        return self._select("SELECT * FROM runs WHERE workshop = :code ORDER BY created, id", {"code": code})


def board_summary(runs: Iterable[StoredRun]) -> dict[str, dict[str, Any]]:
    """Per page: learners active, runs done / running / queued, the leaderboard rows,
    and how many settled predictions there were and how many were right."""
    pages: dict[str, dict[str, Any]] = {}
    for run in runs:
        page = pages.setdefault(run.page, {"learners": set(), DONE: 0, RUNNING: 0, QUEUED: 0, "leaders": [],
                                           "predictions": 0, "predicted_right": 0})
        page["learners"].add(run.learner)
        if run.guessed_right is not None:
            page["predictions"] += 1
            page["predicted_right"] += run.guessed_right
        page[run.status if run.status in (DONE, RUNNING, QUEUED) else DONE] += 1
        if run.status == DONE and run.metric_value is not None:
            page["leaders"].append(run)
    for page in pages.values():
        page["learners"] = len(page["learners"])
        # Higher is better for accuracy-like metrics, lower for losses.
        lower_better = all("loss" in (r.metric_name or "") or "error" in (r.metric_name or "")
                           for r in page["leaders"])
        page["leaders"].sort(key=lambda r: r.metric_value if lower_better else -r.metric_value)
    return pages
