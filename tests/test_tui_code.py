"""The Code view: the draft as the Keras program `nnplay code` prints, updated as the panels change,
and written to a .py file with `w`. Real app, driven through Pilot."""

from __future__ import annotations

from textual.geometry import Region
from textual.widgets import Input, Static, TabbedContent

from nnplay.engine.codegen import keras_program
from nnplay.engine.presets import load_preset
from nnplay.tui.app import make_app
from nnplay.tui.widgets.code import CodeView
from tests.tui_helpers import wait_for


def shown_text(view: CodeView) -> str:
    """What the view's text shows in its visible part, line by line."""
    text = view.query_one("#code-text", Static)
    width, height = text.size.width, min(text.size.height, view.size.height)
    return "\n".join(strip.text for strip in text.render_lines(Region(0, 0, width, height)))


async def test_code_view_shows_the_program_and_w_writes_it(tmp_path):
    app = make_app("05")
    async with app.run_test(size=(120, 40)) as pilot:
        app.query_one("#views", TabbedContent).active = "view-code"
        view = app.query_one(CodeView)
        await wait_for(pilot, lambda: bool(view.program))
        assert view.program == keras_program(load_preset("05"), "05-hidden-layer")
        await pilot.pause(0.1)
        screen_text = shown_text(view)
        assert "import numpy as np" in screen_text and '"""5.' in screen_text  # line numbers beside

        await pilot.press("w")
        await wait_for(pilot, lambda: app.screen.query("#code-path"))
        target = tmp_path / "hidden.py"
        path_input = app.screen.query_one("#code-path", Input)
        path_input.value = str(target)
        await pilot.press("enter")
        await wait_for(pilot, target.exists)
        assert target.read_text() == view.program


async def test_code_view_follows_an_edit_and_waits_while_hidden():
    app = make_app("05")
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.query_one(CodeView)
        await pilot.pause(0.2)
        assert view.program == ""  # hidden: nothing built yet
        edited = app.draft.preset.with_changes("train.epochs", 7)
        await app.load(edited, "05-hidden-layer")
        app.query_one("#views", TabbedContent).active = "view-code"
        await wait_for(pilot, lambda: "epochs=7" in view.program)
