"""Opening a saved .h5 in the playground: the real app driven through Pilot, real Keras files."""

from __future__ import annotations

import numpy as np
import pytest
from textual.widgets import Input, TabbedContent

from nnplay.engine.export import export_h5
from nnplay.engine.presets import load_preset
from nnplay.engine.restore import read_model
from nnplay.engine.run import prepare, run
from nnplay.tui.app import NnplayApp, make_app
from nnplay.tui.widgets.fields import Field
from nnplay.tui.widgets.layers import LayerCard
from nnplay.tui.widgets.results import ResultsPanel
from nnplay.tui.widgets.surface.pane import SurfacePane
from tests.tui_helpers import wait_for, write_preset

#: A deeper stack than the test preset's 4-unit hidden layer, so that opening it changes the model.
DEEP = [
    {"type": "dense", "units": 8, "activation": "relu"},
    {"type": "dropout", "rate": 0.1},
    {"type": "dense", "units": 3, "activation": "tanh", "name": "squeeze"},
    {"type": "dense", "units": 2, "activation": "softmax"},
]


@pytest.fixture
def saved(tmp_path):
    """A model trained on the test preset's data with the DEEP stack, exported; and that run."""
    preset_path = write_preset(tmp_path)
    preset = load_preset(preset_path).with_changes("model.layers", DEEP)
    report = run(prepare(preset))
    path = export_h5(report.trainer, tmp_path / "deep.h5")
    return preset_path, path, report


async def open_file(pilot, app: NnplayApp, path) -> None:
    await pilot.press("o")
    await pilot.pause()
    app.screen.query_one("#open-path", Input).value = str(path)
    await pilot.press("enter")


async def opened(pilot, app: NnplayApp, path, timeout: float = 120) -> None:
    """Open ``path`` and wait until the app has made it the model."""
    await open_file(pilot, app, path)
    await wait_for(pilot, lambda: app.opened is not None, timeout=timeout)


async def trained(pilot, app: NnplayApp, timeout: float = 120) -> None:
    """Press t and wait for the run to finish."""
    app.session.report = None
    await pilot.press("t")
    await wait_for(pilot, lambda: app.report is not None and not app.training, timeout=timeout)


def notified(app: NnplayApp, title: str) -> list[str]:
    return [n.message for n in app._notifications if n.title == title]


def screen_text(app: NnplayApp) -> str:
    return app.export_screenshot().replace("&#160;", " ")


async def test_opening_an_h5_makes_it_the_model_and_scores_it(saved):
    preset_path, path, exported_run = saved
    app = make_app(preset_path)
    async with app.run_test(size=(120, 40)) as pilot:
        assert len(app.query(LayerCard)) == 2
        await opened(pilot, app, path)
        await pilot.pause()
        # The layers panel shows the file's stack ...
        assert [card.layer_spec["type"] for card in app.query(LayerCard)] == ["dense", "dropout", "dense", "dense"]
        assert app.draft.preset.model == exported_run.preset.model
        assert app.draft.preset.data == load_preset(preset_path).data  # the data stays
        # ... and its test scores without training are those of the run that saved it.
        assert app.report.fit.epochs_run == 0
        assert app.report.test == exported_run.test
        assert app.query_one("#panels", TabbedContent).active == "results"
        text = screen_text(app)
        assert "scored as it is, without training" in text
        assert f"{exported_run.test['accuracy']:.4f}" in text
        assert "model.predict(X_test[:3])" in text
        assert notified(app, "Model opened")
        await pilot.press("2")  # the Layers tab, as a user looks at it
        await pilot.pause()
        values = {f.path: f.value for f in app.query(Field)}
        assert values["model.layers[0].units"] == 8 and values["model.layers[1].rate"] == 0.1
        assert values["model.layers[2].activation"] == "tanh" and values["model.layers[3].activation"] == "softmax"


async def test_training_goes_on_from_the_opened_weights(saved):
    preset_path, path, _ = saved
    app = make_app(preset_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await opened(pilot, app, path)
        opened_preset = app.draft.preset
        await trained(pilot, app)
        assert app.report.fit.epochs_run == opened_preset.train.epochs
        assert "weights from" in screen_text(app)
        # The Surface view starts the descent where the run started: the file's weights, not a fresh draw.
        watched = app.query_one(SurfacePane).watched
        assert watched is not None
        for got, want in zip(watched.start, read_model(path).weights, strict=True):
            np.testing.assert_array_equal(got, want)
        assert app.session.loads == 1  # the preview, the opened model and the run share one load
    # The same run, headless, from the file's weights: the app trained exactly that.
    expected = run(prepare(opened_preset), initial_weights=read_model(path).weights)
    for got, want in zip(app.report.trainer.get_weights(), expected.trainer.get_weights(), strict=True):
        np.testing.assert_array_equal(got, want)
    assert app.report.fit.history["loss"][0] < run(prepare(opened_preset)).fit.history["loss"][0]


async def test_changed_layers_train_from_fresh_weights_with_a_warning(saved):
    preset_path, path, _ = saved
    app = make_app(preset_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await opened(pilot, app, path)
        app.draft.set("model.layers[0].units", 5)  # the file's first kernel no longer fits
        await trained(pilot, app)
        assert any("fresh weights" in n.message for n in app._notifications)
    fresh = run(prepare(app.draft.preset))
    for got, want in zip(app.report.trainer.get_weights(), fresh.trainer.get_weights(), strict=True):
        np.testing.assert_array_equal(got, want)


async def test_wrong_width_and_functional_files_are_refused_in_the_app(tmp_path):
    from nnplay.engine.tf_quiet import keras as quiet_keras

    keras = quiet_keras()
    keras.Sequential([keras.Input((5,)), keras.layers.Dense(2, activation="softmax")]).save(tmp_path / "wide.h5")
    inputs = keras.Input((2,))
    keras.Model(inputs, keras.layers.Dense(2, activation="softmax")(inputs)).save(tmp_path / "functional.h5")
    app = make_app(write_preset(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        before = app.draft.preset
        await open_file(pilot, app, tmp_path / "wide.h5")
        await wait_for(pilot, lambda: len(notified(app, "Cannot open model")) == 1, timeout=120)
        await open_file(pilot, app, tmp_path / "functional.h5")
        await wait_for(pilot, lambda: len(notified(app, "Cannot open model")) == 2, timeout=120)
        wide, functional = notified(app, "Cannot open model")
        assert "takes 5 input features" in wide and "has 2" in wide
        assert "Functional model" in functional
        assert app.draft.preset == before and app.opened is None  # nothing changed
        assert app.query_one(ResultsPanel).report is None


@pytest.mark.slow
async def test_the_keras_engine_scores_and_trains_an_opened_model(saved):
    preset_path, path, exported_run = saved
    app = make_app(preset_path)
    async with app.run_test(size=(120, 40)) as pilot:
        app.draft.set("train.engine", "keras")
        app.draft.set("train.epochs", 2)
        await opened(pilot, app, path, timeout=180)
        assert app.report.engine == "keras"
        assert app.report.test["accuracy"] == pytest.approx(exported_run.test["accuracy"], abs=1e-6)
        opened_preset = app.draft.preset
        await trained(pilot, app, timeout=180)
        assert app.report.engine == "keras" and app.report.fit.epochs_run == 2
    expected = run(prepare(opened_preset), initial_weights=read_model(path).weights)
    assert expected.engine == "keras"
    for got, want in zip(app.report.trainer.get_weights(), expected.trainer.get_weights(), strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)
