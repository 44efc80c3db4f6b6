"""Small modal dialogs: a yes/no question, saving the spec as a preset, exporting the model."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label


class Confirm(ModalScreen[bool]):
    BINDINGS = [Binding("escape", "dismiss(False)", "No"), Binding("y", "dismiss(True)", "Yes", show=False),
                Binding("n", "dismiss(False)", "No", show=False)]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.question, classes="dialog-title", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Yes (y)", id="yes", variant="warning", compact=True)
                yield Button("No (n)", id="no", compact=True)

    @on(Button.Pressed)
    def _answered(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")


@dataclass(frozen=True)
class SaveRequest:
    title: str
    path: str


class SavePresetDialog(ModalScreen[SaveRequest | None]):
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, title: str, path: str) -> None:
        super().__init__()
        self.preset_title = title
        self.path = path

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="save-dialog"):
            yield Label("Save the current spec as a preset", classes="dialog-title")
            yield Label("title")
            yield Input(self.preset_title, id="save-title")
            yield Label("file (.toml)")
            yield Input(self.path, id="save-path")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save", id="save", variant="primary", compact=True)
                yield Button("Cancel", id="cancel", compact=True)

    def _request(self) -> None:
        title = self.query_one("#save-title", Input).value.strip()
        path = self.query_one("#save-path", Input).value.strip()
        if not title or not path:
            self.notify("Both a title and a file name are needed.", severity="warning")
            return
        self.dismiss(SaveRequest(title, path))

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self._request()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self._request()
        else:
            self.dismiss(None)


class ExportDialog(ModalScreen[str | None]):
    """Asks where to write the trained model (``.h5``)."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, path: str, engine: str) -> None:
        super().__init__()
        self.path = path
        self.engine = engine

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="export-dialog"):
            yield Label(f"Export the last run's model ({self.engine} engine) as Keras .h5", classes="dialog-title")
            yield Input(self.path, id="export-path")
            yield Label("The first export loads TensorFlow, which takes a few seconds.", classes="dim")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Export", id="export", variant="primary", compact=True)
                yield Button("Cancel", id="cancel", compact=True)

    def _request(self) -> None:
        path = self.query_one("#export-path", Input).value.strip()
        if path:
            self.dismiss(path)

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self._request()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "export":
            self._request()
        else:
            self.dismiss(None)
