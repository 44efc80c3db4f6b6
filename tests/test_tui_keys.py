"""The keyboard model: MOVE mode (keys are commands whatever has focus) and EDIT mode (keys go into the
field, enter accepts, escape restores), and the one registry every key comes from."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from textual.widgets import Footer, TabbedContent

from nnplay.tui.actions import ACTIONS, ActionCommands, key_table
from nnplay.tui.app import NnplayApp, make_app
from nnplay.tui.widgets.fields import Field, FieldInput
from tests.tui_helpers import LONG, wait_for, write_preset

SIZES = [(80, 24), (120, 40)]


def control(app, path: str) -> FieldInput:
    widget = next(f for f in app.query(Field) if f.path == path).control
    assert isinstance(widget, FieldInput)
    return widget


async def focused_field(pilot, app, path: str = "train.epochs") -> FieldInput:
    await wait_for(pilot, lambda: app.dataset is not None)
    app.query_one("#panels", TabbedContent).active = "training"
    await pilot.pause()
    field = control(app, path)
    field.focus()
    await pilot.pause()
    return field


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_a_command_key_on_a_focused_field_fires_and_leaves_the_value(tmp_path, size):
    app = make_app(write_preset(tmp_path, LONG))
    async with app.run_test(size=size) as pilot:
        field = await focused_field(pilot, app)
        assert not field.editing and app.screen.has_class("-editing") is False
        await pilot.press("t")
        await wait_for(pilot, lambda: app.training)
        await pilot.press("t")  # stops
        await wait_for(pilot, lambda: not app.training)
        await pilot.press("2", "backspace")
        assert app.query_one("#panels", TabbedContent).active == "layers"
        assert field.value == "100000" and app.draft.get("train.epochs") == 100000


async def test_typed_characters_in_edit_mode_never_fire_commands(tmp_path):
    app = make_app(write_preset(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        field = await focused_field(pilot, app, "train.optimizer.learning_rate")
        await pilot.press("enter")
        assert field.editing and app.screen.has_class("-editing")
        await pilot.press("ctrl+u", "0", ".", "2", "t", "1", "q", "space", "plus", "backspace", "backspace",
                          "backspace")
        assert field.value == "0.2t1"  # every key went in; "q", "+" and space too, then three went out
        assert not app.training and app.query_one("#panels", TabbedContent).active == "training"
        assert app.draft.get("train.optimizer.learning_rate") == "0.2t1"  # validated as typed, as before
        await pilot.press("backspace", "backspace", "enter")
        assert not field.editing and field.value == "0.2"
        assert app.draft.get("train.optimizer.learning_rate") == 0.2


async def test_escape_restores_the_value_from_before_the_edit(tmp_path):
    app = make_app(write_preset(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        field = await focused_field(pilot, app)
        await pilot.press("enter", "ctrl+u", "7", "7")
        assert app.draft.get("train.epochs") == 77
        await pilot.press("escape")
        assert not field.editing and field.value == "5" and app.draft.get("train.epochs") == 5
        assert app.focused is field  # escape left the edit, not the field


async def test_the_footer_says_the_mode_and_the_keys_that_work_now(tmp_path):
    app = make_app(write_preset(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        await focused_field(pilot, app)
        footer = app.query_one(Footer)

        def shown() -> set[str]:
            return {binding.action for binding in (b.binding for b in app.screen.active_bindings.values()) if binding.show}

        assert app.query_one("#mode-move").display and not app.query_one("#mode-edit").display
        assert {"train", "begin_edit"} <= shown() and "accept_edit" not in shown()
        await pilot.press("enter")
        await pilot.pause()
        assert app.query_one("#mode-edit").display and not app.query_one("#mode-move").display
        assert shown() == {"accept_edit", "cancel_edit"}  # no command key while typing
        assert footer.display


async def test_arrows_move_between_fields_and_never_edit(tmp_path):
    app = make_app(write_preset(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        field = await focused_field(pilot, app)
        await pilot.press("down")
        assert app.focused is not field
        await pilot.press("up")
        assert app.focused is field and field.value == "5"


def test_every_key_is_written_once():
    keys = [action.key for action in ACTIONS]
    assert len(keys) == len(set(keys))
    assert {binding.key for binding in NnplayApp.BINDINGS} == set(keys)


def test_readme_key_table_is_the_registry():
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    table = key_table()
    assert table in readme, "README's key table differs from tui/actions.py: paste key_table() in"
    assert re.search(r"\| `\]` \|", table)


async def test_the_palette_lists_every_key_and_runs_it(tmp_path):
    app = make_app(write_preset(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        assert ActionCommands in app.COMMANDS
        provider = ActionCommands(app.screen)
        listed = [hit.text async for hit in provider.discover()]
        assert len(listed) == len(ACTIONS) and "train / stop the run (t)" in listed
        hits = [hit async for hit in provider.search("Regularization panel")]
        await hits[0].command()
        assert app.query_one("#panels", TabbedContent).active == "regularization"
        await pilot.pause()
