"""When a live view may draw its next frame, so that drawing never slows training much.

The training thread shares the interpreter with the UI thread, so each frame's work is work the
training does not get. A view asks :meth:`FramePacer.due` on each tick of its timer: at most ``fps``
frames a second, and after a frame that cost ``c`` seconds of the UI thread's CPU, none for
``c / share`` seconds, so that this view's own drawing stays under ``share`` of the time (a small
net's frame of a few ms keeps the full rate; a huge first layer's slows down). A skipped tick is not
lost: the view stays stale and a later tick draws the newest weights.
"""

from __future__ import annotations

import time


class FramePacer:
    def __init__(self, fps: float, share: float = 0.05) -> None:
        self.interval = 1.0 / fps
        self.share = share
        self._next = float("-inf")
        self._started_cpu = 0.0
        self.skipped = 0

    def due(self) -> bool:
        if time.monotonic() >= self._next:
            return True
        self.skipped += 1
        return False

    def start(self) -> None:
        """Call as a frame begins (on the UI thread)."""
        self._started_cpu = time.thread_time()

    def drawn(self) -> None:
        """Call as the frame ends: the next one waits for its cost to be paid off."""
        self.paid(time.thread_time() - self._started_cpu)

    def paid(self, cost: float) -> None:
        """A frame (or work done for it on another thread) just cost ``cost`` seconds."""
        self._next = time.monotonic() + max(self.interval, cost / self.share) - cost
