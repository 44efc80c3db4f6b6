"""The Search view driven through Pilot: f runs the preset's search, f stops it, a applies the winner."""

from __future__ import annotations

import time

from textual.widgets import TabbedContent

from nnplay.engine.presets import load_preset, save_preset
from nnplay.tui.app import NnplayApp, make_app
from nnplay.tui.widgets.fields import Field
from nnplay.tui.widgets.search.view import SearchView
from tests.tui_helpers import wait_for, write_preset


def screen_lines(app: NnplayApp, selector: str) -> list[str]:
    """The text a widget shows on screen, line by line."""
    widget = app.query_one(selector)
    return ["".join(segment.text for segment in widget.render_line(y)) for y in range(widget.size.height)]


def field_value(app: NnplayApp, path: str) -> str:
    return next(f for f in app.query(Field) if f.path == path).control.value


async def test_search_fills_the_leaderboard_and_a_applies_the_best_trial():
    app = make_app("14-moons-search")
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.query_one(SearchView)
        await wait_for(pilot, lambda: app.dataset is not None)  # settled, the tabs focused: keys reach the app
        await pilot.press("f")
        assert app.query_one("#views", TabbedContent).active == "view-search"
        # 12 small trials can be over in a second, so the search is seen running or already done.
        await wait_for(pilot, lambda: view.running or view.result is not None)
        await wait_for(pilot, lambda: view.result is not None, timeout=60)
        await pilot.pause(0.2)
        assert not view.running and len(view.board) == 12
        best = view.best
        assert best is not None and best == view.board[0] == view.result.best
        board = [line.split() for line in screen_lines(app, "#search-board")]
        rows = [cells for cells in board if cells and cells[0].isdigit()]
        assert len(rows) >= 8  # the view is as tall as it is; the rest scrolls
        assert rows[0][:2] == [str(best.number), f"{best.value:.4f}"]
        status = " ".join(screen_lines(app, "#search-status"))
        assert "12 trials" in status and f"best {best.value:.4f}" in status

        # a: the best trial's values reach the draft as edits, and the panels show them
        assert app.draft.preset.model.layers[0].units == 2
        await pilot.press("a")
        await pilot.pause(0.3)
        layers = app.draft.preset.model.layers
        assert app.draft.valid
        assert len(layers) == best.params["hidden_layers"] + 1
        assert all(layer.units == best.params["hidden_units"] for layer in layers[:-1])
        assert app.draft.preset.train.optimizer.learning_rate == best.params["train.optimizer.learning_rate"]
        assert field_value(app, "model.layers[0].units") == str(best.params["hidden_units"])
        assert float(field_value(app, "train.optimizer.learning_rate")) == best.params["train.optimizer.learning_rate"]


async def test_f_again_stops_the_search_and_keeps_the_finished_trials(tmp_path):
    long = load_preset("14-moons-search").with_changes("search.trials", 500).with_changes("train.epochs", 300)
    path = save_preset(long, tmp_path / "long-search.toml")
    app = make_app(str(path))
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.query_one(SearchView)
        await pilot.press("f")
        await wait_for(pilot, lambda: len(view.board) >= 1, timeout=60)
        pressed = time.monotonic()
        await pilot.press("f")
        await wait_for(pilot, lambda: view.result is not None, timeout=10)
        assert time.monotonic() - pressed < 3.0
        assert view.result.cancelled and 1 <= len(view.result.trials) < 500
        assert not view.running
        assert "stopped" in " ".join(screen_lines(app, "#search-status"))


async def test_a_preset_without_a_search_table_says_so(tmp_path):
    app = make_app(write_preset(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f")
        await pilot.pause(0.2)
        view = app.query_one(SearchView)
        assert not view.running and view.result is None
        assert any("no [search] table" in str(n.message) for n in app._notifications)
        await pilot.press("a")
        await pilot.pause(0.1)
        assert any("No finished trial yet" in str(n.message) for n in app._notifications)


async def test_the_best_trial_of_another_preset_is_not_applied(tmp_path):
    app = make_app("14-moons-search")
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.query_one(SearchView)
        await pilot.press("f")
        await wait_for(pilot, lambda: view.result is not None, timeout=60)
        await app.load_preset_ref(write_preset(tmp_path))
        await pilot.pause()
        before = app.draft.raw
        await pilot.press("a")
        await pilot.pause(0.2)
        assert app.draft.raw == before
        assert any("another preset" in str(n.message) for n in app._notifications)


async def test_quitting_during_a_search_stops_it(tmp_path):
    long = load_preset("14-moons-search").with_changes("search.trials", 500).with_changes("train.epochs", 300)
    app = make_app(str(save_preset(long, tmp_path / "long-search.toml")))
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.query_one(SearchView)
        await pilot.press("f")
        await wait_for(pilot, lambda: len(view.board) >= 1, timeout=60)
        worker = view._worker
        started = time.monotonic()
        await pilot.press("q")
        await pilot.pause(0.2)
    assert app.return_code == 0
    assert time.monotonic() - started < 5
    assert worker.cancelled_event.is_set()  # the search's own cancel flag: it stops within a batch


async def test_a_shared_study_shows_every_worker_s_trials(tmp_path):
    """nnplay play --storage: the view joins the study; its board and curve hold the trials another
    process ran before (and alongside) it, and the search stops at the study's total."""
    from nnplay.engine.run import prepare
    from nnplay.engine.search import run_search
    from nnplay.engine.study_storage import StudyOptions

    preset = load_preset("14-moons-search")
    study = StudyOptions(str(tmp_path / "s.journal"), "shared")
    others = run_search(prepare(preset), trials=5, study=study)  # another worker, earlier
    app = make_app("14-moons-search")
    app.session.study = study  # what `nnplay play --storage` gives the session
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.query_one(SearchView)
        await wait_for(pilot, lambda: app.dataset is not None)
        await pilot.press("f")
        await wait_for(pilot, lambda: view.result is not None, timeout=120)
        await pilot.pause(0.2)
        assert len(view.board) == 12 == len(view.result.trials)  # preset 14's 12 trials: 5 of theirs, 7 of its own
        assert {t.number for t in others.trials} < {t.number for t in view.board}
        assert view.result.study == "shared"
        assert view.best == view.result.best and view.best.value == max(t.value for t in view.board if t.value is not None
                                                                          and t.status == "complete")
