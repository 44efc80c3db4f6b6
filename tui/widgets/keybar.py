"""The bottom line: which mode the keyboard is in, and the keys that work now (Textual's Footer)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Footer, Label


class KeyBar(Horizontal):
    """``MOVE`` or ``EDIT`` (app.tcss shows one, from the screen's ``-editing`` class that
    :class:`~nnplay.tui.widgets.fields.FieldInput` sets), then the footer. The footer lists the focused
    widget's and the app's bindings, so in EDIT mode it shows ``enter`` / ``esc`` and no command key."""

    def compose(self) -> ComposeResult:
        yield Label("MOVE", id="mode-move", classes="mode")
        yield Label("EDIT", id="mode-edit", classes="mode")
        yield Footer(compact=True)
