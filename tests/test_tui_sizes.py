"""Every size readable: at 80x24 and 120x40, and after resizing between them, nothing the student needs
is cut, covered or shown as another value (issue 15, item 4)."""

from __future__ import annotations

import pytest
from textual.geometry import Region
from textual.widgets import Checkbox, Footer, Select, TabbedContent, Tabs
from textual.widgets._toast import Toast

from nnplay.tui.app import make_app
from nnplay.tui.widgets.charts import HistoryChart
from nnplay.tui.widgets.fields import Field, FieldInput, display
from nnplay.tui.widgets.runs import RunsView
from nnplay.tui.widgets.training import TrainProgress
from tests.tui_helpers import wait_for, write_preset

SIZES = [(80, 24), (120, 40)]
EDIT_PANELS = ("dataset", "layers", "regularization", "training")


def painted(widget) -> str:
    return "\n".join(strip.text for strip in widget.render_lines(Region(0, 0, *widget.size)))


async def shown(pilot, app) -> None:
    await wait_for(pilot, lambda: app.dataset is not None)
    await pilot.pause(0.2)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_every_value_of_preset_08_is_shown_whole(size):
    app = make_app("08-l1-l2")
    async with app.run_test(size=size) as pilot:
        await shown(pilot, app)
        checked = 0
        for tab in EDIT_PANELS:
            app.query_one("#panels", TabbedContent).active = tab
            await pilot.pause(0.1)
            panel = app.query_one(f"#{tab}-panel").scrollable_content_region
            for field in app.query_one(f"#{tab}").query(Field):
                control, value = field.control, display(field.value)
                # Not cut by the panel's right edge (a widget draws itself whole even where clipped).
                assert panel.x <= control.region.x and control.region.right <= panel.right, (field.path, size)
                if isinstance(control, FieldInput) and value:
                    assert control.render_line(0).text.strip() == value, (field.path, size)
                    checked += 1
                elif isinstance(control, Checkbox):
                    assert str(control.label) in painted(control), (field.path, painted(control), size)
                    checked += 1
                elif isinstance(control, Select):
                    label = control.query_one("SelectCurrent #label")
                    assert painted(label).strip() == value, (field.path, painted(label), size)
                    checked += 1
        assert checked >= 20
        regularization = [f for f in app.query(Field) if "regularizer" in f.path]
        assert any(display(f.value) == "0.01" for f in regularization)  # the value issue 15 saw as "0.0"


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_tabs_and_footer_keys_are_whole_on_screen(size, tmp_path):
    app = make_app(write_preset(tmp_path))
    async with app.run_test(size=size) as pilot:
        await shown(pilot, app)
        for tabs in app.query(Tabs):
            bar = tabs.content_region
            for tab in tabs.query("Tab"):
                assert bar.contains_region(tab.region), (str(tab.label), size)
        footer = app.query_one(Footer)
        keys = list(footer.query("FooterKey"))
        assert {str(key.description) for key in keys} >= {"Train", "Pause", "Search", "All keys"}
        for key in keys:
            assert footer.region.contains_region(key.region), (key.description, size)


async def test_resizing_keeps_the_columns_proportions(tmp_path):
    app = make_app(write_preset(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        await shown(pilot, app)

        def share() -> float:
            return app.query_one("#panels").outer_size.width / app.size.width

        narrow = share()
        await pilot.resize_terminal(120, 40)
        await pilot.pause(0.3)
        wide = share()
        await pilot.resize_terminal(80, 24)
        await pilot.pause(0.3)
        assert abs(narrow - wide) < 0.03 and abs(share() - narrow) < 0.01
        assert 0.45 < wide < 0.55


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_notifications_leave_the_chart_axis_and_progress_visible(size, tmp_path):
    app = make_app(write_preset(tmp_path))
    async with app.run_test(size=size, notifications=True) as pilot:
        await shown(pilot, app)
        app.notify("Runs cleared: the next run starts a new comparison.")
        app.notify("Nothing is training: t plays a run, b or n steps into one.", severity="warning")
        await pilot.pause(0.3)
        toasts = [toast.region for toast in app.screen.query(Toast)]
        assert len(toasts) == 2
        chart = app.query_one(HistoryChart).region
        axis = Region(chart.x, chart.bottom - 2, chart.width, 2)
        progress = app.query_one(TrainProgress).region
        for toast in toasts:
            assert not toast.overlaps(axis) and not toast.overlaps(progress), (toast, axis, progress)


async def test_the_runs_table_shows_its_test_column_at_120x40(tmp_path):
    app = make_app(write_preset(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await shown(pilot, app)
        for _ in range(2):
            before = app.report
            await pilot.press("t")
            await wait_for(pilot, lambda b=before: app.report is not b and not app.training)
        app.query_one("#views", TabbedContent).active = "view-runs"
        await pilot.pause(0.3)
        view = app.query_one(RunsView)
        # this session's table fits the pane (the kept runs below it, with their time and preset, may
        # scroll sideways)
        assert view.query_one("#runs-table").outer_size.width <= view.scrollable_content_region.width
        head = next(line for line in painted(view.query_one("#runs-table")).splitlines() if "train" in line)
        assert head.split()[-3:] == ["train", "val", "test"]


async def test_a_paused_run_stops_the_clock_and_hides_the_eta(tmp_path):
    from tests.tui_helpers import LONG

    app = make_app(write_preset(tmp_path, LONG))
    async with app.run_test(size=(120, 40)) as pilot:
        await shown(pilot, app)
        await pilot.press("t")
        await wait_for(pilot, lambda: app.query_one(HistoryChart).epochs >= 1)
        await pilot.press("space")
        progress = app.query_one(TrainProgress)
        await wait_for(pilot, lambda: progress.has_class("-paused"))
        line = app.query_one("#progress-text")
        await pilot.pause(0.6)
        before = painted(line)
        await pilot.pause(1.5)
        assert painted(line) == before and "(paused)" in before  # the elapsed time does not count the pause
        await pilot.press("t")
        await wait_for(pilot, lambda: not app.training)
        assert not progress.has_class("-paused")


async def test_the_reason_a_run_cannot_start_is_shown_whole_at_80x24(tmp_path):
    from tests.tui_helpers import edit_field

    app = make_app(write_preset(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        await shown(pilot, app)
        await pilot.press("2")
        units = next(f for f in app.query(Field) if f.path == "model.layers[0].units")
        await edit_field(pilot, units.control, "0")
        await pilot.pause(0.3)
        reason = f"can't train: {app.draft.problems[0]}"
        assert " ".join(painted(app.query_one("#train-status")).split()) == " ".join(reason.split())
