"""Carries the engine's training events from the worker thread to the UI as Textual messages.

The relay is a :class:`~nnplay.engine.callbacks.Callback`: the session calls its hooks on the training
thread (``on_run_begin`` with the run's starting weights, then Keras's ``on_epoch_end`` and the rest).

A small net trains thousands of batches a second; posting each one would flood the app's queue
and slow the run. The relay posts at most one batch and one bundle of finished epochs every
``interval`` seconds, five times a second by default (every screen update repaints the chart's
region too, and the UI thread shares the interpreter with the training thread). The start and the
end always go out at once, so the UI sees every epoch of the history but only as many batch
updates as it can draw.

Given the trainer's ``weights`` callable, the relay also posts a copy of the weights (for the views
that draw the network) up to ``weights_rate`` times a second. It reads them on the training thread,
between batches, so the UI never calls into Keras; copying a large model's weights is kept under
``WEIGHTS_SHARE`` of the run's time by waiting longer between copies.

A failure is not relayed: the worker raises it, and the app's one ``Worker.StateChanged`` handler
reports it.

Steps (``StepTaken``, sent only when the run was asked to watch them) are bundled like epochs: the
loss surface draws every one of them. When the run waits on its pace the relay is told
(:meth:`hold`): a paused run posts at once what it holds back, so the screen shows the very batch
the run stopped after; a run slowed to a set speed posts at most ``FRAMES_PER_SECOND`` times a
second, so a slow run moves smoothly rather than five times a second.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
from textual.message import Message

from nnplay.engine.callbacks import Callback
from nnplay.engine.spec import ModelSpec
from nnplay.engine.training import BatchEnd, EpochEnd, FitResult, StepTaken, TrainBegin
from nnplay.tui.messages import BatchProgress, EpochsEnded, RunStarted, StepsTaken, TrainingBegan, WeightsChanged

if TYPE_CHECKING:
    from nnplay.engine.session import RunStart

FRAMES_PER_SECOND = 30
WEIGHTS_SHARE = 0.02  # the most of the run's time that copying weights for the views may take


class EventRelay(Callback):
    """``surface`` and ``steps`` travel with the run's announcement (:class:`RunStarted`): the loss
    surface the app built for the run, and whether the run reports its steps."""

    def __init__(
        self,
        post: Callable[[Message], object],
        interval: float = 0.2,
        *,
        weights: Callable[[], list[np.ndarray]] | None = None,
        model: ModelSpec | None = None,
        weights_rate: float = 10.0,
        surface: Any = None,
        steps: bool = False,
    ) -> None:
        self.post = post
        self.interval = interval
        self._last = 0.0
        self._batch: BatchEnd | None = None
        self._epochs: list[EpochEnd] = []
        self._steps: list[StepTaken] = []
        self.weights = weights
        self.model = model
        self.weights_interval = 1.0 / weights_rate
        self._next_weights = 0.0
        self._epoch = 0  # 1-based epoch of the latest event
        self._running_epoch = 0  # 0-based epoch under way
        self.surface, self.steps = surface, steps
        self.run: RunStart | None = None

    # -- the hooks (on the training thread) ----------------------------------------------------

    def on_run_begin(self, run: RunStart) -> None:
        self.run = run
        self.weights, self.model = run.trainer.get_weights, run.preset.model
        self.post(RunStarted(run, self.surface, self.steps))

    def on_train_begin(self, params: TrainBegin) -> None:
        self.post(TrainingBegan(params))

    def on_step(self, step: StepTaken) -> None:
        self._steps.append(step)  # its batch end follows at once

    def on_train_batch_end(self, batch: int, logs: Mapping[str, float]) -> None:
        steps = self.params.steps_per_epoch if self.params is not None else batch + 1
        epoch = self._running_epoch
        self._batch, self._epoch = BatchEnd(epoch, batch + 1, steps, logs["loss"]), epoch + 1
        self._tick()

    def on_epoch_begin(self, epoch: int) -> None:
        self._running_epoch = epoch

    def on_epoch_end(self, epoch: int, logs: Mapping[str, float]) -> None:
        epochs = self.params.epochs if self.params is not None else epoch + 1
        self._epochs.append(EpochEnd(epoch, epochs, logs))
        self._epoch = epoch + 1
        self._tick()

    def on_train_end(self, result: FitResult) -> None:
        self.flush()

    def on_train_failed(self, message: str) -> None:
        self.flush()

    def _tick(self) -> None:
        now = time.monotonic()
        if now - self._last >= self.interval:
            self._last = now
            self.flush()
        if self.weights is not None and now >= self._next_weights:
            self.send_weights()

    # -- posting -----------------------------------------------------------------------------

    def send_weights(self, final: bool = False) -> None:
        """Post a copy of the current weights now (``final``: the run's last ones)."""
        if self.weights is None or self.model is None:
            return
        started = time.monotonic()
        weights = list(self.weights())  # a trainer's get_weights returns new arrays
        cost = time.monotonic() - started
        self._next_weights = started + max(self.weights_interval, cost / WEIGHTS_SHARE)
        self.post(WeightsChanged(self.model, weights, final, self._epoch))

    def hold(self, paused: bool) -> None:
        """The run waits: for a person (``paused``) or for the pace's clock."""
        now = time.monotonic()
        if paused or now - self._last >= 1 / FRAMES_PER_SECOND:
            self._last = now
            self.flush()
        if paused:
            self.send_weights()  # the views that draw the network show the paused step too

    def flush(self) -> None:
        if self._steps:
            self.post(StepsTaken(tuple(self._steps)))
            self._steps = []
        if self._epochs:
            self.post(EpochsEnded(tuple(self._epochs)))
            self._epochs = []
        if self._batch is not None:
            self.post(BatchProgress(self._batch))
            self._batch = None
