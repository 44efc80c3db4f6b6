"""Trials per minute of a search shared by 1, 2 and 4 worker processes on one journal file (preset 14,
NumPy engine), measured side by side in one run, with the same search in one process (in memory, and
on a journal file) as the baseline. Twice: without pruning (every trial trains its 40 epochs and
writes a handful of records), and with the preset's median pruning (each epoch's value is a record
the other workers' pruners read; the journal syncs every record to disk).

Two rates per row: *overall* counts from the command's start to its end (the workers' start-up
included: each is a fresh Python that imports NumPy, Optuna and nnplay and loads the data), *working*
from the first trial's start to the last trial's end as the study recorded them. On a machine with
C cores, N workers can at best reach min(N, C) times one worker's working rate.

Run: ``python -m benchmarks search_workers``.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from nnplay.engine.presets import load_preset, save_preset
from nnplay.engine.run import prepare
from nnplay.engine.search import SearchResult, run_search
from nnplay.engine.search_workers import run_workers
from nnplay.engine.study_storage import StudyOptions, open_storage, parse_storage

PRESET = "14-moons-search"
TRIALS = 24
WORKERS = (1, 2, 4)


def _working_seconds(journal: str) -> float:
    import optuna

    trials = optuna.load_study(study_name="bench", storage=open_storage(parse_storage(journal))).get_trials()
    start = min(t.datetime_start for t in trials)
    end = max(t.datetime_complete for t in trials)
    return (end - start).total_seconds()


def _row(name: str, result: SearchResult, seconds: float, working: float | None) -> str:
    states = {status: sum(t.status == status for t in result.trials) for status in ("complete", "failed")}
    rate = len(result.trials) / seconds * 60
    work = "-" if working is None else f"{len(result.trials) / working * 60:,.0f}"
    return (f"| {name} | {len(result.trials)} | {states['complete']} | {seconds:.2f} | {rate:,.0f} | {work} |")


def main() -> None:
    print(f"{TRIALS} trials of preset {PRESET}, NumPy engine; {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f} at the start\n")
    print("| search | trials | complete | seconds | trials / minute, overall | trials / minute, working |")
    print("|---|---:|---:|---:|---:|---:|")
    shipped = load_preset(PRESET)
    for label, preset in (("no pruning", shipped.with_changes("search.pruning", None)), ("pruning", shipped)):
        prepared = prepare(preset)
        started = time.perf_counter()
        memory = run_search(prepared, trials=TRIALS)
        print(_row(f"{label}: one process, in memory", memory, time.perf_counter() - started, None))
        with tempfile.TemporaryDirectory() as folder:
            own = save_preset(preset, Path(folder) / "preset.toml")  # what the worker processes load
            journal = str(Path(folder) / "alone.journal")
            started = time.perf_counter()
            alone = run_search(prepared, trials=TRIALS, study=StudyOptions(journal, "bench"))
            print(_row(f"{label}: one process, journal file", alone, time.perf_counter() - started,
                       _working_seconds(journal)))
            for workers in WORKERS:
                journal = str(Path(folder) / f"workers-{workers}.journal")
                started = time.perf_counter()
                shared = run_workers(str(own), prepared, StudyOptions(journal, "bench"), workers, trials=TRIALS)
                seconds = time.perf_counter() - started
                print(_row(f"{label}: --workers {workers}, one journal file", shared, seconds, _working_seconds(journal)))


if __name__ == "__main__":
    main()
