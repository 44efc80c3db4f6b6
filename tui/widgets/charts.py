"""The training chart: this run's loss (or accuracy) per epoch over the session's earlier runs.

One metric at a time, full height: ``l`` switches between loss and accuracy (four braille lines in
one small box read as none). Training is a solid line, validation a dashed one, in the run's colour;
earlier runs are drawn dimmed under the current one, and the legend says what each changed from the
run before (the engine's :class:`~nnplay.engine.runs.RunRecord`). When early stopping restored an
epoch, a dotted column marks it.

Cheap enough to leave on while training: the chart is drawn on Textual's Line API from braille
masks that NumPy builds (:mod:`.braille`), into strips cached until the next redraw. New epochs only
mark it stale; a timer redraws a stale chart at most ``REDRAWS_PER_SECOND`` times a second, and not
at all while it is hidden (another view in front): it catches up when shown. A redraw repaints the
widget's own region, never the layout.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.strip import Strip
from textual.widget import Widget

from nnplay.engine.runs import RunRecord
from nnplay.tui.render import NO_CHANGE, run_color
from nnplay.tui.widgets.braille import BRAILLE, cell_codes, polyline

REDRAWS_PER_SECOND = 10
MAX_DRAW_SHARE = 0.04  # the chart's own drawing stays under this share of the time
MAX_WAIT = 0.5  # seconds: the longest the budget may hold a stale chart
DIM = 0.6  # how far an earlier run's colour fades toward the background
METRICS = {"loss": ("loss", "val_loss"), "accuracy": ("accuracy", "val_accuracy")}
MARKER = 256  # a cell code beyond braille: the best-epoch column
CHARS = (" ", *BRAILLE[1:], "┊")


@dataclass(frozen=True)
class _Run:
    """One run as the chart draws it."""

    number: int
    history: Mapping[str, Sequence[float]]
    changes: tuple[str, ...]
    best_epoch: int | None = None  # 0-based
    first: bool = False

    def legend(self) -> str:
        what = "  ".join(self.changes) if self.changes else ("first run" if self.first else NO_CHANGE)
        best = f"  ┊ best epoch {self.best_epoch + 1}" if self.best_epoch is not None else ""
        return f"run {self.number}: {what}{best}"


def _fmt(value: float) -> str:
    return f"{value:.3g}" if abs(value) < 1e4 else f"{value:.2e}"


def _value_range(series: Sequence[Sequence[float]]) -> tuple[float, float, bool]:
    """The y range: every finite value, but when the first tenth of the epochs alone (the steep
    start) more than doubles it, the rest of the epochs decide the top and the start is cut off
    there (``clipped``): the runs differ where the curves flatten, not at their first epochs."""
    every = [np.asarray(values, dtype=float) for values in series]
    every = [values[np.isfinite(values)] for values in every]
    every = [values for values in every if len(values)]
    if not every:
        return 0.0, 1.0, False
    low = min(float(values.min()) for values in every)
    high = max(float(values.max()) for values in every)
    later = [values[len(values) // 10 :] for values in every if len(values) >= 10]
    clipped = False
    if later:
        top = max(float(values.max()) for values in later)
        top = max([top, *(float(values.max()) for values in every if len(values) < 10)])
        if high - low > 2 * (top - low) > 0:
            high, clipped = top + 0.05 * (top - low), True
    if high - low < 1e-12:
        low, high = low - 0.5, high + 0.5
    return low, high, clipped


class HistoryChart(Widget):
    DEFAULT_CSS = """
    HistoryChart {
        height: 1fr;
    }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.metric = "loss"
        self.history: dict[str, list[float]] = {}  # the run being trained (or the last one)
        self.redraws = 0
        self.draw_seconds = 0.0
        self._runs: tuple[RunRecord, ...] = ()  # finished runs, oldest first
        self._live: _Run | None = None
        self._strips: list[Strip] = []
        self._stale = True
        self._next_draw = 0.0
        self._draw_average = 0.0

    # ----------------------------------------------------------------------------------------
    # What the app tells the chart

    def on_mount(self) -> None:
        self.set_interval(1 / REDRAWS_PER_SECOND, self._redraw_if_due)

    def begin(self, number: int, changes: tuple[str, ...]) -> None:
        """Run ``number`` begins; ``changes`` are what it changes from the last run kept."""
        self.history = {}
        self._live = _Run(number, self.history, changes, first=not self._runs)
        self._stale = True

    def add_epoch(self, logs: Mapping[str, float]) -> None:
        for key, value in logs.items():
            self.history.setdefault(key, []).append(float(value))
        self._stale = True

    def show_runs(self, runs: Sequence[RunRecord]) -> None:
        """The session's finished runs (the last one is drawn bright); ends the live run."""
        self._runs = tuple(runs)
        self._live = None
        if self._runs:
            self.history = self._runs[-1].history
        self.replot()

    def end_live(self) -> None:
        """The live run failed: drop its curve."""
        self._live = None
        self.replot()

    def toggle_metric(self) -> str:
        self.metric = "accuracy" if self.metric == "loss" else "loss"
        self.replot()
        return self.metric

    @property
    def epochs(self) -> int:
        return len(self.history.get("loss", []))

    @property
    def legend(self) -> list[str]:
        """The legend's entries, the bright run first."""
        return [run.legend() for run in reversed(self._drawn())]

    @property
    def runs_drawn(self) -> int:
        return len(self._drawn())

    # ----------------------------------------------------------------------------------------
    # Redrawing

    def _drawn(self) -> list[_Run]:
        runs = [_Run(r.number, r.history, r.changes, r.best_epoch, first=i == 0) for i, r in enumerate(self._runs)]
        if self._live is not None:
            runs.append(self._live)
        return runs

    def _redraw_if_due(self) -> None:
        if self._stale and time.monotonic() >= self._next_draw and self.is_on_screen:
            self.replot()

    def on_show(self) -> None:
        if self._stale:
            self.replot()

    def on_resize(self) -> None:
        self.replot()

    def replot(self) -> None:
        """Draw the runs into strips now (shown on the next paint of this widget alone)."""
        started, cpu = time.monotonic(), time.thread_time()
        self._stale = False
        width, height = self.size
        self._strips = self._draw(width, height) if width > 0 and height > 0 else []
        self.redraws += 1
        # The UI thread's own time: waiting for the training thread's turn on the GIL is not drawing.
        self.draw_seconds = time.thread_time() - cpu
        # A running average, so that one slow draw (a garbage collection landing in it) does not
        # hold the chart still; and never more than MAX_WAIT between redraws while epochs arrive.
        self._draw_average = 0.7 * self._draw_average + 0.3 * self.draw_seconds
        wait = min(MAX_WAIT, max(1 / REDRAWS_PER_SECOND, self._draw_average / MAX_DRAW_SHARE))
        self._next_draw = started + wait
        self.refresh()

    def render_line(self, y: int) -> Strip:
        return self._strips[y] if y < len(self._strips) else Strip.blank(self.size.width)

    # ----------------------------------------------------------------------------------------
    # Drawing

    def _styles(self) -> tuple[Color, Color]:
        background = self.background_colors[1]
        foreground = self.colors[3]
        return background, foreground

    def _run_style(self, number: int, bright: bool, background: Color) -> Style:
        color = Color.parse(run_color(number))
        return Style(color=(color if bright else color.blend(background, DIM)).rich_color)

    def _draw(self, width: int, height: int) -> list[Strip]:
        background, foreground = self._styles()
        muted = Style(color=foreground.blend(background, 0.45).rich_color)
        text = Style(color=foreground.rich_color)
        runs = self._drawn()
        train_key, val_key = METRICS[self.metric]
        other = "accuracy" if self.metric == "loss" else "loss"
        lines: list[list[Segment]] = []

        title = self.metric
        if runs and runs[-1].history.get(train_key):
            values = runs[-1].history[train_key]
            title += f" · epoch {len(values)}: {_fmt(values[-1])}"
        elif not runs:
            title += " per epoch (train to draw it)"
        has_val = any(run.history.get(val_key) for run in runs)
        key = ("  ─ train ╌ val" if has_val else "  ─ train") if runs else ""
        hint = f"  l: {other}"
        if len(title) + len(key) + len(hint) > width:
            key = ""
        gap = " " * max(0, width - len(title) - len(key) - len(hint))
        lines.append([Segment(title, text), Segment(key, muted), Segment(gap), Segment(hint, muted)])

        # The legend: the bright run first, then the earlier ones, as many as leave room to plot.
        room = max(1, (height - 6) // 3)
        entries = list(reversed(runs))
        shown = entries[:room] if len(entries) <= room else entries[: max(1, room - 1)]
        for i, run in enumerate(shown):
            lines.append([Segment("━━ ", self._run_style(run.number, i == 0, background)),
                          Segment(run.legend(), text if i == 0 else muted)])
        if len(entries) > len(shown):
            more = f"+{len(entries) - len(shown)} earlier, dimmed (Runs tab)"
            if room == 1:
                lines[-1].append(Segment(f" · {more}", muted))
            else:
                lines.append([Segment(f"   {more}", muted)])

        plot_rows = height - len(lines) - 1
        curves = [(run, key, i == len(runs) - 1) for i, run in enumerate(runs) for key in (train_key, val_key)
                  if run.history.get(key)]
        if plot_rows < 2 or not curves:
            if runs and not curves:
                lines.append([Segment(f"no {self.metric} in this run (l: {other})", muted)])
            return [Strip(line).adjust_cell_length(width) for line in lines] + [Strip.blank(width)] * max(0, height - len(lines))

        low, high, clipped = _value_range([run.history[key] for run, key, _ in curves])
        labels = {0: ("↑" if clipped else "") + _fmt(high), plot_rows - 1: _fmt(low)}
        if plot_rows >= 7:
            labels[(plot_rows - 1) // 2] = _fmt((high + low) / 2)
        label_width = max(len(s) for s in labels.values()) + 1
        plot_cols = max(1, width - label_width - 1)
        n_epochs = max(len(run.history[key]) for run, key, _ in curves)
        px_w, px_h = plot_cols * 2, plot_rows * 4

        def x_pixel(epoch: np.ndarray) -> np.ndarray:
            return np.rint(epoch * (px_w - 1) / max(n_epochs - 1, 1)).astype(np.int64)

        codes = np.zeros((plot_rows, plot_cols), dtype=np.int64)
        owner = np.full((plot_rows, plot_cols), -1, dtype=np.int64)
        styles: list[Style] = []
        for run, key, bright in curves:
            values = np.asarray(run.history[key], dtype=float)
            ok = np.isfinite(values)
            epochs = np.arange(len(values))[ok]
            ys = (high - values[ok]) / (high - low) * (px_h - 1)
            cells = cell_codes(polyline(x_pixel(epochs), ys, px_w, px_h, dashed=key == val_key))
            codes |= cells
            owner[cells > 0] = len(styles)
            styles.append(self._run_style(run.number, bright, background))
        best = runs[-1].best_epoch
        if best is not None:
            column = int(x_pixel(np.array(best))) // 2
            empty = codes[:, column] == 0
            codes[empty, column] = MARKER
            owner[empty, column] = len(styles)
            styles.append(self._run_style(runs[-1].number, True, background))

        for row in range(plot_rows):
            label = labels.get(row, "")
            segments = [Segment(label.rjust(label_width - 1) + " ", muted), Segment("┤" if label else "│", muted)]
            row_codes, row_owner = codes[row], owner[row]
            cuts = np.flatnonzero(np.diff(row_owner)) + 1
            for start, stop in zip(np.r_[0, cuts], np.r_[cuts, plot_cols], strict=True):
                who = int(row_owner[start])
                chunk = "".join(CHARS[c] for c in row_codes[start:stop])
                segments.append(Segment(chunk, styles[who] if who >= 0 else None))
            lines.append(segments)

        middle = max(0, plot_cols - 1 - len(str(n_epochs)))
        lines.append([Segment(" " * label_width), Segment("└1", muted), Segment(" " * ((middle - 5) // 2)),
                      Segment("epoch" if middle >= 7 else "", muted), Segment(" " * (middle - 5 - (middle - 5) // 2)),
                      Segment(str(n_epochs), muted)])
        return [Strip(line).adjust_cell_length(width) for line in lines[:height]]

