"""The Results panel: how the last run ended, its test scores, and its confusion matrix."""

from __future__ import annotations

from contextlib import suppress
from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.css.query import NoMatches
from textual.widgets import Static, TabPane

from nnplay.tui.render import confusion_table
from nnplay.tui.widgets.tabs import FittedTabs

if TYPE_CHECKING:
    from nnplay.engine.run import RunReport

STATUS_STYLE = {"completed": "green", "early_stopped": "cyan", "cancelled": "yellow", "diverged": "red"}


class ResultsPanel(Static):
    def __init__(self, **kwargs) -> None:
        super().__init__(Text("No run yet: press t to train.", style="dim"), **kwargs)
        self.report: RunReport | None = None

    def _mark_unseen(self) -> None:
        """New results mark the Results tab instead of switching to it: the student's panel stays."""
        with suppress(NoMatches):  # shown outside the app's tabs: nothing to mark
            self.query_ancestor(FittedTabs).mark_unseen(self.query_ancestor(TabPane).id or "")

    def show(self, report: RunReport, origin: str | None = None, first_rows: RenderableType | None = None) -> None:
        """``origin``: the saved model whose weights the run started from (or were scored);
        ``first_rows``: its outputs on the first test rows, shown under the scores."""
        self.report = report
        fit = report.fit
        head = Text.assemble(
            (f"{report.engine} engine: ", "bold"),
            (fit.describe(), STATUS_STYLE.get(fit.status, "")),
        )
        if origin is not None:
            head.append(f"\nweights from {origin}", style="dim")
        scores = Table.grid(padding=(0, 2))
        scores.add_column(style="bold")
        scores.add_column(justify="right")
        if report.test:
            for key, value in report.test.items():
                scores.add_row(f"test {key}", f"{value:.4f}")
        else:
            scores.add_row("test", "no test rows (data.test_size is 0)")
        for key, values in fit.history.items():
            if values:
                scores.add_row(f"last {key}", f"{values[-1]:.4f}")
        parts: list[RenderableType] = [head, Text(""), scores]
        if first_rows is not None:
            parts += [Text(""), first_rows]
        if report.confusion is not None and report.class_names:
            parts += [Text(""), confusion_table(report.confusion, report.class_names)]
        self.update(Group(*parts))
        self._mark_unseen()
