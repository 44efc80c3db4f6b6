"""The run store: every finished run kept in one SQLite file, for as long as the user keeps it.

One row per run: the preset as TOML, the engine, the seeds, the per-epoch history, the final figures
(those of :class:`~nnplay.engine.runs.RunRecord`), the stop reason, the best epoch, the seconds, the
start and end time, where its TensorBoard logs went, and the final weights as an ``.npz`` blob (no
TensorFlow in a NumPy run's process; ``nnplay runs export`` turns them into a Keras ``.h5``).

Several writers at once (the app, a ``nnplay train`` and search workers) are safe: the file is in
WAL mode, every write is one short ``BEGIN IMMEDIATE`` transaction that waits for the others
(``busy_timeout``, then a few retries), and a row is written whole, at the end of its run, so a
killed process leaves either the complete row or none.

The file says what it is: ``PRAGMA application_id`` marks it as nnplay's and ``PRAGMA user_version``
is its schema version. Opening an older file migrates it, one step per version (``MIGRATIONS``); a
file that is not SQLite, or SQLite that is not ours, or a newer nnplay's, is refused with one line
that names it, before anything is written to it.

The standard library only: no engine module is imported until a run is turned into a row.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nnplay.engine.errors import NnplayError, clip

APPLICATION_ID = 0x6E6E706C  # "nnpl": this SQLite file is nnplay's run store
ENV_VAR = "NNPLAY_RUNS_DB"
FILE_NAME = "runs.sqlite3"
BUSY_TIMEOUT_MS = 10_000
WRITE_TRIES = 5
_SQLITE_MAGIC = b"SQLite format 3\x00"

#: One list of statements per schema version: MIGRATIONS[n] takes a file from version n to n + 1.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (  # version 1: the run, its figures and its weights
        """CREATE TABLE runs (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            started TEXT NOT NULL,          -- ISO 8601, UTC
            ended TEXT NOT NULL,
            title TEXT NOT NULL,
            engine TEXT NOT NULL,
            preset_toml TEXT NOT NULL,      -- the preset that ran, the engine that ran it included
            seed INTEGER,                   -- train.seed
            data_seed INTEGER,              -- data.seed, where the data source has one
            status TEXT NOT NULL,           -- completed, early_stopped, cancelled, diverged
            message TEXT NOT NULL,          -- the stop reason in a sentence
            epochs INTEGER NOT NULL,
            best_epoch INTEGER,             -- 0-based epoch early stopping restored
            seconds REAL NOT NULL,
            history TEXT NOT NULL,          -- JSON: {"loss": [...], "val_loss": [...], ...}
            train_loss REAL, train_accuracy REAL, val_loss REAL, val_accuracy REAL,
            test_loss REAL, test_accuracy REAL,
            weights BLOB                    -- numpy .npz of the final weights, Keras order
        )""",
    ),
    (  # version 2: what started the run, and its TensorBoard folder
        "ALTER TABLE runs ADD COLUMN source TEXT NOT NULL DEFAULT 'train'",
        "ALTER TABLE runs ADD COLUMN logdir TEXT",
        "CREATE INDEX runs_started ON runs (started)",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)
FIGURES = ("train_loss", "train_accuracy", "val_loss", "val_accuracy", "test_loss", "test_accuracy")
_LIST_COLUMNS = ("id", "started", "ended", "title", "engine", "preset_toml", "seed", "data_seed", "status", "message",
                 "epochs", "best_epoch", "seconds", "history", *FIGURES, "source", "logdir")


class RunStoreError(NnplayError):
    """The run store cannot be used: a foreign, corrupt, newer or unwritable file."""


def default_path() -> Path:
    """``$NNPLAY_RUNS_DB``, else ``runs.sqlite3`` in the user's data folder (``XDG_DATA_HOME`` moves it)."""
    override = os.environ.get(ENV_VAR)
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("nnplay", appauthor=False)) / FILE_NAME


# --------------------------------------------------------------------------------------------
# Rows


@dataclass(frozen=True)
class RunRow:
    """One stored run as the file holds it (the weights are read only when asked for). A row about
    to be written has ``id`` 0; the store gives it its id."""

    id: int
    started: str  # ISO 8601, UTC
    ended: str
    title: str
    engine: str
    preset_toml: str
    seed: int | None
    data_seed: int | None
    status: str
    message: str
    epochs: int
    best_epoch: int | None
    seconds: float
    history: dict[str, list[float]]
    figures: dict[str, float | None]  # FIGURES: the final train / val / test loss and accuracy
    source: str
    logdir: str | None

    @classmethod
    def from_sql(cls, values: Sequence[Any]) -> RunRow:
        fields = dict(zip(_LIST_COLUMNS, values, strict=True))
        fields["history"] = json.loads(fields["history"])
        fields["figures"] = {name: fields.pop(name) for name in FIGURES}
        return cls(**fields)

    def to_sql(self) -> tuple[Any, ...]:
        """The values of ``_LIST_COLUMNS`` but the id."""
        fields = {**self.__dict__, **self.figures, "history": json.dumps(self.history)}
        return tuple(fields[name] for name in _LIST_COLUMNS[1:])


def utc_now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def local_time(iso: str) -> str:
    """A stored UTC time as local time, to the minute (``2026-12-03 18:04``)."""
    import datetime

    moment = datetime.datetime.strptime(iso, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.UTC)
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


# --------------------------------------------------------------------------------------------
# The file


class RunDB:
    """The run store at ``path``. Every method opens its own short-lived connection, so one
    ``RunDB`` serves any thread (the app's UI thread and its training workers)."""

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path).expanduser() if path is not None else default_path()
        self._ready = False

    @property
    def where(self) -> str:
        return clip(str(self.path), 160)

    def _fail(self, problem: str) -> RunStoreError:
        return RunStoreError(problem, field=self.where)

    # -- opening, checking, migrating

    def _check_header(self) -> bool:
        """Whether the file exists with content; raise if that content is not SQLite."""
        try:
            with open(self.path, "rb") as handle:
                head = handle.read(len(_SQLITE_MAGIC))
        except FileNotFoundError:
            return False
        except IsADirectoryError:
            raise self._fail("is a folder, not a runs database file") from None
        except OSError as exc:
            raise self._fail(f"cannot read: {exc.strerror or exc}") from None
        if not head:
            return False
        if head != _SQLITE_MAGIC:
            raise self._fail("is not an SQLite file, so not an nnplay runs database; left untouched "
                             "(move it away, or pass --runs-db another file)")
        return True

    def _connect(self) -> sqlite3.Connection:
        try:
            connection = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        except sqlite3.Error as exc:
            raise self._fail(f"cannot open: {exc}") from None
        connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        return connection

    def _identify(self, connection: sqlite3.Connection) -> int:
        """The file's schema version; raise unless it is nnplay's (or empty) and no newer than this nnplay."""
        try:
            application = connection.execute("PRAGMA application_id").fetchone()[0]
            version = connection.execute("PRAGMA user_version").fetchone()[0]
            tables = [r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        except sqlite3.DatabaseError as exc:
            raise self._fail(f"is not a readable SQLite database ({exc}); left untouched") from None
        if not tables and application == 0 and version == 0:
            return 0  # a new, empty file: ours to set up
        if application != APPLICATION_ID or "runs" not in tables:
            raise self._fail("is an SQLite database, but not nnplay's runs; left untouched "
                             "(pass --runs-db another file)")
        if version > SCHEMA_VERSION:
            raise self._fail(f"was written by a newer nnplay (schema {version}; this one knows up to "
                             f"{SCHEMA_VERSION}); upgrade nnplay to use it")
        return version

    def _migrate(self, connection: sqlite3.Connection) -> None:
        """Bring the file to ``SCHEMA_VERSION``, one version per step, in one transaction."""
        connection.execute("BEGIN IMMEDIATE")  # another process may be migrating: look again once we hold the lock
        try:
            version = self._identify(connection)
            if version == 0:
                connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            for statements in MIGRATIONS[version:]:
                for statement in statements:
                    connection.execute(statement)
            connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise

    def open(self) -> RunDB:
        """Check the file (creating it when missing) and migrate it; raise :class:`RunStoreError`
        with one line for a file that cannot be used. Cheap after the first call."""
        if self._ready:
            return self
        exists = self._check_header()
        if not exists:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise self._fail(f"cannot create its folder: {exc.strerror or exc}") from None
        try:
            with closing(self._connect()) as connection:
                if self._identify(connection) < SCHEMA_VERSION:
                    self._retry(lambda: self._migrate(connection))
                connection.execute("PRAGMA journal_mode = WAL")
        except sqlite3.Error as exc:
            raise self._fail(f"cannot set up: {exc}") from None
        self._ready = True
        return self

    def _retry(self, action: Any) -> Any:
        """``action()``, tried again while another writer holds the file past the busy timeout."""
        for attempt in range(WRITE_TRIES):
            try:
                return action()
            except sqlite3.OperationalError as exc:
                if ("locked" not in str(exc) and "busy" not in str(exc)) or attempt == WRITE_TRIES - 1:
                    raise
                time.sleep(0.05 * 2**attempt)
        return None

    @contextmanager
    def _session(self) -> Iterator[sqlite3.Connection]:
        self.open()
        try:
            with closing(self._connect()) as connection:
                yield connection
        except sqlite3.DatabaseError as exc:
            raise self._fail(f"{exc}") from None

    # -- writing

    def add(self, run: RunRow, weights: bytes | None) -> int:
        """Write one run (its ``id`` is ignored) and its weights, whole, in one transaction; returns its id."""
        columns = (*_LIST_COLUMNS[1:], "weights")
        values = (*run.to_sql(), weights)
        sql = f"INSERT INTO runs ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"

        with self._session() as connection:
            def write() -> int:
                connection.execute("BEGIN IMMEDIATE")
                try:
                    row_id = connection.execute(sql, values).lastrowid
                    connection.execute("COMMIT")
                except BaseException:
                    connection.execute("ROLLBACK")
                    raise
                return int(row_id or 0)

            return self._retry(write)

    def remove(self, ids: Sequence[int]) -> list[RunRow]:
        """Delete the runs ``ids`` (one transaction); returns the rows deleted. Unknown ids raise first."""
        rows = [self.get(run_id) for run_id in ids]
        with self._session() as connection:
            def delete() -> None:
                connection.execute("BEGIN IMMEDIATE")
                try:
                    connection.executemany("DELETE FROM runs WHERE id = ?", [(run_id,) for run_id in ids])
                    connection.execute("COMMIT")
                except BaseException:
                    connection.execute("ROLLBACK")
                    raise

            self._retry(delete)
        return rows

    # -- reading

    def list(self, limit: int | None = None) -> list[RunRow]:
        """The stored runs, oldest first (the last ``limit`` of them when given)."""
        if not self.path.exists():
            return []
        sql = f"SELECT {', '.join(_LIST_COLUMNS)} FROM runs ORDER BY id DESC"
        with self._session() as connection:
            rows = connection.execute(sql + (f" LIMIT {int(limit)}" if limit else "")).fetchall()
        return [RunRow.from_sql(row) for row in reversed(rows)]

    def _missing(self, run_id: int) -> NnplayError:
        return NnplayError(f"no run {run_id} in {self.where} (`nnplay runs` lists them)", field="ID")

    def get(self, run_id: int) -> RunRow:
        if not self.path.exists():  # reading never creates the file
            raise self._missing(run_id)
        with self._session() as connection:
            row = connection.execute(f"SELECT {', '.join(_LIST_COLUMNS)} FROM runs WHERE id = ?", (run_id,)).fetchone()
        if row is None:
            raise self._missing(run_id)
        return RunRow.from_sql(row)

    def weights(self, run_id: int) -> bytes | None:
        if not self.path.exists():
            raise self._missing(run_id)
        with self._session() as connection:
            row = connection.execute("SELECT weights FROM runs WHERE id = ?", (run_id,)).fetchone()
        if row is None:
            raise self._missing(run_id)
        return row[0]
