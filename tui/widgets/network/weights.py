"""The Weights view: the learned numbers beside the formula the lecture writes, live.

A small model (every layer's matrix fits on screen) is shown as the lecture writes it: its forward
formula, a one-unit model with its coefficients filled in and the data's true β beside them, and
each layer's matrix in the ``[1:X]W`` notation (the biases as the first row). A large model is
shown as statistics per layer: mean |w| and standard deviation at the start and now, their trend
per epoch, and a histogram of the kernel with the starting histogram drawn dim behind it.

Every number comes from :mod:`nnplay.engine.formula` and :mod:`nnplay.engine.weight_stats`; this
module only lays them out. Snapshots may arrive many times a second: :meth:`WeightsView.show_weights`
records them, and a timer redraws at most ``REDRAWS_PER_SECOND`` times a second, only while the
view is on screen and the UI thread's share of the time is small (``LiveView``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from rich.style import Style
from rich.text import Text
from textual.widget import Widget
from textual.widgets import Static

from nnplay.engine import formula
from nnplay.engine.spec import Preset
from nnplay.engine.weight_stats import LayerHistogram, LayerStats, WeightHistory
from nnplay.tui.widgets.live import LiveView
from nnplay.tui.widgets.network.colors import DIM, EIGHTHS, signed_style

REDRAWS_PER_SECOND = 5
SPARK = EIGHTHS[1:]
HIST_ROWS = 3
BOLD = Style(bold=True)


def _number(value: float, width: int = 7) -> str:
    return f"{value:>{width}.2f}" if abs(value) < 1000 else f"{value:>{width}.1e}"


def matrix_text(matrix: formula.Augmented, unit_names: Sequence[str]) -> Text:
    """``W⁽ˡ⁾`` as a table: a row per input (``1`` first when the layer has biases), a column per
    unit, each number coloured by its sign and size (orange negative, blue positive)."""
    values = np.asarray(matrix.values, dtype=np.float64)
    scale = float(np.abs(values).max()) or 1.0
    label = max(len(name) for name in matrix.rows) + 1
    bias = " (first row: the biases)" if matrix.rows[0] == "1" else ""
    text = Text.assemble((f"{matrix.name} ", BOLD), f"{values.shape[0]}×{values.shape[1]}{bias}\n")
    text.append(" " * label)
    for name in unit_names:
        _right(text, f"{name:>7}", DIM)
    text.append("\n")
    for name, row in zip(matrix.rows, values, strict=True):
        text.append(f"{name:<{label}}", style=DIM)
        for value in row:
            _right(text, _number(value), signed_style(value, scale))
        text.append("\n")
    return text


def _right(text: Text, cell: str, style: Style) -> None:
    """A right-aligned cell: its padding as a span of its own (so that SVG captures keep it)."""
    body = cell.lstrip(" ")
    text.append(" " * (len(cell) - len(body)))
    text.append(body, style=style)


def sparkline(values: Sequence[float], width: int) -> str:
    """The last ``width`` values as eighth-blocks between their min and max."""
    values = list(values)[-width:]
    if not values:
        return ""
    low, high = min(values), max(values)
    span = high - low or 1.0
    return "".join(SPARK[min(7, int((v - low) / span * 7 + 0.5))] for v in values)


def histogram_rows(hist: LayerHistogram, cells_per_bin: int = 1, rows: int = HIST_ROWS) -> list[Text]:
    """The current histogram in colour (orange bins below zero, blue above, grey at zero) with the
    starting one dim behind it, ``rows`` lines tall; top line first."""
    top = max(int(hist.now.max()), int(hist.start.max()), 1)
    now = np.rint(hist.now / top * rows * 8).astype(int).tolist()  # heights in eighths of a cell
    start = np.rint(hist.start / top * rows * 8).astype(int).tolist()
    centres = (hist.edges[:-1] + hist.edges[1:]) / 2
    width = float(hist.edges[-1])
    lines = []
    for row in range(rows - 1, -1, -1):
        line = Text()
        for n, s, centre in zip(now, start, centres, strict=True):
            fill_now = min(8, max(0, n - row * 8))
            fill_start = min(8, max(0, s - row * 8))
            colour = signed_style(centre, width / 2) if abs(centre) > width / (2 * len(centres)) else Style(color="grey70")
            if fill_now == 8:
                char, style = "█", colour
            elif fill_now > 0:
                char, style = EIGHTHS[fill_now], colour + Style(bgcolor="grey30" if fill_start > fill_now else None)
            elif fill_start > 0:
                char, style = EIGHTHS[fill_start], Style(color="grey30")
            else:
                char, style = " ", None
            line.append(char * cells_per_bin, style)
        lines.append(line)
    return lines


def _axis(hist: LayerHistogram, width: int) -> Text:
    left, right = f"{hist.edges[0]:.3g}", f"{hist.edges[-1]:.3g}"
    middle = width - len(left) - len(right)
    if middle < 3:
        return Text(f"±{hist.edges[-1]:.3g}", style=DIM)
    half = (middle - 1) // 2
    return Text(left + " " * half + "0" + " " * (middle - 1 - half) + right, style=DIM)


def stats_text(first: LayerStats, now: LayerStats, history: WeightHistory, index: int,
               hist: LayerHistogram, width: int) -> Text:
    """One layer of a large model: its numbers, their trend and its histogram."""
    sampled = f", 1 in {now.every} sampled" if now.every > 1 else ""
    text = Text.assemble((f"{now.name}  ", BOLD), f"{now.count:,} weights{sampled}\n")
    spread = f"std {first.std:.3g} → {now.std:.3g}"
    text.append(f"mean|w| {first.mean_abs:.3g} → {now.mean_abs:.3g}" + ("   " if width >= 42 else "\n") + spread + "\n")
    trend = history.trend(index)
    if len(trend) > 1:
        text.append("mean|w| per epoch ", style=DIM)
        text.append(sparkline(trend, max(8, width - 20)) + "\n")
    cells = 2 if width >= 2 * len(hist.now) + 2 else 1
    for line in histogram_rows(hist, cells):
        text.append_text(line)
        text.append("\n")
    text.append_text(_axis(hist, cells * len(hist.now)))
    text.append("\n")
    return text


class WeightsView(LiveView, Static):
    """The Weights tab: :meth:`show_model` when the spec changes, :meth:`show_weights` per snapshot."""

    DEFAULT_CSS = """
    WeightsView {
        height: auto;
        padding: 0 1;
    }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__("", **kwargs)
        self.preset: Preset | None = None
        self.feature_names: tuple[str, ...] | None = None
        self.history: WeightHistory | None = None
        self.redraws = 0

    FRAMES_PER_SECOND = REDRAWS_PER_SECOND

    def on_mount(self) -> None:
        self.start_live()
        self.draw_now()

    def show_model(self, preset: Preset, feature_names: Sequence[str] | None = None) -> None:
        """A new model (or data): forget the recorded weights until the next snapshot."""
        self.preset = preset
        self.feature_names = tuple(feature_names) if feature_names is not None else None
        self.history = WeightHistory(preset.model)
        self.mark_stale()

    def show_weights(self, weights: Sequence[np.ndarray], epoch: int = -1) -> None:
        """Record a snapshot (Keras order) taken after ``epoch`` (-1: before training)."""
        if self.history is None:
            return
        self.history.update(weights, epoch)
        self.mark_stale()

    def draw(self) -> None:
        self.redraws += 1
        # As wide as its widest line (app.tcss: the pane scrolls sideways, a matrix never wraps); the
        # statistics of a large model fit the pane's own width.
        pane = self.parent.content_size.width if isinstance(self.parent, Widget) else self.content_size.width
        self.update(self.describe(max(pane, 30)))

    # ----------------------------------------------------------------------------------------

    def describe(self, width: int) -> Text:
        history, preset = self.history, self.preset
        if preset is None or history is None or not history.latest:
            return Text("The weights appear once the data have loaded.", style="dim")
        model = preset.model
        layers = history.latest
        epoch = history.epochs[-1]
        when = "before training" if epoch < 0 else f"after epoch {epoch + 1}"
        text = Text.assemble(("The model, as the lecture writes it  ", BOLD), f"({when})\n")
        text.append(f"{formula.symbolic(model)}\n")
        written = formula.with_numbers(layers, self.feature_names)
        if written:
            text.append("With this run's numbers:\n", style=DIM)
            text.append(f"{written}\n", style=BOLD)
            if layers[0].units == 2:
                text.append("(two softmax units: the sigmoid of w₂ - w₁)\n", style=DIM)
            truth = formula.true_coefficients(preset.data)
            if truth is not None and layers[0].fan_in == len(truth.beta):
                beta = ", ".join(f"{b:g}" for b in truth.beta)
                intercept = f", intercept {truth.intercept:g}" if truth.intercept else ""
                text.append(f"the data were drawn with β = [{beta}]{intercept}\n", style=DIM)
        text.append("\n")
        if formula.is_small(model, layers[0].fan_in):
            for index, layer in enumerate(layers, start=1):
                matrix = formula.augmented(layer, index, self.feature_names)
                units = formula.input_names(index + 1, layer.units) if index < len(layers) else [
                    f"out{j + 1}" for j in range(layer.units)]
                text.append_text(matrix_text(matrix, units))
                text.append("\n")
            return text
        text.append("Kernel weights per layer  ", style=BOLD)
        text.append("(colour: now · grey: the start)\n", style=DIM)
        for index, (first, now, hist) in enumerate(zip(history.first, history.now, history.histograms(), strict=True)):
            text.append_text(stats_text(first, now, history, index, hist, width))
            text.append("\n")
        return text
