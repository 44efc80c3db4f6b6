"""``nnplay search --workers N``: N local worker processes on one shared study.

Optuna's storage is the only coordination, as between machines: this process creates the study (or
joins it, checking it searches the same thing) before any worker starts, since workers that create a
study at once can collide (SQLite's tables, in particular), then starts N processes that each run the
same ``nnplay search`` on that study with ``--worker I``, and reads the study back while they work.
A worker that dies (killed, out of memory) leaves its running trial to be marked failed here at once,
or by any worker's heartbeat check (:mod:`nnplay.engine.study_storage`); the others carry on.
"""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
import tempfile
import threading
import time
from typing import IO, Any

from nnplay.engine.errors import NnplayError
from nnplay.engine.run import Prepared
from nnplay.engine.search import (
    SearchBegin,
    SearchEnd,
    SearchResult,
    SearchSink,
    SearchStudy,
    StudyProgress,
    import_optuna,
    rank,
)
from nnplay.engine.study_storage import StudyOptions, worker_label

WATCH_SECONDS = 0.5  # how often the study is read back while the workers run


def worker_command(preset_ref: str, study: StudyOptions, index: int, total: int, engine: str | None) -> list[str]:
    command = [sys.executable, "-m", "nnplay", "search", preset_ref, "--storage", study.storage, "--study", study.name,
               "--trials", str(total), "--worker", str(index), "--heartbeat", f"{study.heartbeat:g}", "--json"]
    return command + (["--engine", engine] if engine else [])  # the caller adds how runs are kept


def run_workers(
    preset_ref: str,
    prepared: Prepared,
    study: StudyOptions,
    workers: int,
    *,
    trials: int | None = None,
    engine: str | None = None,
    on_event: SearchSink | None = None,
    cancel: threading.Event | None = None,
    worker_flags: tuple[str, ...] = (),
) -> SearchResult:
    """Run ``workers`` processes of the search of ``preset_ref`` (as ``nnplay search`` names it) on
    ``study`` until the study holds ``trials`` trials; the result is the whole study's.
    ``worker_flags`` go on each worker's command line (where it keeps its trials)."""
    search = prepared.preset.search
    if search is None:
        raise NnplayError("this preset has no [search] table; see README.md for one", field="search")
    emit: SearchSink = on_event or (lambda _: None)
    cancel = cancel or threading.Event()
    total = trials if trials is not None else search.trials
    handle = SearchStudy(import_optuna(), search, study)  # made before the workers race to make it
    started = time.perf_counter()
    emit(SearchBegin(total, search.objective, search.direction, engine or prepared.preset.train.engine, handle.label))
    with contextlib.ExitStack() as stack:
        logs = [stack.enter_context(tempfile.TemporaryFile()) for _ in range(workers)]
        processes = [subprocess.Popen([*worker_command(preset_ref, study, i, total, engine), *worker_flags],
                                      stdin=subprocess.DEVNULL,
                                      stdout=subprocess.DEVNULL, stderr=log, start_new_session=True)
                     for i, log in enumerate(logs)]
        stack.callback(_stop_all, processes)
        told = False
        while any(p.poll() is None for p in processes):
            if cancel.is_set() and not told:  # Ctrl-C reached this process only: the workers stop after a batch
                told = True
                for process in processes:
                    if process.poll() is None:
                        process.send_signal(signal.SIGINT)
            time.sleep(WATCH_SECONDS)
            _fail_trials_of_dead(handle, processes)
            board, best = handle.board()
            emit(StudyProgress(best, tuple(rank(board, search.direction))))
        _fail_trials_of_dead(handle, processes)
        _raise_worker_error(processes, logs)
    board, best = handle.board()
    outcome = SearchResult(prepared.preset, engine or prepared.preset.train.engine, search.objective, search.direction,
                           tuple(board), best, cancel.is_set(), time.perf_counter() - started, study.name,
                           None if handle.place is None else handle.place.shown)
    emit(SearchEnd(outcome))
    return outcome


def _fail_trials_of_dead(handle: SearchStudy, processes: list[subprocess.Popen[bytes]]) -> None:
    """The running trials of a worker that died end FAIL now, without waiting for its heartbeat's grace."""
    dead = {worker_label(p.pid) for p in processes if p.returncode is not None and p.returncode < 0}
    if not dead:
        return
    optuna = handle.optuna
    for trial in handle.study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.RUNNING,)):
        if trial.user_attrs.get("worker") in dead:
            with contextlib.suppress(optuna.exceptions.UpdateFinishedTrialError):
                handle.study.tell(trial.number, state=optuna.trial.TrialState.FAIL)


def _raise_worker_error(processes: list[subprocess.Popen[bytes]], logs: list[IO[bytes]]) -> None:
    """A worker that refused its input (exit 2) or failed (1) raises its own error line here."""
    for index, (process, log) in enumerate(zip(processes, logs, strict=True)):
        if process.returncode in (0, 3) or process.returncode < 0:  # done, no trial completed, or killed
            continue
        log.seek(0)
        lines = log.read().decode(errors="replace").strip().splitlines()
        line = lines[-1] if lines else f"exit status {process.returncode}"
        where, _, what = line.removeprefix("nnplay: error: ").partition(": ")
        if what and where.startswith("-"):
            raise NnplayError(what, field=where)
        raise NnplayError(f"worker {index} failed: {line}", field="--workers")


def _stop_all(processes: list[subprocess.Popen[Any]]) -> None:
    """On the way out for any reason: no worker outlives this process."""
    for process in processes:
        if process.poll() is None:
            process.kill()
            process.wait()
