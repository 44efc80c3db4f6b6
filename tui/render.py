"""Rich renderables for what the engine reports: the model summary, the confusion matrix, the runs.

Shared by the CLI (printed) and the TUI (shown in ``Static`` widgets), so both look alike. Every
name that comes from the user's files (a class label, a layer or model name read from an .h5 file)
goes in as :class:`~rich.text.Text`, never as a string that rich would parse: a CSV label
``[bold red]x`` shows as those ten characters.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np
from rich import box
from rich.console import Console, ConsoleOptions, Group, RenderResult
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from nnplay.engine.summary import ModelSummary

if TYPE_CHECKING:
    from nnplay.engine.runs import RunRecord


def counted(n: int, noun: str) -> str:
    """``1 layer``, ``2 layers``: a count with its noun in the right number."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


class FittedTable:
    """A table built for the width it is given: ``build(narrow)`` makes it, narrow when the wide one
    would not fit (headers over two lines instead of cut)."""

    def __init__(self, build: Callable[[bool], Table]) -> None:
        self.build = build

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        wide = self.build(False)
        fits = Measurement.get(console, options.update_width(10_000), wide).maximum <= options.max_width
        yield wide if fits else self.build(True)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement.get(console, options, self.build(False))

    def narrow_width(self, console: Console) -> int:
        """The narrow layout's full width: a pane at least this wide shows the table whole."""
        return Measurement.get(console, console.options.update_width(10_000), self.build(True)).maximum


def summary_table(summary: ModelSummary) -> Group:
    """The model summary in the layout of Keras's ``model.summary()``; in a narrow pane the headers
    take two lines ("Output / Shape") so that no cell is cut."""

    def build(narrow: bool) -> Table:
        title = Text(f'Model: "{summary.name}"', style="table.title")  # the style rich gives a str title
        table = Table(box=box.SIMPLE_HEAD, expand=False, pad_edge=False, show_edge=False, title=title,
                      title_justify="left")
        table.add_column("Layer (type)", no_wrap=True)
        table.add_column("Output\nShape" if narrow else "Output Shape", no_wrap=True)
        table.add_column("Param\n#" if narrow else "Param #", justify="right", no_wrap=True)
        for row in summary.layers:
            table.add_row(Text(f"{row.name} ({row.type})"), Text(row.shape_text), f"{row.params:,}")
        return table

    totals = Text.assemble(
        ("Total params: ", "bold"), f"{summary.total_params:,}\n",
        ("Trainable params: ", "bold"), f"{summary.trainable_params:,}\n",
        ("Non-trainable params: ", "bold"), f"{summary.non_trainable_params:,}",
    )
    return Group(FittedTable(build), totals)


#: A confusion matrix shows this many classes at most; a terminal has no room for more columns.
MAX_CLASSES_SHOWN = 12


#: The confusion matrix's corner: rows are the true classes, columns the predicted ones.
CONFUSION_CORNER = "true\\pred"


def confusion_table(matrix: np.ndarray, class_names: tuple[str, ...], limit: int = MAX_CLASSES_SHOWN) -> Group:
    """Rows are the true classes, columns the predicted ones; the diagonal is what went right. Each
    column is headed by its class name alone, as wide as the name or its largest count: ten digit
    classes fit a 60-column pane.

    Only the first ``limit`` classes are drawn; the caption says how many were left out."""
    shown = class_names[:limit]
    left_out = len(class_names) - len(shown)
    caption = f"{left_out} more classes not shown" if left_out else None
    table = Table(box=box.SIMPLE_HEAD, caption=caption, pad_edge=False, show_edge=False,
                  padding=(0, 0, 0, 1))  # one space between columns
    table.add_column(Text(CONFUSION_CORNER), style="bold", no_wrap=True)
    for name in shown:
        table.add_column(Text(str(name)), justify="right", no_wrap=True)
    for i, name in enumerate(shown):
        cells = [Text(str(int(v)), style="bold green" if i == j else "") for j, v in enumerate(matrix[i][:limit])]
        table.add_row(Text(str(name)), *cells)
    # The title above the table, not in it: a two-class table is narrower than the title would wrap to.
    return Group(Text("Test confusion matrix", style="table.title"), table)


def probabilities_table(outputs: np.ndarray, labels: np.ndarray, class_names: tuple[str, ...] | None) -> Table:
    """The model's outputs for a few test rows beside their true labels (``model.predict(X_test[:3])``).

    One sigmoid unit is the probability of the second class; several units give one column each.
    """
    table = Table(box=box.SIMPLE_HEAD, title=f"model.predict(X_test[:{len(outputs)}])", title_justify="left")
    table.add_column("row", justify="right")
    units = outputs.shape[-1] if outputs.ndim == 2 else 1
    if class_names is None:
        heads = [f"output {j}" for j in range(units)] if units > 1 else ["output"]
    elif units == 1:
        heads = [f"p({class_names[-1]})"]
    else:
        heads = [f"p({name})" for name in class_names[:units]]
    for head in heads:
        table.add_column(head, justify="right")
    table.add_column("true", justify="left")
    for i, (row, label) in enumerate(zip(outputs.reshape(len(outputs), -1), labels, strict=True)):
        true = class_names[int(label)] if class_names is not None else f"{float(label):.4g}"
        table.add_row(str(i), *(f"{v:.4f}" for v in row), true)
    return table


# One colour per run, shared by the chart's curves, its legend and the runs table (by run number).
RUN_COLORS = ("#4fa3e0", "#f0a030", "#5cc070", "#e06060", "#b080e0", "#e0d050", "#40c0b0", "#f070b0")


def run_color(number: int) -> str:
    return RUN_COLORS[(number - 1) % len(RUN_COLORS)]


def _figure(value: float | None) -> str:
    return "–" if value is None else f"{value:.4f}"


#: The Runs table's word for a run whose spec equals the one before (the chart's legend says the same).
NO_CHANGE = "no change"


def runs_table(records: Sequence[RunRecord], *, changes_shown: int = 4, when: Sequence[str] | None = None) -> Table:
    """The runs, oldest first: one row each, two lines a row (loss over accuracy in each figure cell;
    the engine under the run's number, the seconds under its epochs), narrow enough that the test
    column stays on screen in a 60-column pane. ``when`` (one time per record) adds the kept runs'
    start time and preset."""
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, padding=(0, 0, 0, 1),
                  title="Runs (each figure: loss over accuracy)", title_justify="left")
    table.add_column("run", no_wrap=True)
    if when is not None:  # the start time over the preset's title, cut to the column
        table.add_column("when · preset", no_wrap=True, overflow="ellipsis", max_width=24)
    words = [word for record in records for change in record.changes[:changes_shown] for word in change.split()]
    # Wraps between words, never inside one (a long field name widens it; the Runs view then scrolls).
    table.add_column("what changed", min_width=max(map(len, words), default=7), max_width=24)
    table.add_column("epochs", justify="right", no_wrap=True)
    table.add_column("stop", no_wrap=True)
    for name in ("train", "val", "test"):
        table.add_column(name, justify="right", no_wrap=True, min_width=6)
    for i, record in enumerate(records):
        changes = list(record.changes[:changes_shown])
        if len(record.changes) > changes_shown:
            changes.append(f"+{len(record.changes) - changes_shown} more")
        # a kept run is compared with the last kept run of its own preset (run_keeping.label_changes)
        first = i == 0 if when is None else all(r.title != record.title for r in records[:i])
        changed = "\n".join(changes) if changes else ("first run" if first else NO_CHANGE)
        cells = [f"{_figure(loss)}\n{_figure(accuracy)}" for loss, accuracy in (
            (record.train_loss, record.train_accuracy), (record.val_loss, record.val_accuracy),
            (record.test_loss, record.test_accuracy))]
        run = Text.assemble((f"■ {record.number}", run_color(record.number)), f"\n{record.engine}")
        stored = () if when is None else (Text(f"{when[i]}\n{record.title}"),)  # a title is never markup
        table.add_row(run, *stored, Text(changed), f"{record.epochs}\n{record.seconds:.2f}s",
                      record.stop_reason.replace(", ", "\n"), *cells)
    return table
