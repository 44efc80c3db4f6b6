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
from collections.abc import Iterator, Mapping
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from nnplay.engine.callbacks import Callback, CallbackList
from nnplay.engine.run import Prepared, RunReport, run
from nnplay.engine.search import SearchResult, TrialBegin, TrialEnd, TrialEpoch, run_search
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


def train(prepared: Prepared, *, progress: bool) -> RunReport:
    """Run ``prepared`` under Ctrl-C, with a progress bar on stderr when ``progress``."""
    cancel = threading.Event()
    with ctrl_c_sets(cancel):
        if not progress:
            return run(prepared, cancel=cancel)
        with _bar("logs", eta=True, transient=False) as bar:
            return run(prepared, on_event=CallbackList([_TrainBar(bar, prepared.preset.train.epochs)]), cancel=cancel)


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


def search(prepared: Prepared, *, trials: int | None, engine: str | None, progress: bool) -> SearchResult:
    """Run the prepared preset's search under Ctrl-C, with bars for trials and epochs when ``progress``."""
    cancel = threading.Event()
    with ctrl_c_sets(cancel):
        if not progress:
            return run_search(prepared, trials=trials, engine=engine, cancel=cancel)
        spec = prepared.preset.search
        assert spec is not None
        with _bar("note", eta=False, transient=True) as bar:
            trials_task = bar.add_task("trials", total=trials or spec.trials, note="")
            epochs_task = bar.add_task("epochs", total=prepared.preset.train.epochs, note="")
            drawn = {"text": ""}

            def trial_begin(event: TrialBegin) -> None:
                drawn["text"] = "  ".join(f"{param_label(k)} {format_value(v)}" for k, v in event.params.items())
                bar.update(epochs_task, completed=0, description=f"trial {event.number}", note=drawn["text"])

            def trial_epoch(event: TrialEpoch) -> None:
                value = "" if event.value is None else f"  {param_label(spec.objective)} {event.value:.4f}"
                bar.update(epochs_task, completed=event.epoch + 1, total=event.epochs, note=drawn["text"] + value)

            def trial_end(event: TrialEnd) -> None:
                best = "" if event.best is None else f"best {event.best.value:.4f} (trial {event.best.number})"
                bar.update(trials_task, advance=1, note=best)

            handlers: dict[type, Any] = {TrialBegin: trial_begin, TrialEpoch: trial_epoch, TrialEnd: trial_end}
            return run_search(prepared, trials=trials, engine=engine, cancel=cancel,
                              on_event=lambda event: handlers.get(type(event), _ignore)(event))


def _ignore(_: object) -> None:
    pass
