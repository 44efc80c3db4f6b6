"""The Runs view: this session's runs side by side, and below them the runs kept in the run store.

The session's table is the one ``nnplay compare`` prints. The kept runs (every earlier session's,
``nnplay train``'s and the search's too, the last ``STORED_SHOWN`` of them) are the table
``nnplay runs`` prints, with a cursor: ``↑``/``↓`` pick one, ``v`` lays it over the loss chart (again:
takes it off), ``enter`` opens it, its preset and final weights becoming the draft to train on from.
The view reads the store in a worker thread (:meth:`load`); it never writes it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.console import Group
from rich.measure import Measurement
from rich.text import Text
from textual import on, work
from textual.binding import Binding
from textual.containers import ScrollableContainer
from textual.geometry import Region
from textual.message import Message
from textual.widgets import Static

from nnplay.engine.errors import NnplayError
from nnplay.engine.runs import MAX_RUNS, RunRecord
from nnplay.tui.render import runs_table

if TYPE_CHECKING:  # the run store's modules load when the kept runs are first read, not for the first screen
    from nnplay.engine.run_db import RunDB
    from nnplay.engine.run_keeping import StoredRun

EMPTY = "No runs yet: press t to train. Each run you train lands here, beside the ones before it."
NONE_STORED = "No runs kept yet: every run you train is kept in {where}."
STORED_SHOWN = 50


class RunsView(ScrollableContainer):
    """Scrolls both ways: the tables keep their columns and a narrow screen scrolls to them."""

    DEFAULT_CSS = """
    RunsView {
        height: 1fr;
        overflow: auto auto;
    }
    RunsView > Static {
        padding: 0;
    }
    RunsView > #stored-runs {
        margin-top: 1;
    }
    """

    BINDINGS = [
        Binding("up", "pick(-1)", "Earlier run", show=False),
        Binding("down", "pick(1)", "Later run", show=False),
        Binding("v", "overlay", "Overlay run", show=False),
        Binding("enter", "open_run", "Open run", show=False),
    ]

    @dataclass
    class Overlay(Message):
        """Lay the kept run over the loss chart, or take it off again."""

        record: RunRecord

    @dataclass
    class Open(Message):
        """Open the kept run: its preset and weights become the draft."""

        run_id: int

    @dataclass
    class Read(Message):
        """The kept runs, read by the worker (or why they could not be)."""

        runs: list[StoredRun]
        where: str
        problem: str | None

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.records: tuple[RunRecord, ...] = ()
        self.stored: tuple[StoredRun, ...] = ()
        self.picked: int | None = None  # index into stored
        self.overlaid: set[int] = set()  # run ids on the chart
        self._where = ""
        self._widths: dict[str, tuple[int, bool]] = {}  # each table's width to keep and whether it squeezes, by id

    def compose(self):
        yield Static(Text(EMPTY, style="dim"), id="runs-table")
        yield Static(Text("Reading the kept runs…", style="dim"), id="stored-runs")

    # -- this session's runs

    def show(self, records: Sequence[RunRecord]) -> None:
        self.records = tuple(records)
        table = self.query_one("#runs-table", Static)
        if not self.records:
            table.update(Text(EMPTY, style="dim"))
            return
        self._fit(table, Group(runs_table(self.records), Text(f"c clears them · last {MAX_RUNS} kept", style="dim")))

    def _fit(self, widget: Static, renderable, *, squeeze: bool = True) -> None:
        """Show ``renderable`` in ``widget``. ``squeeze``: as wide as the pane, or as the table's
        narrowest layout ("what changed" wrapped between words) when the pane is narrower; else as
        wide as the table wants. Either way nothing is cut: a wider table scrolls sideways."""
        widget.update(renderable)
        measure = Measurement.get(self.app.console, self.app.console.options.update_width(1000), renderable)
        self._widths[widget.id or ""] = (measure.minimum, squeeze) if squeeze else (measure.maximum, squeeze)
        self._fit_width(widget)

    def on_resize(self) -> None:
        for widget in self.query(Static):
            self._fit_width(widget)

    def _fit_width(self, widget: Static) -> None:
        known = self._widths.get(widget.id or "")
        if known is None:
            return  # nothing drawn yet
        width, squeeze = known
        need = width + 1  # a cell of slack for rich's rounding
        if squeeze:
            pane = self.scrollable_content_region.width
            if pane <= 0:
                return  # hidden: fitted when shown (on_resize)
            fitted = f"{need}" if pane < need else "100%"
        else:
            fitted = f"{need}"
        if str(widget.styles.width) != fitted:
            widget.styles.width = fitted  # a layout pass only when the fit changes

    # -- the kept runs

    @work(thread=True, exclusive=True, exit_on_error=False, group="stored-runs", description="read kept runs")
    def load(self, db: RunDB) -> None:
        """Read the last kept runs from ``db`` (in a worker thread) and show them."""
        # post_message, not call_from_thread: a message to an app that is closing is dropped, where
        # call_from_thread would wait for it for ever
        try:
            from nnplay.engine.run_keeping import stored_runs

            self.post_message(self.Read(stored_runs(db, STORED_SHOWN), str(db.path), None))
        except NnplayError as error:
            self.post_message(self.Read([], str(db.path), error.one_line()))

    @on(Read)
    def _read(self, message: Read) -> None:
        if message.problem is None:
            self.show_stored(message.runs, message.where)
            return
        self.stored, self.picked = (), None
        self.query_one("#stored-runs", Static).update(Text(f"Kept runs cannot be read: {message.problem}", style="red"))

    def show_stored(self, runs: Sequence[StoredRun], where: str = "") -> None:
        picked_id = self.stored[self.picked].row.id if self.picked is not None and self.picked < len(self.stored) else None
        self.stored, self._where = tuple(runs), where or self._where
        ids = [run.row.id for run in self.stored]
        self.picked = ids.index(picked_id) if picked_id in ids else (len(ids) - 1 if ids else None)
        self._draw_stored()

    def _draw_stored(self, *, follow: bool = False) -> None:
        """Draw the kept runs; ``follow`` scrolls the picked one into view."""
        widget = self.query_one("#stored-runs", Static)
        if not self.stored:
            widget.update(Text(NONE_STORED.format(where=self._where or "the run store"), style="dim"))
            return
        from nnplay.engine.run_db import local_time

        when = [local_time(run.row.started)[5:] for run in self.stored]  # MM-DD HH:MM: the pane is narrow
        table = runs_table([run.record for run in self.stored], when=when)
        table.title = f"Kept runs (the last {len(self.stored)}; `nnplay runs` lists them all)"
        if self.picked is not None:
            table.rows[self.picked].style = "reverse"
        on_chart = ", ".join(str(i) for i in sorted(self.overlaid))
        hint = "↑ ↓ pick a run · v lays it over the loss chart · enter opens it as the draft"
        hint += f" · on the chart: {on_chart}" if on_chart else ""
        self._fit(widget, Group(table, Text(hint, style="dim")), squeeze=False)
        if follow and self.picked is not None:
            marker = f"■ {self.stored[self.picked].row.id} "
            lines = self.app.console.render_lines(table, self.app.console.options.update_width(1000), pad=False)
            row = next((i for i, line in enumerate(lines) if "".join(seg.text for seg in line).startswith(marker)), 0)
            self.scroll_to_region(Region(0, widget.virtual_region.y + row, 1, 2), animate=False)

    @property
    def on_chart(self) -> dict[int, RunRecord]:
        """The kept runs laid over the loss chart (``v``), by run id, labelled as kept runs."""
        return {run.row.id: dataclasses.replace(run.record, changes=(f"kept · {run.record.title}",))
                for run in self.stored if run.row.id in self.overlaid}

    def _picked(self) -> StoredRun | None:
        return self.stored[self.picked] if self.picked is not None and self.picked < len(self.stored) else None

    def action_pick(self, step: int) -> None:
        if not self.stored:
            return
        self.picked = min(max((self.picked or 0) + step, 0), len(self.stored) - 1)
        self._draw_stored(follow=True)

    def action_overlay(self) -> None:
        picked = self._picked()
        if picked is None:
            return
        self.overlaid ^= {picked.row.id}
        self._draw_stored()
        self.post_message(self.Overlay(picked.record))

    def action_open_run(self) -> None:
        picked = self._picked()
        if picked is not None:
            self.post_message(self.Open(picked.row.id))
