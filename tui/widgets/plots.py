"""Every plotext plot of the app, drawn through textual-plotext at the cost of a build per change.

``textual_plotext.PlotextPlot.render`` rebuilds its figure and parses plotext's ANSI text back
(~8-10 ms and ~14 ms more for three curves of 200 points) on every paint of the widget, a mouse
hover included. :class:`CachedPlot` draws only when it must:

- a subclass draws its figure in :meth:`CachedPlot.draw`; :meth:`CachedPlot.redraw` says the
  figure changed. The figure is built once per (change, size, theme) and kept as strips that every
  later paint reuses (the Line API: ``render_line`` serves the cached strips);
- the cells are read from plotext's own character and colour matrices, never from ANSI text.

The plots: :class:`LossPlot` (the loss chart's curves, each thinned to what the plot's width can
show), :class:`DataScatter` (the Dataset panel's picture) and :class:`SearchCurve` (the Search
view's trials). Their widgets import this module when they first draw, so plotext costs nothing
before the first screen.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
from plotext._utility import get_color_code
from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip
from textual_plotext import PlotextPlot

from nnplay.tui.widgets.colormap import CLASS_HUES

if TYPE_CHECKING:
    from nnplay.engine.data import Dataset

RGB = tuple[int, int, int]
POINTS_PER_COLUMN = 1  # a training line: plotext joins the points, so one a column keeps it whole
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


def _color(value: object) -> Color | None:
    """A plotext colour as rich's: an RGB triple, a 256-colour code or name, or "default" (none)."""
    if isinstance(value, tuple):
        return Color.from_rgb(*value)
    if isinstance(value, str) and value != "default":
        value = get_color_code(value)
    return Color.from_ansi(value) if isinstance(value, int) else None


@lru_cache(maxsize=1024)
def _style(color: object, background: object, style: object) -> Style:
    return Style(color=_color(color), bgcolor=_color(background), bold="bold" in str(style) or None)


class CachedPlot(PlotextPlot):
    """A plotext plot that builds its figure once per change, size and theme (see the module)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.builds = 0  # plotext builds so far (a paint that reuses the strips is not one)
        self.build_seconds = 0.0  # the UI thread's time for the last build
        self._version = 0
        self._key: tuple | None = None
        self._strips: list[Strip] = []

    def redraw(self) -> None:
        """The figure changed: build it again on the next paint."""
        self._version += 1
        self.refresh()

    def draw(self, plt: PlotextPlot, width: int, height: int) -> bool:
        """Draw the figure on the cleared ``plt`` (``width`` x ``height`` cells); False: nothing to draw."""
        raise NotImplementedError

    def render_line(self, y: int) -> Strip:
        width, height = self.size
        key = (self._version, width, height, self.app.theme)
        if key != self._key:
            self._key = key
            self._strips = self._build(width, height)
        return self._strips[y] if y < len(self._strips) else Strip.blank(width)

    def _build(self, width: int, height: int) -> list[Strip]:
        if width < 8 or height < 3:
            return []
        started = time.thread_time()
        plt = self.plt
        plt.clear_figure()
        plt.theme(self._get_plotext_theme_name(self.app.theme))  # as PlotextPlot.render does
        plt.plotsize(width, height)
        plt._set_size(width, height)  # as PlotextPlot.render does (textual-plotext issue 5)
        strips = _strips(plt) if self.draw(plt, width, height) else []
        self.builds += 1
        self.build_seconds = time.thread_time() - started
        return strips


class LossPlot(CachedPlot):
    DEFAULT_CSS = """
    LossPlot {
        height: 1fr;
    }
    """

    figure: Figure | None = None

    def show(self, figure: Figure) -> None:
        """Draw ``figure`` on the next paint."""
        self.figure = figure
        self.redraw()

    def draw(self, plt: PlotextPlot, width: int, height: int) -> bool:
        figure = self.figure
        if figure is None:
            return False
        plt.theme("clear")  # the widget's own background and text colour show through
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
                xs, ys = thin(curve.values, columns * POINTS_PER_COLUMN)
                plt.plot(xs, ys, marker="braille", color=curve.color)
        return True


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
        markers, colors = matrix.marker[row], matrix.fullground[row]
        backgrounds, styles = matrix.background[row], matrix.style[row]
        segments, start = [], 0
        for col in range(1, matrix.cols + 1):
            if col == matrix.cols or colors[col] != colors[start] or backgrounds[col] != backgrounds[start] \
                    or styles[col] != styles[start]:
                style = _style(colors[start], backgrounds[start], styles[start])
                segments.append(Segment("".join(markers[start:col]), style))
                start = col
        strips.append(Strip(segments, matrix.cols))
    return strips


class DataScatter(CachedPlot):
    """The training rows of a 2-D data set, one colour per class, or a message."""

    MAX_POINTS = 1500  # per class; plotext draws every point it is given

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.dataset: Dataset | None = None
        self.message = ""

    def show_dataset(self, dataset: Dataset) -> None:
        self.dataset, self.message = dataset, ""
        self.redraw()

    def show_message(self, text: str) -> None:
        self.dataset, self.message = None, text
        self.redraw()

    def draw(self, plt: PlotextPlot, width: int, height: int) -> bool:
        dataset = self.dataset
        if dataset is None:
            plt.title(self.message)
            return True
        plt.title(f"{dataset.name}: {len(dataset.x_train)} training rows")
        x, y = dataset.plane_train, dataset.y_train  # with feature inputs: the source's x1, x2
        most = self.MAX_POINTS
        if x.shape[1] != 2:
            plt.title(f"{dataset.name}: {dataset.n_features} features (no 2-D picture)")
        elif dataset.class_names is None:
            plt.scatter(x[:most, 0].tolist(), x[:most, 1].tolist(), marker="dot")
        else:
            for index, name in enumerate(dataset.class_names):  # in the Boundary view's class colours
                rows = x[y == index][:most]
                plt.scatter(rows[:, 0].tolist(), rows[:, 1].tolist(), marker="dot", label=str(name),
                            color=CLASS_HUES[index % len(CLASS_HUES)])
        plt.xlabel(dataset.feature_names[0] if dataset.feature_names else "")
        return True


class SearchCurve(CachedPlot):
    """Each finished trial's value (dots) and the best value so far (a line), by trial."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.values: list[float | None] = []
        self.best: list[float | None] = []
        self.objective = ""

    def show(self, values: list[float | None], best: list[float | None], objective: str) -> None:
        self.values, self.best, self.objective = list(values), list(best), objective
        self.redraw()

    def draw(self, plt: PlotextPlot, width: int, height: int) -> bool:
        values, best = self.values, self.best
        xs = [i for i, v in enumerate(values) if v is not None]  # Optuna's trial numbers, from 0
        if not xs:
            plt.title("best so far (search to draw it)")
        else:
            # The line first, so that a trial lying on it still shows as a dot.
            bx = [i for i, v in enumerate(best) if v is not None]
            by = [v for v in best if v is not None]
            plt.plot(bx, by, marker="braille", color="green")
            plt.scatter(xs, [v for v in values if v is not None], marker="●", color="cyan")
            plt.title(f"{self.objective}: each trial ●, best so far ─ ({by[-1]:.4f})")
            plt.xticks(list(range(len(values))))
        plt.xlabel("trial #")
        return True
