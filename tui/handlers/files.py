"""Files: loading a preset, saving the draft as one, exporting the last run's model, opening a saved one.

TensorFlow is imported only in the export and open workers, never at start-up.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.widgets import TabbedContent

from nnplay.engine.errors import NnplayError, SpecError
from nnplay.engine.presets import load_preset, resolve, save_preset
from nnplay.engine.spec import Preset
from nnplay.engine.user_paths import slug
from nnplay.tui.messages import ExportFinished, ModelOpened
from nnplay.tui.render import counted, probabilities_table
from nnplay.tui.screens.dialogs import Confirm, ExportDialog, OpenModelDialog, SavePresetDialog, SaveRequest
from nnplay.tui.screens.presets import PresetPicker
from nnplay.tui.widgets.code import CodeView
from nnplay.tui.widgets.notes import NotesView
from nnplay.tui.widgets.results import ResultsPanel
from nnplay.tui.widgets.runs import RunsView

if TYPE_CHECKING:
    from nnplay.engine.run import RunReport
    from nnplay.engine.session import Session

FIRST_ROWS = 3  # test rows an opened model shows its outputs for, as the lecture's predict(X_test[:3])


class Files:
    """Mixed into the app: ``self.session`` is the app's session."""

    session: Session
    preset_id: str | None = None

    # -- presets -----------------------------------------------------------------------------

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
        self.session.load_preset(preset)
        self.preset_id = preset_id
        await self.rebuild_panels()
        await self.query_one(NotesView).show_notes(preset.preset.notes)
        self.spec_changed(data_changed=True)

    def action_write_code(self) -> None:
        """The Code view's program (the draft as Keras code) to a .py file."""
        self.query_one("#views", TabbedContent).active = "view-code"
        self.query_one(CodeView).write()

    def action_save(self) -> None:
        draft = self.session.draft
        if not draft.valid:
            self.notify(f"Only a valid spec can be saved: {draft.problems[0]}", severity="warning", markup=False)
            return
        title = draft.preset.preset.title
        self.push_screen(SavePresetDialog(title, f"{slug(title)}.toml"), self._save_requested)

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
            preset = self.session.preset.with_changes("preset.title", request.title)
            path = save_preset(preset, request.path, overwrite=overwrite)
        except SpecError as error:
            self.notify(error.one_line(), title="Not saved", severity="error", markup=False)
            return
        self.notify(str(path), title="Preset saved", markup=False)

    # -- export ------------------------------------------------------------------------------

    def action_export(self) -> None:
        report = self.session.report
        if report is None:
            self.notify("Train a model first: export writes the last run's model.", severity="warning")
            return
        default = f"{slug(report.preset.preset.title)}.h5"
        self.push_screen(ExportDialog(default, report.engine), self._export_requested)

    def _export_requested(self, path: str | None) -> None:
        report = self.session.report
        if not path or report is None:
            return
        if Path(path).expanduser().exists():
            self.push_screen(Confirm(f"{path} exists. Overwrite it?"),
                             lambda yes: yes and self._export(report, path, True))
        else:
            self._export(report, path, False)

    @work(thread=True, exclusive=True, exit_on_error=False, group="export", description="export")
    def _export(self, report: RunReport, path: str, force: bool) -> None:
        written = self.session.export_model(path, force=force, report=report)
        self.post_message(ExportFinished(str(written)))

    def on_export_finished(self, event: ExportFinished) -> None:
        self.notify(event.path, title="Model exported", markup=False)

    # -- opening a saved model (the lecture's load_model): its layers and weights become the model

    def action_open_model(self) -> None:
        if self.training:
            self.notify("Stop the training first (t), then open a model.", severity="warning")
            return
        self.push_screen(OpenModelDialog(self.session.model_path), self._open_requested)

    def _open_requested(self, path: str | None) -> None:
        if path:
            self.notify(f"Reading {path} (the first file loads TensorFlow, a few seconds)…",
                        title="Opening model", timeout=4, markup=False)
            self._open_model(path, self.session.preset)

    @work(thread=True, exclusive=True, exit_on_error=False, group="restore", description="open model")
    def _open_model(self, path: str, preset: Preset) -> None:
        opened = self.session.open_model(path, preset)
        self.post_message(ModelOpened(opened, opened.probabilities(FIRST_ROWS)))

    def on_runs_view_open(self, event: RunsView.Open) -> None:
        """A kept run opened from the Runs view: its preset and final weights, as an opened .h5's."""
        if self.training:
            self.notify("Stop the training first (t), then open a run.", severity="warning")
            return
        self._open_kept(event.run_id)

    @work(thread=True, exclusive=True, exit_on_error=False, group="restore", description="open run")
    def _open_kept(self, run_id: int) -> None:
        from nnplay.engine.run_keeping import open_stored_run

        keeper = self.session.keeper
        assert keeper is not None
        opened = open_stored_run(keeper.db, run_id)
        self.post_message(ModelOpened(opened, opened.probabilities(FIRST_ROWS)))

    async def on_model_opened(self, event: ModelOpened) -> None:
        opened = event.opened
        self.session.use_model(opened)
        await self.rebuild_panels()
        self.spec_changed()
        data = opened.prepared.dataset
        first_rows = probabilities_table(event.first_rows, data.y_test[:len(event.first_rows)], data.class_names)
        self.query_one(ResultsPanel).show(opened.report, origin=str(opened.saved.path), first_rows=first_rows)
        self.query_one("#panels", TabbedContent).active = "results"
        scores = "  ".join(f"test {k} {v:.4f}" for k, v in opened.report.test.items())
        self.notify(f"{opened.saved.path.name}: {counted(len(opened.saved.layers), 'layer')}. {scores}",
                    title="Model opened", markup=False)
