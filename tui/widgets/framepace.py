"""When a live view may draw its next frame, so that drawing never slows training much.

The training thread shares the interpreter with the UI thread, so each frame's work is work the
training does not get. A view asks :meth:`FramePacer.due` on each tick of its timer: at most ``fps``
frames a second, and after a frame that cost ``c`` seconds of the UI thread's CPU, none for
``c / share`` seconds, so that this view's own drawing stays under ``share`` of the time (a small
net's frame of a few ms keeps the full rate; a huge first layer's slows down). A skipped tick is not
lost: the view stays stale and a later tick draws the newest weights.

With ``whole_thread`` the cost is all the UI thread's CPU since the last frame began (this view's
frames, their painting, and whatever else the app drew), not only the frame's own: a view that
draws while the app is busy backs off further, but never longer than ``max_wait`` seconds (when
the UI thread stays busy even at rest, a waiting frame is still drawn).
"""

from __future__ import annotations

import time


class FramePacer:
    def __init__(self, fps: float, share: float = 0.05, *, whole_thread: bool = False, max_wait: float = 0.5) -> None:
        self.interval = 1.0 / fps
        self.share = share
        self.whole_thread = whole_thread
        self.max_wait = max_wait
        self._next = float("-inf")
        self._started_wall = float("-inf")
        self._started_cpu = 0.0
        self.skipped = 0

    def due(self) -> bool:
        now = time.monotonic()
        if self.whole_thread:
            spent = time.thread_time() - self._started_cpu
            ready = now >= self._started_wall + min(max(self.interval, spent / self.share), self.max_wait)
        else:
            ready = now >= self._next
        if not ready:
            self.skipped += 1
        return ready

    def start(self) -> None:
        """Call as a frame begins (on the UI thread)."""
        self._started_wall, self._started_cpu = time.monotonic(), time.thread_time()

    def drawn(self) -> None:
        """Call as the frame ends: the next one waits for its cost to be paid off."""
        self.paid(time.thread_time() - self._started_cpu)

    def paid(self, cost: float) -> None:
        """A frame (or work done for it on another thread) just cost ``cost`` seconds."""
        self._next = time.monotonic() + max(self.interval, cost / self.share) - cost
