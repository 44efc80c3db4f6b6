"""Runs side by side in the playground: the chart's overlay and legend, the Runs view, and what the
chart costs while a run trains (it redraws only when epochs arrived, at most ten times a second, and
not at all while hidden). Real app, real NumPy engine, driven through Pilot."""

from __future__ import annotations

import re
import time

import pytest
from textual.geometry import Region
from textual.widgets import Input, Static, TabbedContent

from nnplay.tui.app import NnplayApp, make_app
from nnplay.tui.render import run_color
from nnplay.tui.widgets.charts import REDRAWS_PER_SECOND, HistoryChart
from nnplay.tui.widgets.fields import Field
from nnplay.tui.widgets.plots import LossPlot
from nnplay.tui.widgets.runs import RunsView
from tests.tui_helpers import HIDDEN, LONG, edit_field, screen_lines, screen_strips, wait_for, write_preset

DROPOUT = HIDDEN.replace(
    '  { type = "dense", units = 2', '  { type = "dropout", rate = 0.2 },\n  { type = "dense", units = 2'
).replace("epochs = 5", "epochs = 12\nvalidation_split = 0.2")
STOPPING = DROPOUT.replace(
    "epochs = 12", 'epochs = 300\nearly_stopping = { monitor = "val_loss", patience = 3, restore_best_weights = true }'
)


CURVE = {chr(code) for code in range(0x2801, 0x2900)} | {"·"}  # plotext's braille lines and the validation dots


def lines_of(widget) -> list[str]:
    """The text a widget shows on screen, line by line."""
    width, height = widget.size
    return [strip.text for strip in widget.render_lines(Region(0, 0, width, height))]


async def train(pilot, app: NnplayApp) -> None:
    before = app.report
    await pilot.press("t")
    await wait_for(pilot, lambda: app.report is not before and not app.training)
    await pilot.pause(0.2)


async def set_field(pilot, app: NnplayApp, path: str, text: str) -> None:
    control = next(f for f in app.query(Field) if f.path == path).control
    assert isinstance(control, Input)
    app.query_one("#panels", TabbedContent).active = "layers"
    await pilot.pause()
    await edit_field(pilot, control, text)
    await pilot.pause(0.2)


async def test_two_runs_overlay_with_a_legend_naming_the_changed_field(tmp_path):
    app = make_app(write_preset(tmp_path, DROPOUT))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.dataset is not None)
        await train(pilot, app)
        first = app.report
        await set_field(pilot, app, "model.layers[1].rate", "0")
        assert app.draft.preset.model.layers[1].rate == 0
        await train(pilot, app)
        second = app.report
        assert second is not first

        chart = app.query_one(HistoryChart)
        assert chart.runs_drawn == 2
        assert chart.legend == ["run 2: dropout 0.2 → 0", "run 1: first run"]
        shown = screen_lines(chart)
        assert any("run 2: dropout 0.2 → 0" in line for line in shown)
        assert any("run 1: first run" in line for line in shown)
        assert any("epoch 12: " in line for line in shown[:1])

        # Both runs' curves are on the plot: run 2 in its own colour, run 1 dimmed toward the background.
        colours = {seg.style.color.triplet.hex for strip in screen_strips(chart.query_one(LossPlot))
                   for seg in strip if seg.style and seg.style.color and any(ch in CURVE for ch in seg.text)}
        assert run_color(2) in colours
        assert run_color(1) not in colours and len(colours) == 2  # the earlier run: the dimmed shade


async def test_runs_table_rows_and_c_clears_them(tmp_path):
    app = make_app(write_preset(tmp_path, DROPOUT))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.dataset is not None)
        await train(pilot, app)
        await set_field(pilot, app, "model.layers[1].rate", "0.5")
        await train(pilot, app)
        report = app.report

        view = app.query_one(RunsView)
        app.query_one("#views", TabbedContent).active = "view-runs"
        await pilot.pause(0.2)
        assert [r.number for r in view.records] == [1, 2]
        lines = lines_of(app.query_one("#runs-table", Static))
        text = "\n".join(lines)
        # The whole table is on screen at 120x40 (test column included); "what changed" wraps between
        # words to make room, so its words are read column-wise.
        assert all(len(line.rstrip()) <= app.query_one(RunsView).scrollable_content_region.width for line in lines)
        for heading in ("run", "what", "changed", "epochs", "stop", "train", "val", "test"):
            assert heading in text
        assert "numpy" in text  # the engine, under the run's number
        head = next(line for line in lines if "changed" in line)
        start, end = head.index("changed"), head.index("epochs")
        changed = " ".join(" ".join(line[start:end].split()) for line in lines[lines.index(head) + 1:])
        assert "first run" in changed and "dropout 0.2 → 0.5" in changed and "completed" in text
        assert f"{report.test['loss']:.4f}" in text and f"{report.test['accuracy']:.4f}" in text
        assert f"{report.fit.history['val_loss'][-1]:.4f}" in text

        await pilot.press("c")
        await pilot.pause(0.2)
        assert view.records == () and len(app.runs) == 0
        assert "No runs yet" in "\n".join(lines_of(app.query_one("#runs-table", Static)))
        assert app.query_one(HistoryChart).runs_drawn == 0
        await train(pilot, app)
        assert [r.number for r in view.records] == [3] and view.records[0].changes == ()


async def test_l_switches_the_chart_between_loss_and_accuracy(tmp_path):
    app = make_app(write_preset(tmp_path, DROPOUT))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.dataset is not None)
        await train(pilot, app)
        chart = app.query_one(HistoryChart)
        history = app.report.fit.history
        assert screen_lines(chart)[0].startswith("loss · epoch")
        await pilot.press("l")
        await pilot.pause(0.1)
        shown = screen_lines(chart)
        assert chart.metric == "accuracy" and shown[0].startswith("accuracy · epoch")
        # The y axis spans the accuracies now, not the losses.
        top = max(max(history["accuracy"]), max(history["val_accuracy"]))
        assert any(f"{top:.3g}┤" in line for line in shown)
        await pilot.press("l")
        await pilot.pause(0.1)
        assert screen_lines(chart)[0].startswith("loss · epoch")


async def test_early_stopping_marks_the_best_epoch(tmp_path):
    app = make_app(write_preset(tmp_path, STOPPING))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.dataset is not None)
        await train(pilot, app)
        fit = app.report.fit
        assert fit.status == "early_stopped" and fit.best_epoch is not None
        chart = app.query_one(HistoryChart)
        assert chart.legend[0].endswith(f"best epoch {fit.best_epoch + 1}")
        shown = screen_lines(chart.query_one(LossPlot))
        plot = [line for line in shown if "┤" in line or "│" in line]
        columns = {line.index("┊") for line in plot if "┊" in line}
        assert len(columns) == 1  # one dotted column
        # Where the x axis puts that epoch: its ticks mark the first epoch and the last.
        axis = next(line for line in shown if "└" in line)
        first, last = axis.index("┬"), axis.rindex("┬")
        expected = first + fit.best_epoch * (last - first) / (fit.epochs_run - 1)
        assert abs(columns.pop() - expected) <= 1


async def test_the_chart_redraws_only_when_shown_and_at_most_ten_times_a_second(tmp_path):
    app = make_app(write_preset(tmp_path, LONG))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.dataset is not None)
        chart = app.query_one(HistoryChart)
        views = app.query_one("#views", TabbedContent)
        await pilot.press("t")
        await wait_for(pilot, lambda: chart.epochs >= 2)

        # Shown: the chart follows the epochs, at most REDRAWS_PER_SECOND times a second.
        start, count, epochs = time.monotonic(), chart.redraws, chart.epochs
        await pilot.pause(1.5)
        elapsed, drawn = time.monotonic() - start, chart.redraws - count
        assert chart.epochs > epochs and drawn >= 2, (drawn, chart.draw_seconds, elapsed)
        assert drawn <= elapsed * REDRAWS_PER_SECOND + 2

        # Hidden behind the Runs view: epochs keep arriving, the chart does not redraw.
        views.active = "view-runs"
        await pilot.pause(0.3)
        count, epochs = chart.redraws, chart.epochs
        await pilot.pause(1.0)
        assert chart.epochs > epochs and chart.redraws == count

        # Shown again: it catches up at once with the latest epoch.
        hidden_epochs = chart.epochs
        views.active = "view-loss"
        await pilot.pause(0.3)
        assert chart.redraws > count
        shown_epoch = int(re.search(r"epoch (\d+):", screen_lines(chart)[0]).group(1))
        assert shown_epoch >= hidden_epochs

        await pilot.press("t")
        await wait_for(pilot, lambda: app.report is not None and not app.training)

        # Idle: no epochs, no redraws.
        await pilot.pause(0.3)
        count = chart.redraws
        await pilot.pause(0.6)
        assert chart.redraws == count


@pytest.mark.slow
async def test_switching_to_keras_names_the_engine_in_the_legend_and_the_table(tmp_path):
    app = make_app(write_preset(tmp_path, DROPOUT.replace("epochs = 12", "epochs = 3")))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.dataset is not None)
        await train(pilot, app)
        select = next(f for f in app.query(Field) if f.path == "train.engine").control
        select.value = "keras"
        await pilot.pause(0.2)
        assert app.draft.preset.train.engine == "keras"
        before = app.report
        await pilot.press("t")
        await wait_for(pilot, lambda: app.report is not before and not app.training, timeout=120)
        await pilot.pause(0.2)
        assert app.report.engine == "keras"
        assert app.query_one(HistoryChart).legend[0] == "run 2: engine keras"
        assert [r.engine for r in app.query_one(RunsView).records] == ["numpy", "keras"]


def test_the_y_range_zooms_past_a_steep_start_but_keeps_a_gentle_one():
    from nnplay.tui.widgets.charts import _value_range

    steep = [5.0, 1.0] + [0.5 - 0.01 * i for i in range(18)]  # the first epoch alone is most of the range
    low, high, clipped = _value_range([steep])
    assert clipped and low == min(steep) and high < 1.0 < 5.0
    gentle = [1.0 - 0.02 * i for i in range(20)]
    assert _value_range([gentle]) == (min(gentle), 1.0, False)
    assert _value_range([[float("nan"), float("inf")]]) == (0.0, 1.0, False)
