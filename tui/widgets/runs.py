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
        padding: 0;
    }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.records: tuple[RunRecord, ...] = ()
        self._narrowest = 0  # the table's narrowest width (rich's minimum measure)

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
        table.update(Group(rendered, hint))
        self._narrowest = Measurement.get(self.app.console, self.app.console.options.update_width(1000), rendered).minimum
        self._fit()

    def on_resize(self) -> None:
        self._fit()

    def _fit(self) -> None:
        """As wide as the pane, or as the table's narrowest layout ("what changed" wrapped between words)
        when the pane is narrower: then the pane scrolls sideways and nothing is cut."""
        pane = self.scrollable_content_region.width
        if not self.records or pane <= 0:
            return  # hidden: fitted when shown (on_resize)
        need = self._narrowest + 1  # a cell of slack for rich's rounding
        width = f"{need}" if pane < need else "100%"
        table = self.query_one("#runs-table", Static)
        if str(table.styles.width) != width:
            table.styles.width = width  # a layout pass only when the fit changes
