"""The Code view: the draft as the Keras program ``nnplay code`` prints, highlighted; ``w`` writes it.

The program is rebuilt from the engine's generator (:func:`nnplay.engine.codegen.keras_program`) when the
draft changes, but only drawn while the view is on screen: a hidden view keeps the latest draft and
catches up when it is shown.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual.containers import ScrollableContainer
from textual.widgets import Static

from nnplay.engine.errors import NnplayError
from nnplay.tui.screens.dialogs import CodeDialog, Confirm

if TYPE_CHECKING:
    from nnplay.engine.spec import Preset

INVALID = "The spec has problems (see the panels on the left); the program appears once it is valid."


class CodeView(ScrollableContainer):
    """Scrolls both ways: long lines keep their shape, as in an editor."""

    DEFAULT_CSS = """
    CodeView {
        height: 1fr;
        overflow: auto auto;
    }
    CodeView > Static {
        width: auto;
        padding: 0 1;
    }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.preset: Preset | None = None
        self.name_stem = "model"
        self.program = ""
        self._drawn: tuple[Preset | None, str] | None = None

    def compose(self):
        yield Static(Text(INVALID, style="dim"), id="code-text")

    def show(self, preset: Preset | None, name: str) -> None:
        """The draft to show (``None``: the draft is not valid); drawn now if on screen."""
        self.preset, self.name_stem = preset, name
        if self.is_on_screen:
            self._draw()

    def on_show(self) -> None:
        self._draw()

    @property
    def is_on_screen(self) -> bool:
        return self.is_mounted and self.display and self.region.area > 0

    def _draw(self) -> None:
        key = (self.preset, self.name_stem)
        if key == self._drawn:
            return
        self._drawn = key
        text = self.query_one("#code-text", Static)
        if self.preset is None:
            self.program = ""
            text.update(Text(INVALID, style="dim"))
            return
        from rich.syntax import Syntax  # Pygments: loaded when the view is first shown, not for the first screen

        from nnplay.engine.codegen import keras_program

        self.program = keras_program(self.preset, self.name_stem)
        text.update(Syntax(self.program, "python", line_numbers=True, word_wrap=False, theme="ansi_dark"))

    # ----------------------------------------------------------------------------------------
    # Writing the program to a file

    def write(self) -> None:
        if self.preset is None:
            self.notify("Only a valid spec can be written as code.", severity="warning")
            return
        self.app.push_screen(CodeDialog(f"{self.name_stem}.py"), self._write_requested)

    def _write_requested(self, path: str | None) -> None:
        if not path or self.preset is None:
            return
        if Path(path).expanduser().exists():
            self.app.push_screen(Confirm(f"{path} exists. Overwrite it?"),
                                 lambda yes: yes and self._write(path, overwrite=True))
        else:
            self._write(path, overwrite=False)

    def _write(self, path: str, *, overwrite: bool) -> None:
        from nnplay.engine.codegen import save_program

        assert self.preset is not None
        try:
            written = save_program(self.preset, self.name_stem, path, overwrite=overwrite)
        except NnplayError as error:
            self.notify(error.one_line(), title="Not written", severity="error", markup=False)
            return
        self.notify(f"{written}: run it with python", title="Program written", markup=False)
