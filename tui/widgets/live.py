"""The base of every view that draws a run as it goes: one rule for when to draw.

A live view is told what changed (:meth:`LiveView.mark_stale`) as often as the run reports; it draws
(:meth:`LiveView.draw`, which the subclass implements) only

- while it is on screen: a hidden view stays stale and catches up as it is shown;
- when its :class:`~nnplay.tui.widgets.framepace.FramePacer` says the frame budget allows: at most
  ``FRAMES_PER_SECOND`` frames a second, and a costly frame waits for its cost to be paid off so that
  drawing stays under ``UI_SHARE`` of the time (the training thread shares the interpreter).

A skipped tick is not lost: the view stays stale and a later tick draws the newest state.
:meth:`LiveView.draw_now` draws at once (a run's last frame, a new model), on screen or not.

Subclass it with the widget class you draw on (``class WeightsView(LiveView, Static)``), set the class
constants, and implement ``draw()``.
"""

from __future__ import annotations

from typing import ClassVar

from nnplay.tui.widgets.framepace import FramePacer


class LiveView:
    FRAMES_PER_SECOND: ClassVar[float] = 10.0
    UI_SHARE: ClassVar[float] = 0.05
    WHOLE_THREAD: ClassVar[bool] = False  # count all the UI thread's work since the last frame

    _stale = True
    _pacer: FramePacer | None = None

    @property
    def pacer(self) -> FramePacer:
        if self._pacer is None:
            self._pacer = FramePacer(self.FRAMES_PER_SECOND, self.UI_SHARE, whole_thread=self.WHOLE_THREAD)
        return self._pacer

    @property
    def stale(self) -> bool:
        return self._stale

    def start_live(self) -> None:
        """Start the frame clock (call from ``on_mount``)."""
        self.set_interval(1 / self.FRAMES_PER_SECOND, self.draw_if_due)

    def mark_stale(self) -> None:
        """Something to draw changed: a later tick draws it."""
        self._stale = True

    def draw_or_defer(self) -> None:
        """Draw at once when on screen (a setting changed); a hidden view stays stale until shown."""
        if self.is_mounted and self.is_on_screen:
            self.draw_now()
        else:
            self.mark_stale()

    def draw_if_due(self) -> None:
        if self._stale and self.is_on_screen and self.pacer.due():
            self.draw_now()

    def on_show(self) -> None:
        if self._stale:
            self.draw_now()

    def draw_now(self) -> None:
        """Draw at once and pay the frame's cost."""
        self._stale = False
        self.pacer.start()
        self.draw()
        self.pacer.drawn()

    def draw(self) -> None:
        raise NotImplementedError
