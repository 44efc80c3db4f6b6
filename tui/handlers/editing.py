"""Editing the spec: field edits reach the session's draft; the panels, the summary and the views follow.

The data preview loads the draft's data through the session (in a worker, after the first paint),
so the data a run trains on is the very data the preview shows.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.widgets import Button, Static, TabbedContent, TabPane, Tabs
from textual.worker import get_current_worker

from nnplay.engine.user_paths import slug
from nnplay.tui.layout import PANELS
from nnplay.tui.messages import DataPreviewReady, FieldEdited
from nnplay.tui.widgets.boundary import BoundaryView
from nnplay.tui.widgets.code import CodeView
from nnplay.tui.widgets.dataset import DatasetPanel
from nnplay.tui.widgets.fields import Field, ProblemList
from nnplay.tui.widgets.network.units import NetworkView
from nnplay.tui.widgets.network.weights import WeightsView
from nnplay.tui.widgets.summary import SummaryPanel

if TYPE_CHECKING:
    from nnplay.engine.session import Session

PREVIEW_DELAY = 0.3  # seconds of quiet typing before the data preview reloads


class Editing:
    """Mixed into the app: ``self.session`` is the app's session."""

    session: Session
    _preview_timer = None

    async def on_field_edited(self, event: FieldEdited) -> None:
        event.stop()
        data_changed = self.session.edit(event.path, event.value)
        if event.structural:
            await self.rebuild_panels()
        else:
            for field in self.query(Field):
                if field.path == event.path and field is not event._sender and field.value != event.value:
                    field.value = event.value
                    await field.recompose()
        self.spec_changed(data_changed=data_changed)

    async def rebuild_panels(self) -> None:
        for panel_type in PANELS:
            await self.query_one(panel_type).show(self.session.draft)
        if self.session.draft.valid and self.session.dataset is not None:
            self.query_one(DatasetPanel).show_dataset(self.session.dataset)

    def spec_changed(self, *, data_changed: bool = False) -> None:
        """Mark the engine's complaints, redraw the summary, and say whether Train can run."""
        session = self.session
        draft = session.draft
        for field in self.query(Field):
            field.show_problem(draft.problem_at(field.path))
        for problems in self.query(ProblemList):
            problems.show_problems(draft.problems)
        preset = draft.preset
        self.sub_title = preset.preset.title
        self.query_one(SummaryPanel).show(preset, session.n_features(preset), stale=not draft.valid)
        self.query_one(CodeView).show(preset if draft.valid else None, self.preset_id or slug(preset.preset.title))
        self.show_train_state()
        self.show_untrained()
        if data_changed:
            self._schedule_preview()

    def show_train_state(self) -> None:
        button = self.query_one("#train", Button)
        status = self.query_one("#train-status", Static)
        session = self.session
        if self.training:
            button.label, button.variant, button.disabled = "Stop (t)", "error", False
            paused = session.pace.state.paused
            hint = "b batch · n epoch · space plays · t stops" if paused else "space pauses · t stops"
            status.update(f"training… {hint}")  # its height follows the text (app.tcss wraps it)
            return
        button.label, button.variant = "Train (t)", "success"
        draft = session.draft
        button.disabled = not draft.valid
        if draft.valid:
            origin = f" · from {Path(session.opened.path).name}" if session.opened is not None else ""
            ready = f"ready: {draft.preset.train.engine} engine{origin}"
            if self.query_one(DatasetPanel).error is not None:  # "ready" would promise a run the data cannot feed
                ready = "no data: the Dataset panel says why"
            elif session.dataset is None:
                ready = f"loading the data… then {ready}"
            status.update(ready)
            button.tooltip = None
        else:
            more = len(draft.problems) - 1
            reason = f"can't train: {draft.problems[0]}" + (f" (+{more} more)" if more else "")
            status.update(reason)
            button.tooltip = Text(reason)

    def show_untrained(self) -> None:
        """The views show the weights a run of the valid draft would start from (the session's), or
        the last run's weights while the draft keeps its model and data."""
        session = self.session
        dataset = session.dataset
        if self.training or not session.draft.valid or dataset is None:
            return
        preset, weights = session.preset, session.start_weights()
        self.query_one(BoundaryView).show_untrained(preset, dataset, weights)
        network = self.query_one(NetworkView)
        shown = network.preset
        if shown is not None and network.dataset is dataset and shown.model == preset.model and shown.data == preset.data:
            return  # the network views keep the last run's weights
        self.show_start(preset, dataset, weights)

    def show_start(self, preset, dataset, weights) -> None:
        """The network views draw ``preset``'s model from its starting ``weights``."""
        self.query_one(NetworkView).show_model(preset, dataset)
        self.query_one(WeightsView).show_model(preset, dataset.feature_names)
        self.show_weights(weights, -1)

    def show_weights(self, weights: list, epoch: int) -> None:
        self.query_one(NetworkView).show_weights(weights, epoch)
        self.query_one(WeightsView).show_weights(weights, epoch)

    # -- the data preview ----------------------------------------------------------------------

    def data_failed(self, message: str) -> None:
        """The data preview's worker raised: the Dataset panel and the Train status say why."""
        self.query_one(DatasetPanel).show_error(message)
        self.show_train_state()

    def _schedule_preview(self) -> None:
        self.query_one(DatasetPanel).error = None
        if self._preview_timer is not None:
            self._preview_timer.stop()
        self._preview_timer = self.set_timer(PREVIEW_DELAY, self._start_preview)

    def _start_preview(self) -> None:
        if self.session.draft.valid:
            self._load_preview(self.session.preset.data)

    @work(thread=True, exclusive=True, exit_on_error=False, group="data", description="data preview")
    def _load_preview(self, spec) -> None:
        dataset = self.session.load_data(spec)
        if not get_current_worker().is_cancelled:
            self.post_message(DataPreviewReady(spec, dataset))
        if self.session.keeper is not None:  # while the student reads the screen, not in the first run
            self.session.keeper.warm_up()

    def on_data_preview_ready(self, event: DataPreviewReady) -> None:
        if event.spec == self.session.preset.data:
            self.query_one(DatasetPanel).show_dataset(event.dataset)
            self.spec_changed()

    # -- moving around -------------------------------------------------------------------------

    def focus_tabs(self) -> None:
        self.query_one("#panels > Tabs", Tabs).focus()

    def action_leave_field(self) -> None:
        if self.screen is self.screen_stack[0]:
            self.focus_tabs()

    def action_show_tab(self, tab: str) -> None:
        self.query_one("#panels", TabbedContent).active = tab

    def action_cycle_view(self, step: int) -> None:
        """The next (or previous) view of the side column: Loss, Boundary, Network, ..."""
        views = self.query_one("#views", TabbedContent)
        panes = [pane.id for pane in views.query(TabPane) if pane.id]
        views.active = panes[(panes.index(views.active) + step) % len(panes)]
