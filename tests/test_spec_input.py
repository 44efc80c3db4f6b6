"""Hostile numbers at the schema: one line naming the field and the value, exit 2, nothing allocated.

Messages are built from pydantic's error type and context, so they read the same whatever pydantic's
own English says; values are cut to a readable length.
"""

from __future__ import annotations

import time
import tracemalloc
from pathlib import Path

import pytest

from nnplay.cli import main
from nnplay.engine.errors import SpecError
from nnplay.engine.memory import estimate, memory_problems
from nnplay.engine.run import prepare, run
from nnplay.engine.spec import DATA_SEED_MAX, TRAIN_SEED_MAX, validate_preset

BASE = """
[preset]
title = "{title}"

[data]
source = "circles"
n = 100
noise = {noise}
seed = {data_seed}

[model]
loss = "binary_crossentropy"
layers = [
  {{ type = "dense", units = {units}, activation = "relu" }},
  {{ type = "dense", units = 1, activation = "sigmoid" }},
]

[train]
optimizer = {{ name = "sgd", learning_rate = {learning_rate} }}
epochs = 1
seed = {train_seed}
{extra}
"""
DEFAULTS = dict(title="t", noise=0.1, data_seed=0, units=4, learning_rate=0.1, train_seed=0, extra="")


def write(tmp_path: Path, **changes) -> Path:
    path = tmp_path / "p.toml"
    path.write_text(BASE.format(**{**DEFAULTS, **changes}))
    return path


def refused(tmp_path: Path, capsys, command: str = "check", **changes) -> str:
    path = write(tmp_path, **changes)
    before = path.read_bytes()
    assert main([command, str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("nnplay: error: ") and "Traceback" not in err, err
    assert path.read_bytes() == before
    return err.removeprefix("nnplay: error: ").rstrip("\n")


@pytest.mark.parametrize(("changes", "line"), [
    ({"noise": "nan"}, "data.noise: must be a finite number (not nan or inf) (got nan)"),
    ({"noise": "inf"}, "data.noise: must be a finite number (not nan or inf) (got inf)"),
    ({"learning_rate": "-inf"}, "train.optimizer.learning_rate: must be a finite number (not nan or inf) (got -inf)"),
    ({"extra": "early_stopping = { monitor = 'loss', min_delta = inf }"},
     "train.early_stopping.min_delta: must be a finite number (not nan or inf) (got inf)"),
    ({"data_seed": 2**32}, f"data.seed: must be at most {DATA_SEED_MAX} (got 4294967296)"),
    ({"data_seed": 10**30}, f"data.seed: must be at most {DATA_SEED_MAX} (got {10**30})"),
    ({"train_seed": 2**31}, f"train.seed: must be at most {TRAIN_SEED_MAX} (got 2147483648)"),
    ({"data_seed": -1}, "data.seed: must be at least 0 (got -1)"),
])
def test_non_finite_numbers_and_huge_seeds_are_refused_naming_the_field(changes, line, tmp_path, capsys):
    assert refused(tmp_path, capsys, **changes) == line


def test_nan_inside_a_list_names_its_item(tmp_path, capsys):
    text = BASE.format(**DEFAULTS).replace(
        'source = "circles"\nn = 100\nnoise = 0.1', 'source = "logistic"\nn = 100\nbeta = [1.0, nan]'
    )
    path = tmp_path / "p.toml"
    path.write_text(text)
    assert main(["check", str(path)]) == 2
    assert capsys.readouterr().err == "nnplay: error: data.beta[1]: must be a finite number (not nan or inf) (got nan)\n"


def test_the_largest_seed_scikit_learn_takes_is_accepted_and_loads(tmp_path):
    from nnplay.engine.presets import load_preset

    prepared = prepare(load_preset(write(tmp_path, data_seed=DATA_SEED_MAX)))
    assert len(prepared.x_train) == 80


def test_a_seed_flag_beyond_the_range_names_the_flag(tmp_path, capsys):
    assert main(["train", str(write(tmp_path)), "--seed", str(2**40)]) == 2
    assert capsys.readouterr().err == f"nnplay: error: --seed: must be at most {TRAIN_SEED_MAX} (got {2**40})\n"


@pytest.mark.parametrize(("changes", "line"), [
    ({"units": 0}, "model.layers[0].units: must be greater than 0 (got 0)"),
    ({"units": 100_001}, "model.layers[0].units: must be at most 100000 (got 100001)"),
    ({"units": 2.5}, "model.layers[0].units: must be a whole number (got 2.5)"),
    ({"units": '"four"'}, "model.layers[0].units: must be a whole number (got 'four')"),
    ({"noise": '"x"'}, "data.noise: must be a number (got 'x')"),
    ({"title": ""}, "preset.title: must not be empty (got '')"),
    ({"extra": 'shuffle = "maybe"'}, "train.shuffle: must be true or false (got 'maybe')"),
    ({"extra": 'engine = "torch"'}, "train.engine: unknown value; choose one of 'numpy' or 'keras' (got 'torch')"),
    ({"extra": "colour = 1"}, "train.colour: unknown key (check its spelling against the preset format in README.md)"),
    ({"extra": "momentum = 1"}, "train.momentum: unknown key (check its spelling against the preset format in README.md)"),
    ({"extra": "adam = 1"}, "train.adam: unknown key (check its spelling against the preset format in README.md)"),
])
def test_messages_come_from_the_error_type_and_its_context(changes, line, tmp_path, capsys):
    assert refused(tmp_path, capsys, **changes) == line


def test_a_long_value_is_cut_to_a_readable_length(tmp_path, capsys):
    line = refused(tmp_path, capsys, noise='"' + "x" * 5000 + '"')
    assert line.startswith("data.noise: must be a number (got 'xxx") and line.endswith("...)")
    assert len(line) < 120


def test_an_unknown_layer_type_names_the_type_key():
    raw = {"preset": {"title": "t"}, "data": {"source": "iris"},
           "model": {"loss": "mean_squared_error", "layers": [{"type": "conv2d", "units": 3}]}}
    with pytest.raises(SpecError) as info:
        validate_preset(raw)
    assert str(info.value) == "model.layers[0].type: unknown value; choose one of 'dense', 'dropout' (got 'conv2d')"


# --------------------------------------------------------------------------------------------
# Sizes each field allows but memory cannot hold


HUGE = {
    # 10**6 rows of 10**4 features: 80 GB as float64 before the split.
    "rows": ('source = "logistic"\nn = 1000000\nfeatures = 10000', 4, "data.n", "(got 1000000)"),
    # Two layers of 10**5 units: 10**10 weights, 40 GB as float32 before gradients and Adam's moments.
    "units": ('source = "circles"\nn = 100', 100_000, "model.layers[1].units", "(got 100000)"),
}


@pytest.mark.parametrize("name", sorted(HUGE))
def test_a_run_memory_cannot_hold_is_refused_before_allocating(name, tmp_path, capsys):
    data, units, field, got = HUGE[name]
    text = BASE.format(**{**DEFAULTS, "units": units}).replace('source = "circles"\nn = 100\nnoise = 0.1', data)
    text = text.replace('activation = "relu" }},', 'activation = "relu" },').replace(
        '{ type = "dense", units = 1, activation = "sigmoid" }',
        f'{{ type = "dense", units = {units}, activation = "relu" }},\n  {{ type = "dense", units = 1, activation = "sigmoid" }}',
    )
    path = tmp_path / "huge.toml"
    path.write_text(text)
    tracemalloc.start()
    started = time.perf_counter()
    code = main(["train", str(path)])
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert err.startswith(f"nnplay: error: {field}: this run would need about ") and err.rstrip().endswith(got)
    assert " GB of memory " in err and "more than this machine's" in err
    assert peak < 50_000_000 and time.perf_counter() - started < 10  # refused, not attempted


def test_the_memory_estimate_is_close_to_what_a_run_uses():
    """Measured with tracemalloc (NumPy reports its buffers to it): the estimate is 'about' right."""
    preset = validate_preset({
        "preset": {"title": "m"}, "data": {"source": "softmax", "n": 4000, "features": 400, "classes": 2},
        "model": {"loss": "categorical_crossentropy", "layers": [
            {"type": "dense", "units": 512, "activation": "relu"},
            {"type": "dense", "units": 512, "activation": "relu"},
            {"type": "dense", "units": 2, "activation": "softmax"}]},
        "train": {"epochs": 1, "batch_size": 500, "optimizer": {"name": "adam"}, "validation_split": 0.2},
    })
    run(prepare(preset.with_changes("data.n", 100)))  # imports and caches first: only arrays count below
    tracemalloc.start()
    run(prepare(preset))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    need = estimate(preset, 4000, 400).total_bytes
    print(f"estimate {need / 1e6:.1f} MB, measured peak {peak / 1e6:.1f} MB")
    assert 0.5 * peak < need < 2 * peak, (need, peak)


def test_memory_rule_compares_with_the_memory_given():
    preset = validate_preset({
        "preset": {"title": "m"}, "data": {"source": "circles", "n": 1000},
        "model": {"loss": "binary_crossentropy", "layers": [{"type": "dense", "units": 1, "activation": "sigmoid"}]},
    })
    need = estimate(preset, 1000, 2).total_bytes
    assert memory_problems(preset, 1000, 2, available=need) == []
    [problem] = memory_problems(preset, 1000, 2, available=need - 1)
    assert problem.field == "data.n" and problem.message.endswith("(got 1000)")


# --------------------------------------------------------------------------------------------
# Splits that leave nothing to train on


NO_ROWS_LEFT = (
    "nnplay: error: train.validation_split: holds out all 10 rows left after the test split, "
    "leaving none to train on; lower it or data.test_size (got 0.95)\n"
)


def test_a_validation_split_that_leaves_no_training_rows_is_bad_input_not_divergence(tmp_path, capsys):
    path = tmp_path / "p.toml"
    path.write_text(BASE.format(**{**DEFAULTS, "extra": "validation_split = 0.95"}).replace("n = 100", "n = 10\ntest_size = 0.0"))
    assert main(["train", str(path), "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == NO_ROWS_LEFT


def test_a_csv_whose_split_leaves_no_training_rows_gets_the_same_words_once_loaded(tmp_path, capsys):
    (tmp_path / "t.csv").write_text("a,label\n" + "".join(f"{i},{i % 2}\n" for i in range(20)))
    text = BASE.format(**{**DEFAULTS, "extra": "validation_split = 0.95"}).replace(
        'source = "circles"\nn = 100\nnoise = 0.1',
        f'source = "csv"\npath = "{tmp_path / "t.csv"}"\nlabel_column = "label"\ntest_size = 0.5'
    )
    path = tmp_path / "p.toml"
    path.write_text(text)
    assert main(["check", str(path)]) == 0  # the spec cannot count a file's rows
    capsys.readouterr()
    assert main(["train", str(path)]) == 2
    assert capsys.readouterr().err == NO_ROWS_LEFT


def test_a_test_split_that_leaves_no_training_rows_names_test_size(tmp_path, capsys):
    path = tmp_path / "p.toml"
    path.write_text(BASE.format(**DEFAULTS).replace("n = 100", "n = 10\ntest_size = 0.95"))
    assert main(["train", str(path)]) == 2
    expected = "nnplay: error: data.test_size: takes all 10 rows for testing, leaving none to train on (got 0.95)\n"
    assert capsys.readouterr().err == expected


@pytest.mark.parametrize(("model", "line"), [
    ({"loss": "mean_squared_error", "layers": []}, "model.layers: must have at least one item (got [])"),
    ({"loss": "mean_squared_error", "layers": [{"type": "dense", "units": 1, "name": "9lives"}]},
     "model.layers[0].name: must match the pattern ^[A-Za-z_][A-Za-z0-9_.\\-]*$ (got '9lives')"),
    ({"loss": "mean_squared_error", "layers": [{"units": 1}]}, "model.layers[0].type: is required"),
    ({"loss": "mean_squared_error", "layers": "dense"}, "model.layers: must be a list (got 'dense')"),
])
def test_container_and_pattern_messages(model, line):
    with pytest.raises(SpecError) as info:
        validate_preset({"preset": {"title": "t"}, "data": {"source": "regression"}, "model": model})
    assert str(info.value) == line


def test_an_image_limit_costs_disk_not_memory():
    """Images are streamed from the on-disk cache: a huge limit is no longer held in memory (the
    loader takes what the split has; the cache checks the disk before it decodes)."""
    from nnplay.engine.memory import estimate

    preset = validate_preset({
        "preset": {"title": "t"}, "data": {"source": "malaria", "limit": 10**6, "image_size": 512},
        "model": {"loss": "binary_crossentropy", "layers": [{"type": "dense", "units": 1, "activation": "sigmoid"}]},
    })
    need = estimate(preset, 10**6, preset.data.n_features())
    assert need.data_bytes < 10**9  # labels and one batch, not 10**6 rows of 786,432 pixels (9 TB)
