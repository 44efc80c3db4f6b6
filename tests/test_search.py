"""The lecture's random search: the [search] table, the Optuna loop on both engines, `nnplay search`."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from nnplay.cli import main
from nnplay.engine.errors import SpecError
from nnplay.engine.presets import load_preset
from nnplay.engine.report_json import figure
from nnplay.engine.run import prepare, run
from nnplay.engine.search import TrialEnd, TrialEpoch, run_search, trial_preset
from nnplay.engine.spec import validate_preset
from nnplay.engine.summary import summarize

SMALL = """
[preset]
title = "small search"
notes = "a quick one"

[data]
source = "moons"
n = 300
noise = 0.2
seed = 1

[model]
loss = "binary_crossentropy"
layers = [
  { type = "dense", units = 3, activation = "relu" },
  { type = "dense", units = 1, activation = "sigmoid" },
]

[train]
optimizer = { name = "sgd", learning_rate = 0.01 }
batch_size = 32
epochs = 6
validation_split = 0.25
seed = 0

[search]
trials = 4
seed = 3

[search.space]
hidden_layers = { low = 0, high = 2 }
hidden_units = { low = 2, high = 12 }
"train.optimizer.learning_rate" = { low = 1e-3, high = 0.3, log = true }
"train.batch_size" = { choices = [16, 64] }
"""


def small(**changes) -> object:
    preset = validate_preset(__import__("tomllib").loads(SMALL))
    for path, value in changes.items():
        preset = preset.with_changes(path.replace("__", "."), value)
    return preset


def search(preset, **kwargs):
    return run_search(prepare(preset), **kwargs)


def signature(result) -> list[tuple]:
    return [(t.number, t.params, t.value, t.status, t.epochs) for t in result.trials]


# --------------------------------------------------------------------------------------------
# The loop


def test_same_seed_draws_the_same_trials_and_scores():
    first, second = search(small()), search(small())
    assert signature(first) == signature(second)
    other = search(small(search__seed=4))
    assert [t.params for t in other.trials] != [t.params for t in first.trials]


def test_every_trial_stays_inside_the_space():
    result = search(small(search__trials=12))
    assert len(result.trials) == 12
    for trial in result.trials:
        p = trial.params
        assert isinstance(p["hidden_layers"], int) and 0 <= p["hidden_layers"] <= 2
        assert isinstance(p["hidden_units"], int) and 2 <= p["hidden_units"] <= 12
        assert isinstance(p["train.optimizer.learning_rate"], float) and 1e-3 <= p["train.optimizer.learning_rate"] <= 0.3
        assert p["train.batch_size"] in (16, 64)
        # ... and the trained preset is the one those values describe
        trained = trial_preset(result.preset, p)
        assert len(trained.model.layers) == p["hidden_layers"] + 1
        assert all(layer.units == p["hidden_units"] for layer in trained.model.layers[:-1])
        assert trained.train.optimizer.learning_rate == p["train.optimizer.learning_rate"]


def test_best_is_the_top_of_the_leaderboard_and_the_highest_value():
    result = search(small(search__trials=8))
    board = result.leaderboard()
    complete = [t for t in result.trials if t.status == "complete"]
    assert result.best == board[0]
    assert result.best.value == max(t.value for t in complete)
    values = [t.value for t in board if t.status == "complete"]
    assert values == sorted(values, reverse=True)


def test_val_loss_objective_minimises():
    result = search(small(search__objective="val_loss", search__trials=6))
    assert result.direction == "minimize"
    assert result.best.value == min(t.value for t in result.trials if t.status == "complete")
    assert result.leaderboard()[0] == result.best


def test_the_value_is_the_objective_of_the_weights_kept():
    result = search(small(search__trials=3, train__epochs=4))
    for trial in result.trials:
        preset = trial_preset(result.preset, trial.params)
        report = run(prepare(preset))
        assert report.fit.history["val_accuracy"][-1] == trial.value  # the same seed trains the same net
        assert report.test == trial.test


def test_pruning_stops_trials_that_fall_behind():
    pruning = {"startup_trials": 2, "warmup_epochs": 2}
    preset = small(search__trials=12, train__epochs=15, search__pruning=pruning)
    pruned = search(preset)
    stopped = [t for t in pruned.trials if t.status == "pruned"]
    assert stopped, "some of 12 random trials fall below the median"
    assert all(3 <= t.epochs < 15 for t in stopped)
    assert all(t.status == "complete" for t in pruned.trials[:2])  # the start-up trials always finish
    plain = search(small(search__trials=12, train__epochs=15))
    assert all(t.status == "complete" and t.epochs == 15 for t in plain.trials)
    assert sum(t.epochs for t in pruned.trials) < sum(t.epochs for t in plain.trials)


def test_cancel_keeps_the_finished_trials():
    cancel = threading.Event()
    seen: list[int] = []

    def on_event(event) -> None:
        if isinstance(event, TrialEnd):
            seen.append(event.result.number)
        if isinstance(event, TrialEpoch) and event.number == 2 and event.epoch == 1:
            cancel.set()  # in the middle of the third trial

    result = search(small(search__trials=6), on_event=on_event, cancel=cancel)
    assert result.cancelled
    assert [t.number for t in result.trials] == [0, 1] == seen


def test_a_diverging_trial_is_failed_not_fatal():
    raw = small().to_dict()
    raw["data"] = {"source": "regression", "n": 200, "seed": 1}
    raw["model"] = {"loss": "mean_squared_error", "layers": [{"type": "dense", "units": 8}, {"type": "dense", "units": 1}]}
    raw["search"] = {"trials": 3, "objective": "val_loss",
                     "space": {"train.optimizer.learning_rate": {"low": 50.0, "high": 100.0}}}
    result = search(validate_preset(raw))
    assert [t.status for t in result.trials] == ["failed"] * 3
    assert all("diverged" in t.message and t.value is None for t in result.trials)
    assert result.best is None and result.leaderboard() == list(result.trials)


@pytest.mark.slow
def test_keras_engine_runs_the_same_search():
    preset = small(search__trials=2, train__epochs=2)
    result = search(preset, engine="keras")
    assert result.engine == "keras"
    assert [t.status for t in result.trials] == ["complete", "complete"]
    assert [t.params for t in result.trials] == [t.params for t in search(preset).trials]  # the draw is the engine's own
    assert result.best.value == max(t.value for t in result.trials)
    assert result.best_preset().train.engine == "keras"


# --------------------------------------------------------------------------------------------
# The [search] table


BAD = {
    "unknown path": ({"train.optimizer.learnin_rate": {"low": 0.1, "high": 1.0}},
                     "search.space.train.optimizer.learnin_rate: is not a field"),
    "bad bound": ({"train.optimizer.learning_rate": {"low": 0.0, "high": 1.0}},
                  "search.space.train.optimizer.learning_rate.low: must keep the preset valid"),
    "bad choice": ({"train.batch_size": {"choices": [32, 0]}}, "search.space.train.batch_size.choices[1]"),
    "reversed": ({"hidden_units": {"low": 9, "high": 3}}, "search.space.hidden_units: must have low (9)"),
    "log of zero": ({"hidden_units": {"low": 0, "high": 3, "log": True}}, "search.space.hidden_units: must have low above 0"),
    "data": ({"data.noise": {"low": 0.1, "high": 0.3}}, "search.space.data.noise: is part of [data]"),
    "layers twice": ({"hidden_layers": {"low": 0, "high": 2}, "model.layers[0].units": {"low": 1, "high": 3}},
                     "search.space.model.layers[0].units: is rebuilt by hidden_layers"),
    "too deep": ({"hidden_layers": {"low": 0, "high": 40}}, "search.space.hidden_layers.high"),
    "a table": ({"train.optimizer": {"low": 1, "high": 2}}, "search.space.train.optimizer: is a table"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_space_is_one_line_naming_its_path(case):
    space, expected = BAD[case]
    raw = small().to_dict()
    raw["search"]["space"] = space
    with pytest.raises(SpecError) as caught:
        validate_preset(raw)
    assert caught.value.one_line().startswith(expected), caught.value.one_line()


def test_objective_needs_validation_rows():
    raw = small().to_dict()
    raw["train"]["validation_split"] = 0.0
    with pytest.raises(SpecError, match=r"^search.objective: must have validation rows"):
        validate_preset(raw)


def test_search_table_round_trips_and_pruning_true_takes_the_defaults():
    preset = small(search__pruning=True)
    assert preset.search.pruning.startup_trials == 2
    assert validate_preset(preset.to_dict()) == preset


def test_lecture_best_params_make_its_network():
    # RandomizedSearchCV's winner in the lecture: {'lrt': 0.00049, 'n_hidden': 3, 'n_neurons': 17}.
    preset = load_preset("13-malaria-search")
    best = trial_preset(preset, {"hidden_layers": 3, "hidden_units": 17, "train.optimizer.learning_rate": 0.0004918})
    summary = summarize(best.model, preset.n_features())
    assert [(row.type, row.params) for row in summary.layers] == [
        ("Dense", 30_000 * 17 + 17), ("Dense", 17 * 17 + 17), ("Dense", 17 * 17 + 17), ("Dense", 18)]
    assert best.search is None and best.train.optimizer.learning_rate == 0.0004918
    logistic = trial_preset(preset, {"hidden_layers": 0, "hidden_units": 50, "train.optimizer.learning_rate": 0.01})
    assert summarize(logistic.model, preset.n_features()).total_params == 30_001


def test_small_search_preset_beats_its_own_default():
    preset = load_preset("14-moons-search")
    default = run(prepare(preset)).test["accuracy"]
    result = search(preset)
    assert result.seconds < 60
    assert result.best.test["accuracy"] > default + 0.05


# --------------------------------------------------------------------------------------------
# nnplay search


def write(folder: Path, text: str = SMALL) -> str:
    path = folder / "search.toml"
    path.write_text(text)
    return str(path)


def test_search_json_contract(tmp_path, capsys):
    assert main(["search", write(tmp_path), "--trials", "3", "--json"]) == 0
    text = capsys.readouterr().out
    out = json.loads(text, parse_constant=lambda name: pytest.fail(f"{name} is not standard JSON"))
    assert set(out) == {"preset", "engine", "objective", "direction", "cancelled", "seconds", "trials", "best", "saved",
                        "study", "storage"}
    assert out["study"] is None and out["storage"] is None  # no --storage: the study lived in memory
    assert out["engine"] == "numpy" and out["objective"] == "val_accuracy" and out["direction"] == "maximize"
    assert len(out["trials"]) == 3 and out["cancelled"] is False and out["saved"] is None
    for trial in out["trials"]:
        assert set(trial) == {"number", "params", "value", "status", "epochs", "seconds", "test", "message"}
        assert set(trial["params"]) == {"hidden_layers", "hidden_units", "train.optimizer.learning_rate", "train.batch_size"}
        assert trial["status"] in ("complete", "pruned", "failed") and trial["seconds"] > 0
    complete = [t for t in out["trials"] if t["status"] == "complete"]
    assert out["best"] == max(complete, key=lambda t: t["value"])


def test_save_best_writes_a_preset_that_validates_and_trains(tmp_path, capsys):
    target = tmp_path / "best.toml"
    assert main(["search", write(tmp_path), "--json", "--save-best", str(target)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["saved"] == str(target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["best.toml", "search.toml"]  # no temporary file left
    best = load_preset(target)
    assert best.search is None and "best of 4 trials" in best.preset.title
    params = out["best"]["params"]
    assert len(best.model.layers) == params["hidden_layers"] + 1
    assert best.train.optimizer.learning_rate == params["train.optimizer.learning_rate"]
    report = run(prepare(best))
    # the same trial, trained again (the JSON writes a float32 run's figures at float32's precision)
    assert figure(report.fit.history["val_accuracy"][-1], best.train.dtype) == out["best"]["value"]


def test_save_best_refuses_a_bad_target_before_searching(tmp_path, capsys):
    existing = tmp_path / "taken.toml"
    existing.write_text("keep me")
    assert main(["search", write(tmp_path), "--save-best", str(existing)]) == 2
    assert main(["search", write(tmp_path), "--save-best", str(tmp_path / "best.txt")]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and existing.read_text() == "keep me"
    lines = captured.err.splitlines()
    assert len(lines) == 2 and all(line.startswith("nnplay: error: --save-best:") for line in lines)


def test_search_refuses_a_preset_without_a_search_table_and_bad_trials(tmp_path, capsys):
    assert main(["search", "12"]) == 2
    assert main(["search", write(tmp_path), "--trials", "0"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert "has no [search] table" in err[0] and err[1].startswith("nnplay: error: --trials:")


def test_search_prints_a_leaderboard(tmp_path, capsys):
    assert main(["search", write(tmp_path), "--trials", "3"]) == 0
    out = capsys.readouterr().out
    assert "Leaderboard" in out and "val acc" in out and "best: trial" in out


@pytest.mark.slow
def test_lecture_malaria_search_runs_on_tfds_mock_data(tmp_path, monkeypatch):
    tfds = pytest.importorskip("tensorflow_datasets")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    preset = load_preset("13-malaria-search")
    for path, value in {"data.limit": 60, "train.epochs": 2, "search.trials": 2, "data.data_dir": str(tmp_path / "tfds")}.items():
        preset = preset.with_changes(path, value)
    with tfds.testing.mock_data(num_examples=60):
        result = search(preset)
    assert result.engine == "keras" and len(result.trials) == 2
    for trial in result.trials:
        assert trial.status == "complete" and 0.0 <= trial.value <= 1.0
        assert 0 <= trial.params["hidden_layers"] <= 3 and 1 <= trial.params["hidden_units"] <= 99
        assert 3e-4 <= trial.params["train.optimizer.learning_rate"] <= 3e-2


@pytest.mark.parametrize("compact", [False, True], ids=["cli", "search-view"])
def test_a_pruned_trial_is_called_pruned_wherever_it_is_listed(compact):
    """One word for a trial the pruner stopped: the engine's status, preset 14's notes, both leaderboards."""
    from rich.console import Console

    from nnplay.engine.search import TrialResult
    from nnplay.tui.render_search import leaderboard_table

    trial = TrialResult(0, {"train.batch_size": 8}, 0.5, "pruned", 3, 0.1)
    console = Console(width=80, record=True)
    console.print(leaderboard_table([trial], ["train.batch_size"], "val_accuracy", compact=compact))
    assert "pruned" in console.export_text()
    assert "pruned" in load_preset("14").preset.notes


def test_search_json_has_no_float32_noise(tmp_path, capsys):
    import numpy as np

    assert main(["search", write(tmp_path), "--json", "--trials", "2"]) == 0
    out = json.loads(capsys.readouterr().out)
    figures = [v for t in out["trials"] for v in (t["value"], *t["test"].values()) if isinstance(v, float)]
    assert figures and all(repr(v) == str(np.float32(v)) for v in figures)
