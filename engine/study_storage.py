"""Where a search's Optuna study lives, so that several processes (or machines) can share it.

``--storage WHERE`` names it. A plain file path is an Optuna journal file (``JournalStorage`` over a
``JournalFileBackend``): the choice for several processes on one machine, or over NFS. A
``postgresql://``, ``mysql://`` or ``sqlite:///`` URL is an Optuna RDB storage: PostgreSQL or MySQL
for several machines (Optuna itself advises against SQLite for parallel work). No storage: the study
lives in this process's memory, and a seeded search draws the same trials every time.

Optuna's storage is the only coordination: every worker joins the study by name
(``load_if_exists``), asks it for a trial, and tells it the outcome; the median pruner reads every
worker's reports from it; the leaderboard is read back from it. What this module adds:

- bad input as one line naming ``--storage`` or ``--study`` (a malformed URL, a server that does not
  answer, a file that is not a journal, a study that optimises the other way);
- a seed per worker: two workers with the search's own seed would draw the same trials;
- a heartbeat per running trial, so that the trial of a worker that was killed ends FAIL instead of
  RUNNING forever: Optuna's own for RDB storages (``heartbeat_interval``/``grace_period``, failed by
  ``fail_stale_trials``), and the same contract for the journal file
  (:mod:`nnplay.engine.study_journal`, which also survives a writer killed in the middle of a record).

Optuna (and SQLAlchemy) are imported inside the functions: the CLI's ``--help`` never pays for them.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sys
import threading
import time
import warnings
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from nnplay.engine.errors import NnplayError

HEARTBEAT_SECONDS = 10.0  # a running trial's sign of life; silent for GRACE_BEATS of them, it is failed
GRACE_BEATS = 3
CONNECT_SECONDS = 10  # a database server that does not answer in this long is reported unreachable
RDB_SCHEMES = ("postgresql", "mysql", "sqlite")


@dataclass(frozen=True)
class StudyOptions:
    """Where a search's study is shared: ``storage`` as ``--storage`` gives it, the study's ``name``, and
    ``worker``, this process's number among the workers ``--workers`` started (None: started alone)."""

    storage: str
    name: str
    worker: int | None = None
    heartbeat: float = HEARTBEAT_SECONDS


@dataclass(frozen=True)
class StudyPlace:
    """A parsed ``--storage``: ``where`` as given, its kind, and ``shown`` (safe to print: no password)."""

    where: str
    kind: Literal["journal", "rdb"]
    shown: str

    @property
    def path(self) -> Path:
        return Path(self.where)


def parse_storage(where: str) -> StudyPlace:
    """Classify ``--storage`` without touching it: a URL with a known scheme, or a journal file path."""
    if "://" not in where:
        if not where or "\0" in where:
            raise NnplayError(f"{where!r} is not a file name (a journal file such as search.journal)", field="--storage")
        return StudyPlace(where, "journal", where)
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    scheme = where.split("://", 1)[0]
    if scheme.split("+", 1)[0] not in RDB_SCHEMES:
        raise NnplayError(f"{scheme}:// is not a storage nnplay knows: use a journal file path, postgresql://, "
                          "mysql:// or sqlite:///", field="--storage")
    try:
        url = make_url(where)
    except (ArgumentError, ValueError) as error:
        raise NnplayError(f"{where!r} is not a database URL ({error})", field="--storage") from None
    return StudyPlace(where, "rdb", url.render_as_string(hide_password=True))


def open_storage(place: StudyPlace, heartbeat: float = HEARTBEAT_SECONDS) -> Any:
    """The Optuna storage at ``place``, with a heartbeat for running trials (one line on any failure)."""
    if place.kind == "journal":
        return _open_journal(place, heartbeat)
    return _open_rdb(place, heartbeat)


def _open_rdb(place: StudyPlace, heartbeat: float) -> Any:
    import optuna
    from sqlalchemy.exc import OperationalError, SQLAlchemyError

    kwargs: dict[str, Any] = {}
    if not place.where.startswith("sqlite"):
        kwargs["connect_args"] = {"connect_timeout": CONNECT_SECONDS}
    url = _with_driver(place.where)
    for attempt in range(3):  # processes that create the tables at once can collide (sqlite above all): retry
        try:
            with warnings.catch_warnings():  # the heartbeat arguments are "experimental" (since Optuna 2.9)
                warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
                return optuna.storages.RDBStorage(url, engine_kwargs=kwargs, heartbeat_interval=_whole(heartbeat),
                                                  grace_period=_whole(heartbeat * GRACE_BEATS))
        except ImportError as error:  # Optuna's, with the driver's ModuleNotFoundError as its cause
            missing = getattr(error.__cause__, "name", None) or "for this URL"
            hint = " (pip install 'nnplay[postgres]')" if place.where.startswith("postgresql") else ""
            raise NnplayError(f"{place.shown}: the database driver {missing} is not installed{hint}",
                              field="--storage") from None
        except SQLAlchemyError as error:  # a server that does not answer is reported at once; a collision retried
            if attempt == 2 or (isinstance(error, OperationalError) and not place.where.startswith("sqlite")):
                raise NnplayError(f"cannot open {place.shown}: {_first_line(error)}", field="--storage") from None
            time.sleep(0.2 * (attempt + 1))
    raise AssertionError("unreachable")


def _with_driver(url: str) -> str:
    """``postgresql://`` with the driver that is installed: SQLAlchemy 2.1 defaults to psycopg 3 (nnplay's
    ``postgres`` extra), 2.0 to psycopg2; a URL that names its driver (``postgresql+...``) is kept."""
    import importlib.util

    if url.startswith("postgresql://") and importlib.util.find_spec("psycopg") is not None:
        return "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def _whole(seconds: float) -> int:
    return max(1, round(seconds))


def _first_line(error: BaseException) -> str:
    text = str(getattr(error, "orig", None) or error).strip()
    return text.splitlines()[0] if text else type(error).__name__


# --------------------------------------------------------------------------------------------
# The journal file


def _open_journal(place: StudyPlace, heartbeat: float) -> Any:
    from nnplay.engine.study_journal import check_journal, open_journal

    path = place.path
    if path.is_dir():
        raise NnplayError(f"{path} is a folder; name a journal file in it, such as {path / 'search.journal'}",
                          field="--storage")
    if not path.parent.is_dir():
        raise NnplayError(f"{path}: the folder {path.parent} does not exist", field="--storage")
    check_journal(path)
    try:
        return open_journal(path, heartbeat)
    except (ValueError, UnicodeDecodeError, KeyError) as error:  # a record in the middle that does not read
        raise NnplayError(f"{path} is not a readable Optuna journal ({_first_line(error)})", field="--storage") from None


# --------------------------------------------------------------------------------------------
# The study


@dataclass(frozen=True)
class SearchIdentity:
    """What a study is a search of: its objective, direction, and space (each range as JSON text, since
    Optuna refuses a parameter drawn from two ranges). A worker that searches otherwise may not join."""

    objective: str
    direction: str
    space: tuple[tuple[str, str], ...]  # (name, its range as JSON text)

    def to_json(self) -> dict[str, Any]:
        return {"objective": self.objective, "direction": self.direction,
                "space": {name: json.loads(text) for name, text in self.space}}

    def differs(self, stored: Any) -> str | None:
        """How a study's stored identity differs from this one (None: the same search)."""
        mine = self.to_json()
        if not isinstance(stored, dict):
            return "made by something else"
        if stored.get("objective") != mine["objective"]:
            return f"searches {stored.get('objective')}"
        theirs = stored.get("space") if isinstance(stored.get("space"), dict) else {}
        for name in sorted(set(theirs) | set(mine["space"])):
            if theirs.get(name) != mine["space"].get(name):
                return f"searches {name} over {json.dumps(theirs.get(name))}" if name in theirs else f"has no {name}"
        return None


def join_study(storage: Any, name: str, identity: SearchIdentity, sampler: Any, pruner: Any) -> Any:
    """Create the study ``name`` or join it; one line naming ``--study`` when it searches otherwise."""
    import optuna

    try:
        try:  # an existing study is read, never written to first (a journal records every create, even a refused one)
            study = optuna.load_study(study_name=name, storage=storage, sampler=sampler, pruner=pruner)
        except KeyError:
            study = optuna.create_study(storage=storage, study_name=name, direction=identity.direction, sampler=sampler,
                                        pruner=pruner, load_if_exists=True)
        if study.direction.name.lower() != identity.direction:
            raise NnplayError(f"the study {name!r} in this storage was made to {study.direction.name.lower()}; "
                              f"this search would {identity.direction} {identity.objective}: pick another --study",
                              field="--study")
        stored = study.user_attrs.get("nnplay")
        if stored is None:
            study.set_user_attr("nnplay", identity.to_json())
        elif (difference := identity.differs(stored)) is not None:
            raise NnplayError(f"the study {name!r} {difference}, unlike this search: pick another --study", field="--study")
    except Exception as error:
        if not _is_database_error(error):
            raise
        raise NnplayError(f"the database refused the study: {_first_line(error)}", field="--storage") from None
    return study


def _is_database_error(error: Exception) -> bool:
    """SQLAlchemy's errors, without importing SQLAlchemy (half a second) for a journal file."""
    exc = sys.modules.get("sqlalchemy.exc")
    return exc is not None and isinstance(error, exc.SQLAlchemyError)


def worker_seed(seed: int, worker: int | None = None) -> int:
    """A seed of this worker's own, from the search's seed, this machine, this process and the time:
    two workers seeded alike would draw the same trials."""
    import numpy as np

    key = (zlib.crc32(socket.gethostname().encode()), os.getpid(), worker or 0, time.time_ns() & 0xFFFFFFFF)
    return int(np.random.SeedSequence(seed, spawn_key=key).generate_state(1)[0])


def worker_label(pid: int) -> str:
    """How a trial names the worker process that runs it (its ``worker`` user attribute)."""
    return f"{socket.gethostname()}:{pid}"


def fail_stale_trials(study: Any) -> None:
    """Mark FAIL every running trial whose worker stopped beating (killed, or its machine gone)."""
    import optuna

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        optuna.storages.fail_stale_trials(study)


class Heartbeat:
    """While a trial trains, record its heartbeat every interval (a thread; ``with Heartbeat(...)``)."""

    def __init__(self, study: Any, trial: Any) -> None:
        from optuna.storages._heartbeat import BaseHeartbeat, is_heartbeat_enabled

        storage = study._storage
        self.enabled = isinstance(storage, BaseHeartbeat) and is_heartbeat_enabled(storage)
        self.storage, self.trial_id = storage, trial._trial_id
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._beat, name="nnplay-heartbeat", daemon=True)

    def _beat(self) -> None:
        interval = self.storage.get_heartbeat_interval()
        while True:
            with contextlib.suppress(Exception):  # a storage hiccup must not end the trial; the next beat retries
                self.storage.record_heartbeat(self.trial_id)
            if self.stop.wait(interval):
                return

    def __enter__(self) -> Heartbeat:
        if self.enabled:
            self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.enabled:
            self.stop.set()
            self.thread.join()
