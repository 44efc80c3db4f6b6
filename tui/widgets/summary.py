"""The model summary beside the panels: the Keras-style table, redrawn as the layers change."""

from __future__ import annotations

from rich.console import Group
from rich.text import Text
from textual.widgets import Static

from nnplay.engine.spec import Preset
from nnplay.engine.summary import ModelSummary, summarize
from nnplay.tui.render import FittedTable, summary_table


class SummaryPanel(Static):
    def __init__(self, **kwargs) -> None:
        super().__init__("", **kwargs)
        self.summary: ModelSummary | None = None

    def show(self, preset: Preset, n_features: int | None, *, stale: bool = False) -> None:
        """Summarise ``preset``'s model; ``stale`` notes that the draft on screen is not valid."""
        if n_features is None:
            self.summary = None
            self.update(Text("The input width comes from the data; the summary appears once it loads.", style="dim"))
            return
        self.summary = summarize(preset.model, n_features)
        table = summary_table(self.summary)
        fitted = next(part for part in table.renderables if isinstance(part, FittedTable))
        # Never narrower than the table's narrow layout: a narrower pane scrolls sideways (app.tcss).
        self.styles.min_width = fitted.narrow_width(self.app.console) + 1
        parts = [table]
        if stale:
            parts.append(Text("(the last valid model: fix the marked fields)", style="dim italic"))
        self.update(Group(*parts))
