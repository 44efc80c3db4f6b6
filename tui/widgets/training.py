"""The Training panel (engine, optimizer, batches, epochs, split, seed) and the progress of a run."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, get_args

from pydantic import BaseModel
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Label, ProgressBar, Select, Static

from nnplay.engine.spec import ENGINES, OPTIMIZERS, Optimizer, TrainSpec
from nnplay.tui.messages import FieldEdited
from nnplay.tui.widgets.fields import Field, ProblemList, fields_for
from nnplay.tui.widgets.live import LiveView
from nnplay.tui.widgets.panel import DraftPanel

if TYPE_CHECKING:
    from nnplay.engine.pace import Pace
    from nnplay.engine.training import BatchEnd, EpochEnd, TrainBegin

OPTIMIZER_MODELS: dict[str, type[BaseModel]] = {
    get_args(model.model_fields["name"].annotation)[0]: model for model in get_args(get_args(Optimizer)[0])
}


class TrainingPanel(DraftPanel):
    def compose(self) -> ComposeResult:
        train = self.draft.get("train", {})
        optimizer = train.get("optimizer", {"name": "sgd"})
        yield Field("train.engine", "engine", "choice", train.get("engine", "numpy"), choices=ENGINES)
        with Horizontal(classes="field"):
            yield Label("optimizer", classes="field-label")
            yield Select([(o, o) for o in OPTIMIZERS], value=optimizer.get("name", "sgd"), allow_blank=False,
                         compact=True, id="optimizer", classes="field-control")
        yield from fields_for(OPTIMIZER_MODELS[optimizer.get("name", "sgd")], "train.optimizer", optimizer, skip=("name",))
        # devices: a machine setting, kept in the preset file (and --devices), not on this panel
        batch = fields_for(TrainSpec, "train", train, skip=("engine", "optimizer", "early_stopping", "devices"))
        for field in batch:
            if field.path == "train.batch_size":
                field.placeholder = 'rows, or "full"'
        yield from batch
        yield ProblemList("train", id="train-problems")

    @on(Select.Changed, "#optimizer")
    def _optimizer_chosen(self, event: Select.Changed) -> None:
        event.stop()
        old = self.draft.get("train.optimizer", {})
        if event.value == old.get("name"):
            return
        new = {"name": event.value}  # each optimizer starts from its own defaults (Keras's)
        self.post_message(FieldEdited("train.optimizer", new, structural=True))


def _clock(seconds: float) -> str:
    minutes, seconds = divmod(int(seconds), 60)
    return f"{minutes}:{seconds:02d}"


class TrainProgress(LiveView, Vertical):
    """A bar over every batch of the run, and a line with the epoch, batch, times and last losses.

    Batches and epochs move the bar and mark the line stale; the live-view clock writes the line (and
    keeps the elapsed time moving every ``CLOCK`` seconds while a run is under way). Given the run's
    :class:`~nnplay.engine.pace.Pace`, a paused run stops the clock: the elapsed time leaves out the
    pause and the ETA is hidden (``-paused``) until the run plays again."""

    FRAMES_PER_SECOND = 10.0
    CLOCK = 0.5

    def __init__(self, pace: Pace | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.pace = pace
        self._paused_at: float | None = None  # when the pause under way began
        self._prefix = ""  # the run's outcome once it ended, first on the line

    def compose(self) -> ComposeResult:
        yield ProgressBar(total=1, show_eta=True, id="progress-bar")
        yield Static("Press t to train.", id="progress-text", markup=False)  # it quotes the engine's reasons

    def on_mount(self) -> None:
        self._begin: TrainBegin | None = None
        self._started = 0.0
        self._epoch = 0
        self._step = 0
        self._logs: dict[str, float] = {}
        self._running = False
        self._written = 0.0
        self.start_live()

    def start(self, begin: TrainBegin) -> None:
        self._begin, self._started, self._running, self._paused_at = begin, time.monotonic(), True, None
        self._epoch, self._step, self._logs = 0, 0, {}
        bar = self.query_one(ProgressBar)
        bar.update(total=begin.epochs * max(begin.steps_per_epoch, 1), progress=0)
        self._write()

    def batch(self, batch: BatchEnd) -> None:
        if self._begin is None:
            return
        self._epoch, self._step = batch.epoch, batch.step
        self.query_one(ProgressBar).update(progress=batch.epoch * batch.steps + batch.step)
        self.mark_stale()

    def epoch(self, epoch: EpochEnd) -> None:
        if self._begin is None:
            return
        self._epoch, self._step, self._logs = epoch.epoch + 1, 0, dict(epoch.logs)
        self.query_one(ProgressBar).update(progress=(epoch.epoch + 1) * self._begin.steps_per_epoch)
        self.mark_stale()

    def finish(self, text: str) -> None:
        self._running = False
        self._follow_pause()  # a run stopped while paused is not paused any more
        self._stale = False  # the last batches are drawn here, with the run's outcome
        self._write(text)

    def preparing(self, text: str) -> None:
        self.query_one(ProgressBar).update(total=None, progress=0)
        self._write(text)

    def draw_if_due(self) -> None:
        # Keeps the elapsed time moving when batches are slow; otherwise batches redraw the line.
        self._follow_pause()
        if self._running and time.monotonic() - self._written > self.CLOCK:
            self.mark_stale()
        super().draw_if_due()

    def _follow_pause(self) -> None:
        paused = self._running and self.pace is not None and self.pace.state.paused
        now = time.monotonic()
        if paused and self._paused_at is None:
            self._paused_at = now
        elif not paused and self._paused_at is not None:
            self._started += now - self._paused_at  # the pause does not count as time spent training
            self._paused_at = None
        self.set_class(paused, "-paused")

    def _elapsed(self) -> float:
        return (self._paused_at or time.monotonic()) - self._started

    def draw(self) -> None:
        self._write()

    def on_resize(self) -> None:
        self._write(self._prefix)  # the parts that fit the new width

    def _write(self, prefix: str = "") -> None:
        self._written, self._prefix = time.monotonic(), prefix
        begin = self._begin
        if begin is None or not (self._running or prefix):
            self.query_one("#progress-text", Static).update(prefix or "Press t to train.", layout=False)
            return
        shown_epoch = min(self._epoch + (1 if self._step else 0), begin.epochs) or 1
        parts = [prefix] if prefix else []
        parts += [
            f"epoch {shown_epoch}/{begin.epochs}",
            f"batch {self._step}/{begin.steps_per_epoch}",
            f"elapsed {_clock(self._elapsed())}" + (" (paused)" if self._paused_at is not None else ""),
        ]
        parts += [f"{key} {value:.4g}" for key, value in self._logs.items() if "loss" in key]
        line = self.query_one("#progress-text", Static)
        # One line of fixed size: a repaint is enough, no layout pass over the whole screen. What does not
        # fit is left out whole, from the end, never cut inside a word.
        line.update(fit_parts(parts, line.content_size.width), layout=False)


def fit_parts(parts: list[str], width: int, separator: str = " · ") -> str:
    """``parts`` joined by ``separator``, leaving out whole parts from the end until it fits ``width``
    (all of them when the width is not known yet)."""
    shown = list(parts)
    while width > 0 and len(shown) > 1 and len(separator.join(shown)) > width:
        shown.pop()
    return separator.join(shown)
