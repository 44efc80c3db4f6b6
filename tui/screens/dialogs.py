"""Small modal dialogs: a yes/no question, saving the spec as a preset, exporting and opening a model."""

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
            self.notify("Both a title and a file name are needed.", severity="warning", markup=False)
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


class PathDialog(ModalScreen[str | None]):
    """Asks for one file path: a title, the path, a hint below it, and an action button."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]
    KIND = "path"  # ids: #<kind>-dialog, #<kind>-path, and the button #<kind>
    ACTION = "OK"

    def __init__(self, path: str, title: str, hint: str) -> None:
        super().__init__()
        self.path = path
        self.heading = title
        self.hint = hint

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id=f"{self.KIND}-dialog"):
            yield Label(self.heading, classes="dialog-title")
            yield Input(self.path, id=f"{self.KIND}-path")
            yield Label(self.hint, classes="dim")
            with Horizontal(classes="dialog-buttons"):
                yield Button(self.ACTION, id=self.KIND, variant="primary", compact=True)
                yield Button("Cancel", id="cancel", compact=True)

    def _request(self) -> None:
        path = self.query_one(f"#{self.KIND}-path", Input).value.strip()
        if path:
            self.dismiss(path)

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self._request()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        if event.button.id == self.KIND:
            self._request()
        else:
            self.dismiss(None)


class ExportDialog(PathDialog):
    """Asks where to write the trained model (``.h5``)."""

    KIND, ACTION = "export", "Export"

    def __init__(self, path: str, engine: str) -> None:
        super().__init__(path, f"Export the last run's model ({engine} engine) as Keras .h5",
                         "The first export loads TensorFlow, which takes a few seconds.")
        self.engine = engine


class OpenModelDialog(PathDialog):
    """Asks which saved Keras ``.h5`` model to open as the current model."""

    KIND, ACTION = "open", "Open"

    def __init__(self, path: str) -> None:
        super().__init__(path, "Open a saved Keras .h5 model",
                         "A Sequential of Dense and Dropout layers: its layers and weights\n"
                         "replace the current model, scored at once on the test rows.")


class CodeDialog(PathDialog):
    """Asks where to write the Keras program (``.py``) the Code view shows."""

    KIND, ACTION = "code", "Write"

    def __init__(self, path: str) -> None:
        super().__init__(path, "Write the model as a Keras program (.py)",
                         "Run it with python: it trains what nnplay's Keras engine trains\n"
                         "and prints the same test loss and accuracy.")
