"""A saved model restored and used: `nnplay predict`, reading .h5 files into spec terms, starting
runs from given weights. Real Keras files, loaded back by real Keras."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nnplay.cli import main
from nnplay.engine.errors import ExportError
from nnplay.engine.presets import load_preset
from nnplay.engine.restore import open_model, read_model, weight_shapes, with_model
from nnplay.engine.run import evaluate, make_trainer, prepare, run
from nnplay.engine.spec import validate_preset
from tests.tui_helpers import HIDDEN, write_preset

ROOT = Path(__file__).resolve().parents[1]


def _reject_constant(name: str) -> None:
    raise AssertionError(f"not standard JSON: {name}")


def strict_json(text: str):
    return json.loads(text, parse_constant=_reject_constant)


def cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def preset_file(tmp_path):
    return write_preset(tmp_path)  # logistic data, 2 features, a 4-unit hidden layer, softmax


def keras_module():
    from nnplay.engine.tf_quiet import keras

    return keras()


# --------------------------------------------------------------------------------------------
# predict reports the exporting run's test scores


def _train_then_predict(capsys, tmp_path, preset_file, engine: str):
    model = tmp_path / f"{engine}.h5"
    code, out, _ = cli(capsys, "train", preset_file, "--engine", engine, "--export", model, "--json")
    assert code == 0
    trained = strict_json(out)
    code, out, err = cli(capsys, "predict", model, preset_file, "--engine", engine, "--json")
    assert code == 0, err
    return trained, strict_json(out)


def test_predict_equals_the_exporting_numpy_run(capsys, tmp_path, preset_file):
    trained, predicted = _train_then_predict(capsys, tmp_path, preset_file, "numpy")
    assert predicted["test"] == trained["test"]  # the same rows, the same weights, the same math
    assert predicted["confusion_matrix"] == trained["confusion_matrix"]
    assert predicted["test_rows"] == 100 and predicted["input_features"] == 2


@pytest.mark.slow
def test_predict_equals_the_exporting_keras_run(capsys, tmp_path, preset_file):
    trained, predicted = _train_then_predict(capsys, tmp_path, preset_file, "keras")
    assert predicted["engine"] == "keras"
    assert predicted["test"] == trained["test"]
    assert predicted["confusion_matrix"] == trained["confusion_matrix"]


def test_predict_prints_what_keras_load_model_predicts(capsys, tmp_path, preset_file):
    """The lecture's `keras.models.load_model('malaria.h5').predict(X_test[:3])`, row for row."""
    model = tmp_path / "m.h5"
    assert cli(capsys, "train", preset_file, "--export", model, "--json")[0] == 0
    x_test = prepare(load_preset(preset_file)).x_test
    expected = keras_module().models.load_model(model).predict(x_test[:3], verbose=0)
    for engine in ("numpy", "keras"):
        code, out, _ = cli(capsys, "predict", model, preset_file, "--engine", engine, "--json")
        assert code == 0
        got = np.array(strict_json(out)["probabilities"])
        assert got.shape == (3, 2)
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-7)
    code, out, _ = cli(capsys, "predict", model, preset_file)  # the table people read
    assert code == 0 and "model.predict(X_test[:3])" in out
    for value in expected[:, 1]:
        assert f"{value:.4f}" in out
    assert "test: loss" in out and "Test confusion matrix" in out


def test_rows_flag(capsys, tmp_path, preset_file):
    model = tmp_path / "m.h5"
    assert cli(capsys, "train", preset_file, "--export", model, "--json")[0] == 0
    code, out, _ = cli(capsys, "predict", model, preset_file, "--rows", "5", "--json")
    report = strict_json(out)
    assert code == 0 and len(report["probabilities"]) == 5 and len(report["labels"]) == 5
    code, out, _ = cli(capsys, "predict", model, preset_file, "--rows", "100000", "--json")
    assert code == 0 and len(strict_json(out)["probabilities"]) == 100  # every test row, no more
    code, out, err = cli(capsys, "predict", model, preset_file, "--rows", "-1")
    assert code == 2 and out == "" and err.count("\n") == 1 and "--rows" in err


def test_json_turns_non_finite_numbers_into_null(capsys, tmp_path, preset_file):
    keras = keras_module()
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2, activation="softmax")])
    kernel, bias = model.get_weights()
    model.set_weights([np.full_like(kernel, np.nan), bias])
    model.save(tmp_path / "nan.h5")
    code, out, _ = cli(capsys, "predict", tmp_path / "nan.h5", preset_file, "--json")
    report = strict_json(out)  # no NaN tokens
    assert code == 0
    assert report["probabilities"][0] == [None, None]
    assert report["test"]["loss"] is None


def test_a_preset_without_test_rows_is_refused(capsys, tmp_path, preset_file):
    model = tmp_path / "m.h5"
    assert cli(capsys, "train", preset_file, "--export", model, "--json")[0] == 0
    no_test = write_preset(tmp_path, HIDDEN.replace("test_size = 0.25", "test_size = 0.0"), "no-test.toml")
    code, out, err = cli(capsys, "predict", model, no_test)
    assert code == 2 and out == ""
    assert err.startswith("nnplay: error: data.test_size:") and err.count("\n") == 1


# --------------------------------------------------------------------------------------------
# Refusals: one line, exit 2


def _functional(keras, path):
    inputs = keras.Input((2,))
    keras.Model(inputs, keras.layers.Dense(2, activation="softmax")(inputs)).save(path)


def _weights_only(keras, path):
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2, activation="softmax")])
    path = path.with_name("w.weights.h5")
    model.save_weights(path)
    return path


def _conv(keras, path):
    keras.Sequential([keras.Input((2, 1)), keras.layers.Conv1D(2, 1), keras.layers.Flatten(),
                      keras.layers.Dense(2, activation="softmax")]).save(path)


def _elu(keras, path):
    keras.Sequential([keras.Input((2,)), keras.layers.Dense(3, activation="elu"),
                      keras.layers.Dense(2, activation="softmax")]).save(path)


@pytest.mark.parametrize(("build", "message"), [
    (_functional, "holds a Functional model; nnplay reads Sequential models"),
    (_weights_only, "holds weights only"),
    (_conv, "Conv1D layer"),
    (_elu, "uses activation 'elu'"),
])
def test_models_the_spec_cannot_hold_are_refused(capsys, tmp_path, preset_file, build, message):
    path = build(keras_module(), tmp_path / "theirs.h5") or tmp_path / "theirs.h5"
    code, out, err = cli(capsys, "predict", path, preset_file)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and message in err and str(path) in err


def test_a_model_of_another_input_width_is_refused(capsys, tmp_path, preset_file):
    keras = keras_module()
    keras.Sequential([keras.Input((30,)), keras.layers.Dense(2, activation="softmax")]).save(tmp_path / "wide.h5")
    code, out, err = cli(capsys, "predict", tmp_path / "wide.h5", preset_file)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "takes 30 input features" in err and "has 2" in err


def test_width_is_refused_after_loading_data_whose_width_the_spec_does_not_fix(tmp_path):
    keras = keras_module()
    keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, activation="sigmoid")]).save(tmp_path / "m.h5")
    table = tmp_path / "t.csv"
    rows = "\n".join(f"{i},{i % 7},{i % 2}" for i in range(40))
    table.write_text("a,b,label\n" + rows + "\n")
    preset = validate_preset({
        "preset": {"title": "csv"}, "data": {"source": "csv", "path": str(table), "label_column": "label"},
        "model": {"loss": "binary_crossentropy", "layers": [{"type": "dense", "units": 1, "activation": "sigmoid"}]},
    })
    with pytest.raises(ExportError, match=r"takes 3 input features, but the data \(t\) has 2"):
        open_model(tmp_path / "m.h5", preset)


def test_a_model_whose_outputs_do_not_fit_the_classes_is_refused(tmp_path, preset_file):
    keras = keras_module()
    keras.Sequential([keras.Input((2,)), keras.layers.Dense(3, activation="softmax")]).save(tmp_path / "m.h5")
    with pytest.raises(ExportError, match=r"does not fit this preset: model.layers.0..units"):
        open_model(tmp_path / "m.h5", load_preset(preset_file))


# --------------------------------------------------------------------------------------------
# Reading a file into spec terms


LAYERS = [
    {"type": "dense", "units": 5, "activation": "tanh",
     "kernel_regularizer": {"l1": 0.001, "l2": 0.01}, "bias_regularizer": {"l2": 0.5}},
    {"type": "dropout", "rate": 0.25},
    {"type": "dense", "units": 3, "activation": "relu", "use_bias": False, "name": "hidden_two"},
    {"type": "dense", "units": 2, "activation": "softmax"},
]


def test_an_exported_model_reads_back_as_the_same_spec(tmp_path, preset_file):
    from nnplay.engine.export import export_h5

    preset = load_preset(preset_file).with_changes("model.layers", LAYERS)
    trainer = make_trainer(preset, 2)
    path = export_h5(trainer, tmp_path / "m.h5")
    saved = read_model(path)
    assert saved.n_features == 2 and saved.loss == "categorical_crossentropy"
    other = load_preset(preset_file)  # a different stack: the file's replaces it
    assert with_model(other, saved).model == preset.model
    for got, held in zip(saved.weights, trainer.get_weights(), strict=True):
        np.testing.assert_array_equal(got, held)
    assert [w.shape for w in saved.weights] == weight_shapes(preset.model, 2)
    assert saved.weights_for(preset.model, 2) is not None
    assert saved.weights_for(preset.model, 3) is None  # another width: the weights do not fit
    assert saved.weights_for(other.model, 2) is None  # another stack: neither


def test_a_keras_built_model_keeps_its_names_and_loss(tmp_path):
    keras = keras_module()
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(6, activation="relu", name="my_dense_layer"),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile(loss=keras.losses.BinaryCrossentropy(), optimizer="adam")
    model.save(tmp_path / "lecture.h5")
    saved = read_model(tmp_path / "lecture.h5")
    assert [layer.name for layer in saved.layers] == ["my_dense_layer", None]  # Keras made up the second name
    assert saved.loss == "binary_crossentropy" and saved.n_features == 4


# --------------------------------------------------------------------------------------------
# Runs that start from given weights


def _trained_weights(preset):
    return run(prepare(preset)).trainer.get_weights()


def test_evaluate_scores_given_weights_without_training(preset_file):
    preset = load_preset(preset_file)
    prepared = prepare(preset)
    trained = run(prepared)
    report = evaluate(prepared, trained.trainer.get_weights())
    assert report.fit.epochs_run == 0 and report.fit.describe() == "scored as it is, without training"
    assert report.test == trained.test
    np.testing.assert_array_equal(report.confusion, trained.confusion)


@pytest.mark.parametrize("engine", ["numpy", "keras"])
def test_both_engines_start_from_initial_weights(preset_file, engine):
    preset = load_preset(preset_file)
    weights = _trained_weights(preset)
    trainer = make_trainer(preset, 2, engine, weights)
    for got, given in zip(trainer.get_weights(), weights, strict=True):
        np.testing.assert_array_equal(got, given)


def test_a_run_from_initial_weights_goes_on_from_them(preset_file):
    """Full-batch gradient descent reports, for its first epoch, the loss before its first step:
    the loss of the weights it was given."""
    preset = load_preset(preset_file).with_changes("train.batch_size", "full").with_changes("train.epochs", 3)
    prepared = prepare(preset)
    weights = _trained_weights(load_preset(preset_file))
    start = evaluate(prepared, weights).trainer.evaluate(prepared.x_train, prepared.y_train)["loss"]
    fresh = run(prepared).fit.history["loss"][0]
    resumed = run(prepared, initial_weights=weights).fit.history["loss"]
    assert resumed[0] == pytest.approx(start, rel=1e-6)
    assert resumed[0] < fresh / 2


def test_restore_module_does_not_import_tensorflow():
    script = "import sys, nnplay.engine.restore; print(sorted(m for m in ('tensorflow', 'keras') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert out.stdout.strip() == "[]", out.stderr[-2000:]
