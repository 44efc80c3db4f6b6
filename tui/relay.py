"""Carries the engine's training events from the worker thread to the UI as Textual messages.

A small net trains thousands of batches a second; posting each one would flood the app's queue
and slow the run. The relay posts at most one batch and one bundle of finished epochs every
``interval`` seconds, five times a second by default (every screen update repaints the chart's
region too, and the UI thread shares the interpreter with the training thread). The start and the
end always go out at once, so the UI sees every epoch of the history but only as many batch
updates as it can draw. A failure is not relayed: the worker raises it, and the app's one
``Worker.StateChanged`` handler reports it.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from textual.message import Message

from nnplay.engine.training import BatchEnd, EpochEnd, Event, TrainBegin, TrainEnd, TrainFailed
from nnplay.tui.messages import BatchProgress, EpochsEnded, TrainingBegan


class EventRelay:
    def __init__(self, post: Callable[[Message], object], interval: float = 0.2) -> None:
        self.post = post
        self.interval = interval
        self._last = 0.0
        self._batch: BatchEnd | None = None
        self._epochs: list[EpochEnd] = []
        self.posted = 0

    def __call__(self, event: Event) -> None:
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

    def flush(self) -> None:
        if self._epochs:
            self._send(EpochsEnded(tuple(self._epochs)))
            self._epochs = []
        if self._batch is not None:
            self._send(BatchProgress(self._batch))
            self._batch = None

    def _send(self, message: Message) -> None:
        self.posted += 1
        self.post(message)
