"""The Boundary view, driven as a student drives it: load a preset, look, train, look again.

Every test reads what the view put on screen (the colours of its cells) and holds it to the model:
the map moves when training moves the weights, and the discretized map's colours are the classes
the trained model itself predicts on the plane's points.
"""

from __future__ import annotations

import numpy as np
import pytest
from textual.widgets import TabbedContent

from nnplay.engine.callbacks import CallbackList
from nnplay.engine.numpy_net.trainer import NumpyTrainer
from nnplay.engine.presets import load_preset
from nnplay.engine.spec import validate_preset
from nnplay.engine.targets import predicted_classes
from nnplay.engine.training import BatchEnd, TrainEnd
from nnplay.tui.app import NnplayApp
from nnplay.tui.messages import WeightsChanged
from nnplay.tui.relay import EventRelay
from nnplay.tui.widgets.boundary import BoundaryView
from nnplay.tui.widgets.colormap import PixelMap, diverging
from tests.tui_helpers import wait_for

SQUARES = ["x1", "x2", "x1^2", "x2^2"]


@pytest.fixture(autouse=True)
def truecolor(monkeypatch):
    monkeypatch.setenv("COLORTERM", "truecolor")  # the app reads the terminal's colours at start


def preset(ref: str, epochs: int, **changes):
    p = load_preset(ref).with_changes("train.epochs", epochs)
    for path, value in changes.items():
        p = p.with_changes(path, value)
    return p


def screen_colours(app) -> list[list[tuple]]:
    """(foreground, background) rgb of every cell of the map, as drawn."""
    strips = app.query_one(PixelMap).strips
    rows = []
    for strip in strips:
        row = []
        for seg in strip:
            row += [(seg.style.color.triplet, seg.style.bgcolor.triplet)] * len(seg.text)
        rows.append(row)
    return rows


async def open_boundary(pilot, app) -> BoundaryView:
    await wait_for(pilot, lambda: app.dataset is not None)
    app.query_one("#views", TabbedContent).active = "view-boundary"
    view = app.query_one(BoundaryView)
    await wait_for(pilot, lambda: view.field is not None or bool(view.query_one("#boundary-legend").render()))
    return view


async def train(pilot, app) -> None:
    app.pace.set_speed(None)  # as fast as it goes (the app plays runs at 10 epochs a second)
    await pilot.press("t")
    await wait_for(pilot, lambda: app.report is not None and not app.training, timeout=120)
    await pilot.pause(0.1)


def assert_regions_are_the_predictions(app, view: BoundaryView) -> None:
    """With discretize on, every map pixel not covered by a point has its predicted class's colour."""
    plane, dataset = view.plane, app.dataset
    predicted = predicted_classes(app.report.trainer.predict(plane.points())).reshape(plane.rows, plane.cols)
    np.testing.assert_array_equal(view.field.classes, predicted)
    covered = np.zeros((plane.rows, plane.cols), dtype=bool)
    covered[plane.pixels(plane.project(dataset.plane_train))] = True
    ends = diverging().colors[0], diverging().colors[-1]
    colours = screen_colours(app)
    checked = 0
    for r in range(plane.rows):
        for c in range(plane.cols):
            if covered[r, c] or predicted.max() > 1:
                continue
            fg, bg = colours[r // 2][c]
            drawn = tuple(fg if r % 2 == 0 else bg)
            assert drawn == ends[predicted[r, c]], (r, c)
            checked += 1
    assert checked > plane.rows * plane.cols // 3


@pytest.mark.parametrize(("ref", "epochs", "changes"), [
    ("01-logistic-gd", 30, {}),
    ("05-hidden-layer", 10, {}),
    ("07-linear-activations", 8, {}),
    ("07-linear-activations", 8, {"data.inputs": SQUARES}),
    ("12-playground-circles", 8, {}),
])
async def test_the_map_moves_with_training_and_its_regions_are_the_models_classes(ref, epochs, changes):
    app = NnplayApp(preset(ref, epochs, **changes))
    async with app.run_test(size=(120, 40)) as pilot:
        view = await open_boundary(pilot, app)
        assert view.field is not None and not view.trained
        assert "untrained" in str(view.query_one("#boundary-status").render())
        before = screen_colours(app)
        assert len(before) >= 20 and len(before[0]) >= 40
        await train(pilot, app)
        assert view.trained and view.frames >= 2
        assert f"trained, {epochs} epochs" in str(view.query_one("#boundary-status").render())
        assert screen_colours(app) != before
        await pilot.press("d")
        await pilot.pause(0.1)
        assert view.discretize
        assert_regions_are_the_predictions(app, view)


async def test_squared_inputs_let_the_linear_network_draw_a_closed_boundary():
    """Preset 7's linear layers can only cut the plane with a line; with x1^2 and x2^2 as inputs the
    same network rings the inner circle: the centre is one class and every corner the other."""
    seen = {}
    for name, inputs in (("plain", None), ("squares", SQUARES)):
        changes = {"data.inputs": inputs} if inputs else {}
        app = NnplayApp(preset("07-linear-activations", 30, **changes))
        async with app.run_test(size=(120, 40)) as pilot:
            view = await open_boundary(pilot, app)
            await train(pilot, app)
            classes = view.field.classes
            rows, cols = classes.shape
            corners = {classes[0, 0], classes[0, -1], classes[-1, 0], classes[-1, -1]}
            seen[name] = (classes[rows // 2, cols // 2], corners)
            legend = str(view.query_one("#boundary-legend").render())
            assert ("the network sees x1, x2, x1^2, x2^2" in legend) is (inputs is not None)
    centre, corners = seen["squares"]
    assert centre == 1 and corners == {0}
    centre, corners = seen["plain"]
    assert corners != {1 - centre}  # a straight line cannot put the centre apart from all four corners


async def test_a_hidden_view_draws_nothing_and_catches_up_when_shown():
    app = NnplayApp(preset("12-playground-circles", 5))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.dataset is not None)
        view = app.query_one(BoundaryView)
        frames = view.frames
        await train(pilot, app)
        assert view.frames == frames and view.trained  # the Loss view was showing
        app.query_one("#views", TabbedContent).active = "view-boundary"
        await wait_for(pilot, lambda: view.frames > frames)
        assert "trained, 5 epochs" in str(view.query_one("#boundary-status").render())
        np.testing.assert_allclose(view.weights[0], app.report.trainer.get_weights()[0])


async def test_typing_feature_inputs_widens_the_model_and_keeps_the_map_on_x1_x2():
    from nnplay.tui.widgets.fields import Field
    from nnplay.tui.widgets.summary import SummaryPanel

    app = NnplayApp(preset("12-playground-circles", 1))
    async with app.run_test(size=(120, 40)) as pilot:
        view = await open_boundary(pilot, app)
        control = next(f for f in app.query(Field) if f.path == "data.inputs").control
        control.value = "x1, x2, x1^2, x2^2"
        await wait_for(pilot, lambda: app.draft.valid and app.draft.preset.data.inputs == tuple(SQUARES))
        await wait_for(pilot, lambda: view.weights[0].shape == (4, 16), timeout=30)  # the data reloaded
        assert app.query_one(SummaryPanel).summary.total_params == (4 * 16 + 16) + (16 * 2 + 2)
        assert view.plane.axis_names == ("x1", "x2") and view.plane.points().shape[1] == 4
        assert "the network sees x1, x2, x1^2, x2^2" in str(view.query_one("#boundary-legend").render())
        control.value = "x1, x1"
        await wait_for(pilot, lambda: not app.draft.valid)
        assert "data.inputs: must list each input once" in str(app.draft.problems[0])


async def test_test_points_toggle_and_draw_darker():
    app = NnplayApp(preset("12-playground-circles", 1))
    async with app.run_test(size=(120, 40)) as pilot:
        view = await open_boundary(pilot, app)
        without = screen_colours(app)
        await pilot.press("x")
        await pilot.pause(0.1)
        assert view.show_test and screen_colours(app) != without
        assert "hide test" in str(view.query_one("#boundary-status").render())


async def test_editing_the_model_shows_the_new_untrained_model():
    app = NnplayApp(preset("12-playground-circles", 1))
    async with app.run_test(size=(120, 40)) as pilot:
        view = await open_boundary(pilot, app)
        before = screen_colours(app)
        app.draft.set("model.layers[0].units", 3)
        app.spec_changed()
        await pilot.pause(0.1)
        assert view.weights[0].shape == (2, 3) and not view.trained
        assert screen_colours(app) != before


async def test_more_features_than_two_draw_the_pca_plane():
    raw = preset("12-playground-circles", 3).to_dict()
    raw["data"] = {"source": "iris"}
    raw["model"]["layers"][1]["units"] = 3
    app = NnplayApp(validate_preset(raw))
    async with app.run_test(size=(80, 24)) as pilot:
        view = await open_boundary(pilot, app)
        assert view.plane.kind == "pca" and view.field.kind == "classes"
        assert "PCA plane of the 4 inputs" in str(view.query_one("#boundary-legend").render())


@pytest.mark.slow
async def test_keras_runs_redraw_the_map_from_the_training_threads_weights():
    app = NnplayApp(preset("12-playground-circles", 3, **{"train.engine": "keras"}))
    async with app.run_test(size=(120, 40)) as pilot:
        view = await open_boundary(pilot, app)
        before = screen_colours(app)
        await train(pilot, app)
        assert app.report.engine == "keras" and view.trained
        assert screen_colours(app) != before
        np.testing.assert_allclose(view.weights[0], app.report.trainer.get_weights()[0])
        await pilot.press("d")
        await pilot.pause(0.1)
        assert_regions_are_the_predictions(app, view)


@pytest.mark.slow
async def test_malaria_images_get_a_note_instead_of_a_plane(tmp_path, monkeypatch):
    tfds = pytest.importorskip("tensorflow_datasets")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    p = preset("11-malaria", 1, **{"data.limit": 40, "data.image_size": 8, "data.data_dir": str(tmp_path / "tfds"),
                                   "train.engine": "numpy", "train.early_stopping": None, "train.validation_split": 0.0})
    with tfds.testing.mock_data(num_examples=40):
        app = NnplayApp(p)
        async with app.run_test(size=(120, 40)) as pilot:
            view = await open_boundary(pilot, app)
            await pilot.pause(0.2)
            legend = str(view.query_one("#boundary-legend").render())
            assert "8x8 RGB images" in legend and "Network view" in legend
            assert view.field is None and app.query_one(PixelMap).strips == []
            await train(pilot, app)
            assert view.field is None and app.report.fit.epochs_run == 1


def test_the_relay_posts_weight_copies_at_most_ten_times_a_second_and_the_last_ones_at_the_end():
    p = preset("12-playground-circles", 20)
    from nnplay.engine.run import prepare

    prepared = prepare(p)
    trainer = NumpyTrainer(p, prepared.dataset.n_features)
    posted = []
    relay = EventRelay(posted.append, weights=trainer.get_weights, model=p.model)
    import time

    started = time.monotonic()
    trainer.fit(prepared.x_train, prepared.y_train, on_event=CallbackList([relay]))
    relay.send_weights(final=True)
    elapsed = time.monotonic() - started
    copies = [m for m in posted if isinstance(m, WeightsChanged)]
    assert 2 <= len(copies) <= elapsed * 10 + 2
    assert copies[-1].final and copies[-1].epoch == 20
    for got, want in zip(copies[-1].weights, trainer.get_weights(), strict=True):
        np.testing.assert_array_equal(got, want)
    # Copies, not views: training on does not change what was posted.
    first = copies[0].weights[0].copy()
    trainer.model.parameters[0][...] += 1.0
    np.testing.assert_array_equal(copies[0].weights[0], first)
    assert not any(isinstance(m, (BatchEnd, TrainEnd)) for m in posted)


async def test_a_copy_that_comes_too_soon_is_drawn_on_a_later_tick_not_dropped():
    """A paused run's last copy often follows the previous frame within a tenth of a second: the view
    must still end up showing it."""
    app = NnplayApp(preset("12", 2))
    async with app.run_test(size=(120, 40)) as pilot:
        view = await open_boundary(pilot, app)
        model = app.draft.preset.model
        trainer = NumpyTrainer(app.draft.preset, app.dataset.n_features)
        first = trainer.get_weights()
        last = [w * 3.0 for w in first]
        view.show_weights(model, first, "training, epoch 1", final=False)
        frames = view.frames
        view.show_weights(model, last, "training, epoch 2", final=False)  # too soon: waits for a tick
        await wait_for(pilot, lambda: view.frames > frames)
        trainer.set_weights(last)
        expected = trainer.predict(view.plane.points())[:, 1].reshape(view.plane.rows, view.plane.cols)
        np.testing.assert_allclose(view.field.value, expected, rtol=1e-5, atol=1e-6)
