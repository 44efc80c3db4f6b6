"""The headless CLI as scripts use it: exit codes, one-line errors, the JSON contract."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from nnplay.cli import main

GOOD = """
[preset]
title = "tiny"

[data]
source = "logistic"
n = 200

[model]
loss = "binary_crossentropy"
layers = [{ type = "dense", units = 1, activation = "sigmoid", use_bias = false }]

[train]
optimizer = { name = "sgd", learning_rate = 1.0 }
batch_size = "full"
epochs = 3
"""

# One defect each: (what is changed, the field the message must name).
BAD_PRESETS = {
    "toml_syntax": (GOOD.replace('n = 200', 'n = = 200'), "line 7"),
    "unknown_table": (GOOD + "\n[extra]\nx = 1\n", "extra"),
    "unknown_key": (GOOD.replace("n = 200", "n = 200\nrows = 5"), "data.rows"),
    "wrong_type": (GOOD.replace("n = 200", 'n = "many"'), "data.n"),
    "units_zero": (GOOD.replace("units = 1,", "units = 0,"), "model.layers[0].units"),
    "dropout_rate": (GOOD.replace('layers = [', 'layers = [{ type = "dropout", rate = 1.0 }, '), "model.layers[0].rate"),
    "learning_rate": (GOOD.replace("learning_rate = 1.0", "learning_rate = 0"), "train.optimizer.learning_rate"),
    "epochs": (GOOD.replace("epochs = 3", "epochs = 0"), "train.epochs"),
    "validation_split": (GOOD.replace("epochs = 3", "epochs = 3\nvalidation_split = 1.0"), "train.validation_split"),
    "test_size": (GOOD.replace("n = 200", "n = 200\ntest_size = -0.1"), "data.test_size"),
    "penalty_negative": (
        GOOD.replace("use_bias = false", "use_bias = false, kernel_regularizer = { l2 = -1 }"),
        "model.layers[0].kernel_regularizer.l2",
    ),
    "penalty_kind": (
        GOOD.replace("use_bias = false", "use_bias = false, kernel_regularizer = { l3 = 1 }"),
        "model.layers[0].kernel_regularizer.l3",
    ),
    "activation": (GOOD.replace('"sigmoid"', '"sigmoidal"'), "model.layers[0].activation"),
    "loss": (GOOD.replace('"binary_crossentropy"', '"hinge"'), "model.loss"),
    "optimizer": (GOOD.replace('name = "sgd"', 'name = "rmsprop"'), "train.optimizer.name"),
    "engine": (GOOD.replace("epochs = 3", 'epochs = 3\nengine = "torch"'), "train.engine"),
    "source": (GOOD.replace('"logistic"', '"mnist"'), "data.source"),
    "layer_type": (GOOD.replace('type = "dense"', 'type = "conv2d"'), "model.layers[0].type"),
    "batch_size": (GOOD.replace('"full"', '"half"'), "train.batch_size"),
    "missing_title": (GOOD.replace('title = "tiny"', ""), "preset.title"),
    "cannot_train_activation": (GOOD.replace('"sigmoid"', '"relu"'), "model.layers[0].activation"),
    "cannot_train_units": (
        GOOD.replace('"binary_crossentropy"', '"categorical_crossentropy"').replace('"sigmoid"', '"softmax"'),
        "model.layers[0].units",
    ),
    "cannot_train_monitor": (
        GOOD.replace("epochs = 3", 'epochs = 3\nearly_stopping = { monitor = "val_loss" }'),
        "train.early_stopping.monitor",
    ),
    "beta_length": (GOOD.replace("n = 200", "n = 200\nbeta = [1.0]"), "data.beta"),
}


def write(tmp_path: Path, text: str, name: str = "p.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.mark.parametrize("name", sorted(BAD_PRESETS))
def test_every_bad_preset_gives_exit_2_and_names_its_field(name, tmp_path, capsys):
    text, field = BAD_PRESETS[name]
    path = write(tmp_path, text)
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err  # one line
    assert err.startswith("nnplay: error: ")
    assert field in err
    assert "Traceback" not in err


def test_bad_preset_in_a_real_process_has_no_traceback(tmp_path):
    path = write(tmp_path, BAD_PRESETS["units_zero"][0])
    proc = subprocess.run([sys.executable, "-m", "nnplay", "train", str(path)], capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.strip() == "nnplay: error: model.layers[0].units: must be greater than 0 (got 0)"
    assert proc.stdout == ""


def test_good_preset_checks(tmp_path, capsys):
    assert main(["check", str(write(tmp_path, GOOD))]) == 0
    assert "valid" in capsys.readouterr().out


def test_missing_file_and_unknown_id(capsys):
    assert main(["check", "nowhere/p.toml"]) == 2
    assert main(["train", "no-such-preset"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert "nowhere/p.toml" in err[0] and "no-such-preset" in err[1]


def test_flag_errors_name_the_flag(tmp_path, capsys):
    path = write(tmp_path, GOOD)
    assert main(["train", str(path), "--epochs", "0"]) == 2
    assert main(["train", str(path), "--epochs", "x"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("nnplay: error: --epochs:")
    assert "--epochs" in err[1] and len(err) == 2


def test_train_json_contract(tmp_path, capsys):
    path = write(tmp_path, GOOD.replace("epochs = 3", "epochs = 3\nvalidation_split = 0.25"))
    assert main(["train", str(path), "--json", "--epochs", "4", "--seed", "3"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["preset"] == str(path)
    assert out["engine"] == "numpy"
    assert out["status"] == "completed" and out["epochs_run"] == 4
    assert set(out["history"]) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(len(v) == 4 for v in out["history"].values())
    assert set(out["test"]) == {"loss", "accuracy"}
    assert out["params"] == {"total": 2, "trainable": 2}
    assert out["fit_seconds"] > 0 and out["export"] is None
    assert len(out["weights"]) == 1
    kernel = out["weights"][0]["kernel"]
    assert len(kernel) == 2 and len(kernel[0]) == 1 and out["weights"][0]["bias"] is None


def test_train_json_reports_divergence_with_exit_3(tmp_path, capsys):
    text = GOOD.replace("learning_rate = 1.0", "learning_rate = 90.0").replace('"binary_crossentropy"', '"mean_squared_error"')
    text = text.replace('activation = "sigmoid"', 'activation = "linear"')
    text = text.replace("epochs = 3", "epochs = 40")
    assert main(["train", str(write(tmp_path, text)), "--json"]) == 3
    out = json.loads(capsys.readouterr().out)
    assert out["status"] == "diverged"
    assert "diverged at epoch" in out["message"]


def test_presets_json_lists_bundled_presets(capsys):
    assert main(["presets", "--json"]) == 0
    entries = json.loads(capsys.readouterr().out)
    assert entries and all(set(e) == {"id", "title", "path"} for e in entries)
    assert [e["id"] for e in entries] == sorted(e["id"] for e in entries)
    assert all(Path(e["path"]).is_file() for e in entries)


LECTURE_NETS = {
    # The lecture's 2-4-2 softmax net: model.summary() says 22.
    "22": (
        'source = "logistic"',
        '[{ type = "dense", units = 4, activation = "sigmoid" }, { type = "dense", units = 2, activation = "softmax" }]',
        "categorical_crossentropy",
        22,
    ),
    # Its malaria net on 100x100x3 images: 9,035,501 (and no data is loaded to count them).
    "malaria": (
        'source = "malaria"\nimage_size = 100',
        '[{ type = "dense", units = 300, activation = "relu", name = "my_dense_layer" },'
        ' { type = "dense", units = 100, activation = "relu" }, { type = "dense", units = 50, activation = "relu" },'
        ' { type = "dense", units = 1, activation = "sigmoid" }]',
        "binary_crossentropy",
        9_035_501,
    ),
}


@pytest.mark.parametrize("net", sorted(LECTURE_NETS))
def test_summary_counts_the_lectures_parameters(net, tmp_path, capsys):
    data, layers, loss, total = LECTURE_NETS[net]
    text = f'[preset]\ntitle = "n"\n[data]\n{data}\n[model]\nloss = "{loss}"\nlayers = {layers}\n'
    path = write(tmp_path, text)
    assert main(["summary", str(path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["total_params"] == total and out["trainable_params"] == total
    assert set(out["layers"][0]) == {"name", "type", "output_shape", "params"}
    assert main(["summary", str(path)]) == 0
    assert f"Total params: {total:,}" in capsys.readouterr().out


def test_a_bad_export_path_is_refused_before_training(tmp_path, capsys):
    path = write(tmp_path, GOOD)
    target = tmp_path / "missing" / "model.h5"
    assert main(["train", str(path), "--json", "--export", str(target)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""  # nothing was trained, nothing reported
    assert captured.err.startswith("nnplay: error: --export:") and "does not exist" in captured.err


def test_a_library_warning_reaches_the_terminal_as_one_line_without_a_source_path(monkeypatch, capsys):
    import warnings

    from nnplay.commands import check

    def check_that_warns(args) -> int:
        warnings.warn("something a library says\nover two lines", RuntimeWarning, stacklevel=1)
        return 0

    monkeypatch.setattr(check, "run", check_that_warns)
    assert main(["check", "01"]) == 0
    assert capsys.readouterr().err == "nnplay: warning: something a library says over two lines\n"


HUGE_NET = """
[preset]
title = "eleven billion"
[data]
source = "circles"
n = 100
[model]
loss = "binary_crossentropy"
layers = [{ type = "dense", units = 100000, activation = "relu" }, { type = "dense", units = 100000, activation = "relu" },
          { type = "dense", units = 10000, activation = "relu" }, { type = "dense", units = 1, activation = "sigmoid" }]
"""


def test_a_net_too_big_to_train_can_be_summarised_and_checked_but_not_trained(tmp_path, capsys):
    """A summary or a check allocates nothing; the memory rule is for runs."""
    path = str(write(tmp_path, HUGE_NET))
    assert main(["summary", path, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["total_params"] == 11_000_420_001
    assert main(["check", path]) == 0
    assert "valid" in capsys.readouterr().out
    assert main(["train", path, "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.startswith("nnplay: error: model.layers[1].units: this run would need about ")


# --------------------------------------------------------------------------------------------
# Figures in --json at the precision the run computed them


def numbers(tree) -> list[float]:
    """Every float in a JSON document."""
    if isinstance(tree, dict):
        return [n for value in tree.values() for n in numbers(value)]
    if isinstance(tree, list):
        return [n for value in tree for n in numbers(value)]
    return [tree] if isinstance(tree, float) else []


def float32_noise(figures: list[float]) -> list[float]:
    """The figures not written as float32's shortest decimal (0.8199999928474426 instead of 0.82)."""
    import numpy as np

    return [value for value in figures if repr(value) != str(np.float32(value))]


def test_train_json_writes_a_float32_runs_figures_without_float32_noise(tmp_path, capsys):
    path = write(tmp_path, GOOD.replace("epochs = 3", "epochs = 3\nvalidation_split = 0.25"))
    assert main(["train", str(path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    figures = numbers(out["history"]) + numbers(out["test"]) + numbers(out["weights"])
    assert figures and float32_noise(figures) == []
    assert main(["compare", str(path), "--json"]) == 0
    [row] = json.loads(capsys.readouterr().out)
    assert float32_noise([row[name] for name in ("train_loss", "val_accuracy", "test_loss", "test_accuracy")]) == []
    assert row["test_accuracy"] == out["test"]["accuracy"]


def test_a_float64_runs_figures_keep_every_digit(tmp_path, capsys):
    path = write(tmp_path, GOOD.replace("epochs = 3", 'epochs = 3\ndtype = "float64"'))
    assert main(["train", str(path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert float32_noise(numbers(out["history"]))  # a float64 figure is not cut to float32's digits


@pytest.mark.slow
def test_keras_figures_in_train_predict_and_compare_json_have_no_float32_noise(tmp_path, capsys):
    """Keras computes in float32: its accuracy 0.82 must not read 0.8199999928474426 in any --json."""
    path = str(write(tmp_path, GOOD.replace("epochs = 3", 'epochs = 3\nengine = "keras"\nvalidation_split = 0.25')))
    model = str(tmp_path / "m.h5")
    assert main(["train", path, "--json", "--export", model]) == 0
    trained = json.loads(capsys.readouterr().out)
    assert main(["predict", model, path, "--json"]) == 0
    predicted = json.loads(capsys.readouterr().out)
    assert main(["compare", path, "--json"]) == 0
    [row] = json.loads(capsys.readouterr().out)
    figures = [*numbers(trained["history"]), *numbers(trained["test"]), *numbers(predicted["test"]),
               *numbers(predicted["probabilities"]), row["val_accuracy"], row["test_accuracy"]]
    assert len(figures) > 10 and float32_noise(figures) == []
    assert predicted["test"]["accuracy"] == trained["test"]["accuracy"]


# --------------------------------------------------------------------------------------------
# Every command, fast to reach, quiet into a closed pipe


@pytest.mark.parametrize("argv", [["data", "01", "--json"], ["presets"], ["summary", "12"]], ids=lambda argv: argv[0])
def test_a_reader_that_closes_the_pipe_ends_the_command_quietly(argv):
    """`nnplay data 01 --json | head -c 10`: the reader goes away; no traceback, no error line, exit 1
    (Python's advice for SIGPIPE, and what rich does when it meets the closed pipe first). A print and
    a rich table each meet the pipe here; every command ends in the same handler.
    The reader here closes before the command writes anything, so every write meets the closed pipe."""
    proc = subprocess.Popen([sys.executable, "-m", "nnplay", *argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 1, err
    assert "Traceback" not in err and "error" not in err, err


def test_every_command_is_registered_in_order_and_answers_help(capsys):
    from nnplay.cli import build_parser
    from nnplay.commands import COMMANDS

    names = [module.__name__.rpartition(".")[2] for module in COMMANDS]
    assert build_parser().command_names == tuple(names)
    for name in names:
        assert main([name, "--help"]) == 0
        assert capsys.readouterr().out.startswith(f"usage: nnplay {name}")
