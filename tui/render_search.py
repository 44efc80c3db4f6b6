"""Rich renderables for a random search: the leaderboard, shared by ``nnplay search`` and the Search view."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from rich import box
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:  # the search module imports the engine's run module; the table needs none of it
    from nnplay.engine.search import TrialResult

STATUS_STYLE = {"complete": "", "pruned": "yellow", "failed": "red"}
SHORT_STATUS = {"complete": "ok", "pruned": "pruned", "failed": "err"}  # pruned: the word the engine and notes use


_SHORT = {"hidden_layers": "layers", "hidden_units": "units", "learning_rate": "lr", "batch_size": "batch",
          "val_accuracy": "val acc", "val_loss": "val loss"}


def param_label(name: str) -> str:
    """A short column name for a searched field: its last part, abbreviated (``lr``, ``units``)."""
    last = name.rsplit(".", 1)[-1]
    return _SHORT.get(last, last)


def format_value(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 0.01 or abs(value) >= 1000 else f"{value:.4f}".rstrip("0").rstrip(".")
    return str(value)


def leaderboard_table(
    trials: Sequence[TrialResult],
    params: Iterable[str],
    objective: str,
    *,
    best: int | None = None,
    title: str | None = "Leaderboard",
    compact: bool = False,
    show_test: bool = True,
) -> Table:
    """One row per trial in the order given (best first, as the engine ranks them); the best trial in
    bold green. ``compact`` (a narrow view) leaves out the seconds and shortens headers and status;
    ``show_test`` False leaves out the test accuracy too (the objective is what ranks the trials)."""
    names = list(params)
    table = Table(box=box.SIMPLE_HEAD, title=title, title_justify="left", pad_edge=False, collapse_padding=True)
    table.add_column("#", justify="right", no_wrap=True, min_width=2)
    table.add_column(param_label(objective), justify="right", no_wrap=True)
    if show_test:
        table.add_column("test" if compact else "test acc", justify="right", no_wrap=True)
    for name in names:
        table.add_column(param_label(name), justify="right", no_wrap=True)
    table.add_column("ep" if compact else "epochs", justify="right", no_wrap=True)
    if not compact:
        table.add_column("s", justify="right", no_wrap=True)
    table.add_column("" if compact else "status", no_wrap=True, overflow="ellipsis", min_width=6 if compact else 8)
    for trial in trials:
        style = "bold green" if trial.number == best else STATUS_STYLE[trial.status]
        accuracy = trial.test.get("accuracy")
        status = trial.status if not trial.message else f"{trial.status}: {trial.message}"
        cells = [
            str(trial.number),
            "-" if trial.value is None else f"{trial.value:.4f}",
            *(("-" if accuracy is None else f"{accuracy:.3f}",) if show_test else ()),
            *(format_value(trial.params.get(name, "")) for name in names),
            str(trial.epochs),
            *(() if compact else (f"{trial.seconds:.2f}",)),
            Text(SHORT_STATUS[trial.status] if compact else status, overflow="ellipsis", no_wrap=True),
        ]
        table.add_row(*cells, style=style)
    return table
