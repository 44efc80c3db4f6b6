"""The loss chart's plot area, drawn by plotext through textual-plotext.

:class:`LossPlot` is a ``textual_plotext.PlotextPlot`` that is handed a finished :class:`Figure`
(what to draw, already in colours) and draws it only when it must. A plotext build costs ~8-10 ms
for three curves of 200 points, and ``PlotextPlot.render`` rebuilds the figure and parses its ANSI
text (~14 ms more) on every paint of the widget, a mouse hover included. Here:

- the figure is built once per (figure, size, theme) and kept as strips that every later paint
  reuses (the Line API: ``render_line`` serves the cached strips);
- each curve is thinned to what the plot's width can show (two braille dots per column);
- the cells are read from plotext's own character and colour matrices, never from ANSI text.

The chart (:mod:`.charts`) decides when a new figure is due; this module is imported only when the
first curve is drawn, so plotext costs nothing before the first run.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip
from textual_plotext import PlotextPlot

RGB = tuple[int, int, int]
DOTS_PER_COLUMN = 2  # the braille marker: two dots across each cell
VAL_DOT_SPACING = 2  # columns between the dots of a validation curve
BEST_MARK = "┊"


@dataclass(frozen=True, eq=False)
class Curve:
    """One metric of one run, a value per epoch (epoch 1 first)."""

    values: np.ndarray
    color: RGB
    dotted: bool  # validation: dots; training: a solid braille line


@dataclass(frozen=True, eq=False)
class Figure:
    """Everything the plot shows: the curves (drawn in order, the last on top) on one y range."""

    curves: tuple[Curve, ...]
    low: float
    high: float
    labels: tuple[tuple[float, str], ...]  # y ticks: value, text
    epochs: int
    muted: RGB  # the axes' and ticks' colour
    best: int | None = None  # 0-based epoch that early stopping restored
    best_color: RGB = (255, 255, 255)


def thin(values: np.ndarray, points: int) -> tuple[list[int], list[float]]:
    """The 1-based epochs and their values, at most ``points`` of them spread evenly over the
    curve (the first and last kept), leaving out the non-finite ones."""
    n = len(values)
    if n == 0 or points < 1:
        return [], []
    index = np.unique(np.linspace(0, n - 1, min(n, max(points, 2))).round().astype(np.int64))
    index = index[np.isfinite(values[index])]
    return (index + 1).tolist(), values[index].tolist()


@lru_cache(maxsize=512)
def _style(color: object, background: object) -> Style:
    def rich(value: object) -> Color | None:
        return Color.from_rgb(*value) if isinstance(value, tuple) else None  # plotext's "default": none

    return Style(color=rich(color), bgcolor=rich(background))


class LossPlot(PlotextPlot):
    DEFAULT_CSS = """
    LossPlot {
        height: 1fr;
    }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.figure: Figure | None = None
        self.builds = 0  # plotext builds so far (a paint that reuses the strips is not one)
        self.build_seconds = 0.0  # the UI thread's time for the last build
        self._version = 0
        self._key: tuple | None = None
        self._strips: list[Strip] = []

    def show(self, figure: Figure) -> None:
        """Draw ``figure`` on the next paint."""
        self.figure = figure
        self._version += 1
        self.refresh()

    def render_line(self, y: int) -> Strip:
        width, height = self.size
        key = (self._version, width, height, self.app.theme)
        if key != self._key:
            self._key = key
            self._strips = self._build(width, height)
        return self._strips[y] if y < len(self._strips) else Strip.blank(width)

    def _build(self, width: int, height: int) -> list[Strip]:
        figure = self.figure
        if figure is None or width < 8 or height < 3:
            return []
        started = time.thread_time()
        plt = self.plt
        plt.clear_figure()
        plt.theme("clear")  # the widget's own background and text colour show through
        plt.plotsize(width, height)
        plt._set_size(width, height)  # as PlotextPlot.render does (textual-plotext issue 5)
        plt.xlim(1, max(figure.epochs, 2))
        plt.ylim(figure.low, figure.high)
        plt.yticks([value for value, _ in figure.labels], [text for _, text in figure.labels])
        plt.xticks(*_epoch_ticks(figure.epochs))
        plt.ticks_color(figure.muted)
        plt.xaxes(True, False)  # the left and bottom axes only
        plt.yaxes(True, False)
        plt.axes_color("default")
        columns = max(1, width - max(len(text) for _, text in figure.labels) - 2)
        if figure.best is not None:  # first, so that the curves are drawn over it
            plt.plot([figure.best + 1] * 2, [figure.low, figure.high], marker=BEST_MARK, color=figure.best_color)
        for curve in figure.curves:
            if curve.dotted:
                xs, ys = thin(curve.values, columns // VAL_DOT_SPACING)
                plt.scatter(xs, ys, marker="·", color=curve.color)
            else:
                xs, ys = thin(curve.values, columns * DOTS_PER_COLUMN)
                plt.plot(xs, ys, marker="braille", color=curve.color)
        strips = _strips(plt)
        self.builds += 1
        self.build_seconds = time.thread_time() - started
        return strips


def _epoch_ticks(epochs: int) -> tuple[list[int], list[str]]:
    ticks = sorted({1, max(1, (epochs + 1) // 2), epochs}) if epochs > 2 else [1, max(epochs, 2)]
    return ticks, [str(t) for t in ticks]


def _strips(plt: PlotextPlot) -> list[Strip]:
    """The built figure as strips, straight from plotext's matrices of characters and colours
    (building plotext's ANSI text and parsing it back costs more than the plot itself)."""
    plt._set_sizes()
    plt._build_matrix()
    matrix = plt.monitor.matrix
    strips = []
    for row in range(matrix.rows - 1, -1, -1):  # plotext counts rows from the bottom
        markers, colors, backgrounds = matrix.marker[row], matrix.fullground[row], matrix.background[row]
        segments, start = [], 0
        for col in range(1, matrix.cols + 1):
            if col == matrix.cols or colors[col] != colors[start] or backgrounds[col] != backgrounds[start]:
                segments.append(Segment("".join(markers[start:col]), _style(colors[start], backgrounds[start])))
                start = col
        strips.append(Strip(segments, matrix.cols))
    return strips
