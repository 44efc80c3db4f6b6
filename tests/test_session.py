"""The session under the app and the CLI, driven without a screen: one load per data change, the
starting weights a run announces, one data object shared by runs and searches, runs that add up."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nnplay.engine.callbacks import Callback, SearchCallback, SearchCallbackList
from nnplay.engine.presets import load_preset
from nnplay.engine.restore import SavedModel
from nnplay.engine.session import RunStart, Session
from nnplay.engine.spec import validate_preset
from tests.tui_helpers import HIDDEN


def _hidden():
    import tomllib

    return validate_preset(tomllib.loads(HIDDEN))


class Starts(Callback):
    """Keeps every run's announcement, and the epochs it then trained."""

    def __init__(self) -> None:
        self.starts: list[RunStart] = []
        self.epochs = 0

    def on_run_begin(self, run: RunStart) -> None:
        self.starts.append(run)

    def on_epoch_end(self, epoch, logs) -> None:
        self.epochs += 1


class Trials(SearchCallback):
    def __init__(self) -> None:
        self.seen: list[str] = []

    def on_search_begin(self, begin) -> None:
        self.seen.append("begin")

    def on_trial_begin(self, trial) -> None:
        self.seen.append(f"trial {trial.number}")

    def on_trial_end(self, end) -> None:
        self.seen.append(f"end {end.result.number}")

    def on_search_end(self, result) -> None:
        self.seen.append("done")


def test_data_is_loaded_once_per_data_change():
    session = Session(_hidden())
    assert session.dataset is None and session.loads == 0
    preview = session.load_data()  # what the app's preview shows
    assert session.loads == 1 and session.dataset is preview
    assert session.n_features() == preview.n_features

    report = session.run()
    assert session.loads == 1  # the run trained on the preview's data
    assert not session.edit("train.epochs", 2)  # training settings: same data
    assert not session.edit("model.layers[0].units", 3)  # the model: same data
    session.run()
    assert session.loads == 1 and session.dataset is preview
    assert report.fit.epochs_run == 5 and session.report.fit.epochs_run == 2

    assert session.edit("data.n", 200)  # the [data] table: a new load is due
    assert session.dataset is None
    assert session.load_data() is not preview and session.loads == 2
    assert session.load_data() is session.dataset and session.loads == 2

    assert not session.edit("data.n", -5)  # an invalid edit keeps the last valid data
    assert session.loads == 2


def test_a_run_announces_the_seeds_draw_and_trains_from_it():
    session = Session(_hidden())
    starts = Starts()
    session.listeners.append(starts)
    expected = session.start_weights()  # the width comes from the spec: no load needed
    report = session.run()
    (start,) = starts.starts
    assert start.origin is None and start.number == 1 and start.preset == session.preset
    assert all(np.array_equal(a, b) for a, b in zip(start.weights, expected, strict=True))
    assert start.prepared.dataset is session.dataset
    assert starts.epochs == report.fit.epochs_run == 5


def test_a_run_announces_the_opened_models_weights_while_they_fit(tmp_path):
    session = Session(_hidden())
    n_features = session.n_features()
    shapes = [w.shape for w in session.start_weights()]
    rng = np.random.default_rng(3)
    saved_weights = tuple(rng.normal(size=shape).astype(np.float32) for shape in shapes)
    session.opened = SavedModel(Path(tmp_path / "model.h5"), "model", n_features,
                                tuple(session.preset.model.layers), None, saved_weights)
    assert session.opened_fits()
    assert all(np.array_equal(a, b) for a, b in zip(session.start_weights(), saved_weights, strict=True))

    starts = Starts()
    session.run(callbacks=[starts])
    assert starts.starts[0].origin == tmp_path / "model.h5"
    assert all(np.array_equal(a, b) for a, b in zip(starts.starts[0].weights, saved_weights, strict=True))

    session.edit("model.layers[0].units", 5)  # the file's weights no longer fit: a fresh start
    assert not session.opened_fits()
    session.run(callbacks=[starts])
    assert starts.starts[1].origin is None
    assert starts.starts[1].weights[0].shape == (n_features, 5)


def test_runs_and_searches_share_the_sessions_data_and_runs_add_up():
    preset = load_preset("14")
    session = Session(preset)
    starts = Starts()
    session.edit("train.epochs", 3)
    session.run(callbacks=[starts])
    data = starts.starts[0].prepared.dataset
    trials = Trials()
    result = session.search(trials=2, on_event=SearchCallbackList([trials]))
    assert len(result.trials) == 2
    assert trials.seen == ["begin", "trial 0", "end 0", "trial 1", "end 1", "done"]
    assert session.loads == 1 and session.load_data() is data
    session.run(callbacks=[starts])
    assert starts.starts[1].prepared.dataset is data and session.loads == 1
    assert [r.number for r in session.runs] == [1, 2] and len(session.runs) == 2
    session.clear_runs()
    assert len(session.runs) == 0 and session.runs.next_number == 3


@pytest.mark.slow
def test_an_opened_h5_is_scored_on_the_sessions_data_and_starts_the_next_run(tmp_path):
    from nnplay.engine.export import export_h5

    session = Session(_hidden())
    trained = session.run()
    path = export_h5(trained.trainer, tmp_path / "hidden.h5")
    opened = session.open_model(str(path))
    assert session.loads == 1 and opened.prepared.dataset is session.dataset
    session.use_model(opened)
    assert session.report is opened.report and session.opened is opened.saved
    starts = Starts()
    session.run(callbacks=[starts])
    assert starts.starts[0].origin == Path(path)
    final = trained.trainer.get_weights()
    assert all(np.allclose(a, b) for a, b in zip(starts.starts[0].weights, final, strict=True))
    assert session.loads == 1
