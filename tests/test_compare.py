"""`nnplay compare`: several presets trained headless, one row of figures each."""

from __future__ import annotations

import json

import pytest

from nnplay.cli import main

BASE = """
[preset]
title = "compare: dropout"

[data]
source = "logistic"
n = 300
beta = [1.0, 2.0]
test_size = 0.2
seed = 42

[model]
loss = "categorical_crossentropy"
layers = [
  { type = "dense", units = 4, activation = "relu" },
  { type = "dropout", rate = 0.2 },
  { type = "dense", units = 2, activation = "softmax" },
]

[train]
optimizer = { name = "sgd", learning_rate = 0.1 }
batch_size = 50
epochs = 6
validation_split = 0.2
seed = 0
"""
NO_DROPOUT = BASE.replace('  { type = "dropout", rate = 0.2 },\n', "").replace("compare: dropout", "compare: none")
STOPPING = BASE.replace(
    "epochs = 6", 'epochs = 300\nearly_stopping = { monitor = "val_loss", patience = 2, restore_best_weights = true }'
)


@pytest.fixture
def presets(tmp_path):
    paths = []
    for name, text in (("base", BASE), ("none", NO_DROPOUT), ("stopping", STOPPING)):
        path = tmp_path / f"{name}.toml"
        path.write_text(text, encoding="utf-8")
        paths.append(str(path))
    return paths


def run_json(capsys, *argv: str):
    code = main(list(argv))
    out = capsys.readouterr().out
    return code, out


def test_json_holds_one_row_per_preset_with_the_runs_figures(presets, capsys):
    code, out = run_json(capsys, "compare", *presets, "--json")
    assert code == 0
    rows = json.loads(out)
    assert [row["preset"] for row in rows] == presets
    assert [row["changes"] for row in rows] == [[], ["dropout 0.2 → 0"], ["dropout 0.2", "epochs 6 → 300", "early_stopping on"]]
    for row in rows:
        assert row["engine"] == "numpy"
        for key in ("train_loss", "train_accuracy", "val_loss", "val_accuracy", "test_loss", "test_accuracy", "seconds"):
            assert isinstance(row[key], float), key
    assert [row["status"] for row in rows] == ["completed", "completed", "early_stopped"]
    assert rows[0]["epochs"] == 6 and rows[2]["best_epoch"] is not None and rows[2]["epochs"] < 300

    # The figures are those `nnplay train` reports for the same preset (same seed, same numbers).
    code, out = run_json(capsys, "train", presets[2], "--json")
    single = json.loads(out)
    assert rows[2]["test_loss"] == pytest.approx(single["test"]["loss"], rel=1e-12)
    assert rows[2]["best_epoch"] == single["best_epoch"]
    best = single["best_epoch"] - 1
    assert rows[2]["val_loss"] == pytest.approx(single["history"]["val_loss"][best], rel=1e-12)


def test_the_table_names_what_changed(presets, capsys):
    code, out = run_json(capsys, "compare", presets[0], presets[1])
    assert code == 0
    assert "what changed" in out and "first run" in out and "dropout 0.2 → 0" in out
    assert "completed" in out


def test_engine_flag_applies_to_every_preset_and_a_bad_one_is_one_line(presets, capsys):
    assert main(["compare", presets[0], "--engine", "torch"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "--engine" in err and "torch" in err


def test_a_bad_preset_stops_before_any_training(presets, tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text(BASE.replace("units = 4", "units = 0"), encoding="utf-8")
    assert main(["compare", presets[0], str(bad), "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""  # nothing trained, nothing printed
    assert captured.err.strip().count("\n") == 0 and "model.layers[0].units" in captured.err
