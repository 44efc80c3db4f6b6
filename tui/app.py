"""The nnplay playground: edit a preset in panels, train it in a worker, watch the engine report.

The app composes the screen (:mod:`nnplay.tui.layout`) and routes: it holds one
:class:`~nnplay.engine.session.Session` (the draft, the data, the opened model, the runs, the pace) and
no feature state of its own. Each feature's keys and messages live in a handler module mixed in
here: :mod:`~nnplay.tui.handlers.editing` (fields, the data preview, moving around),
:mod:`~nnplay.tui.handlers.training` (runs, pace, runs side by side, search keys) and
:mod:`~nnplay.tui.handlers.files` (presets, save, export, open). A new view goes in the layout; a new
command is a binding below and an ``action_`` in its feature's handler.

Start-up stays light: scikit-learn (data), TensorFlow (Keras engine, export) and the engine's
run module are imported inside workers, after the first screen is drawn.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual.app import App, ComposeResult
from textual.widgets import Header
from textual.worker import Worker, WorkerState

from nnplay.engine.draft import Draft
from nnplay.engine.errors import NnplayError
from nnplay.engine.pace import Pace
from nnplay.engine.presets import default_preset_id, load_preset, resolve
from nnplay.engine.session import Session
from nnplay.engine.spec import Preset
from nnplay.tui import actions
from nnplay.tui.actions import ActionCommands
from nnplay.tui.handlers.editing import Editing
from nnplay.tui.handlers.files import Files
from nnplay.tui.handlers.training import Training
from nnplay.tui.layout import main_layout
from nnplay.tui.screens.presets import PresetCommands
from nnplay.tui.widgets.dataset import DatasetPanel
from nnplay.tui.widgets.keybar import KeyBar
from nnplay.tui.widgets.pace import DEFAULT_SPEED
from nnplay.tui.widgets.search.view import SearchView
from nnplay.tui.widgets.surface.pane import SurfacePane

if TYPE_CHECKING:
    from nnplay.engine.data import Dataset
    from nnplay.engine.restore import SavedModel
    from nnplay.engine.run import RunReport
    from nnplay.engine.run_keeping import RunKeeper
    from nnplay.engine.runs import RunStore
    from nnplay.engine.study_storage import StudyOptions


class NnplayApp(Editing, Training, Files, App[int]):
    TITLE = "nnplay"
    CSS_PATH = "app.tcss"
    COMMANDS: ClassVar = App.COMMANDS | {PresetCommands, ActionCommands}
    BINDINGS: ClassVar = actions.BINDINGS  # the footer, the palette and README's key table come from the same list

    def __init__(self, preset: Preset, preset_id: str | None = None, keeper: RunKeeper | None = None,
                 study: StudyOptions | None = None) -> None:
        super().__init__()
        # The pace is kept from run to run; every run is kept in the run store (and TensorBoard logs);
        # ``study``: the shared Optuna study the Search view joins (None: in memory).
        if keeper is None:  # the user's run store (sqlite3 and the store's module load here, after the imports)
            from nnplay.engine.run_keeping import RunKeeper

            keeper = RunKeeper()
        self.session = Session(preset, pace=Pace(DEFAULT_SPEED), keeper=keeper, source="app",
                               study=study)
        self.preset_id = preset_id

    # -- what the session holds, by the names the widgets and tests use ------------------------

    @property
    def draft(self) -> Draft:
        return self.session.draft

    @property
    def dataset(self) -> Dataset | None:
        """The session's data once the preview shows it."""
        shown = self.query_one(DatasetPanel).dataset
        return shown if shown is not None and shown is self.session.dataset else None

    @property
    def report(self) -> RunReport | None:
        """The last report the screen shows: a run's once its end has reached the UI thread (the
        session holds it a moment earlier, on the training thread), or the opened model's."""
        return None if self.training else self.session.report

    @property
    def opened(self) -> SavedModel | None:
        return self.session.opened

    @property
    def runs(self) -> RunStore:
        return self.session.runs

    @property
    def pace(self) -> Pace:
        return self.session.pace

    # -- layout ------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        yield from main_layout(self.session)
        yield KeyBar()

    def on_mount(self) -> None:
        self.title = "nnplay"
        self.spec_changed(data_changed=True)
        self.call_after_refresh(self.focus_tabs)
        self.show_kept_runs()  # earlier sessions' runs too

    # -- failures: every worker's ends here, an engine error as a notification, never a traceback

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if event.state != WorkerState.ERROR:
            return
        error = worker.error
        message = error.one_line() if isinstance(error, NnplayError) else f"{type(error).__name__}: {error}"
        handlers = {
            "train": self.training_failed,
            "data": self.data_failed,
            "search": self.query_one(SearchView).failed,
            "surface": self.query_one(SurfacePane).failed,
            "surface-final": self.query_one(SurfacePane).failed,
        }
        if worker.group in handlers:
            handlers[worker.group](message)
        else:  # export, restore, and any worker added later
            title = FAILURE_TITLES.get(worker.group, f"{worker.description or worker.group} failed")
            self.notify(message, title=title, severity="error", timeout=8, markup=False)

    async def action_quit(self) -> None:
        if self._train_worker is not None:
            self._train_worker.cancelled_event.set()  # the trainer stops within one batch
            self.session.pace.wake()
        self.workers.cancel_all()
        self.exit(0)


FAILURE_TITLES = {"export": "Export failed", "restore": "Cannot open model"}


def make_app(preset_ref: str | None = None, keeper: RunKeeper | None = None,
             study: StudyOptions | None = None) -> NnplayApp:
    """The app on ``preset_ref`` (a bundled id or a TOML path; default: the first lecture step);
    ``keeper``: where runs are kept (default: the user's run store); ``study``: a shared study."""
    ref = preset_ref or default_preset_id()
    preset = load_preset(ref)
    return NnplayApp(preset, Path(resolve(ref)).stem, keeper, study)


def run_app(preset_ref: str | None = None, keeper: RunKeeper | None = None, study: StudyOptions | None = None) -> int:
    """Run the playground; returns the exit code (2 when the preset cannot be read)."""
    try:
        app = make_app(preset_ref, keeper, study)
    except NnplayError as error:
        import sys

        print(f"nnplay: error: {error.one_line()}", file=sys.stderr)
        return error.exit_code
    result = app.run()
    return result if isinstance(result, int) else (app.return_code or 0)


if __name__ == "__main__":
    import sys

    raise SystemExit(run_app(sys.argv[1] if len(sys.argv) > 1 else None))
