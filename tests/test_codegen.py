"""`nnplay code`: the preset as a Keras program that makes the same data, starts from the same weights
and, run as it is, reports the Keras engine's test loss and accuracy."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from nnplay.cli import main
from nnplay.engine.codegen import keras_program
from nnplay.engine.data import load_data
from nnplay.engine.numpy_net.initializers import initial_weights
from nnplay.engine.presets import bundled_presets, load_preset
from nnplay.engine.spec import Preset

#: Bundled presets whose data needs no download (malaria does).
OFFLINE = [entry.id for entry in bundled_presets() if load_preset(entry.id).data.source != "malaria"]
STARTS_AT = "# ---- The starting weights"
MODEL_AT = "# ---- The model"


def variant(data: dict, layers: list, loss: str, **train) -> Preset:
    """A preset beside the bundled ones, to reach every data source and option the generator writes."""
    return Preset.model_validate({
        "preset": {"title": "variant"},
        "data": data,
        "model": {"loss": loss, "layers": layers},
        "train": {"epochs": 5, "batch_size": 16, "seed": 3, **train},
    })


def _csv(tmp_path: Path) -> Path:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(60, 3))
    labels = np.where(x[:, 0] + x[:, 1] > 0, "yes", "no")
    path = tmp_path / "table.csv"
    rows = ["a;b;c;answer"] + [f"{a:.4f};{b:.4f};{c:.4f};{lab}" for (a, b, c), lab in zip(x, labels, strict=True)]
    path.write_text("\n".join(rows) + "\n")
    return path


def _folder(tmp_path: Path) -> Path:
    from PIL import Image

    rng = np.random.default_rng(2)
    root = tmp_path / "cells"
    for name, shade in (("dark", 40), ("light", 200)):
        (root / name).mkdir(parents=True)
        for i in range(12):
            pixels = np.clip(rng.normal(shade, 30, size=(9, 11, 3)), 0, 255).astype(np.uint8)
            Image.fromarray(pixels).save(root / name / f"{i}.png")
    return root


DENSE_OUT2 = [{"type": "dense", "units": 2, "activation": "softmax"}]
VARIANTS = {
    "softmax-sparse": lambda tmp: variant(
        {"source": "softmax", "n": 200, "features": 3, "classes": 3, "seed": 5},
        [{"type": "dense", "units": 3, "activation": "softmax"}], "sparse_categorical_crossentropy", shuffle=False),
    "xor-inputs-standardized": lambda tmp: variant(
        {"source": "xor", "n": 200, "noise": 0.1, "standardize": True, "inputs": ["x1", "x2", "x1*x2", "sin(x1)"]},
        [{"type": "dense", "units": 4, "activation": "tanh",
          "kernel_regularizer": {"l1": 0.001, "l2": 0.01}}, {"type": "dropout", "rate": 0.25}, *DENSE_OUT2],
        "categorical_crossentropy", batch_size="full", validation_split=0.2,
        optimizer={"name": "adam", "learning_rate": 0.02, "beta_1": 0.8}),
    "gaussian": lambda tmp: variant({"source": "gaussian", "n": 150, "classes": 3, "noise": 0.2},
                                    [{"type": "dense", "units": 3, "activation": "softmax"}], "categorical_crossentropy"),
    "spiral": lambda tmp: variant({"source": "spiral", "n": 150, "noise": 0.05}, DENSE_OUT2, "categorical_crossentropy"),
    "moons": lambda tmp: variant({"source": "moons", "n": 100}, DENSE_OUT2, "categorical_crossentropy"),
    "regression-float64": lambda tmp: variant(
        {"source": "regression", "n": 120, "noise": 0.1}, [{"type": "dense", "units": 1}], "mean_squared_error",
        dtype="float64", optimizer={"name": "sgd", "learning_rate": 0.05, "momentum": 0.5}),
    "iris-no-test-rows": lambda tmp: variant({"source": "iris", "test_size": 0.0},
                                             [{"type": "dense", "units": 3, "activation": "softmax"}],
                                             "categorical_crossentropy"),
    "csv": lambda tmp: variant({"source": "csv", "path": str(_csv(tmp)), "label_column": "answer"},
                               [{"type": "dense", "units": 1, "activation": "sigmoid", "use_bias": False}],
                               "binary_crossentropy"),
    "folder": lambda tmp: variant({"source": "folder", "path": str(_folder(tmp)), "image_size": 6, "limit": 20},
                                  [{"type": "dense", "units": 4, "activation": "relu", "name": "hidden"}, *DENSE_OUT2],
                                  "categorical_crossentropy"),
}


def _data_part(preset: Preset) -> dict:
    """Run the program up to the model (the data, the split, the targets, the start) and return its names."""
    import keras

    program = keras_program(preset, "variant")
    namespace: dict = {"__name__": "generated"}
    floatx = keras.config.floatx()  # a float64 program sets Keras's global float type: put it back
    try:
        exec(compile(program[:program.index(MODEL_AT)], "generated", "exec"), namespace)
    finally:
        keras.config.set_floatx(floatx)
    return namespace


@pytest.mark.parametrize("ref", OFFLINE)
def test_every_bundled_program_is_clean_python(ref, tmp_path):
    program = keras_program(load_preset(ref), ref)
    compile(program, ref, "exec")
    path = tmp_path / "program.py"
    path.write_text(program)
    lint = subprocess.run([sys.executable, "-m", "ruff", "check", "--isolated", "--select", "F,E9,W6", str(path)],
                          capture_output=True, text=True)
    assert lint.returncode == 0, lint.stdout  # no unused import, no undefined name


@pytest.mark.parametrize("name", [*VARIANTS, "05", "12", "15"])
def test_program_makes_nnplay_s_rows_and_starting_weights(name, tmp_path):
    preset = VARIANTS[name](tmp_path) if name in VARIANTS else load_preset(name)
    made = _data_part(preset)
    data = load_data(preset.data)
    np.testing.assert_array_equal(made["X_train"].astype(np.float32), data.x_train)
    np.testing.assert_array_equal(made["X_test"].astype(np.float32), data.x_test)
    np.testing.assert_array_equal(made["y_train"], data.y_train)
    np.testing.assert_array_equal(made["y_test"], data.y_test)
    start = initial_weights(preset, data.n_features)
    assert [w.shape for w in made["start"]] == [w.shape for w in start]
    for ours, theirs in zip(made["start"], start, strict=True):
        np.testing.assert_array_equal(ours, theirs)


def test_program_writes_only_what_differs_from_keras_defaults():
    program = keras_program(load_preset("08"), "08-l1-l2")
    assert 'layers.Dense(4, activation="relu", kernel_regularizer=regularizers.L1(0.01), ' \
           'bias_regularizer=regularizers.L2(0.01), name="dense"),' in program
    assert "regularizers.L1L2(l1=0.01, l2=0.01)" in program
    assert "momentum" not in program and "validation_split" not in program
    linear = keras_program(load_preset("07"), "07")
    assert 'layers.Dense(8, name="dense"),' in linear  # linear is Keras's default activation
    early = keras_program(load_preset("10"), "10")
    assert ('keras.callbacks.EarlyStopping(monitor="val_loss", patience=5, min_delta=0.0001, '
            "restore_best_weights=True)") in early
    assert 'layers.Dropout(0.2, seed=1, name="dropout"),' in early


def test_code_command_prints_writes_and_refuses_to_overwrite(tmp_path, capsys):
    assert main(["code", "05"]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith('"""5.') and "model.save('05-hidden-layer.h5')" in printed
    target = tmp_path / "hidden.py"
    assert main(["code", "05", "--output", str(target)]) == 0
    assert target.read_text() == printed
    target.write_text("mine")
    assert main(["code", "05", "--output", str(target)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("nnplay: error: --output:") and "exists" in err[0]
    assert target.read_text() == "mine"
    assert main(["code", "05", "--output", str(tmp_path / "hidden.txt")]) == 2
    assert "must end in .py" in capsys.readouterr().err


DRIVER = textwrap.dedent("""
    import io, json, os, runpy, sys, contextlib
    import keras
    results = {}
    for name in sys.argv[1:]:
        keras.config.set_floatx("float32")
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            runpy.run_path(f"{name}.py", run_name="__main__")
        lines = dict(line.split(": ", 1) for line in out.getvalue().splitlines() if line.startswith("Test "))
        model = keras.models.load_model(f"{name}.h5")
        results[name] = {"loss": float(lines["Test loss"]), "accuracy": lines.get("Test accuracy for NN"),
                         "layers": [layer.name for layer in model.layers]}
    print(json.dumps(results))
""")


@pytest.mark.slow
def test_programs_reproduce_the_keras_engine(tmp_path):
    """Every offline bundled preset (and three variants), each program run as it is in one subprocess."""
    from nnplay.engine.run import prepare, run

    presets = {ref: load_preset(ref) for ref in OFFLINE}
    # (a file named csv.py would shadow the standard library's csv for the programs run beside it)
    presets |= {f"variant-{name}": VARIANTS[name](tmp_path) for name in ("xor-inputs-standardized", "regression-float64", "csv")}
    for name, preset in presets.items():
        (tmp_path / f"{name}.py").write_text(keras_program(preset, name))
    (tmp_path / "driver.py").write_text(DRIVER)
    done = subprocess.run([sys.executable, "driver.py", *presets], cwd=tmp_path, capture_output=True, text=True,
                          timeout=1800)
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(done.stdout.strip().splitlines()[-1])
    for name, preset in presets.items():
        report = run(prepare(preset), engine="keras")
        got = results[name]
        assert got["loss"] == pytest.approx(report.test["loss"], rel=1e-4), name
        if "accuracy" in report.test:
            assert got["accuracy"] == f"{report.test['accuracy']:.3f}", name
        assert got["layers"] == preset.model.layer_names(), name


def test_code_of_a_kept_run_is_its_preset_s_program(tmp_path, capsys):
    db = tmp_path / "runs.sqlite3"
    assert main(["train", "05", "--epochs", "2", "--seed", "4", "--runs-db", str(db), "--json"]) == 0
    run_id = json.loads(capsys.readouterr().out)["run_id"]
    assert main(["code", f"run:{run_id}", "--runs-db", str(db)]) == 0
    program = capsys.readouterr().out
    assert "epochs=2" in program and "default_rng(4)" in program and f"run-{run_id}.h5" in program
    assert main(["code", "run:999", "--runs-db", str(db)]) == 2
    assert "999" in capsys.readouterr().err
