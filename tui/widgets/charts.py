"""The live training chart: loss and val_loss per epoch (left axis), accuracy on the right axis.

The chart keeps its own copy of the history. New epochs only mark it stale; a timer redraws a
stale chart at most ``REDRAWS_PER_SECOND`` times a second, however fast the epochs arrive. Drawing
is done by plotext in pure Python on the UI thread, which shares the interpreter with the training
thread, so the chart also keeps its own drawing under ``MAX_DRAW_SHARE`` of the time: after a
redraw that took ``d`` seconds the next waits at least ``d / MAX_DRAW_SHARE``. Lines longer than
the chart is wide are drawn from every k-th epoch (a terminal column cannot show more).
"""

from __future__ import annotations

import time
from collections.abc import Mapping

from textual.app import RenderResult
from textual_plotext import PlotextPlot

REDRAWS_PER_SECOND = 10
MAX_DRAW_SHARE = 0.04
LEFT = ("loss", "val_loss")
RIGHT = ("accuracy", "val_accuracy")


class HistoryChart(PlotextPlot):
    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.history: dict[str, list[float]] = {}
        self.redraws = 0
        self.draw_seconds = 0.0
        self._stale = True
        self._next_draw = 0.0

    def on_mount(self) -> None:
        super().on_mount()
        self.set_interval(1 / REDRAWS_PER_SECOND, self._redraw_if_due)

    def reset(self) -> None:
        self.history = {}
        self._stale = True

    def add_epoch(self, logs: Mapping[str, float]) -> None:
        for key, value in logs.items():
            self.history.setdefault(key, []).append(float(value))
        self._stale = True

    @property
    def epochs(self) -> int:
        return len(self.history.get("loss", []))

    def _redraw_if_due(self) -> None:
        if self._stale and time.monotonic() >= self._next_draw:
            self.replot()

    def replot(self) -> None:
        """Hand the current history to plotext (drawn on the next paint)."""
        self._stale = False
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        n = self.epochs
        if n == 0:
            plt.title("loss per epoch (train to draw it)")
            self.refresh()
            return
        columns = max(self.content_size.width - 8, 20)
        stride = max(1, -(-n // columns))
        xs = list(range(1, n + 1, stride))
        for key in (*LEFT, *RIGHT):
            values = self.history.get(key)
            if values:
                side = "right" if key in RIGHT else "left"
                plt.plot(xs, values[::stride][: len(xs)], label=key, yside=side, marker="braille")
        plt.title(f"epoch {n}: loss {self.history['loss'][-1]:.4g}")
        plt.xlabel("epoch")
        self.refresh()

    def render(self) -> RenderResult:
        started = time.monotonic()
        result = super().render()
        self.draw_seconds = time.monotonic() - started
        self.redraws += 1
        self._next_draw = started + max(1 / REDRAWS_PER_SECOND, self.draw_seconds / MAX_DRAW_SHARE)
        return result
