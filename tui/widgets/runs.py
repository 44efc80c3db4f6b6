"""The Runs view: the session's runs side by side, in the table ``nnplay compare`` prints."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group
from rich.measure import Measurement
from rich.text import Text
from textual.containers import ScrollableContainer
from textual.widgets import Static

from nnplay.engine.runs import MAX_RUNS, RunRecord
from nnplay.tui.render import runs_table

EMPTY = "No runs yet: press t to train. Each run you train lands here, beside the ones before it."


class RunsView(ScrollableContainer):
    """Scrolls both ways: the table keeps its columns and a narrow screen scrolls to them."""

    DEFAULT_CSS = """
    RunsView {
        height: 1fr;
        overflow: auto auto;
    }
    RunsView > Static {
        padding: 0 1;
    }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.records: tuple[RunRecord, ...] = ()

    def compose(self):
        yield Static(Text(EMPTY, style="dim"), id="runs-table")

    def show(self, records: Sequence[RunRecord]) -> None:
        self.records = tuple(records)
        table = self.query_one("#runs-table", Static)
        if not self.records:
            table.update(Text(EMPTY, style="dim"))
            return
        rendered = runs_table(self.records)
        hint = Text(f"c clears them · last {MAX_RUNS} kept", style="dim")
        # As wide as the table wants (the pane scrolls sideways on a narrow screen), never wrapped.
        natural = Measurement.get(self.app.console, self.app.console.options.update_width(1000), rendered).maximum
        if table.styles.width is None or table.styles.width.value != natural + 2:
            table.styles.width = natural + 2  # a layout pass only when the table grew or shrank
        table.update(Group(rendered, hint))
