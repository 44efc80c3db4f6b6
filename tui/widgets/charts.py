"""The live training chart: loss and val_loss per epoch (left axis), accuracy on the right axis.

The chart keeps its own copy of the history. New epochs only mark it stale; a timer redraws a
stale chart at most ``REDRAWS_PER_SECOND`` times a second, however fast the epochs arrive.
"""

from __future__ import annotations

from collections.abc import Mapping

from textual_plotext import PlotextPlot

REDRAWS_PER_SECOND = 10
MAX_POINTS = 600  # plotted points per line; longer histories are drawn from every k-th epoch
LEFT = ("loss", "val_loss")
RIGHT = ("accuracy", "val_accuracy")


class HistoryChart(PlotextPlot):
    def __init__(self, **kwargs) -> None:  # noqa: ANN003
        super().__init__(**kwargs)
        self.history: dict[str, list[float]] = {}
        self.redraws = 0
        self._stale = True

    def on_mount(self) -> None:
        super().on_mount()
        self.set_interval(1 / REDRAWS_PER_SECOND, self._redraw_if_stale)

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

    def _redraw_if_stale(self) -> None:
        if self._stale:
            self.replot()

    def replot(self) -> None:
        self._stale = False
        self.redraws += 1
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        n = self.epochs
        if n == 0:
            plt.title("loss per epoch (train to draw it)")
            self.refresh()
            return
        stride = max(1, -(-n // MAX_POINTS))
        xs = list(range(1, n + 1, stride))
        for key in (*LEFT, *RIGHT):
            values = self.history.get(key)
            if values:
                side = "right" if key in RIGHT else "left"
                plt.plot(xs, values[::stride][: len(xs)], label=key, yside=side, marker="braille")
        plt.title(f"epoch {n}: loss {self.history['loss'][-1]:.4g}")
        plt.xlabel("epoch")
        self.refresh()
