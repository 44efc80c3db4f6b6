"""Carries the engine's training events from the worker thread to the UI as Textual messages.

A small net trains thousands of batches a second; posting each one would flood the app's queue
and slow the run. The relay posts at most one batch and one bundle of finished epochs every
``interval`` seconds, five times a second by default (every screen update repaints the chart's
region too, and the UI thread shares the interpreter with the training thread). The start and the
end always go out at once, so the UI sees every epoch of the history but only as many batch
updates as it can draw. A failure is not relayed: the worker raises it, and the app's one
``Worker.StateChanged`` handler reports it.

Steps (``StepTaken``, sent only when the run was asked to watch them) are bundled like epochs: the
loss surface draws every one of them. When the run waits on its pace the relay is told
(:meth:`hold`): a paused run posts at once what it holds back, so the screen shows the very batch
the run stopped after; a run slowed to a set speed posts at most ``FRAMES_PER_SECOND`` times a second,
so a slow run moves smoothly rather than five times a second.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from textual.message import Message

from nnplay.engine.training import BatchEnd, EpochEnd, Event, StepTaken, TrainBegin, TrainEnd, TrainFailed
from nnplay.tui.messages import BatchProgress, EpochsEnded, StepsTaken, TrainingBegan

FRAMES_PER_SECOND = 30


class EventRelay:
    def __init__(self, post: Callable[[Message], object], interval: float = 0.2) -> None:
        self.post = post
        self.interval = interval
        self._last = 0.0
        self._batch: BatchEnd | None = None
        self._epochs: list[EpochEnd] = []
        self._steps: list[StepTaken] = []
        self.posted = 0

    def __call__(self, event: Event) -> None:
        if isinstance(event, StepTaken):
            self._steps.append(event)
            return  # its BatchEnd follows at once
        if isinstance(event, BatchEnd):
            self._batch = event
        elif isinstance(event, EpochEnd):
            self._epochs.append(event)
        elif isinstance(event, TrainBegin):
            self._send(TrainingBegan(event))
            return
        elif isinstance(event, (TrainEnd, TrainFailed)):
            self.flush()
            return
        now = time.monotonic()
        if now - self._last >= self.interval:
            self._last = now
            self.flush()

    def hold(self, paused: bool) -> None:
        """The run waits: for a person (``paused``) or for the pace's clock."""
        now = time.monotonic()
        if paused or now - self._last >= 1 / FRAMES_PER_SECOND:
            self._last = now
            self.flush()

    def flush(self) -> None:
        if self._steps:
            self._send(StepsTaken(tuple(self._steps)))
            self._steps = []
        if self._epochs:
            self._send(EpochsEnded(tuple(self._epochs)))
            self._epochs = []
        if self._batch is not None:
            self._send(BatchProgress(self._batch))
            self._batch = None

    def _send(self, message: Message) -> None:
        self.posted += 1
        self.post(message)
