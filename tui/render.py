"""Rich renderables for what the engine reports: the model summary and the confusion matrix.

Shared by the CLI (printed) and the TUI (shown in ``Static`` widgets), so both look alike. Every
name that comes from the user's files (a class label, a layer or model name read from an .h5 file)
goes in as :class:`~rich.text.Text`, never as a string that rich would parse: a CSV label
``[bold red]x`` shows as those ten characters.
"""

from __future__ import annotations

import numpy as np
from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text

from nnplay.engine.summary import ModelSummary


def summary_table(summary: ModelSummary) -> Group:
    """The model summary in the layout of Keras's ``model.summary()``."""
    title = Text(f'Model: "{summary.name}"', style="table.title")  # the style rich gives a str title
    table = Table(box=box.SIMPLE_HEAD, expand=False, pad_edge=False, title=title, title_justify="left")
    table.add_column("Layer (type)", no_wrap=True)
    table.add_column("Output Shape", no_wrap=True)
    table.add_column("Param #", justify="right", no_wrap=True)
    for row in summary.layers:
        table.add_row(Text(f"{row.name} ({row.type})"), Text(row.shape_text), f"{row.params:,}")
    totals = Text.assemble(
        ("Total params: ", "bold"), f"{summary.total_params:,}\n",
        ("Trainable params: ", "bold"), f"{summary.trainable_params:,}\n",
        ("Non-trainable params: ", "bold"), f"{summary.non_trainable_params:,}",
    )
    return Group(table, totals)


#: A confusion matrix shows this many classes at most; a terminal has no room for more columns.
MAX_CLASSES_SHOWN = 12


def confusion_table(matrix: np.ndarray, class_names: tuple[str, ...], limit: int = MAX_CLASSES_SHOWN) -> Table:
    """Rows are the true classes, columns the predicted ones; the diagonal is what went right.

    Only the first ``limit`` classes are drawn; the caption says how many were left out."""
    shown = class_names[:limit]
    left_out = len(class_names) - len(shown)
    caption = f"{left_out} more classes not shown" if left_out else None
    table = Table(box=box.SIMPLE_HEAD, title="Confusion matrix (test rows)", title_justify="left", caption=caption)
    table.add_column("", style="bold", no_wrap=True)
    for name in shown:
        table.add_column(Text(f"pred:{name}"), justify="right")
    for i, name in enumerate(shown):
        cells = [Text(str(int(v)), style="bold green" if i == j else "") for j, v in enumerate(matrix[i][:limit])]
        table.add_row(Text(f"true:{name}"), *cells)
    return table
