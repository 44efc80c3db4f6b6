"""Kept runs in the playground: the app records its runs, a restarted app lists them in the Runs view,
lays one over the loss chart and opens one as the draft. Real app, real SQLite, driven through Pilot."""

from __future__ import annotations

from textual.widgets import Static, TabbedContent

from nnplay.engine.run_db import RunDB
from nnplay.tui.app import make_app
from nnplay.tui.widgets.charts import HistoryChart
from nnplay.tui.widgets.runs import RunsView
from tests.test_tui_runs import lines_of, train
from tests.tui_helpers import HIDDEN, wait_for, write_preset


async def test_a_restarted_app_shows_overlays_and_opens_the_runs_of_the_last_session(tmp_path):
    path = write_preset(tmp_path, HIDDEN)
    first = make_app(path)
    async with first.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: first.dataset is not None)
        await train(pilot, first)
        report = first.report
        await wait_for(pilot, lambda: len(first.query_one(RunsView).stored) == 1)
    [row] = RunDB().list()
    assert row.source == "app" and row.history == report.fit.history and row.figures["test_loss"] == report.test["loss"]

    again = make_app(path)  # a new session: no runs of its own, the last session's kept
    async with again.run_test(size=(120, 40)) as pilot:
        view = again.query_one(RunsView)
        await wait_for(pilot, lambda: len(view.stored) == 1)
        assert view.records == () and view.stored[0].row.id == row.id
        again.query_one("#views", TabbedContent).active = "view-runs"
        await pilot.pause(0.2)
        text = "\n".join(lines_of(again.query_one("#stored-runs", Static)))
        assert "Kept runs" in text and "Test: a hidden layer" in text and f"{report.test['loss']:.4f}" in text

        view.focus()
        await pilot.press("v")
        await pilot.pause(0.2)
        chart = again.query_one(HistoryChart)
        assert chart.runs_drawn == 1 and chart.legend == [f"run {row.id}: kept · Test: a hidden layer"]
        assert "on the chart: 1" in "\n".join(lines_of(again.query_one("#stored-runs", Static)))
        await pilot.press("v")
        await pilot.pause(0.2)
        assert chart.runs_drawn == 0

        await pilot.press("enter")
        await wait_for(pilot, lambda: again.opened is not None)
        assert again.draft.preset == report.preset
        assert again.report.test["loss"] == report.test["loss"]
        assert [w.tolist() for w in again.opened.weights] == [w.tolist() for w in report.trainer.get_weights()]

        await train(pilot, again)  # goes on from the kept weights, and is kept too
        await wait_for(pilot, lambda: len(view.stored) == 2)
        assert again.report.fit.history["loss"][0] < report.fit.history["loss"][0]


async def test_picking_a_kept_run_scrolls_it_into_view(tmp_path):
    from nnplay.engine.presets import load_preset
    from nnplay.engine.run import prepare, run
    from nnplay.engine.run_keeping import RunKeeper

    report = run(prepare(load_preset("01").with_changes("train.epochs", 2)))
    keeper = RunKeeper()
    for _ in range(30):
        keeper.record(report, source="train")
    app = make_app(write_preset(tmp_path, HIDDEN))
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.query_one(RunsView)
        await wait_for(pilot, lambda: len(view.stored) == 30)
        app.query_one("#views", TabbedContent).active = "view-runs"
        await pilot.pause(0.2)
        view.focus()
        assert view.picked == 29 and view.max_scroll_y > 0
        await pilot.press("up")
        await pilot.pause(0.1)
        assert view.picked == 28 and view.scroll_y > view.max_scroll_y / 2  # the picked run is near the end
        await pilot.press(*["up"] * 28)
        await pilot.pause(0.1)
        assert view.picked == 0 and view.scroll_y < view.max_scroll_y / 4
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.opened is not None)
        assert app.draft.preset.preset.title.startswith("1. Logistic") and str(app.opened.path) == "run:1"


async def test_the_apps_search_keeps_every_trial(tmp_path):
    from nnplay.tui.widgets.search.view import SearchView
    from tests.test_search import SMALL

    app = make_app(write_preset(tmp_path, SMALL))
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.query_one(SearchView)
        await wait_for(pilot, lambda: app.dataset is not None)
        await pilot.press("f")
        await wait_for(pilot, lambda: view.result is not None, timeout=60)
        trials = view.result.trials
    rows = RunDB().list()
    assert [row.source for row in rows] == ["search"] * len(trials) and len(trials) == 4
    assert {row.title for row in rows} == {"small search"}
