"""Every lecture preset loads, trains, and keeps the promise its notes make."""

from __future__ import annotations

import json

import numpy as np
import pytest

from nnplay.engine.presets import bundled_presets, load_preset, preset_toml, save_preset
from nnplay.engine.run import prepare, run
from nnplay.engine.summary import summarize

PRESETS = bundled_presets()
IDS = [entry.id for entry in PRESETS]


def test_presets_in_lecture_order_with_notes():
    assert [int(i.split("-")[0]) for i in IDS] == list(range(1, len(IDS) + 1))
    assert sorted(IDS) == IDS
    for entry in PRESETS:
        number = int(entry.id.split("-")[0])  # the id's number is the title's
        assert entry.title.startswith(f"{number}. ")
        preset = load_preset(entry.id)
        assert len(preset.preset.notes) > 300, f"{entry.id} needs notes that teach"


@pytest.mark.parametrize("preset_id", [i for i in IDS if "malaria" not in i])
def test_every_preset_trains_two_epochs_headless(preset_id):
    preset = load_preset(preset_id).with_changes("train.epochs", 2)
    report = run(prepare(preset))
    assert report.fit.epochs_run == 2 or report.fit.status == "early_stopped"
    assert np.isfinite(report.fit.history["loss"]).all()
    assert set(report.test) == {"loss", "accuracy"}


@pytest.mark.parametrize("preset_id", IDS)
def test_presets_round_trip_through_toml(preset_id, tmp_path):
    preset = load_preset(preset_id)
    path = save_preset(preset, tmp_path / "copy.toml")
    assert load_preset(path) == preset
    assert preset_toml(load_preset(path)) == preset_toml(preset)


def _numpy_run(preset_id, **changes):
    preset = load_preset(preset_id).with_changes("train.engine", "numpy")
    for path, value in changes.items():
        preset = preset.with_changes(path, value)
    return run(prepare(preset))


@pytest.mark.parametrize("preset_id", ["01-logistic-gd", "02-logistic-sgd"])
def test_logistic_presets_recover_beta(preset_id):
    beta_hat = _numpy_run(preset_id).trainer.get_weights()[0].ravel()
    np.testing.assert_allclose(beta_hat, [1.0, 2.0], atol=0.25)


@pytest.mark.slow
def test_keras_logistic_preset_recovers_beta():
    report = run(prepare(load_preset("03-keras-logistic")))
    assert report.engine == "keras"
    np.testing.assert_allclose(report.trainer.get_weights()[0].ravel(), [1.0, 2.0], atol=0.3)


def test_softmax_weight_difference_is_beta():
    kernel = _numpy_run("04-softmax").trainer.get_weights()[0]
    np.testing.assert_allclose(kernel[:, 1] - kernel[:, 0], [1.0, 2.0], atol=0.3)


def test_hidden_layer_preset_has_22_parameters():
    preset = load_preset("05-hidden-layer")
    summary = summarize(preset.model, preset.n_features())
    assert summary.total_params == 22
    assert [row.params for row in summary.layers] == [12, 10]


def test_activations_preset_separates_the_rings():
    assert _numpy_run("06-activations").test["accuracy"] > 0.9


def test_linear_stack_is_no_better_than_logistic_regression_and_relu_is():
    preset = load_preset("07-linear-activations")
    linear = run(prepare(preset)).test["accuracy"]
    raw = preset.to_dict()
    raw["model"]["layers"] = raw["model"]["layers"][-1:]  # logistic regression: the output layer alone
    from nnplay.engine.spec import validate_preset

    logistic = run(prepare(validate_preset(raw))).test["accuracy"]
    relu = preset.with_changes("model.layers[0].activation", "relu").with_changes("model.layers[1].activation", "relu")
    relu_accuracy = run(prepare(relu)).test["accuracy"]
    assert linear <= logistic + 0.05
    assert relu_accuracy > logistic + 0.3


def test_penalties_shrink_the_weights():
    penalised = _numpy_run("08-l1-l2")
    preset = load_preset("08-l1-l2")
    raw = preset.to_dict()
    for layer in raw["model"]["layers"]:
        layer.pop("kernel_regularizer", None)
        layer.pop("bias_regularizer", None)
    from nnplay.engine.spec import validate_preset

    free = run(prepare(validate_preset(raw)))
    size = lambda report: sum(float(np.abs(w).sum()) for w in report.trainer.get_weights())  # noqa: E731
    assert size(penalised) < 0.8 * size(free)


def test_dropout_preset_trains_a_thinned_net():
    history = _numpy_run("09-dropout").fit.history
    # Training sees the thinned network, validation the full one: over the last epochs the
    # training loss sits above the validation loss.
    assert np.mean(history["loss"][-10:]) > np.mean(history["val_loss"][-10:])


def test_early_stopping_preset_stops_early_and_restores_best():
    report = _numpy_run("10-early-stopping")
    assert report.fit.status == "early_stopped"
    assert report.fit.epochs_run < 300
    val = report.fit.history["val_loss"]
    assert report.fit.best_epoch is not None
    assert val[report.fit.best_epoch] == min(val)


def test_playground_mlp_beats_logistic_regression():
    preset = load_preset("12-playground-circles")
    mlp = run(prepare(preset)).test["accuracy"]
    raw = preset.to_dict()
    raw["model"]["layers"] = raw["model"]["layers"][-1:]
    from nnplay.engine.spec import validate_preset

    logistic = run(prepare(validate_preset(raw))).test["accuracy"]
    assert mlp > 0.9 and mlp > logistic + 0.3


def test_malaria_summary_counts_9035501_without_loading_data(monkeypatch, tmp_path, capsys):
    import nnplay.engine.data
    from nnplay.cli import main

    loaded: list[str] = []
    monkeypatch.setattr(nnplay.engine.data, "load_data", lambda spec: loaded.append(spec.source) or pytest.fail("loaded"))
    # The guard is live: a CSV's width is known only from its data, so its summary reaches load_data.
    csv_preset = tmp_path / "csv.toml"
    csv_preset.write_text(
        '[preset]\ntitle = "t"\n[data]\nsource = "csv"\npath = "t.csv"\nlabel_column = "y"\n'
        '[model]\nloss = "binary_crossentropy"\nlayers = [{ type = "dense", units = 1, activation = "sigmoid" }]\n'
    )
    with pytest.raises(pytest.fail.Exception):
        main(["summary", str(csv_preset), "--json"])
    assert loaded == ["csv"]
    capsys.readouterr()
    # The malaria net's size follows from the preset alone (100x100x3 inputs): no data is loaded.
    assert main(["summary", "11-malaria", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert loaded == ["csv"]
    assert summary["total_params"] == 9_035_501
    assert summary["layers"][0]["name"] == "my_dense_layer" and summary["layers"][0]["params"] == 9_000_300


@pytest.mark.slow
def test_malaria_preset_trains_on_tfds_mock_data(tmp_path, monkeypatch):
    tfds = pytest.importorskip("tensorflow_datasets")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    preset = load_preset("11-malaria").with_changes("data.limit", 60).with_changes("train.epochs", 2)
    preset = preset.with_changes("data.data_dir", str(tmp_path / "tfds"))
    with tfds.testing.mock_data(num_examples=60):
        report = run(prepare(preset))
    assert report.summary.total_params == 9_035_501
    assert report.fit.epochs_run >= 1
    assert np.isfinite(report.fit.history["loss"]).all()
    assert 0.0 <= report.test["accuracy"] <= 1.0
