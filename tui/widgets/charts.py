"""The training chart: this run's loss (or accuracy) per epoch over the session's earlier runs.

One metric at a time, full height: ``l`` switches between loss and accuracy (four curves in one
small box read as none). Training is a solid line, validation a dotted one, in the run's colour;
earlier runs are drawn dimmed under the current one, and the legend says what each changed from the
run before (the engine's :class:`~nnplay.engine.runs.RunRecord`). When early stopping restored an
epoch, a dotted column marks it.

The header and the legend are text; the curves are drawn by plotext through textual-plotext
(:class:`~.plots.LossPlot`, mounted after the first screen or when the first curve arrives: plotext
is not imported for the first screen). New epochs only mark the chart stale; the live-view clock
(tui/widgets/live.py) hands the plot a new figure at most ``REDRAWS_PER_SECOND`` times a second,
spaced further apart while the UI thread's work (the plot's builds included) takes more than
``UI_SHARE`` of the time, and not at all while the chart is hidden (another view in front): it
catches up when shown.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from rich.text import Text
from textual.app import ComposeResult
from textual.color import Color
from textual.containers import Vertical
from textual.widgets import Static

from nnplay.engine.runs import RunRecord
from nnplay.tui.render import NO_CHANGE, run_color
from nnplay.tui.widgets.live import LiveView

if TYPE_CHECKING:
    from nnplay.tui.widgets.plots import Figure, LossPlot

REDRAWS_PER_SECOND = 10
UI_SHARE = 0.08  # the most of the time the UI thread may spend between two live frames of the chart
DIM = 0.6  # how far an earlier run's colour fades toward the background
MUTED = 0.45  # how far the axes' and hints' colour fades toward the background
METRICS = {"loss": ("loss", "val_loss"), "accuracy": ("accuracy", "val_accuracy")}
BEST_MARK = "┊"
PRELOAD_AFTER = 0.5  # seconds after the first screen: the plot (and plotext) are loaded then


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
        best = f"  {BEST_MARK} best epoch {self.best_epoch + 1}" if self.best_epoch is not None else ""
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


class HistoryChart(LiveView, Vertical):
    # The live-view rule (tui/widgets/live.py): at most REDRAWS_PER_SECOND frames, and the UI thread's
    # whole share of the time (the plot's builds when painted included) kept under UI_SHARE.
    FRAMES_PER_SECOND, UI_SHARE, WHOLE_THREAD = REDRAWS_PER_SECOND, UI_SHARE, True

    DEFAULT_CSS = """
    HistoryChart {
        height: 1fr;
    }
    HistoryChart > #chart-head {
        height: auto;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.metric = "loss"
        self.history: dict[str, list[float]] = {}  # the run being trained (or the last one)
        self.redraws = 0
        self.draw_seconds = 0.0  # the plot's last build, on the UI thread
        self._runs: tuple[RunRecord, ...] = ()  # finished runs, oldest first
        self._live: _Run | None = None
        self._plot: LossPlot | None = None
        self._head_lines = 0
        self._stale = True

    def compose(self) -> ComposeResult:
        yield Static(id="chart-head", markup=False)

    # ----------------------------------------------------------------------------------------
    # What the app tells the chart

    def on_mount(self) -> None:
        self.start_live()
        self.call_later(self.draw_now)  # the empty chart's head at once, whatever the frame budget says
        self.set_timer(PRELOAD_AFTER, self._plot_widget)

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
    # When to redraw

    def draw(self) -> None:
        self.replot()
        if self._plot is not None:
            self.draw_seconds = self._plot.build_seconds

    def on_resize(self) -> None:
        self.replot()

    def _plot_widget(self) -> LossPlot:
        """The plot, mounted on first need (importing plotext then, not for the first screen)."""
        if self._plot is None:
            from nnplay.tui.widgets.plots import LossPlot

            self._plot = LossPlot(id="chart-plot")
            self._plot.display = False
            self.mount(self._plot)
        return self._plot

    # ----------------------------------------------------------------------------------------
    # What to draw

    def _drawn(self) -> list[_Run]:
        runs = [_Run(r.number, r.history, r.changes, r.best_epoch, first=i == 0) for i, r in enumerate(self._runs)]
        if self._live is not None:
            runs.append(self._live)
        return runs

    def _colors(self) -> tuple[Color, Color]:
        """The chart's background and text colours."""
        return self.background_colors[1], self.colors[3]

    def _run_color(self, number: int, bright: bool) -> Color:
        color = Color.parse(run_color(number))
        return color if bright else color.blend(self._colors()[0], DIM)

    def replot(self) -> None:
        """Show the runs now: the header and legend at once, the curves on the plot's next paint."""
        self._stale = False
        self.redraws += 1
        runs = self._drawn()
        train_key, val_key = METRICS[self.metric]
        curves = [(run, key, i == len(runs) - 1) for i, run in enumerate(runs) for key in (train_key, val_key)
                  if run.history.get(key)]
        head = self._head(runs, bool(curves))
        lines = head.plain.count("\n") + 1
        # A new layout only when the head's height changes (the legend gains a run), not per epoch.
        self.query_one("#chart-head", Static).update(head, layout=lines != self._head_lines)
        self._head_lines = lines
        if not curves:
            if self._plot is not None and self._plot.display:
                self._plot.display = False
            return
        plot = self._plot_widget()
        if not plot.display:
            plot.display = True
        plot.show(self._figure(runs, curves))

    def _head(self, runs: list[_Run], has_curves: bool) -> Text:
        """The title line (metric, last value, the line key, the ``l`` hint) and the legend: the
        bright run first, then the earlier ones, as many as leave room to plot."""
        width, height = self.size
        background, foreground = self._colors()
        muted = foreground.blend(background, MUTED).rich_color.name
        train_key, val_key = METRICS[self.metric]
        other = "accuracy" if self.metric == "loss" else "loss"
        head = Text()

        title = self.metric
        if runs and runs[-1].history.get(train_key):
            values = runs[-1].history[train_key]
            title += f" · epoch {len(values)}: {_fmt(values[-1])}"
        elif not runs:
            title += " per epoch: t trains"
        has_val = any(run.history.get(val_key) for run in runs)
        key = ("  ── train  ··· val" if has_val else "  ── train") if runs else ""
        hint = f"  l: {other}"
        if len(title) + len(key) + len(hint) > width:
            key = ""
        if len(title) + len(hint) > width:
            hint = ""
        gap = " " * max(0, width - len(title) - len(key) - len(hint))
        head.append(title)
        head.append(key, style=muted)
        head.append(gap + hint, style=muted)

        room = max(1, (height - 6) // 3)
        entries = list(reversed(runs))
        shown = entries[:room] if len(entries) <= room else entries[: max(1, room - 1)]
        for i, run in enumerate(shown):
            head.append("\n")
            head.append("━━ ", style=self._run_color(run.number, i == 0).rich_color.name)
            head.append(run.legend(), style=None if i == 0 else muted)
        if len(entries) > len(shown):
            hidden = len(entries) - len(shown)
            if room > 1:
                head.append(f"\n   +{hidden} earlier, dimmed (Runs tab)", style=muted)
            else:  # on the bright run's line, as much as fits of it
                used = len(head.plain.rsplit("\n", 1)[-1])
                fits = [more for more in (f" · +{hidden} earlier, dimmed (Runs tab)", f" · +{hidden} earlier")
                        if used + len(more) <= width]
                head.append(fits[0] if fits else "", style=muted)
        if runs and not has_curves:
            head.append(f"\nno {self.metric} in this run (l: {other})", style=muted)
        return head

    def _figure(self, runs: list[_Run], curves: list[tuple[_Run, str, bool]]) -> Figure:
        from nnplay.tui.widgets.plots import Curve, Figure

        background, foreground = self._colors()
        low, high, clipped = _value_range([run.history[key] for run, key, _ in curves])
        labels = [(high, ("↑" if clipped else "") + _fmt(high)), ((low + high) / 2, _fmt((low + high) / 2)),
                  (low, _fmt(low))]
        return Figure(
            curves=tuple(Curve(np.asarray(run.history[key], dtype=float), self._run_color(run.number, bright).rgb,
                               dotted=key.startswith("val_"))
                         for run, key, bright in curves),
            low=low, high=high, labels=tuple(labels),
            epochs=max(len(run.history[key]) for run, key, _ in curves),
            muted=foreground.blend(background, MUTED).rgb,
            best=runs[-1].best_epoch,
            best_color=self._run_color(runs[-1].number, True).rgb,
        )
