"""The NumPy engine behind the :class:`~nnplay.engine.training.Trainer` interface.

Epochs and batches as Keras runs them: the last ``validation_split`` of the rows is held out; the
training rows are reshuffled every epoch (or kept in order with ``shuffle = false``); the epoch's
loss is the mean of its batch losses weighted by batch size; validation scores use the weights at
the end of the epoch with dropout off.
"""

from __future__ import annotations

import functools
import math
import threading
import time
from collections.abc import Callable
from typing import TypeVar

import numpy as np

from nnplay.engine.data.source import FeatureSource, as_source
from nnplay.engine.numpy_net.initializers import initial_weights
from nnplay.engine.numpy_net.model import Sequential
from nnplay.engine.numpy_net.optimizers import make_optimizer
from nnplay.engine.pace import Pace
from nnplay.engine.spec import Preset
from nnplay.engine.targets import accuracy, accuracy_kind
from nnplay.engine.training import (
    BatchEnd,
    EarlyStopper,
    EpochEnd,
    EventSink,
    FitResult,
    History,
    StepTaken,
    TrainBegin,
    TrainEnd,
    Trainer,
    emitter,
    validation_split,
)

F = TypeVar("F", bound=Callable)


def divergence_is_an_outcome(method: F) -> F:
    """Run ``method`` with NumPy's overflow and invalid-value warnings off: a too-large step makes
    the weights and the loss overflow to inf or NaN, which :meth:`NumpyTrainer.fit` reports as
    "diverged" (the CLI's exit 3). It is a result, not a fault in the code, so no warning is due."""

    @functools.wraps(method)
    def quiet(*args, **kwargs):
        with np.errstate(over="ignore", invalid="ignore"):
            return method(*args, **kwargs)

    return quiet  # type: ignore[return-value]


class NumpyTrainer(Trainer):
    engine = "numpy"

    def __init__(self, preset: Preset, n_features: int, *, is_regression: bool | None = None) -> None:
        super().__init__(preset, n_features)
        seed = preset.train.seed
        self.shuffle_rng = np.random.default_rng([seed, 1])
        self.model = Sequential.from_preset(preset, initial_weights(preset, n_features), np.random.default_rng([seed, 2]))
        regression = preset.data.is_regression if is_regression is None else is_regression
        self.accuracy = accuracy_kind(preset.model.loss, preset.model.output_units, regression)

    # -- the interface ---------------------------------------------------------------------

    def get_weights(self) -> list[np.ndarray]:
        return self.model.get_weights()

    def set_weights(self, weights: list[np.ndarray]) -> None:
        self.model.set_weights(weights)

    @divergence_is_an_outcome
    def predict(self, x: np.ndarray | FeatureSource) -> np.ndarray:
        source = as_source(x, self.preset.train.dtype)
        if source.in_memory or not len(source):
            return self.model.predict(source.as_array())
        return np.concatenate([self.model.forward(block) for block in source.chunks()])

    @divergence_is_an_outcome
    def evaluate(self, x: np.ndarray | FeatureSource, y: np.ndarray) -> dict[str, float]:
        """Scores on all of ``x`` at once, or, for rows streamed from disk, a block at a time
        (each block's mean weighted by its rows, as Keras's ``evaluate`` does)."""
        source = as_source(x, self.preset.train.dtype)
        if source.in_memory or not len(source):
            p = self.model.forward(source.as_array())
            scores = {"loss": self.model.data_loss(y, p) + self.model.penalty()}
            if self.accuracy is not None:
                scores["accuracy"] = accuracy(self.accuracy, y, p)
            return scores
        loss_sum = correct_sum = 0.0
        start = 0
        for block in source.chunks():
            yb = y[start:start + len(block)]
            start += len(block)
            p = self.model.forward(block)
            loss_sum += self.model.data_loss(yb, p) * len(block)
            if self.accuracy is not None:
                correct_sum += accuracy(self.accuracy, yb, p) * len(block)
        scores = {"loss": loss_sum / start + self.model.penalty()}
        if self.accuracy is not None:
            scores["accuracy"] = correct_sum / start
        return scores

    @divergence_is_an_outcome
    def fit(self, x: np.ndarray | FeatureSource, y: np.ndarray, *, on_event: EventSink | None = None,
            cancel: threading.Event | None = None, pace: Pace | None = None, watch_steps: bool = False) -> FitResult:
        train = self.preset.train
        emit = emitter(on_event)
        x = as_source(x, train.dtype)  # an array is wrapped, rows on disk are read a batch at a time
        x_train, y_train, x_val, y_val = validation_split(x, y, train.validation_split)
        n = len(x_train)
        batch = train.batch_rows(n)
        steps = max(1, -(-n // batch))
        stopper = EarlyStopper(train.early_stopping) if train.early_stopping else None
        optimizer = make_optimizer(train.optimizer, self.model.flat_parameters)
        history = History()
        emit(TrainBegin(self.engine, train.epochs, steps, n, len(x_val)))

        status, stopped_epoch = "completed", None
        last_finite = self.model.get_weights()  # refreshed at each epoch's end
        started = time.perf_counter()
        for epoch in range(train.epochs):
            # A new order each epoch; rows are gathered batch by batch, never the whole set at once
            # (for 2,000 images of 30,000 pixels a full copy would be 240 MB per epoch).
            order = self.shuffle_rng.permutation(n) if train.shuffle and steps > 1 else None
            loss_sum = correct_sum = 0.0
            seen = 0
            for step in range(steps):
                held_and_stopped = pace is not None and not pace.wait_turn(epoch, step, steps, cancel)
                if held_and_stopped or (cancel is not None and cancel.is_set()):
                    status = "cancelled"
                    break
                rows = slice(step * batch, (step + 1) * batch)
                picked = rows if order is None else order[rows]
                xb, yb = x_train.batch(picked), y_train[picked]
                if watch_steps:
                    loss, p = self._watched_step(xb, yb, optimizer, emit, epoch, step + 1)
                else:
                    loss, p = self.model.train_step(xb, yb, optimizer)
                if not math.isfinite(loss):
                    status, stopped_epoch = "diverged", epoch
                    break
                seen += len(xb)
                loss_sum += loss * len(xb)
                if self.accuracy is not None:
                    correct_sum += accuracy(self.accuracy, yb, p) * len(xb)
                emit(BatchEnd(epoch, step + 1, steps, loss_sum / seen))
            if status != "completed":
                break
            logs = {"loss": loss_sum / seen}
            if self.accuracy is not None:
                logs["accuracy"] = correct_sum / seen
            if len(x_val):
                logs.update({f"val_{k}": v for k, v in self.evaluate(x_val, y_val).items()})
            if not all(np.isfinite(v) for v in logs.values()):
                status, stopped_epoch = "diverged", epoch
                break
            history.append(logs)
            last_finite = self.model.get_weights()
            emit(EpochEnd(epoch, train.epochs, dict(logs)))
            if stopper and stopper.should_stop(epoch, logs, self.model.get_weights):
                status, stopped_epoch = "early_stopped", epoch
                break
        if status == "diverged" and not all(np.isfinite(w).all() for w in self.model.parameters):
            self.model.set_weights(last_finite)  # a step overflowed the weights themselves
        best_epoch = stopper.restore(self.model.set_weights) if stopper else None
        result = FitResult(status, history.epochs, history.logs, time.perf_counter() - started,
                           best_epoch if status == "early_stopped" else None, stopped_epoch)
        emit(TrainEnd(result))
        return result

    def _watched_step(self, xb: np.ndarray, yb: np.ndarray, optimizer, emit: EventSink,
                      epoch: int, step: int) -> tuple[float, np.ndarray]:
        """One step that reports its weights and the very gradient the optimizer was given."""
        before = self.model.get_weights()
        gradient: list[np.ndarray] = []
        loss, p = self.model.train_step(xb, yb, optimizer, lambda grads: gradient.extend(g.copy() for g in grads))
        if np.isfinite(loss):
            emit(StepTaken(epoch, step, tuple(before), tuple(gradient), tuple(self.model.get_weights()),
                           self.preset.train.optimizer.learning_rate))
        return loss, p
