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
    limit: int | None = None,
) -> Table:
    """One row per trial in the order given (best first, as :meth:`SearchResult.leaderboard` sorts);
    the best trial in bold green."""
    names = list(params)
    table = Table(box=box.SIMPLE_HEAD, title=title, title_justify="left", pad_edge=False, collapse_padding=True)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column(param_label(objective), justify="right", no_wrap=True)
    table.add_column("test acc", justify="right", no_wrap=True)
    for name in names:
        table.add_column(param_label(name), justify="right", no_wrap=True)
    table.add_column("epochs", justify="right", no_wrap=True)
    table.add_column("s", justify="right", no_wrap=True)
    table.add_column("status", no_wrap=True, overflow="ellipsis", min_width=8)
    shown = trials if limit is None else trials[:limit]
    for trial in shown:
        style = "bold green" if trial.number == best else STATUS_STYLE[trial.status]
        accuracy = trial.test.get("accuracy")
        table.add_row(
            str(trial.number),
            "-" if trial.value is None else f"{trial.value:.4f}",
            "-" if accuracy is None else f"{accuracy:.3f}",
            *(format_value(trial.params.get(name, "")) for name in names),
            str(trial.epochs),
            f"{trial.seconds:.2f}",
            Text(trial.status if not trial.message else f"{trial.status}: {trial.message}", overflow="ellipsis", no_wrap=True),
            style=style,
        )
    if limit is not None and len(trials) > limit:
        table.caption = f"… and {len(trials) - limit} more"
    return table
