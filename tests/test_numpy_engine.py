"""The NumPy engine against theory, scikit-learn and hand-computed steps."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from nnplay.engine.numpy_net.layers import Dropout
from nnplay.engine.numpy_net.optimizers import AdamOptimizer, SGDOptimizer
from nnplay.engine.numpy_net.trainer import NumpyTrainer
from nnplay.engine.run import prepare, run
from nnplay.engine.spec import SGD, Adam, validate_preset
from nnplay.engine.training import BatchEnd, EpochEnd, TrainBegin, TrainEnd


def make_preset(**overrides):
    raw = {
        "preset": {"title": "test"},
        "data": {"source": "logistic", "n": 1000, "beta": [1.0, 2.0], "seed": 7},
        "model": {"loss": "binary_crossentropy",
                  "layers": [{"type": "dense", "units": 1, "activation": "sigmoid", "use_bias": False}]},
        "train": {"optimizer": {"name": "sgd", "learning_rate": 1.0}, "batch_size": "full", "epochs": 50},
    }
    for path, value in overrides.items():
        table, _, key = path.partition("__")
        raw[table][key] = value
    return validate_preset(raw)


def test_gradient_descent_recovers_beta_and_agrees_with_sklearn():
    """The lecture's experiment at n = 20,000: GD converges to the unpenalised maximum likelihood."""
    preset = make_preset(data__n=20_000, train__epochs=300, train__dtype="float64", data__test_size=0.0)
    prepared = prepare(preset)
    report = run(prepared)
    beta_hat = report.trainer.get_weights()[0].ravel()
    # Within sampling error of the truth (standard errors here are about 0.03)...
    np.testing.assert_allclose(beta_hat, [1.0, 2.0], atol=0.1)
    # ...and equal to scikit-learn's unpenalised fit on the same rows.
    sk = LogisticRegression(C=np.inf, fit_intercept=False, tol=1e-10, max_iter=1000)
    sk.fit(prepared.dataset.x_train, prepared.dataset.y_train)
    np.testing.assert_allclose(beta_hat, sk.coef_.ravel(), atol=1e-3)


def test_summed_nll_with_small_step_is_mean_nll_with_step_times_n():
    """The lecture's alpha = 0.001 on the summed NLL of n = 1000 rows is alpha = 1 on the mean."""
    preset = make_preset(train__epochs=5, train__dtype="float64")
    prepared = prepare(preset)
    x, y = prepared.x_train, prepared.y_train.ravel()
    beta = NumpyTrainer(preset, 2).get_weights()[0].ravel()
    alpha = 1.0 / len(x)  # the lecture's 0.001 with its 1000 rows; here the training rows
    for _ in range(5):
        p = 1 / (1 + np.exp(-x @ beta))
        beta = beta - alpha * -(x.T @ (y - p))  # the lecture's backward step, summed
    trainer = NumpyTrainer(preset, 2)
    trainer.fit(prepared.x_train, prepared.y_train)
    np.testing.assert_allclose(trainer.get_weights()[0].ravel(), beta, rtol=1e-10)


def test_sgd_with_momentum_steps_by_hand():
    w = np.array([1.0, -2.0])
    opt = SGDOptimizer(SGD(name="sgd", learning_rate=0.1, momentum=0.9), [w])
    opt.apply([w], [np.array([0.5, 1.0])])  # m = -0.1*g = [-0.05, -0.1]
    np.testing.assert_allclose(w, [0.95, -2.1])
    opt.apply([w], [np.array([0.5, 1.0])])  # m = 0.9*m - 0.1*g = [-0.095, -0.19]
    np.testing.assert_allclose(w, [0.855, -2.29])


def test_adam_steps_by_hand():
    w = np.array([1.0, -1.0])
    opt = AdamOptimizer(Adam(name="adam", learning_rate=0.01), [w])
    g = np.array([0.2, -0.4])
    opt.apply([w], [g.copy()])
    # Step 1: m = 0.1 g, v = 0.001 g^2, alpha = 0.01 * sqrt(0.001) / 0.1.
    m, v = 0.1 * g, 0.001 * g**2
    alpha = 0.01 * np.sqrt(1 - 0.999) / (1 - 0.9)
    expected = np.array([1.0, -1.0]) - alpha * m / (np.sqrt(v) + 1e-7)
    np.testing.assert_allclose(w, expected, rtol=1e-12)
    assert np.allclose(w, [0.99, -0.99], atol=1e-6)  # Adam's first step is about lr * sign(g)
    opt.apply([w], [g.copy()])
    m, v = 0.9 * m + 0.1 * g, 0.999 * v + 0.001 * g**2
    alpha = 0.01 * np.sqrt(1 - 0.999**2) / (1 - 0.9**2)
    np.testing.assert_allclose(w, expected - alpha * m / (np.sqrt(v) + 1e-7), rtol=1e-12)


def test_early_stopping_restores_the_best_epoch():
    """A large net on few noisy rows overfits: val_loss turns up, training stops, best is restored."""
    preset = validate_preset({
        "preset": {"title": "overfit"},
        "data": {"source": "logistic", "n": 120, "features": 2, "beta": [0.3, 0.3], "seed": 3},
        "model": {"loss": "binary_crossentropy", "layers": [
            {"type": "dense", "units": 64, "activation": "relu"},
            {"type": "dense", "units": 64, "activation": "relu"},
            {"type": "dense", "units": 1, "activation": "sigmoid"}]},
        "train": {"optimizer": {"name": "adam", "learning_rate": 0.01}, "batch_size": 16, "epochs": 300,
                  "validation_split": 0.3,
                  "early_stopping": {"monitor": "val_loss", "patience": 5, "restore_best_weights": True}},
    })
    prepared = prepare(preset)
    trainer = NumpyTrainer(preset, 2)
    result = trainer.fit(prepared.x_train, prepared.y_train)
    val = result.history["val_loss"]
    assert result.status == "early_stopped"
    assert result.epochs_run < 300
    assert result.best_epoch == int(np.argmin(val))
    assert result.epochs_run == result.best_epoch + 1 + 5  # patience epochs without improvement
    # The weights in the trainer are the best epoch's: evaluating them gives the best val_loss.
    n_val = len(val) and len(prepared.x_train) - int(np.floor(len(prepared.x_train) * 0.7))
    x_val, y_val = prepared.x_train[-n_val:], prepared.y_train[-n_val:]
    assert trainer.evaluate(x_val, y_val)["loss"] == pytest.approx(min(val), rel=1e-5)


def test_dropout_is_off_at_prediction_and_keeps_the_expected_activation():
    layer = Dropout("drop", 0.3, np.random.default_rng(0))
    x = np.ones((2000, 50), dtype=np.float32)
    np.testing.assert_array_equal(layer.forward(x, training=False), x)
    out = layer.forward(x, training=True)
    kept = out != 0
    assert abs(kept.mean() - 0.7) < 0.01  # each unit kept with probability 1 - rate
    np.testing.assert_allclose(out[kept], 1 / 0.7, rtol=1e-6)  # and scaled up by 1 / (1 - rate)
    assert abs(out.mean() - 1.0) < 0.01  # so the expected activation is unchanged


def test_same_seed_same_run_and_events_in_order():
    preset = make_preset(train__batch_size=100, train__epochs=4, train__validation_split=0.2)
    prepared = prepare(preset)
    events = []
    first = NumpyTrainer(preset, 2).fit(prepared.x_train, prepared.y_train, on_event=events.append)
    second = NumpyTrainer(preset, 2).fit(prepared.x_train, prepared.y_train)
    assert first.history == second.history
    assert isinstance(events[0], TrainBegin) and events[0].steps_per_epoch == 7  # 640 rows / 100
    assert isinstance(events[-1], TrainEnd)
    epochs = [e for e in events if isinstance(e, EpochEnd)]
    assert [e.epoch for e in epochs] == [0, 1, 2, 3]
    assert set(epochs[0].logs) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    batches = [e for e in events if isinstance(e, BatchEnd)]
    assert len(batches) == 4 * 7
    # The epoch loss is the batch losses' mean, weighted by rows (the last batch has 40).
    assert batches[6].loss == pytest.approx(epochs[0].logs["loss"])


def test_cancel_stops_between_batches():
    preset = make_preset(train__batch_size=10, train__epochs=100)
    prepared = prepare(preset)
    cancel = threading.Event()
    seen = []

    def on_event(event):
        if isinstance(event, BatchEnd):
            seen.append(event)
            if len(seen) == 25:
                cancel.set()

    result = NumpyTrainer(preset, 2).fit(prepared.x_train, prepared.y_train, on_event=on_event, cancel=cancel)
    assert result.status == "cancelled"
    assert len(seen) == 25  # no batch ran after the flag was set
    assert result.epochs_run == 0


def test_divergence_stops_and_keeps_finite_weights():
    preset = validate_preset({
        "preset": {"title": "blow up"},
        "data": {"source": "logistic", "n": 500, "seed": 1},
        "model": {"loss": "mean_squared_error", "layers": [
            {"type": "dense", "units": 8, "activation": "relu"},
            {"type": "dense", "units": 1, "activation": "linear"}]},
        "train": {"optimizer": {"name": "sgd", "learning_rate": 50.0}, "batch_size": 50, "epochs": 50},
    })
    prepared = prepare(preset)
    trainer = NumpyTrainer(preset, 2)
    result = trainer.fit(prepared.x_train, prepared.y_train)
    assert result.status == "diverged"
    assert result.stopped_epoch is not None and result.stopped_epoch < 50
    assert "diverged at epoch" in result.describe()
    assert all(np.isfinite(w).all() for w in trainer.get_weights())
    assert len(result.history.get("loss", [])) == result.stopped_epoch  # finite epochs only


def test_float32_by_default():
    preset = make_preset(train__epochs=2)
    prepared = prepare(preset)
    trainer = NumpyTrainer(preset, 2)
    trainer.fit(prepared.x_train, prepared.y_train)
    assert all(w.dtype == np.float32 for w in trainer.get_weights())
    assert trainer.predict(prepared.x_test).dtype == np.float32
