"""The Keras engine against the NumPy engine: same preset, same start, same numbers.

Both trainers receive the shared initial weights, so with a fixed row order every epoch's loss must
agree (to 1e-4 relative) and so must the final weights (to 1e-3). Float32 arithmetic in a different
order (TensorFlow's kernels against NumPy's) is the only allowed difference.

Where agreement cannot be exact (dropout masks, Keras's own shuffling) the tests check what must
still hold. Tests that train Keras for more than a moment are marked ``slow``.
"""

from __future__ import annotations

import threading

import numpy as np
import pytest

from nnplay.engine.numpy_net.initializers import initial_weights
from nnplay.engine.numpy_net.trainer import NumpyTrainer
from nnplay.engine.spec import validate_preset
from nnplay.engine.targets import encode_targets
from nnplay.engine.training import BatchEnd, EpochEnd, TrainBegin, TrainEnd

keras_net = pytest.importorskip("nnplay.engine.keras_net")
KerasTrainer = keras_net.KerasTrainer

LOSS_RTOL = 1e-4
WEIGHT_ATOL = 1e-3


# --------------------------------------------------------------------------------------------
# Presets and data made on the spot


def preset_of(layers, loss, *, optimizer=None, batch_size=50, epochs=20, shuffle=False,
              validation_split=0.0, classes=2, features=2, seed=3, early_stopping=None, dtype="float32"):
    data = ({"source": "logistic", "features": features, "n": 200} if classes == 2
            else {"source": "softmax", "features": features, "classes": classes, "n": 200})
    train = {
        "engine": "numpy", "optimizer": optimizer or {"name": "sgd", "learning_rate": 0.5},
        "batch_size": batch_size, "epochs": epochs, "shuffle": shuffle,
        "validation_split": validation_split, "seed": seed, "dtype": dtype,
    }
    if early_stopping:
        train["early_stopping"] = early_stopping
    return validate_preset({"preset": {"title": "parity"}, "data": data,
                            "model": {"loss": loss, "layers": layers}, "train": train})


def class_data(n=200, features=2, classes=2, seed=0):
    """Features ~ N(0, 1); class = arg-max of noisy linear scores (learnable, not separable)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, features)).astype(np.float32)
    scores = x @ rng.normal(size=(features, classes)) + rng.normal(scale=0.7, size=(n, classes))
    return x, np.argmax(scores, axis=1)


def train_both(preset, x, labels):
    y = encode_targets(labels, preset.model.loss, preset.model.output_units, preset.train.dtype)
    n_features = x.shape[1]
    numpy_trainer, keras_trainer = NumpyTrainer(preset, n_features), KerasTrainer(preset, n_features)
    numpy_result = numpy_trainer.fit(x, y)
    keras_result = keras_trainer.fit(x, y)
    return (numpy_trainer, numpy_result), (keras_trainer, keras_result), y


def assert_same_run(numpy_side, keras_side):
    (numpy_trainer, numpy_result), (keras_trainer, keras_result) = numpy_side, keras_side
    assert keras_result.status == numpy_result.status
    assert keras_result.epochs_run == numpy_result.epochs_run
    assert set(keras_result.history) == set(numpy_result.history)
    for key, numpy_values in numpy_result.history.items():
        np.testing.assert_allclose(keras_result.history[key], numpy_values, rtol=LOSS_RTOL, atol=1e-7 if "loss" in key else 1e-6,
                                   err_msg=f"history[{key!r}] differs")
    for numpy_w, keras_w in zip(numpy_trainer.get_weights(), keras_trainer.get_weights(), strict=True):
        np.testing.assert_allclose(keras_w, numpy_w, atol=WEIGHT_ATOL)


HIDDEN = [
    {"type": "dense", "units": 5, "activation": "tanh"},
    {"type": "dense", "units": 4, "activation": "relu"},
    {"type": "dense", "units": 3, "activation": "softmax"},
]
PENALTIES = {
    0: {"kernel_regularizer": {"l1": 0.002, "l2": 0.01}, "bias_regularizer": {"l2": 0.005}},
    1: {"kernel_regularizer": {"l1": 0.003}},
    2: {"kernel_regularizer": {"l2": 0.02}, "bias_regularizer": {"l1": 0.001}},
}


def hidden_layers(penalised):
    return [{**layer, **PENALTIES[i]} if penalised else dict(layer) for i, layer in enumerate(HIDDEN)]


# --------------------------------------------------------------------------------------------
# Quick checks (tiny nets, few epochs): run in every test session


def test_same_start_and_same_layout():
    preset = preset_of(hidden_layers(True), "categorical_crossentropy", classes=3)
    trainer = KerasTrainer(preset, 2)
    expected = initial_weights(preset, 2)
    assert [w.shape for w in trainer.get_weights()] == [w.shape for w in expected]
    for got, want in zip(trainer.get_weights(), expected, strict=True):
        np.testing.assert_array_equal(got, want)
    assert [layer.name for layer in trainer.model.layers] == preset.model.layer_names()
    assert trainer.model.count_params() == 2 * 5 + 5 + 5 * 4 + 4 + 4 * 3 + 3


def test_lecture_logistic_regression_full_batch_matches():
    """The lecture's first model: 2 inputs, 1 sigmoid unit, no bias, plain gradient descent."""
    preset = preset_of([{"type": "dense", "units": 1, "activation": "sigmoid", "use_bias": False}],
                       "binary_crossentropy", optimizer={"name": "sgd", "learning_rate": 1.0},
                       batch_size="full", epochs=8, validation_split=0.2)
    x, labels = class_data()
    numpy_side, keras_side, y = train_both(preset, x, labels)
    assert_same_run(numpy_side, keras_side)
    assert set(keras_side[1].history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    numpy_scores, keras_scores = numpy_side[0].evaluate(x, y), keras_side[0].evaluate(x, y)
    assert keras_scores.keys() == numpy_scores.keys() == {"loss", "accuracy"}
    assert keras_scores["loss"] == pytest.approx(numpy_scores["loss"], rel=LOSS_RTOL)
    assert keras_scores["accuracy"] == pytest.approx(numpy_scores["accuracy"])


def test_adam_with_penalties_on_mini_batches_matches_briefly():
    preset = preset_of(hidden_layers(True), "categorical_crossentropy", classes=3,
                       optimizer={"name": "adam", "learning_rate": 0.01}, batch_size=64, epochs=4)
    x, labels = class_data(classes=3)
    numpy_side, keras_side, _ = train_both(preset, x, labels)
    assert_same_run(numpy_side, keras_side)


@pytest.mark.parametrize("loss, units, activation", [
    ("sparse_categorical_crossentropy", 3, "softmax"),
    ("mean_squared_error", 1, "sigmoid"),
])
def test_other_losses_match(loss, units, activation):
    layers = [{"type": "dense", "units": 4, "activation": "tanh"},
              {"type": "dense", "units": units, "activation": activation}]
    classes = 3 if units == 3 else 2
    preset = preset_of(layers, loss, classes=classes, batch_size=100, epochs=4)
    x, labels = class_data(classes=classes)
    numpy_side, keras_side, _y = train_both(preset, x, labels)
    assert_same_run(numpy_side, keras_side)
    np.testing.assert_allclose(keras_side[0].predict(x), numpy_side[0].predict(x), atol=1e-5)


def test_events_follow_the_numpy_engine():
    preset = preset_of([{"type": "dense", "units": 1, "activation": "sigmoid"}], "binary_crossentropy",
                       batch_size=30, epochs=3, validation_split=0.25)
    x, labels = class_data(n=120)
    y = encode_targets(labels, "binary_crossentropy", 1)
    kinds = {}
    for trainer in (NumpyTrainer(preset, 2), KerasTrainer(preset, 2)):
        events = []
        trainer.fit(x, y, on_event=events.append)
        kinds[trainer.engine] = events
    numpy_events, keras_events = kinds["numpy"], kinds["keras"]
    assert [type(e) for e in keras_events] == [type(e) for e in numpy_events]
    assert keras_events[0] == TrainBegin("keras", 3, 3, 90, 30)
    batches = [e for e in keras_events if isinstance(e, BatchEnd)]
    assert [(e.epoch, e.step, e.steps) for e in batches] == [(ep, s, 3) for ep in range(3) for s in (1, 2, 3)]
    numpy_batches = [e for e in numpy_events if isinstance(e, BatchEnd)]
    np.testing.assert_allclose([e.loss for e in batches], [e.loss for e in numpy_batches], rtol=LOSS_RTOL)
    epochs = [e for e in keras_events if isinstance(e, EpochEnd)]
    assert [e.epoch for e in epochs] == [0, 1, 2]
    assert set(epochs[0].logs) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    # The last batch's running loss is the epoch's loss.
    assert batches[2].loss == pytest.approx(epochs[0].logs["loss"])
    end = keras_events[-1]
    assert isinstance(end, TrainEnd) and end.result.status == "completed" and end.result.fit_seconds > 0


def test_regression_set_reports_no_accuracy():
    raw = {"preset": {"title": "r"}, "data": {"source": "regression"},
           "model": {"loss": "mean_squared_error", "layers": [{"type": "dense", "units": 1}]},
           "train": {"optimizer": {"name": "sgd", "learning_rate": 0.1}, "epochs": 2, "batch_size": "full"}}
    preset = validate_preset(raw)
    rng = np.random.default_rng(1)
    x = rng.normal(size=(50, 2)).astype(np.float32)
    y = (x @ np.array([[1.0], [-2.0]]) + 0.5).astype(np.float32)
    trainer = KerasTrainer(preset, 2)
    result = trainer.fit(x, y)
    assert set(result.history) == {"loss"}
    assert set(trainer.evaluate(x, y)) == {"loss"}
    numpy_trainer = NumpyTrainer(preset, 2)
    numpy_result = numpy_trainer.fit(x, y)
    np.testing.assert_allclose(result.history["loss"], numpy_result.history["loss"], rtol=LOSS_RTOL)


def test_cancel_stops_within_one_batch():
    preset = preset_of([{"type": "dense", "units": 1, "activation": "sigmoid"}], "binary_crossentropy",
                       batch_size=10, epochs=50)
    x, labels = class_data()
    y = encode_targets(labels, "binary_crossentropy", 1)
    cancel = threading.Event()
    seen = []

    def listen(event):
        seen.append(event)
        if isinstance(event, BatchEnd) and event.epoch == 1 and event.step == 3:
            cancel.set()

    result = KerasTrainer(preset, 2).fit(x, y, on_event=listen, cancel=cancel)
    assert result.status == "cancelled"
    assert result.epochs_run == 1  # the cut-short second epoch does not count
    batches = [e for e in seen if isinstance(e, BatchEnd)]
    assert (batches[-1].epoch, batches[-1].step) == (1, 3)
    assert sum(isinstance(e, EpochEnd) for e in seen) == 1
    assert isinstance(seen[-1], TrainEnd) and seen[-1].result is result
    assert "cancelled after 1 epochs" in result.describe()


def test_divergence_stops_and_keeps_finite_weights():
    layers = [{"type": "dense", "units": 8, "activation": "relu"}, {"type": "dense", "units": 1}]
    raw = {"preset": {"title": "boom"}, "data": {"source": "regression"},
           "model": {"loss": "mean_squared_error", "layers": layers},
           "train": {"optimizer": {"name": "sgd", "learning_rate": 50.0}, "epochs": 40, "batch_size": 10,
                     "shuffle": False}}
    preset = validate_preset(raw)
    rng = np.random.default_rng(0)
    x = rng.normal(scale=3.0, size=(60, 2)).astype(np.float32)
    y = (x @ np.array([[10.0], [-20.0]])).astype(np.float32)
    trainer = KerasTrainer(preset, 2)
    events = []
    result = trainer.fit(x, y, on_event=events.append)
    assert result.status == "diverged"
    assert result.stopped_epoch is not None and result.epochs_run == result.stopped_epoch
    assert all(np.isfinite(w).all() for w in trainer.get_weights())
    assert all(np.isfinite(e.loss) for e in events if isinstance(e, BatchEnd))
    assert "diverged" in result.describe()
    numpy_result = NumpyTrainer(preset, 2).fit(x, y)
    assert (numpy_result.status, numpy_result.stopped_epoch) == (result.status, result.stopped_epoch)


def test_same_seed_same_run_even_with_shuffle_and_dropout():
    layers = [{"type": "dense", "units": 6, "activation": "relu"}, {"type": "dropout", "rate": 0.3},
              {"type": "dense", "units": 1, "activation": "sigmoid"}]
    preset = preset_of(layers, "binary_crossentropy", batch_size=20, epochs=3, shuffle=True)
    x, labels = class_data()
    y = encode_targets(labels, "binary_crossentropy", 1)
    first, second = KerasTrainer(preset, 2), KerasTrainer(preset, 2)
    assert first.fit(x, y).history == second.fit(x, y).history
    for a, b in zip(first.get_weights(), second.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_dropout_is_off_at_prediction_and_inverted_at_training():
    """Masks cannot match across engines (two different random streams), so check the rule itself:
    no dropout when predicting, and at training time each unit is kept with probability 1 - rate
    and scaled by 1 / (1 - rate), so its expected value is unchanged (inverted dropout)."""
    rate = 0.4
    layers = [{"type": "dense", "units": 50, "activation": "relu"}, {"type": "dropout", "rate": rate},
              {"type": "dense", "units": 1, "activation": "sigmoid"}]
    preset = preset_of(layers, "binary_crossentropy")
    x, _ = class_data(n=400)
    keras_trainer, numpy_trainer = KerasTrainer(preset, 2), NumpyTrainer(preset, 2)
    numpy_trainer.set_weights(keras_trainer.get_weights())
    np.testing.assert_allclose(keras_trainer.predict(x), numpy_trainer.predict(x), atol=1e-6)

    model = keras_trainer.model
    hidden = model.layers[0](x).numpy()
    dropped = model.layers[1](hidden, training=True).numpy()
    active = hidden > 0
    kept = dropped[active] != 0
    assert kept.mean() == pytest.approx(1 - rate, abs=0.02)
    np.testing.assert_allclose(dropped[active][kept], hidden[active][kept] / (1 - rate), rtol=1e-6)
    assert dropped.mean() == pytest.approx(hidden.mean(), rel=0.03)
    np.testing.assert_array_equal(model.layers[1](hidden, training=False).numpy(), hidden)


# --------------------------------------------------------------------------------------------
# The full matrix: 20 epochs each, with and without penalties


OPTIMIZERS = {
    "full-batch sgd": ({"name": "sgd", "learning_rate": 0.5}, "full"),
    "mini-batch sgd": ({"name": "sgd", "learning_rate": 0.2}, 32),
    "sgd with momentum": ({"name": "sgd", "learning_rate": 0.05, "momentum": 0.9}, 40),
    "adam": ({"name": "adam", "learning_rate": 0.01}, 25),
}


@pytest.mark.slow
@pytest.mark.parametrize("penalised", [False, True], ids=["plain", "l1-l2"])
@pytest.mark.parametrize("setting", list(OPTIMIZERS))
def test_twenty_epochs_agree(setting, penalised):
    optimizer, batch_size = OPTIMIZERS[setting]
    preset = preset_of(hidden_layers(penalised), "categorical_crossentropy", classes=3, optimizer=optimizer,
                       batch_size=batch_size, epochs=20, validation_split=0.2)
    x, labels = class_data(classes=3)
    numpy_side, keras_side, _y = train_both(preset, x, labels)
    assert_same_run(numpy_side, keras_side)
    # The loss really moved: agreement is not two flat lines.
    assert keras_side[1].history["loss"][-1] < 0.9 * keras_side[1].history["loss"][0]
    x_test, test_labels = class_data(n=100, classes=3, seed=9)
    y_test = encode_targets(test_labels, "categorical_crossentropy", 3)
    numpy_scores, keras_scores = numpy_side[0].evaluate(x_test, y_test), keras_side[0].evaluate(x_test, y_test)
    assert keras_scores["loss"] == pytest.approx(numpy_scores["loss"], rel=LOSS_RTOL)
    assert keras_scores["accuracy"] == pytest.approx(numpy_scores["accuracy"])


@pytest.mark.slow
@pytest.mark.parametrize("restore", [False, True])
def test_early_stopping_matches_keras_rule(restore):
    preset = preset_of(hidden_layers(False), "categorical_crossentropy", classes=3,
                       optimizer={"name": "adam", "learning_rate": 0.05}, batch_size=20, epochs=60,
                       validation_split=0.3,
                       early_stopping={"monitor": "val_loss", "patience": 3, "restore_best_weights": restore})
    x, labels = class_data(n=120, classes=3, seed=4)
    numpy_side, keras_side, _ = train_both(preset, x, labels)
    numpy_result, keras_result = numpy_side[1], keras_side[1]
    assert keras_result.status == numpy_result.status == "early_stopped"
    assert keras_result.stopped_epoch == numpy_result.stopped_epoch
    assert keras_result.best_epoch == numpy_result.best_epoch
    assert (keras_result.best_epoch is not None) == restore
    assert_same_run(numpy_side, keras_side)


@pytest.mark.slow
def test_shuffled_runs_agree_in_distribution():
    """Keras shuffles with TensorFlow's generator, NumPy with its own: the batches differ, so the
    curves are not equal, but they start together and end at the same level."""
    preset = preset_of(hidden_layers(False), "categorical_crossentropy", classes=3,
                       optimizer={"name": "sgd", "learning_rate": 0.2}, batch_size=20, epochs=20, shuffle=True)
    x, labels = class_data(classes=3)
    numpy_side, keras_side, _ = train_both(preset, x, labels)
    numpy_loss, keras_loss = numpy_side[1].history["loss"], keras_side[1].history["loss"]
    assert keras_loss[0] == pytest.approx(numpy_loss[0], rel=0.05)
    assert keras_loss[-1] == pytest.approx(numpy_loss[-1], rel=0.1)


def test_float64_runs_agree_more_tightly():
    """In float64 the two engines agree to ~1e-9 (float32's rounding alone is ~6e-8 per operation)."""
    preset = preset_of(hidden_layers(True), "categorical_crossentropy", classes=3, batch_size=50, epochs=5,
                       optimizer={"name": "sgd", "learning_rate": 0.3, "momentum": 0.5}, dtype="float64")
    x, labels = class_data(classes=3)
    numpy_side, keras_side, _ = train_both(preset, x.astype(np.float64), labels)
    assert all(w.dtype == np.float64 for w in keras_side[0].get_weights())
    np.testing.assert_allclose(keras_side[1].history["loss"], numpy_side[1].history["loss"], rtol=1e-7)
    for numpy_w, keras_w in zip(numpy_side[0].get_weights(), keras_side[0].get_weights(), strict=True):
        np.testing.assert_allclose(keras_w, numpy_w, atol=1e-7)
