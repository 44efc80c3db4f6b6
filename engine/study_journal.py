"""An Optuna journal file that several worker processes share safely (imported only by a shared search).

Two additions to Optuna's ``JournalStorage`` over a ``JournalFileBackend``, through public hooks:

- **A heartbeat.** Optuna's RDB storage lets a running trial record a sign of life and fails the
  trials that fall silent (``fail_stale_trials``); its journal storage has no heartbeat, so the trial
  of a killed worker would stay RUNNING forever. :class:`HeartbeatJournal` implements the same
  ``BaseHeartbeat`` contract over the journal: the beat is a trial system attribute (one record per
  beat), and a running trial silent for ``GRACE_BEATS`` intervals is stale.
- **A writer killed mid-record.** Optuna appends each record with its newline, under the journal's
  lock; a writer killed in the middle leaves a tail with no newline, and the next record appended
  behind it makes a line that does not parse, after which Optuna refuses to read the journal.
  :class:`MendingLock` wraps the journal's own lock: once it is held, no writer is mid-record, so a
  tail without its newline is the remains of a dead one, and it is cut before the next record lands.
  Every complete record stays byte for byte.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from optuna.storages import JournalStorage
from optuna.storages._heartbeat import BaseHeartbeat
from optuna.storages.journal import JournalFileBackend, JournalFileSymlinkLock
from optuna.storages.journal._file import BaseJournalFileLock  # the lock's interface, not exported
from optuna.trial import TrialState

from nnplay.engine.errors import NnplayError
from nnplay.engine.study_storage import GRACE_BEATS

HEARTBEAT_ATTR = "nnplay:heartbeat"


def open_journal(path: Path, heartbeat: float) -> HeartbeatJournal:
    lock = MendingLock(JournalFileSymlinkLock(str(path)), path)
    return HeartbeatJournal(JournalFileBackend(str(path), lock_obj=lock), heartbeat)


def check_journal(path: Path) -> None:
    """Refuse a file that is not an Optuna journal before Optuna appends to it (an SQLite database, a
    text file): its first record must be a JSON object with an ``op_code``."""
    if not path.exists() or path.stat().st_size == 0:
        return
    with path.open("rb") as file:
        head = file.read(65536)
    if head.startswith(b"SQLite format 3\0"):
        raise NnplayError(f"{path} is an SQLite database, not a journal file: use sqlite:///{path}", field="--storage")
    first = head.split(b"\n", 1)[0]
    if b"\n" not in head and first.startswith(b'{"op_code"'):
        return  # the first record, cut short by a killed writer: the lock drops it before the next one
    try:
        record = json.loads(first)
    except (ValueError, UnicodeDecodeError):
        record = None
    if not isinstance(record, dict) or "op_code" not in record:
        raise NnplayError(f"{path} is not an Optuna journal file (its first line is no journal record)", field="--storage")


def mend_tail(path: Path) -> None:
    """Cut a record a killed writer left without its newline; every complete record stays as it was."""
    with path.open("r+b") as file:
        end = file.seek(0, os.SEEK_END)
        if end == 0:
            return
        file.seek(end - 1)
        if file.read(1) == b"\n":
            return
        keep, position, step = 0, end, 65536
        while position > 0:
            position = max(0, position - step)
            file.seek(position)
            newline = file.read(min(step, end - position)).rfind(b"\n")
            if newline >= 0:
                keep = position + newline + 1
                break
        file.truncate(keep)


class MendingLock(BaseJournalFileLock):
    """The journal's own lock; once held, a tail a killed writer left is cut (see the module's notes)."""

    def __init__(self, lock: BaseJournalFileLock, path: Path) -> None:
        self.lock, self.path = lock, path

    def acquire(self) -> bool:
        acquired = self.lock.acquire()
        if self.path.exists():
            mend_tail(self.path)
        return acquired

    def release(self) -> None:
        self.lock.release()


class HeartbeatJournal(JournalStorage, BaseHeartbeat):
    """A journal storage with the heartbeat contract of Optuna's RDB storage (see the module's notes)."""

    def __init__(self, backend: JournalFileBackend, interval: float) -> None:
        super().__init__(backend)
        self.interval = interval

    def record_heartbeat(self, trial_id: int) -> None:
        self.set_trial_system_attr(trial_id, HEARTBEAT_ATTR, time.time())

    def _get_stale_trial_ids(self, study_id: int) -> list[int]:
        now, grace = time.time(), self.interval * GRACE_BEATS
        stale = []
        for trial in self.get_all_trials(study_id, deepcopy=False, states=(TrialState.RUNNING,)):
            beat = trial.system_attrs.get(HEARTBEAT_ATTR)
            last = beat if isinstance(beat, (int, float)) else trial.datetime_start.timestamp()
            if now - last > grace:
                stale.append(trial._trial_id)
        return stale

    def get_heartbeat_interval(self) -> int:
        return max(1, round(self.interval))

    def get_heartbeat_stale_trial_callback(self) -> Any:
        return None
