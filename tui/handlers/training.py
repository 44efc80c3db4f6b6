"""Training: a run in a thread worker through the session, its events routed to the views that draw them.

The worker calls :meth:`Session.run <nnplay.engine.session.Session.run>` with one
:class:`~nnplay.tui.relay.EventRelay` (a Callback) that posts the run's events to the UI thread; the
handlers here hand each message to the view that draws it. Pace (pause, step, speed), the runs side
by side and the search's keys are here too: they act on a run or the session's runs.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from textual import work
from textual.widgets import TabbedContent
from textual.worker import Worker, get_current_worker

from nnplay.engine.pace import Pace
from nnplay.engine.spec import Preset
from nnplay.tui.messages import (
    BatchProgress,
    EpochsEnded,
    RunStarted,
    StepsTaken,
    TrainingBegan,
    TrainingFinished,
    WeightsChanged,
)
from nnplay.tui.widgets.boundary import BoundaryView
from nnplay.tui.widgets.charts import HistoryChart
from nnplay.tui.widgets.network.units import NetworkView
from nnplay.tui.widgets.pace import PaceStatus
from nnplay.tui.widgets.results import ResultsPanel
from nnplay.tui.widgets.runs import RunsView
from nnplay.tui.widgets.search.view import SearchView
from nnplay.tui.widgets.surface.pane import SurfacePane, watches
from nnplay.tui.widgets.training import TrainProgress

if TYPE_CHECKING:
    from nnplay.engine.run import RunReport
    from nnplay.engine.runs import RunRecord
    from nnplay.engine.session import Session



class Training:
    """Mixed into the app: ``self.session`` is the app's session."""

    session: Session
    _train_worker: Worker | None = None

    @property
    def training(self) -> bool:
        return self._train_worker is not None

    def action_train(self, held: bool = False) -> None:
        """Start a run (playing, or ``held`` before its first batch), or stop the one under way."""
        if self.training:
            self.stop_training()
            return
        session = self.session
        if not session.draft.valid:
            self.notify(f"Fix the spec first: {session.draft.problems[0]}", severity="warning", markup=False)
            return
        preset = session.preset
        if not session.opened_fits(preset):
            self.notify(f"The layers or the data changed since {session.opened.path.name} was opened: "
                        "this run starts from fresh weights.", severity="warning", markup=False)
        session.pace.pause() if held else session.pace.resume()
        self.query_one(PaceStatus).show()
        self.query_one(HistoryChart).begin(session.runs.next_number, session.runs.changes_for(preset))
        self.query_one(TrainProgress).preparing("loading the data…")
        # Every step is recorded for the Surface view unless nobody could watch it: a run at max
        # speed with that tab hidden (recording costs a tiny net about a third of its speed).
        steps = held or session.pace.state.epochs_per_second is not None or SurfacePane.showing(self)
        self._train_worker = self._train(preset, steps)
        self.show_train_state()

    def on_button_pressed(self, event) -> None:
        if event.button.id == "train":
            self.action_train()

    def stop_training(self) -> None:
        if self._train_worker is not None:
            self._train_worker.cancelled_event.set()
            self.session.pace.wake()  # a paused run stops at once
            self.query_one("#train-status").update("stopping…", layout=False)

    @work(thread=True, exclusive=True, exit_on_error=False, group="train", description="training")
    def _train(self, preset: Preset, record_steps: bool) -> None:
        """Runs in a thread with its own frozen preset: edits made meanwhile do not reach it."""
        from nnplay.engine.surface import LossSurface
        from nnplay.tui.relay import EventRelay

        cancel: threading.Event = get_current_worker().cancelled_event
        session = self.session
        prepared = session.prepare(preset)  # the preview's data: loaded once
        small = watches(prepared.summary.trainable_params)
        surface = LossSurface(preset, prepared.x_train, prepared.y_train) if small else None
        relay = EventRelay(self.post_message, surface=surface, steps=small and record_steps)
        session.pace.on_hold = relay.hold
        report = session.run(prepared=prepared, callbacks=[relay], cancel=cancel, watch_steps=relay.steps)
        relay.flush()
        relay.send_weights(final=True)
        origin = relay.run.origin if relay.run is not None else None
        self.post_message(TrainingFinished(report, None if origin is None else str(origin)))

    # -- the run's events, each to the view that draws it ------------------------------------------

    def on_run_started(self, event: RunStarted) -> None:
        run = event.run
        self.query_one(SurfacePane).prepare(run.preset, run.n_features, event.surface, run.weights, event.steps)
        self.query_one(BoundaryView).show_untrained(run.preset, run.prepared.dataset, run.weights, start=True)
        self.show_start(run.preset, run.prepared.dataset, run.weights)

    def on_training_began(self, event: TrainingBegan) -> None:
        self.query_one(TrainProgress).start(event.begin)

    def on_batch_progress(self, event: BatchProgress) -> None:
        self.query_one(TrainProgress).batch(event.batch)

    def on_steps_taken(self, event: StepsTaken) -> None:
        self.query_one(SurfacePane).add_steps(event.steps)

    def on_epochs_ended(self, event: EpochsEnded) -> None:
        chart = self.query_one(HistoryChart)
        for epoch in event.epochs:
            chart.add_epoch(epoch.logs)
        self.query_one(TrainProgress).epoch(event.epochs[-1])

    def on_weights_changed(self, event: WeightsChanged) -> None:
        note = f"trained, {event.epoch} epochs" if event.final else f"training, epoch {event.epoch}"
        self.query_one(BoundaryView).show_weights(event.model, event.weights, note, final=event.final)
        shown = self.query_one(NetworkView).preset
        if shown is not None and shown.model == event.model:
            self.show_weights(event.weights, event.epoch - 1)

    def on_training_finished(self, event: TrainingFinished) -> None:
        report = event.report
        self.end_training(report.fit.describe())
        self.show_runs()
        # What is not on screen now (the results, the kept runs, the surface's last picture) is drawn
        # after the frame that says the run ended, so "completed" reaches the student first.
        self.call_after_refresh(self._after_run, report, event.origin)

    def _after_run(self, report: RunReport, origin: str | None) -> None:
        self.query_one(ResultsPanel).show(report, origin=origin)
        self.show_kept_runs()
        if self.session.kept_problem is not None:
            self.notify(self.session.kept_problem, severity="warning", timeout=8, markup=False)
        self.query_one(SurfacePane).finish(report)
        if report.fit.status == "diverged":  # otherwise the marked Results tab says a run ended
            self.notify(report.fit.describe(), title="Run finished", severity="warning", markup=False)

    def end_training(self, text: str) -> None:
        self._train_worker = None
        self.session.pace.resume()  # the next run plays unless it is started by a step
        self.query_one(PaceStatus).show()
        self.query_one(TrainProgress).finish(text)
        self.show_train_state()

    def training_failed(self, message: str) -> None:
        self.end_training("failed")
        self.query_one(HistoryChart).end_live()
        self.notify(message, title="Training failed", severity="error", timeout=8, markup=False)

    def action_boundary(self, what: str) -> None:
        view = self.query_one(BoundaryView)
        view.toggle_discretize() if what == "discretize" else view.toggle_test_points()

    # -- runs side by side ---------------------------------------------------------------------

    def show_runs(self) -> None:
        runs = self.session.runs.runs
        view = self.query_one(RunsView)
        self.query_one(HistoryChart).show_runs([*self.overlaid.values(), *runs])
        view.show(runs)

    def show_kept_runs(self) -> None:
        """The Runs view rereads the run store (this session's runs and earlier ones)."""
        keeper = self.session.keeper
        if keeper is not None and keeper.enabled:
            self.query_one(RunsView).load(keeper.db)

    @property
    def overlaid(self) -> dict[int, RunRecord]:
        """Kept runs laid over the loss chart, by run id (the Runs view's `v`)."""
        return self.query_one(RunsView).on_chart

    def on_runs_view_overlay(self, event: RunsView.Overlay) -> None:
        self.show_runs()

    def action_toggle_metric(self) -> None:
        self.query_one(HistoryChart).toggle_metric()

    def action_clear_runs(self) -> None:
        if self.training:
            self.notify("Stop the run first (t); then c clears the runs.", severity="warning")
            return
        self.session.clear_runs()
        self.show_runs()
        self.notify("Runs cleared: the next run starts a new comparison.")

    # -- pace: pause, step, speed (the run waits on the session's pace before every batch) ----

    def action_pause(self) -> None:
        if not self.training:
            self.notify("Nothing is training: t plays a run, b or n steps into one.")
            return
        if self.session.pace.toggle():  # paused now
            self.query_one(SurfacePane).held()
        self.query_one(PaceStatus).show()
        self.show_train_state()

    def action_step_batch(self) -> None:
        self._step(Pace.step_batch)

    def action_step_epoch(self) -> None:
        self._step(Pace.step_epoch)

    def _step(self, step: Any) -> None:
        if not self.training:
            self.action_train(held=True)
            if not self.training:
                return
        step(self.session.pace)
        self.query_one(PaceStatus).show()
        self.show_train_state()
        self.query_one(SurfacePane).held()

    def action_faster(self) -> None:
        self.query_one(PaceStatus).faster()

    def action_slower(self) -> None:
        self.query_one(PaceStatus).slower()

    # -- random search (the Search view runs it through the session) ---------------------------

    def action_search(self) -> None:
        self.query_one("#views", TabbedContent).active = "view-search"
        self.query_one(SearchView).toggle(self.session)

    def action_apply_best(self) -> None:
        self.query_one(SearchView).apply_best(self.session.draft)
