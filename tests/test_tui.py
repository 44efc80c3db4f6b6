"""The playground driven as a user drives it: real app, real engine, keys and clicks through Pilot."""

from __future__ import annotations

import time

import pytest
from textual.geometry import Region
from textual.widgets import Button, Input, Markdown, OptionList, TabbedContent

from nnplay.engine.presets import bundled_presets, load_preset
from nnplay.tui.app import NnplayApp, make_app
from nnplay.tui.screens.presets import PresetPicker
from nnplay.tui.widgets.charts import HistoryChart
from nnplay.tui.widgets.fields import Field
from nnplay.tui.widgets.notes import NotesView
from nnplay.tui.widgets.results import ResultsPanel
from nnplay.tui.widgets.summary import SummaryPanel
from tests.tui_helpers import HIDDEN, LONG, edit_field, screen_lines, wait_for, write_preset


def field(app: NnplayApp, path: str) -> Field:
    return next(f for f in app.query(Field) if f.path == path)


async def type_into(pilot, app: NnplayApp, path: str, text: str) -> None:
    control = field(app, path).control
    assert isinstance(control, Input)
    await edit_field(pilot, control, text)


def button(app: NnplayApp, name: str) -> Button:
    return next(b for b in app.query(Button) if b.name == name)


def painted_text(widget) -> str:
    """The characters ``widget`` paints now (what the terminal shows in its region)."""
    return "\n".join(strip.text for strip in widget.render_lines(Region(0, 0, *widget.size)))


def total_params(app: NnplayApp) -> int:
    summary = app.query_one(SummaryPanel).summary
    assert summary is not None
    return summary.total_params


# --------------------------------------------------------------------------------------------
# Start-up


async def test_opens_on_the_default_preset_ready_to_train():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.dataset is not None)
        assert app.sub_title == bundled_presets()[0].title
        assert not app.query_one("#train", Button).disabled
        assert "ready" in str(app.query_one("#train-status").render())


def test_a_bad_preset_reference_is_one_line_and_exit_code_2(capsys):
    from nnplay.tui.app import run_app

    assert run_app("no-such-preset-anywhere") == 2
    err = capsys.readouterr().err
    assert err.startswith("nnplay: error: preset:") and err.count("\n") == 1


# --------------------------------------------------------------------------------------------
# Editing


async def test_loading_a_preset_fills_every_panel(tmp_path):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await app.load_preset_ref(write_preset(tmp_path))
        await pilot.pause()
        assert app.sub_title == "Test: a hidden layer"
        assert field(app, "data.n").control.value == "400"
        assert field(app, "model.layers[0].units").control.value == "4"
        assert field(app, "model.layers[1].activation").control.value == "softmax"
        assert field(app, "train.optimizer.learning_rate").control.value == "0.5"
        assert field(app, "train.batch_size").control.value == "50"
        assert total_params(app) == 22  # (2*4 + 4) + (4*2 + 2), the lecture's count
        await pilot.press("5")  # the Notes tab
        await pilot.pause()
        notes = app.query_one("#notes-text", NotesView).query_one(Markdown)
        assert "A test preset" in notes.source


async def test_changing_units_updates_the_summary(tmp_path):
    app = make_app(write_preset(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("2")  # the Layers tab
        assert app.query_one("#panels", TabbedContent).active == "layers"
        assert total_params(app) == 22
        await type_into(pilot, app, "model.layers[0].units", "8")
        assert app.draft.valid
        assert total_params(app) == (2 * 8 + 8) + (8 * 2 + 2)


async def test_a_bad_value_is_marked_and_train_says_why(tmp_path):
    app = make_app(write_preset(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("2")
        await type_into(pilot, app, "model.layers[0].units", "0")
        units = field(app, "model.layers[0].units")
        assert units.control.has_class("-invalid")
        assert "greater than 0" in str(units.tooltip)
        button = app.query_one("#train", Button)
        assert button.disabled
        status = str(app.query_one("#train-status").render())
        assert "model.layers[0].units" in status and "greater than 0" in status
        # The summary keeps showing the last valid model.
        assert total_params(app) == 22
        await type_into(pilot, app, "model.layers[0].units", "3")
        assert not button.disabled and not units.control.has_class("-invalid")


async def test_text_where_a_number_belongs_gets_the_engines_message(tmp_path):
    app = make_app(write_preset(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("4")
        await type_into(pilot, app, "train.epochs", "ten")
        assert app.query_one("#train", Button).disabled
        assert "must be a whole number (got 'ten')" in str(field(app, "train.epochs").tooltip)


async def test_layers_can_be_added_moved_and_removed(tmp_path):
    app = make_app(write_preset(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("2")
        await pilot.click(button(app, "add:dropout"))
        await pilot.pause()
        types = [layer["type"] for layer in app.draft.get("model.layers")]
        assert types == ["dense", "dropout", "dense"]
        assert app.draft.valid and len(app.query_one(SummaryPanel).summary.layers) == 3
        await pilot.click(button(app, "up:1"))
        await pilot.pause()
        assert [layer["type"] for layer in app.draft.get("model.layers")] == ["dropout", "dense", "dense"]
        await pilot.click(button(app, "remove:0"))
        await pilot.pause()
        assert [layer["type"] for layer in app.draft.get("model.layers")] == ["dense", "dense"]
        assert total_params(app) == 22


async def test_switching_the_data_source_rebuilds_its_fields(tmp_path):
    app = make_app(write_preset(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        select = app.query_one("#data-source")
        select.value = "circles"
        # The first data preview loads in a thread meanwhile: wait for the rebuild, not a fixed time.
        await wait_for(pilot, lambda: "data.noise" in {f.path for f in app.query(Field)})
        paths = {f.path for f in app.query(Field)}
        assert "data.beta" not in paths
        assert app.draft.valid and app.draft.preset.data.source == "circles"
        assert app.draft.preset.data.seed == 42  # shared settings survive the switch
        await wait_for(pilot, lambda: app.dataset is not None and app.dataset.name.startswith("circles"))


async def test_early_stopping_can_be_switched_on(tmp_path):
    app = make_app(write_preset(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("3")
        await pilot.click("#early-stopping")
        await pilot.pause()
        assert app.draft.preset.train.early_stopping is not None
        await type_into(pilot, app, "train.early_stopping.patience", "2")
        assert app.draft.preset.train.early_stopping.patience == 2
        await type_into(pilot, app, "model.layers[0].kernel_regularizer.l2", "0.01")
        assert app.draft.preset.model.layers[0].kernel_regularizer.l2 == 0.01


# --------------------------------------------------------------------------------------------
# Training


async def test_train_a_few_numpy_epochs(tmp_path):
    app = make_app(write_preset(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        chart = app.query_one(HistoryChart)
        await wait_for(pilot, lambda: chart.redraws >= 1)  # the first paint draws the empty chart
        before = chart.redraws
        await pilot.press("t")
        await wait_for(pilot, lambda: app.report is not None)
        report = app.report
        assert report.fit.status == "completed" and report.fit.epochs_run == 5
        assert chart.history["loss"] == report.fit.history["loss"]  # every epoch, as the engine reported it
        # Drawn again after the run, and what it draws is the run: its title names the last epoch.
        await wait_for(pilot, lambda: chart.redraws > before and "epoch 5:" in "\n".join(screen_lines(chart)))
        bar = app.query_one("#progress-bar")
        assert bar.total == bar.progress == 5 * 6  # 300 training rows in batches of 50
        panels = app.query_one("#panels", TabbedContent)
        assert panels.active == "dataset"  # the student's panel stays; the Results tab is marked instead
        assert str(panels.get_tab("results").label).endswith("•")
        panels.active = "results"
        await pilot.pause()
        assert str(panels.get_tab("results").label) == "Results"
        results = app.query_one(ResultsPanel)
        assert results.report is report and report.confusion is not None
        assert not app.training and str(app.query_one("#train", Button).label) == "Train (t)"


async def test_the_chart_and_progress_move_during_a_run(tmp_path):
    app = make_app(write_preset(tmp_path, LONG))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("t")
        chart = app.query_one(HistoryChart)
        await wait_for(pilot, lambda: chart.epochs >= 3)
        first = chart.epochs, app.query_one("#progress-bar").progress
        await wait_for(pilot, lambda: chart.epochs > first[0] + 2)
        assert app.query_one("#progress-bar").progress > first[1]
        assert str(app.query_one("#train", Button).label) == "Stop (t)"
        await pilot.press("t")
        await wait_for(pilot, lambda: app.report is not None)


async def test_stop_cancels_within_a_batch(tmp_path):
    app = make_app(write_preset(tmp_path, LONG))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("t")
        await wait_for(pilot, lambda: app.query_one(HistoryChart).epochs >= 2)
        pressed = time.monotonic()
        await pilot.press("t")
        await wait_for(pilot, lambda: app.report is not None, timeout=5)
        assert time.monotonic() - pressed < 2.0
        assert app.report.fit.status == "cancelled"
        assert "cancelled" in app.report.fit.describe()
        assert not app.training and not app.query_one("#train", Button).disabled


async def test_editing_during_a_run_does_not_touch_the_running_model(tmp_path):
    app = make_app(write_preset(tmp_path, LONG))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("t")
        await wait_for(pilot, lambda: app.query_one(HistoryChart).epochs >= 1)
        await pilot.press("2")
        await type_into(pilot, app, "model.layers[0].units", "7")
        assert app.draft.preset.model.layers[0].units == 7
        await pilot.press("escape", "t")
        await wait_for(pilot, lambda: app.report is not None)
        assert app.report.preset.model.layers[0].units == 4
        assert app.report.summary.total_params == 22


async def test_quitting_during_a_run_stops_it_and_exits(tmp_path):
    app = make_app(write_preset(tmp_path, LONG))
    started = None
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("t")
        await wait_for(pilot, lambda: app.query_one(HistoryChart).epochs >= 1)
        started = time.monotonic()
        await pilot.press("q")
        await pilot.pause(0.2)
    assert app.return_code == 0
    assert time.monotonic() - started < 5


async def test_an_engine_error_is_a_notification_not_a_traceback(tmp_path):
    csv = HIDDEN.replace('source = "logistic"\nn = 400\nbeta = [1.0, 2.0]',
                         f'source = "csv"\npath = "{tmp_path / "missing.csv"}"\nlabel_column = "y"')
    app = make_app(write_preset(tmp_path, csv))
    async with app.run_test(size=(120, 40)) as pilot:
        assert app.draft.valid
        await pilot.press("t")
        await wait_for(pilot, lambda: not app.training)
        await pilot.pause(0.1)
        messages = [n.message for n in app._notifications]
        assert any("missing.csv" in m for m in messages), messages
        assert app.report is None and not app.query_one("#train", Button).disabled


# --------------------------------------------------------------------------------------------
# Presets


async def test_the_picker_lists_every_bundled_preset_and_loads_one():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.screen, PresetPicker)
        options = app.screen.query_one(OptionList)
        entries = bundled_presets()
        assert options.option_count == len(entries)
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: app.preset_id == entries[1].id)
        assert app.sub_title == entries[1].title
        assert app.draft.preset == load_preset(entries[1].id)


async def test_save_writes_a_loadable_preset_with_the_users_title(tmp_path):
    app = make_app(write_preset(tmp_path))
    target = tmp_path / "mine.toml"
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("s")
        await pilot.pause()
        app.screen.query_one("#save-title", Input).value = "My own net"
        app.screen.query_one("#save-path", Input).value = str(target)
        await pilot.click("#save")
        await wait_for(pilot, target.exists)
        saved = load_preset(str(target))
        assert saved.preset.title == "My own net"
        assert saved.model == app.draft.preset.model and saved.train == app.draft.preset.train
        # Saving again asks first; "n" keeps the file as it is.
        before = target.read_text()
        await pilot.press("s")
        await pilot.pause()
        app.screen.query_one("#save-title", Input).value = "Changed"
        app.screen.query_one("#save-path", Input).value = str(target)
        await pilot.click("#save")
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        assert target.read_text() == before


# --------------------------------------------------------------------------------------------
# Export


async def test_export_before_training_says_to_train_first():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("e")
        await pilot.pause()
        assert any("Train a model first" in n.message for n in app._notifications)


@pytest.mark.slow
async def test_export_and_load_with_keras(tmp_path):
    app = make_app(write_preset(tmp_path))
    target = tmp_path / "model.h5"
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("t")
        await wait_for(pilot, lambda: app.report is not None)
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#export-path", Input).value = str(target)
        await pilot.press("enter")
        await wait_for(pilot, lambda: any(n.title == "Model exported" for n in app._notifications), timeout=120)
    import keras

    model = keras.models.load_model(target, compile=False)
    assert model.count_params() == 22
