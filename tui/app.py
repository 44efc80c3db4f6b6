"""The nnplay playground: edit a preset in panels, train it in a worker, watch the engine report.

The app holds a :class:`~nnplay.tui.draft.Draft` of the spec. Panels post
:class:`~nnplay.tui.messages.FieldEdited`; the draft runs the engine's validation and every panel marks
the fields the engine complains about. Train hands a frozen :class:`~nnplay.engine.spec.Preset` to a
thread worker, which runs :func:`nnplay.engine.run.run` and relays its events back as messages. Nothing
here computes anything about the model: the numbers on screen are the engine's.

Start-up stays light: scikit-learn (data), TensorFlow (Keras engine, export) and the engine's
run module are imported inside workers, after the first screen is drawn.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Header, Markdown, Static, TabbedContent, TabPane, Tabs
from textual.worker import Worker, WorkerState, get_current_worker

from nnplay.engine.errors import NnplayError, SpecError
from nnplay.engine.pace import Pace
from nnplay.engine.presets import default_preset_id, load_preset, resolve, save_preset
from nnplay.engine.runs import RunStore
from nnplay.engine.spec import Preset
from nnplay.tui import actions
from nnplay.tui.actions import ActionCommands
from nnplay.tui.draft import Draft
from nnplay.tui.messages import (
    BatchProgress,
    DataPreviewReady,
    EpochsEnded,
    ExportFinished,
    FieldEdited,
    ModelOpened,
    RunPrepared,
    StepsTaken,
    TrainingBegan,
    TrainingFinished,
    WeightsChanged,
)
from nnplay.tui.render import counted, probabilities_table
from nnplay.tui.screens.dialogs import Confirm, ExportDialog, OpenModelDialog, SavePresetDialog, SaveRequest
from nnplay.tui.screens.presets import PresetCommands, PresetPicker
from nnplay.tui.widgets.boundary import BoundaryView
from nnplay.tui.widgets.charts import HistoryChart
from nnplay.tui.widgets.dataset import DatasetPanel
from nnplay.tui.widgets.fields import Field, ProblemList
from nnplay.tui.widgets.keybar import KeyBar
from nnplay.tui.widgets.layers import LayersPanel
from nnplay.tui.widgets.network.units import NetworkView
from nnplay.tui.widgets.network.weights import WeightsView
from nnplay.tui.widgets.pace import DEFAULT_SPEED, PaceStatus
from nnplay.tui.widgets.regularization import RegularizationPanel
from nnplay.tui.widgets.results import ResultsPanel
from nnplay.tui.widgets.runs import RunsView
from nnplay.tui.widgets.search.view import SearchView
from nnplay.tui.widgets.summary import SummaryPanel
from nnplay.tui.widgets.surface.pane import SurfacePane, watches
from nnplay.tui.widgets.tabs import FittedTabs
from nnplay.tui.widgets.training import TrainingPanel, TrainProgress

if TYPE_CHECKING:
    from nnplay.engine.data import Dataset
    from nnplay.engine.restore import SavedModel
    from nnplay.engine.run import RunReport

PANELS = (DatasetPanel, LayersPanel, RegularizationPanel, TrainingPanel)
PREVIEW_DELAY = 0.3  # seconds of quiet typing before the data preview reloads
FIRST_ROWS = 3  # test rows an opened model shows its outputs for, as the lecture's predict(X_test[:3])


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:48] or "preset"


class NnplayApp(App[int]):
    TITLE = "nnplay"
    CSS_PATH = "app.tcss"
    COMMANDS: ClassVar = App.COMMANDS | {PresetCommands, ActionCommands}
    BINDINGS: ClassVar = actions.BINDINGS  # the footer, the palette and README's key table come from the same list

    def __init__(self, preset: Preset, preset_id: str | None = None) -> None:
        super().__init__()
        self.draft = Draft(preset)
        self.preset_id = preset_id
        self.dataset: Dataset | None = None
        self.report: RunReport | None = None
        self.runs = RunStore()  # the session's runs: the chart's overlay and the Runs view
        self.training = False
        self._train_worker: Worker | None = None
        self._preview_timer = None
        self._dataset_spec: Any = None  # the [data] spec self.dataset was loaded from
        self._data_error: str | None = None  # why the draft's data could not be loaded
        self.opened: SavedModel | None = None  # an opened .h5: runs start from its weights
        self._model_path = ""  # the .h5 last exported or opened, offered by the open dialog
        self._views_model: tuple[Any, Any, Dataset] | None = None  # model, data spec, data the views show
        self.pace = Pace(DEFAULT_SPEED)  # every run's speed and pause, kept from run to run

    # ----------------------------------------------------------------------------------------
    # Layout

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="main"):
            with FittedTabs(id="panels", initial="dataset", titles=actions.PANEL_TABS):
                with TabPane("Dataset", id="dataset"):
                    yield DatasetPanel(self.draft, id="dataset-panel", classes="panel")
                with TabPane("Layers", id="layers"):
                    yield LayersPanel(self.draft, id="layers-panel", classes="panel")
                with TabPane("Regularization", id="regularization"):
                    yield RegularizationPanel(self.draft, id="regularization-panel", classes="panel")
                with TabPane("Training", id="training"):
                    yield TrainingPanel(self.draft, id="training-panel", classes="panel")
                with TabPane("Notes", id="notes"):
                    with VerticalScroll(classes="panel"):
                        yield Markdown(self.draft.preset.preset.notes, id="notes-text")
                with TabPane("Results", id="results"):
                    with VerticalScroll(classes="panel"):
                        yield ResultsPanel(id="results-panel")
            with Vertical(id="side"):
                # What the student watches; the panels on the left are what they edit.
                with FittedTabs(id="views", initial="view-loss", titles=actions.VIEW_TABS):
                    with TabPane("Loss", id="view-loss"):
                        with VerticalScroll(id="summary-box"):
                            yield SummaryPanel(id="summary")
                        yield HistoryChart(id="chart")
                    with TabPane("Boundary", id="view-boundary"):
                        yield BoundaryView(id="boundary")
                    with TabPane("Network", id="view-network"):
                        with VerticalScroll(classes="view-scroll"):
                            yield NetworkView(id="network-view")
                    with TabPane("Weights", id="view-weights"):
                        with VerticalScroll(classes="view-scroll"):
                            yield WeightsView(id="weights-view")
                    with TabPane("Surface", id="view-surface"):
                        yield SurfacePane(id="surface-pane")
                    with TabPane("Runs", id="view-runs"):
                        yield RunsView(id="runs-view")
                    with TabPane("Search", id="view-search"):
                        yield SearchView(id="search-view")
                yield TrainProgress(self.pace, id="progress")
                with Horizontal(id="train-bar"):
                    yield Button("Train (t)", id="train", variant="success", compact=True)
                    yield PaceStatus(self.pace, id="pace")
                    yield Static("", id="train-status", markup=False)  # it quotes the user's values
        yield KeyBar()

    def on_mount(self) -> None:
        self.title = "nnplay"
        self._spec_changed(data_changed=True)
        self.call_after_refresh(self.focus_tabs)

    def focus_tabs(self) -> None:
        self.query_one("#panels > Tabs", Tabs).focus()

    # ----------------------------------------------------------------------------------------
    # Editing the spec

    @on(FieldEdited)
    async def _field_edited(self, event: FieldEdited) -> None:
        event.stop()
        old_data = self.draft.preset.data
        self.draft.set(event.path, event.value)
        if event.structural:
            await self._rebuild_panels()
        else:
            for field in self.query(Field):
                if field.path == event.path and field is not event._sender and field.value != event.value:
                    field.value = event.value
                    await field.recompose()
        self._spec_changed(data_changed=self.draft.valid and self.draft.preset.data != old_data)

    async def _rebuild_panels(self) -> None:
        for panel_type in PANELS:
            await self.query_one(panel_type).show(self.draft)
        if self.dataset is not None and self.draft.valid and self._preview_matches():
            self.query_one(DatasetPanel).show_dataset(self.dataset)

    def _preview_matches(self) -> bool:
        return self.dataset is not None and self._dataset_spec == self.draft.preset.data

    def _n_features(self, preset: Preset) -> int | None:
        """The input width: the spec's own, or the loaded preview's (``None``: not known yet)."""
        n_features = preset.n_features()
        if n_features is None and self._preview_matches():
            n_features = self.dataset.n_features  # type: ignore[union-attr]
        return n_features

    def _spec_changed(self, *, data_changed: bool = False) -> None:
        """Mark the engine's complaints, redraw the summary, and say whether Train can run."""
        draft = self.draft
        for field in self.query(Field):
            field.show_problem(draft.problem_at(field.path))
        for problems in self.query(ProblemList):
            problems.show_problems(draft.problems)
        preset = draft.preset
        self.sub_title = preset.preset.title
        self.query_one(SummaryPanel).show(preset, self._n_features(preset), stale=not draft.valid)
        self._show_train_state()
        self._show_untrained()
        if data_changed:
            self._schedule_preview()

    def _show_train_state(self) -> None:
        button = self.query_one("#train", Button)
        status = self.query_one("#train-status", Static)
        if self.training:
            button.label, button.variant, button.disabled = "Stop (t)", "error", False
            hint = "b batch · n epoch · space plays · t stops" if self.pace.state.paused else "space pauses · t stops"
            status.update(f"training… {hint}")  # its height follows the text (app.tcss wraps it)
            return
        button.label, button.variant = "Train (t)", "success"
        button.disabled = not self.draft.valid
        if self.draft.valid:
            origin = f" · from {Path(self.opened.path).name}" if self.opened is not None else ""
            ready = f"ready: {self.draft.preset.train.engine} engine{origin}"
            if self._data_error is not None:  # "ready" would promise a run the data cannot feed
                ready = "no data: the Dataset panel says why"
            elif not self._preview_matches():
                ready = f"loading the data… then {ready}"
            status.update(ready)
            button.tooltip = None
        else:
            first = self.draft.problems[0]
            more = len(self.draft.problems) - 1
            reason = f"can't train: {first}" + (f" (+{more} more)" if more else "")
            status.update(reason)
            button.tooltip = Text(reason)

    def _show_untrained(self, *, new_run: bool = False) -> None:
        """The views show the valid draft's starting weights, or the last run's weights while the
        draft keeps its model and data; ``new_run`` restarts the network views from the start."""
        if (self.training and not new_run) or not self.draft.valid or not self._preview_matches():
            return
        from nnplay.engine.numpy_net.initializers import initial_weights

        preset, dataset = self.draft.preset, self.dataset
        if not new_run:
            self.query_one(BoundaryView).show_untrained(preset, dataset)  # type: ignore[arg-type]
        key = (preset.model, preset.data, dataset)
        shown = self._views_model
        if not new_run and shown is not None and shown[:2] == key[:2] and shown[2] is dataset:
            return
        self._views_model = key
        self.query_one(NetworkView).show_model(preset, dataset)
        self.query_one(WeightsView).show_model(preset, dataset.feature_names)
        boundary = self.query_one(BoundaryView)  # drawn just before: share its starting weights
        shared = not boundary.trained and boundary.model == preset.model and boundary.dataset is dataset
        weights = boundary.weights if shared and boundary.weights is not None else None
        self._show_weights(weights or initial_weights(preset, dataset.n_features), -1)

    def _show_weights(self, weights: list, epoch: int) -> None:
        self.query_one(NetworkView).show_weights(weights, epoch)
        self.query_one(WeightsView).show_weights(weights, epoch)

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

    # ----------------------------------------------------------------------------------------
    # Data preview (scikit-learn is imported here, in a worker, after the first paint)

    def _schedule_preview(self) -> None:
        self._data_error = None
        if self._preview_timer is not None:
            self._preview_timer.stop()
        self._preview_timer = self.set_timer(PREVIEW_DELAY, self._start_preview)

    def _start_preview(self) -> None:
        if self.draft.valid:
            self._load_preview(self.draft.preset.data)

    @work(thread=True, exclusive=True, exit_on_error=False, group="data", description="data preview")
    def _load_preview(self, spec: Any) -> None:
        from nnplay.engine.data import load_data

        dataset = load_data(spec)
        if not get_current_worker().is_cancelled:
            self.post_message(DataPreviewReady(spec, dataset))

    @on(DataPreviewReady)
    def _preview_ready(self, event: DataPreviewReady) -> None:
        self.dataset, self._dataset_spec = event.dataset, event.spec
        if event.spec == self.draft.preset.data:
            self.query_one(DatasetPanel).show_dataset(event.dataset)
            self._spec_changed()

    # ----------------------------------------------------------------------------------------
    # Training

    def action_train(self, held: bool = False) -> None:
        """Start a run (playing, or ``held`` before its first batch), or stop the one under way."""
        if self.training:
            self.stop_training()
            return
        if not self.draft.valid:
            self.notify(f"Fix the spec first: {self.draft.problems[0]}", severity="warning", markup=False)
            return
        preset = self.draft.preset
        if self.opened is not None and not self._opened_fits(preset):
            self.notify(f"The layers or the data changed since {self.opened.path.name} was opened: "
                        "this run starts from fresh weights.", severity="warning", markup=False)
        self.pace.pause() if held else self.pace.resume()
        self.query_one(PaceStatus).show()
        self.training = True
        self.query_one(HistoryChart).begin(self.runs.next_number, self.runs.changes_for(self.draft.preset))
        self._show_untrained(new_run=True)
        self.query_one(TrainProgress).preparing("loading the data…")
        self._show_train_state()
        # Every step is recorded for the Surface view unless nobody could watch it: a run at max
        # speed with that tab hidden (recording costs a tiny net about a third of its speed).
        steps = held or self.pace.state.epochs_per_second is not None or SurfacePane.showing(self)
        self._train_worker = self._train(preset, steps, self.opened)

    def _opened_fits(self, preset: Preset) -> bool:
        """Whether the opened model's weights still fit the draft (unknown width: the worker decides)."""
        n_features = self._n_features(preset)
        return n_features is None or self.opened is None or self.opened.weights_for(preset.model, n_features) is not None

    @on(Button.Pressed, "#train")
    def _train_pressed(self) -> None:
        self.action_train()

    def stop_training(self) -> None:
        if self._train_worker is not None:
            self._train_worker.cancelled_event.set()
            self.pace.wake()  # a paused run stops at once
            self.query_one("#train-status", Static).update("stopping…", layout=False)

    @work(thread=True, exclusive=True, exit_on_error=False, group="train", description="training")
    def _train(self, preset: Preset, record_steps: bool, opened: SavedModel | None = None) -> None:
        """Runs in a thread with its own frozen preset: edits made meanwhile do not reach it.
        An opened model's weights are the start when they still fit the preset's layers."""
        from nnplay.engine.run import make_trainer, prepare, run
        from nnplay.engine.surface import LossSurface
        from nnplay.tui.relay import EventRelay

        cancel: threading.Event = get_current_worker().cancelled_event
        prepared = prepare(preset)
        small = watches(prepared.summary.trainable_params)
        surface = LossSurface(preset, prepared.x_train, prepared.y_train) if small else None
        watch = small and record_steps
        self.post_message(RunPrepared(preset, prepared.dataset.n_features, surface, watch))
        start = opened.weights_for(preset.model, prepared.dataset.n_features) if opened is not None else None
        trainer = make_trainer(preset, prepared.dataset.n_features, initial_weights=start)
        relay = EventRelay(self.post_message, weights=trainer.get_weights, model=preset.model)
        self.pace.on_hold = relay.hold
        report = run(prepared, on_event=relay, cancel=cancel, trainer=trainer, pace=self.pace, watch_steps=watch)
        relay.flush()
        relay.send_weights(final=True)
        self.post_message(TrainingFinished(report, None if start is None else str(opened.path)))

    @on(TrainingBegan)
    def _began(self, event: TrainingBegan) -> None:
        self.query_one(TrainProgress).start(event.begin)

    @on(BatchProgress)
    def _batch(self, event: BatchProgress) -> None:
        self.query_one(TrainProgress).batch(event.batch)

    @on(RunPrepared)
    def _prepared(self, event: RunPrepared) -> None:
        self.query_one(SurfacePane).prepare(event.preset, event.n_features, event.surface, event.steps)

    @on(StepsTaken)
    def _steps(self, event: StepsTaken) -> None:
        self.query_one(SurfacePane).add_steps(event.steps)

    @on(EpochsEnded)
    def _epochs(self, event: EpochsEnded) -> None:
        chart = self.query_one(HistoryChart)
        for epoch in event.epochs:
            chart.add_epoch(epoch.logs)
        self.query_one(TrainProgress).epoch(event.epochs[-1])

    @on(WeightsChanged)
    def _weights(self, event: WeightsChanged) -> None:
        note = f"trained, {event.epoch} epochs" if event.final else f"training, epoch {event.epoch}"
        self.query_one(BoundaryView).show_weights(event.model, event.weights, note, final=event.final)
        if self._views_model is not None and self._views_model[0] == event.model:
            self._show_weights(event.weights, event.epoch - 1)

    def action_boundary(self, what: str) -> None:
        view = self.query_one(BoundaryView)
        view.toggle_discretize() if what == "discretize" else view.toggle_test_points()

    @on(TrainingFinished)
    def _finished(self, event: TrainingFinished) -> None:
        self.report = event.report
        self._end_training(event.report.fit.describe())
        self.query_one(ResultsPanel).show(event.report, origin=event.origin)
        self.runs.add(event.report)
        self._show_runs()
        self.query_one(SurfacePane).finish(event.report)
        if event.report.fit.status == "diverged":  # otherwise the marked Results tab says a run ended
            self.notify(event.report.fit.describe(), title="Run finished", severity="warning", markup=False)

    def _end_training(self, text: str) -> None:
        self.training = False
        self._train_worker = None
        self.pace.resume()  # the next run plays unless it is started by a step
        self.query_one(PaceStatus).show()
        self.query_one(TrainProgress).finish(text)
        self._show_train_state()

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        """Every worker's failure ends here: an engine error is a notification, never a traceback."""
        worker = event.worker
        if event.state != WorkerState.ERROR:
            return
        error = worker.error
        message = error.one_line() if isinstance(error, NnplayError) else f"{type(error).__name__}: {error}"
        if worker.group == "train":
            self._end_training("failed")
            self.query_one(HistoryChart).end_live()
            self.notify(message, title="Training failed", severity="error", timeout=8, markup=False)
        elif worker.group == "data":
            self.query_one(DatasetPanel).show_error(message)
            self._data_error = message
            self._show_train_state()
        elif worker.group == "export":
            self.notify(message, title="Export failed", severity="error", timeout=8, markup=False)
        elif worker.group == "restore":
            self.notify(message, title="Cannot open model", severity="error", timeout=8, markup=False)

    # ----------------------------------------------------------------------------------------
    # Random search (the Search view runs it; the draft takes its best trial like typed edits)

    def action_search(self) -> None:
        self.query_one("#views", TabbedContent).active = "view-search"
        self.query_one(SearchView).toggle(self.draft)

    def action_apply_best(self) -> None:
        self.query_one(SearchView).apply_best(self.draft)

    # ----------------------------------------------------------------------------------------
    # Runs side by side

    def _show_runs(self) -> None:
        self.query_one(HistoryChart).show_runs(self.runs.runs)
        self.query_one(RunsView).show(self.runs.runs)

    def action_toggle_metric(self) -> None:
        self.query_one(HistoryChart).toggle_metric()

    def action_clear_runs(self) -> None:
        if self.training:
            self.notify("Stop the run first (t); then c clears the runs.", severity="warning")
            return
        self.runs.clear()
        self._show_runs()
        self.notify("Runs cleared: the next run starts a new comparison.")

    # ----------------------------------------------------------------------------------------
    # Pace: pause, step, speed (the engine's Pace; the run waits on it before every batch)

    def action_pause(self) -> None:
        if not self.training:
            self.notify("Nothing is training: t plays a run, b or n steps into one.")
            return
        if self.pace.toggle():  # paused now
            self.query_one(SurfacePane).held()
        self.query_one(PaceStatus).show()
        self._show_train_state()

    def action_step_batch(self) -> None:
        self._step(Pace.step_batch)

    def action_step_epoch(self) -> None:
        self._step(Pace.step_epoch)

    def _step(self, step: Any) -> None:
        if not self.training:
            self.action_train(held=True)
            if not self.training:
                return
        step(self.pace)
        self.query_one(PaceStatus).show()
        self._show_train_state()
        self.query_one(SurfacePane).held()

    def action_faster(self) -> None:
        self.query_one(PaceStatus).faster()

    def action_slower(self) -> None:
        self.query_one(PaceStatus).slower()

    # ----------------------------------------------------------------------------------------
    # Presets

    def action_presets(self) -> None:
        self.push_screen(PresetPicker(current=self.preset_id), self._picked)

    def _picked(self, preset_id: str | None) -> None:
        if preset_id:
            self.call_later(self.load_preset_ref, preset_id)

    async def load_preset_ref(self, ref: str) -> None:
        try:
            preset = load_preset(ref)
        except NnplayError as error:
            self.notify(error.one_line(), title="Cannot load preset", severity="error", markup=False)
            return
        await self.load(preset, Path(resolve(ref)).stem)
        self.notify(preset.preset.title, title="Preset loaded", markup=False)

    async def load(self, preset: Preset, preset_id: str | None = None) -> None:
        """Show ``preset`` in every panel (a running training keeps its own copy)."""
        self.draft = Draft(preset)
        self.preset_id = preset_id
        self.opened = None
        await self._rebuild_panels()
        await self.query_one("#notes-text", Markdown).update(preset.preset.notes)
        self._spec_changed(data_changed=True)

    def action_save(self) -> None:
        if not self.draft.valid:
            self.notify(f"Only a valid spec can be saved: {self.draft.problems[0]}", severity="warning", markup=False)
            return
        title = self.draft.preset.preset.title
        self.push_screen(SavePresetDialog(title, f"{_slug(title)}.toml"), self._save_requested)

    def _save_requested(self, request: SaveRequest | None) -> None:
        if request is None:
            return
        target = Path(request.path).expanduser()
        if target.exists():
            question = f"{target} exists. Overwrite it?"
            self.push_screen(Confirm(question), lambda yes: yes and self._save(request, overwrite=True))
        else:
            self._save(request, overwrite=False)

    def _save(self, request: SaveRequest, *, overwrite: bool) -> None:
        try:
            preset = self.draft.preset.with_changes("preset.title", request.title)
            path = save_preset(preset, request.path, overwrite=overwrite)
        except SpecError as error:
            self.notify(error.one_line(), title="Not saved", severity="error", markup=False)
            return
        self.notify(str(path), title="Preset saved", markup=False)

    # ----------------------------------------------------------------------------------------
    # Export (TensorFlow is imported in the worker)

    def action_export(self) -> None:
        if self.report is None:
            self.notify("Train a model first: export writes the last run's model.", severity="warning")
            return
        default = f"{_slug(self.report.preset.preset.title)}.h5"
        self.push_screen(ExportDialog(default, self.report.engine), self._export_requested)

    def _export_requested(self, path: str | None) -> None:
        if not path or self.report is None:
            return
        report = self.report
        if Path(path).expanduser().exists():
            self.push_screen(Confirm(f"{path} exists. Overwrite it?"),
                             lambda yes: yes and self._export(report, path, True))
        else:
            self._export(report, path, False)

    @work(thread=True, exclusive=True, exit_on_error=False, group="export", description="export")
    def _export(self, report: RunReport, path: str, force: bool) -> None:
        from nnplay.engine.export import export_h5

        written = export_h5(report.trainer, path, force=force)
        self.post_message(ExportFinished(str(written)))

    @on(ExportFinished)
    def _exported(self, event: ExportFinished) -> None:
        self._model_path = event.path
        self.notify(event.path, title="Model exported", markup=False)

    # ----------------------------------------------------------------------------------------
    # Opening a saved model (the lecture's load_model): its layers and weights become the model

    def action_open_model(self) -> None:
        if self.training:
            self.notify("Stop the training first (t), then open a model.", severity="warning")
            return
        self.push_screen(OpenModelDialog(self._model_path), self._open_requested)

    def _open_requested(self, path: str | None) -> None:
        if path:
            self.notify(f"Reading {path} (the first file loads TensorFlow, a few seconds)…",
                        title="Opening model", timeout=4, markup=False)
            self._open_model(path, self.draft.preset)

    @work(thread=True, exclusive=True, exit_on_error=False, group="restore", description="open model")
    def _open_model(self, path: str, preset: Preset) -> None:
        from nnplay.engine.restore import open_model

        opened = open_model(path, preset)
        self.post_message(ModelOpened(opened, opened.probabilities(FIRST_ROWS)))

    @on(ModelOpened)
    async def _model_opened(self, event: ModelOpened) -> None:
        opened = event.opened
        self.draft = Draft(opened.preset)
        self.opened, self._model_path = opened.saved, str(opened.saved.path)
        self.report = opened.report
        await self._rebuild_panels()
        self._spec_changed()
        data = opened.prepared.dataset
        self.query_one(ResultsPanel).show(opened.report, origin=str(opened.saved.path), first_rows=probabilities_table(
            event.first_rows, data.y_test[:len(event.first_rows)], data.class_names))
        self.query_one("#panels", TabbedContent).active = "results"
        scores = "  ".join(f"test {k} {v:.4f}" for k, v in opened.report.test.items())
        self.notify(f"{opened.saved.path.name}: {counted(len(opened.saved.layers), 'layer')}. {scores}",
                    title="Model opened", markup=False)

    # ----------------------------------------------------------------------------------------
    # Quitting

    async def action_quit(self) -> None:
        if self._train_worker is not None:
            self._train_worker.cancelled_event.set()  # the trainer stops within one batch
            self.pace.wake()
        self.workers.cancel_all()
        self.exit(0)


def make_app(preset_ref: str | None = None) -> NnplayApp:
    """The app on ``preset_ref`` (a bundled id or a TOML path; default: the first lecture step)."""
    ref = preset_ref or default_preset_id()
    preset = load_preset(ref)
    return NnplayApp(preset, Path(resolve(ref)).stem)


def run_app(preset_ref: str | None = None) -> int:
    """Run the playground; returns the exit code (2 when the preset cannot be read)."""
    try:
        app = make_app(preset_ref)
    except NnplayError as error:
        import sys

        print(f"nnplay: error: {error.one_line()}", file=sys.stderr)
        return error.exit_code
    result = app.run()
    return result if isinstance(result, int) else (app.return_code or 0)


if __name__ == "__main__":
    import sys

    raise SystemExit(run_app(sys.argv[1] if len(sys.argv) > 1 else None))
