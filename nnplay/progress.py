"""Headless runs and searches with Ctrl-C and a progress bar on stderr (stdout stays for the result).

The first Ctrl-C stops a run or a search after the current batch, keeping what it did; a second
one stops at once. A command imports this module when it runs, never at start-up: it loads the
engine and rich.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from nnplay.engine.callbacks import Callback, SearchCallback, SearchCallbackList
from nnplay.engine.run import Prepared, RunReport
from nnplay.engine.search import (
    SearchBegin,
    SearchResult,
    StudyProgress,
    TrialBegin,
    TrialEnd,
    TrialEpoch,
    TrialResult,
    run_search,
)
from nnplay.engine.session import Session
from nnplay.engine.training import TrainBegin
from nnplay.report_text import figures_line
from nnplay.tui.render_search import format_value, param_label


@contextlib.contextmanager
def ctrl_c_sets(cancel: threading.Event) -> Iterator[None]:
    """First Ctrl-C: set ``cancel`` (stop after the current batch). A second one: stop now."""

    def on_sigint(*_: Any) -> None:
        if cancel.is_set():
            raise KeyboardInterrupt
        cancel.set()
        print("\nnnplay: stopping after this batch (Ctrl-C again to abort)", file=sys.stderr)

    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _bar(field: str, *, eta: bool, transient: bool) -> Progress:
    """Bars with a description, a count, the task's ``field`` beside them and the time taken."""
    columns = [TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn(f"{{task.fields[{field}]}}"), TimeElapsedColumn()]
    if eta:
        columns.append(TimeRemainingColumn())
    return Progress(*columns, console=Console(stderr=True), transient=transient)


def train(session: Session, prepared: Prepared, *, progress: bool) -> RunReport:
    """Train ``prepared`` (made by ``session.prepare``, so a bad input fails before any bar is drawn)
    through the session, under Ctrl-C, with a progress bar on stderr when ``progress``. The session
    keeps the run (``--no-record`` aside)."""
    cancel = threading.Event()
    with ctrl_c_sets(cancel):
        if not progress:
            report = session.run(prepared=prepared, cancel=cancel)
        else:
            with _bar("logs", eta=True, transient=False) as bar:
                report = session.run(prepared=prepared, callbacks=[_TrainBar(bar, prepared.preset.train.epochs)],
                                     cancel=cancel)
    if session.kept_problem is not None:
        print(f"nnplay: warning: {session.kept_problem}", file=sys.stderr)
    return report


class _TrainBar(Callback):
    """Batches done over the whole run; the last epoch's logs beside the bar."""

    def __init__(self, bar: Progress, epochs: int) -> None:
        self.bar, self.steps, self.epoch_start = bar, 1, 0
        self.task = bar.add_task("epoch", total=epochs, logs="")

    def on_train_begin(self, params: TrainBegin) -> None:
        self.steps = params.steps_per_epoch
        self.bar.update(self.task, total=params.epochs * params.steps_per_epoch)

    def on_epoch_begin(self, epoch: int) -> None:
        self.epoch_start = epoch * self.steps
        self.bar.update(self.task, description=f"epoch {epoch + 1}")

    def on_train_batch_end(self, batch: int, logs: Mapping[str, float]) -> None:
        self.bar.update(self.task, completed=self.epoch_start + batch + 1)

    def on_epoch_end(self, epoch: int, logs: Mapping[str, float]) -> None:
        self.bar.update(self.task, completed=(epoch + 1) * self.steps, logs=figures_line(logs))


def search(prepared: Prepared, *, trials: int | None, engine: str | None, progress: bool,
           run: Callable[..., SearchResult] = run_search) -> SearchResult:
    """Run the prepared preset's search under Ctrl-C, with bars for trials and epochs when ``progress``.
    ``run`` is the search itself: :func:`run_search` (one process, in memory or on a shared study) or
    a function that starts workers on a shared study."""
    cancel = threading.Event()
    with ctrl_c_sets(cancel):
        if not progress:
            return run(prepared, trials=trials, engine=engine, cancel=cancel)
        bars = _SearchBars(prepared, trials)
        try:
            return run(prepared, trials=trials, engine=engine, cancel=cancel, on_event=SearchCallbackList([bars]))
        finally:
            if bars.bar.live.is_started:  # stopping one never started still prints a blank line
                bars.bar.stop()


class _SearchBars(SearchCallback):
    """The trials done (every worker's, in a shared study) and the epochs of the trial under way.
    Shown from the search's start on: a storage that cannot be opened is one error line, no bar."""

    def __init__(self, prepared: Prepared, trials: int | None) -> None:
        spec = prepared.preset.search
        assert spec is not None
        self.objective = spec.objective
        self.bar = _bar("note", eta=False, transient=True)
        self.trials = self.bar.add_task("trials", total=trials or spec.trials, note="")
        self.epochs = self.bar.add_task("epochs", total=prepared.preset.train.epochs, note="")
        self.drawn = ""

    def on_search_begin(self, begin: SearchBegin) -> None:
        self.bar.update(self.trials, total=begin.trials, note=begin.study)
        self.bar.start()

    def on_trial_begin(self, trial: TrialBegin) -> None:
        self.drawn = "  ".join(f"{param_label(k)} {format_value(v)}" for k, v in trial.params.items())
        self.bar.update(self.epochs, completed=0, description=f"trial {trial.number}", note=self.drawn)

    def on_trial_epoch(self, epoch: TrialEpoch) -> None:
        value = "" if epoch.value is None else f"  {param_label(self.objective)} {epoch.value:.4f}"
        self.bar.update(self.epochs, completed=epoch.epoch + 1, total=epoch.epochs, note=self.drawn + value)

    def on_trial_end(self, end: TrialEnd) -> None:
        self._count(end.best, end.leaderboard)

    def on_study_progress(self, progress: StudyProgress) -> None:
        self._count(progress.best, progress.leaderboard)

    def _count(self, best: TrialResult | None, leaderboard: tuple[TrialResult, ...]) -> None:
        note = "" if best is None else f"best {best.value:.4f} (trial {best.number})"
        done = sum(trial.status != "running" for trial in leaderboard)  # a shared study: every worker's
        self.bar.update(self.trials, completed=done, note=note)
