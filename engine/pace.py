"""The pace of a training run: play at a set speed, pause, resume, advance one batch or one epoch.

A trainer that is given a :class:`Pace` calls :meth:`Pace.wait_turn` just before each batch. There
the run blocks while it is paused, and sleeps as long as the speed asks (the speed is counted in
epochs per second and spread evenly over an epoch's batches, so a 100-epoch preset set to 10
epochs per second plays for ten seconds, a step every tenth of a second on full batches). The
pace only decides *when* a batch runs, never what it computes: a paced run is the same run.

Everything here is built on ``threading`` primitives and may be driven from any thread: a UI's key
handler calls :meth:`pause`, :meth:`step_batch`, :meth:`set_speed` ...; the training thread waits
in :meth:`wait_turn`. The run's ``cancel`` event ends a wait at once: whoever sets it calls
:meth:`wake` too, and, as a fallback for a setter that does not know about the pace, a waiting run
looks at the event every :data:`POLL` seconds.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

POLL = 0.05  # seconds: the longest a waiting run can miss a cancel that nobody announced
MIN_SLEEP = 0.002  # a run ahead of its schedule by less than this goes on without sleeping


@dataclass(frozen=True)
class PaceState:
    """What a UI shows: paused or playing, the speed, and where a paused run waits."""

    paused: bool
    epochs_per_second: float | None  # None: as fast as the machine goes
    epoch: int | None  # 0-based epoch of the next batch, while the run waits (else None)
    step: int | None  # 0-based index of the next batch in that epoch


class Pace:
    """Speed and pause control for a run; see the module's notes."""

    def __init__(self, epochs_per_second: float | None = None, *, paused: bool = False) -> None:
        self._cond = threading.Condition()
        self._speed = _checked(epochs_per_second)
        self._paused = paused
        self._batches = 0  # batches allowed while paused (step_batch)
        self._until_epoch: int | None = None  # while paused, run until the first batch of this epoch
        self._next_release = 0.0  # monotonic time at which the next batch may start
        self._waiting_at: tuple[int, int] | None = None
        self._last: tuple[int, int] = (0, 0)  # the batch most recently let through
        #: Called in the training thread when a run is about to block (``paused`` says whether it
        #: waits for a person or only for the clock); a UI flushes its pending updates there.
        self.on_hold: Callable[[bool], None] | None = None

    # -- the controls (any thread) ---------------------------------------------------------

    def pause(self) -> None:
        with self._cond:
            self._paused, self._batches, self._until_epoch = True, 0, None
            self._cond.notify_all()

    def resume(self) -> None:
        with self._cond:
            self._paused, self._batches, self._until_epoch = False, 0, None
            self._next_release = 0.0
            self._cond.notify_all()

    def toggle(self) -> bool:
        """Pause a playing run, resume a paused one; returns whether it is paused now."""
        with self._cond:
            paused = self._paused
        self.resume() if paused else self.pause()
        return not paused

    def step_batch(self) -> None:
        """Let one more batch run, then hold (pauses a playing run after its next batch)."""
        with self._cond:
            self._batches = (self._batches if self._paused else 0) + 1
            self._paused, self._until_epoch = True, None
            self._cond.notify_all()

    def step_epoch(self) -> None:
        """Run to the end of the epoch under way (a whole epoch when held between two), then hold;
        asked again before it gets there, it goes one epoch further each time."""
        with self._cond:
            if self._paused and self._until_epoch is not None:
                epoch = self._until_epoch
            else:
                epoch = self._waiting_at[0] if self._waiting_at is not None else self._last[0]
            self._paused, self._batches, self._until_epoch = True, 0, epoch + 1
            self._cond.notify_all()

    def set_speed(self, epochs_per_second: float | None) -> None:
        """Epochs per second (spread over the epoch's batches); ``None`` for no limit."""
        with self._cond:
            self._speed = _checked(epochs_per_second)
            self._next_release = 0.0
            self._cond.notify_all()

    def wake(self) -> None:
        """Make a waiting run look at its cancel event now (call it after setting the event)."""
        with self._cond:
            self._cond.notify_all()

    @property
    def state(self) -> PaceState:
        with self._cond:
            where = self._waiting_at if self._paused else None
            return PaceState(self._paused, self._speed, *(where or (None, None)))

    # -- the trainer's side (the training thread) ------------------------------------------

    def wait_turn(self, epoch: int, step: int, steps: int, cancel: threading.Event | None = None) -> bool:
        """Block until batch ``step`` (0-based) of ``epoch`` may run; ``steps`` batches make an epoch.
        Returns ``False`` when ``cancel`` was set meanwhile (the run should stop)."""
        with self._cond:
            self._waiting_at = (epoch, step)
            try:
                go = self._wait(epoch, steps, cancel)
            finally:
                self._waiting_at = None
            if go:
                self._last = (epoch, step)
            return go

    def _wait(self, epoch: int, steps: int, cancel: threading.Event | None) -> bool:
        told: set[bool] = set()
        while not (cancel is not None and cancel.is_set()):
            if self._paused:
                if self._until_epoch is not None and epoch >= self._until_epoch:
                    self._until_epoch = None  # the epoch asked for is done: hold here
                if self._until_epoch is None:
                    if self._batches:  # one batch asked for by hand: no clock
                        self._batches -= 1
                        return True
                    self._hold(True, told, POLL)
                    self._next_release = 0.0  # after a hold the clock starts afresh
                    continue
            if self._speed is None:
                return True
            now = time.monotonic()
            if self._next_release == 0.0:
                self._next_release = now
            ahead = self._next_release - now
            if ahead <= MIN_SLEEP:
                # A steady cadence that does not burst to catch up after a slow batch.
                interval = 1.0 / (self._speed * max(steps, 1))
                self._next_release = max(self._next_release + interval, now - interval)
                return True
            self._hold(False, told, min(ahead, POLL))
        return False

    def _hold(self, paused: bool, told: set[bool], seconds: float) -> None:
        if paused not in told:
            told.add(paused)
            self._tell_hold(paused=paused)  # releases the lock: look at the state again first
            return
        self._cond.wait(seconds)

    def _tell_hold(self, *, paused: bool) -> None:
        if self.on_hold is not None:
            self._cond.release()  # never call out while holding the lock
            try:
                self.on_hold(paused)
            finally:
                self._cond.acquire()


def _checked(speed: float | None) -> float | None:
    if speed is not None and not speed > 0:
        raise ValueError(f"speed must be a positive number of epochs per second or None, got {speed!r}")
    return speed
