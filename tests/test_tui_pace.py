
"""Watching a run: pause, one batch, one epoch, speed, stop while paused; the descent on the surface.

Real app, real engines, keys through Pilot. The run waits on the app's pace, so each test knows
exactly where it is held (``app.pace.state``) before it looks at the screen.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from nnplay.engine.numpy_net.initializers import initial_weights
from nnplay.tui.app import NnplayApp, make_app
from nnplay.tui.widgets.charts import HistoryChart
from nnplay.tui.widgets.pace import PaceStatus
from nnplay.tui.widgets.surface.map import SurfaceMap
from nnplay.tui.widgets.surface.pane import SurfacePane
from nnplay.tui.widgets.surface.update import UpdateNumbers
from tests.tui_helpers import wait_for, write_preset

pytestmark = pytest.mark.paced  # these apps start at the default speed, as a student's does

NEURON = """
[preset]
title = "Test: one neuron"

[data]
source = "logistic"
n = 500
beta = [1.0, 2.0]
test_size = 0.2
seed = 42

[model]
loss = "binary_crossentropy"
layers = [{ type = "dense", units = 1, activation = "sigmoid", use_bias = false }]

[train]
engine = "numpy"
optimizer = { name = "sgd", learning_rate = 0.5 }
batch_size = 100
epochs = 6
seed = 0
"""  # 400 training rows: 4 batches an epoch


async def held_at(pilot, app: NnplayApp, epoch: int, step: int) -> None:
    """Wait until the run is held before batch ``step`` of ``epoch`` and the screen has caught up."""
    await wait_for(pilot, lambda: (app.pace.state.epoch, app.pace.state.step) == (epoch, step), timeout=60)
    pane = app.query_one(SurfacePane)
    await wait_for(pilot, lambda: pane.watched is not None and pane.watched.steps == epoch * 4 + step)
    await pilot.pause(0.1)


def progress_text(app: NnplayApp) -> str:
    return str(app.query_one("#progress-text").render())


async def step_through(tmp_path, engine: str) -> None:
    app = make_app(write_preset(tmp_path, NEURON.replace('engine = "numpy"', f'engine = "{engine}"')))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.dataset is not None)
        app.query_one("#views").active = "view-surface"
        await pilot.press("b")  # from idle: a run starts held, then one batch
        await held_at(pilot, app, 0, 1)
        pane, chart = app.query_one(SurfacePane), app.query_one(HistoryChart)
        assert app.training and "batch 1/4" in progress_text(app)  # the very batch, not a stale one
        assert chart.epochs == 0
        start = initial_weights(app.draft.preset, 2)[0].ravel()
        path = app.query_one(SurfaceMap)._path
        assert len(path) == 2
        np.testing.assert_allclose(path[0], start, rtol=1e-6)  # the path starts at the initial weights
        first = pane.watched.last
        np.testing.assert_allclose(path[1], first.after[0].ravel())
        assert not np.allclose(path[1], path[0])
        numbers = str(app.query_one(UpdateNumbers).render())
        assert "step t = 1" in numbers and "α    = 0.5" in numbers and "βₜ − α·∇" in numbers
        assert f"{first.after[0].ravel()[0]:+.4f}" in numbers
        assert "paused" in str(app.query_one(PaceStatus).render())
        await pilot.pause(0.3)
        assert pane.watched.steps == 1  # held: nothing more trained

        await pilot.press("n")  # the rest of epoch 1
        await held_at(pilot, app, 1, 0)
        assert chart.epochs == 1 and "batch 4/4" in progress_text(app)
        await pilot.press("n")  # a whole epoch
        await held_at(pilot, app, 2, 0)
        assert chart.epochs == 2 and len(app.query_one(SurfaceMap)._path) == 9

        await pilot.press("space")  # play the rest, as fast as it goes
        for _ in range(4):
            await pilot.press("plus")
        assert "max speed" in str(app.query_one(PaceStatus).render())
        await wait_for(pilot, lambda: app.report is not None, timeout=60)
        await wait_for(pilot, lambda: pane.surface is not None)
        assert app.report.fit.status == "completed" and chart.epochs == 6
        path = app.query_one(SurfaceMap)._path
        assert len(path) == 6 * 4 + 1
        trained = app.report.trainer.get_weights()[0].ravel()
        np.testing.assert_allclose(path[-1], trained, rtol=1e-6)  # and ends at the trained weights
        np.testing.assert_allclose(path[0], start, rtol=1e-6)


async def test_step_a_batch_then_epochs_then_play_numpy(tmp_path):
    await step_through(tmp_path, "numpy")


@pytest.mark.slow
async def test_step_a_batch_then_epochs_then_play_keras(tmp_path):
    await step_through(tmp_path, "keras")


async def test_stop_while_paused_ends_the_run(tmp_path):
    app = make_app(write_preset(tmp_path, NEURON.replace("epochs = 6", "epochs = 1000")))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("t")
        await wait_for(pilot, lambda: app.query_one(HistoryChart).epochs >= 1)
        await pilot.press("space")
        await wait_for(pilot, lambda: app.pace.state.epoch is not None)
        await pilot.pause(0.2)
        pressed = time.monotonic()
        await pilot.press("t")
        await wait_for(pilot, lambda: app.report is not None and not app.training, timeout=5)  # the run, then its end on screen
        assert time.monotonic() - pressed < 2.0
        assert app.report.fit.status == "cancelled" and not app.training
        assert "▶" in str(app.query_one(PaceStatus).render())  # the next run plays


async def test_the_default_speed_is_shown_and_plays_slowly_enough_to_watch(tmp_path):
    app = make_app(write_preset(tmp_path, NEURON.replace("epochs = 6", "epochs = 20")))
    async with app.run_test(size=(120, 40)) as pilot:
        assert "10 epochs/s" in str(app.query_one(PaceStatus).render())
        await pilot.press("minus")
        assert "5 epochs/s" in str(app.query_one(PaceStatus).render())
        await pilot.press("plus", "plus")
        assert "20 epochs/s" in str(app.query_one(PaceStatus).render())
        started = time.monotonic()
        await pilot.press("t")
        await wait_for(pilot, lambda: app.report is not None, timeout=30)
        assert time.monotonic() - started >= 0.9  # 20 epochs at 20 a second


async def test_a_larger_model_gets_a_slice_through_two_picked_weights(tmp_path):
    hidden = NEURON.replace(
        'layers = [{ type = "dense", units = 1, activation = "sigmoid", use_bias = false }]',
        'layers = [{ type = "dense", units = 3, activation = "tanh" }, { type = "dense", units = 1, activation = "sigmoid" }]',
    )
    app = make_app(write_preset(tmp_path, hidden))
    async with app.run_test(size=(120, 40)) as pilot:
        app.query_one("#views").active = "view-surface"
        await pilot.press("plus", "plus", "plus", "plus", "t")
        await wait_for(pilot, lambda: app.report is not None, timeout=60)
        pane = app.query_one(SurfacePane)
        await wait_for(pilot, lambda: pane.surface is not None and pane.surface.sliced)
        title = str(app.query_one("#surface-title").render())
        assert "dense.kernel[0,0], dense.kernel[0,1]" in title and "held" in title
        assert app.query_one("#surface-picker").display
        assert not app.query_one(UpdateNumbers).display  # numbers only for a one-unit model
        names = [ref.name for ref in pane.watched.source.refs]
        assert len(names) == 3 * 2 + 3 + 3 + 1
        app.query_one("#surface-v").value = names.index("dense.bias[0]")
        await wait_for(pilot, lambda: pane.surface is not None and pane.surface.v.name == "dense.bias[0]")
        assert "dense.bias[0]" in str(app.query_one("#surface-title").render())


def test_the_path_is_an_unbroken_line_of_pixels_from_step_to_step():
    surface_map = SurfaceMap()
    surface_map.show_grid(np.zeros((20, 40)), (0.0, 4.0, 0.0, 2.0))  # 20 pixel rows, 40 columns
    surface_map.set_path([(0.5, 0.5)])
    surface_map.extend_path([(3.5, 1.5), (3.5, 0.2)])
    surface_map._draw_path()
    mask = surface_map._path_mask
    for u, v in [(0.5, 0.5), (3.5, 1.5), (3.5, 0.2)]:
        assert mask[surface_map.pixel_of(u, v)]
    columns = np.flatnonzero(mask.any(axis=0))
    assert list(columns) == list(range(columns.min(), columns.max() + 1))  # no gap along the way
    rows = np.flatnonzero(mask[:, surface_map.pixel_of(3.5, 0.2)[1]])
    assert list(rows) == list(range(rows.min(), rows.max() + 1))  # the last, vertical segment too
    assert mask.sum() < 3 * 40  # a line, not a smear


async def test_a_max_speed_run_with_the_surface_hidden_records_no_steps(tmp_path):
    """Recording every step costs a tiny net about a third of its speed: a run started at max speed
    while nobody watches the Surface tab skips it, and the view says why it has no path."""
    app = make_app(write_preset(tmp_path, NEURON))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("plus", "plus", "plus", "plus", "t")
        await wait_for(pilot, lambda: app.report is not None, timeout=60)
        pane = app.query_one(SurfacePane)
        assert pane.watched is not None and not pane.watched.recorded and pane.watched.steps == 0
        app.query_one("#views").active = "view-surface"
        await wait_for(pilot, lambda: pane.surface is not None)
        await pilot.pause(0.2)
        assert "no path" in str(app.query_one("#surface-title").render())
        assert len(app.query_one(SurfaceMap)._path) == 1  # the start alone
