"""The Keras engine: the preset's model as a ``keras.Sequential``, trained with ``model.fit``.

This is the lecture's other half: the same Dense layers the NumPy engine writes out by hand, built
with Keras 3 on the TensorFlow backend. Both engines start from the very same weights
(:func:`nnplay.engine.numpy_net.initializers.initial_weights`), use the same losses, penalties, optimizers
and validation rows, so a preset traces the same loss curve in either one.

TensorFlow is imported here (through :mod:`nnplay.engine.tf_quiet`) only when a function or trainer of this
module is first used, never when ``engine`` itself is imported.

Where the two engines cannot agree exactly:

* **Shuffling.** Keras shuffles the rows of each epoch with a TensorFlow random op inside its
  ``tf.data`` pipeline; the NumPy engine shuffles with a NumPy generator. The two streams of random
  numbers have nothing in common, so with ``shuffle = true`` the batches differ and only the
  statistics of the curves agree. With ``shuffle = false`` (or ``batch_size = "full"``) both walk the
  rows in order and agree number for number.
* **Dropout masks.** Keras draws them with its own seeded generator; the masks differ, the rule
  (inverted dropout: zero a unit with probability ``rate``, scale the rest by ``1 / (1 - rate)``)
  does not.
"""

from __future__ import annotations

import contextlib
import math
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from nnplay.engine.data.source import FeatureSource, as_source
from nnplay.engine.devices import Placement, placement
from nnplay.engine.errors import DeviceError
from nnplay.engine.numpy_net.initializers import initial_weights
from nnplay.engine.pace import Pace
from nnplay.engine.spec import SGD, Adam, DenseLayer, DropoutLayer, Preset, Regularizer
from nnplay.engine.spec_rules import too_few_rows
from nnplay.engine.targets import accuracy_kind
from nnplay.engine.tf_quiet import tensorflow
from nnplay.engine.training import (
    BatchEnd,
    EpochEnd,
    EventSink,
    FitResult,
    History,
    Status,
    StepTaken,
    TrainBegin,
    TrainEnd,
    Trainer,
    TrainFailed,
    emitter,
    validation_split,
)

if TYPE_CHECKING:  # pragma: no cover - typing only
    import keras

#: The log keys both engines report per epoch (Keras's own names).
LOG_KEYS = ("loss", "accuracy", "val_loss", "val_accuracy")

#: Batches per call into TensorFlow when nobody watches single batches (Keras's
#: ``steps_per_execution``): a call costs ~1 ms whatever it computes, which on a small net is many
#: times the batch's own work. Keras then runs the callbacks once per call, so a cancel takes
#: effect within this many batches.
STEPS_PER_CALL = 64


def _keras() -> Any:
    from nnplay.engine.tf_quiet import keras as quiet_keras

    return quiet_keras()


@contextlib.contextmanager
def float_type(dtype: str) -> Iterator[None]:
    """Keras computes losses and penalties in its global ``floatx`` (float32 by default), whatever
    the layers' dtype; a float64 preset mixing the two fails, or loses its precision. So the
    float type is switched for the preset while it is built, traced and run, and put back after."""
    keras = _keras()
    before = keras.config.floatx()
    if before == dtype:
        yield
        return
    keras.config.set_floatx(dtype)
    try:
        yield
    finally:
        keras.config.set_floatx(before)


# --------------------------------------------------------------------------------------------
# Building the model from the spec


def make_regularizer(spec: Regularizer | None) -> Any:
    """``L1``, ``L2`` or ``L1L2``: each adds ``l1 * sum|w| + l2 * sum w**2`` to the loss."""
    if spec is None or not spec.active:
        return None
    keras = _keras()
    if spec.l2 == 0:
        return keras.regularizers.L1(spec.l1)
    if spec.l1 == 0:
        return keras.regularizers.L2(spec.l2)
    return keras.regularizers.L1L2(l1=spec.l1, l2=spec.l2)


def make_optimizer(preset: Preset) -> Any:
    keras = _keras()
    spec = preset.train.optimizer
    if isinstance(spec, SGD):
        return keras.optimizers.SGD(learning_rate=spec.learning_rate, momentum=spec.momentum)
    if isinstance(spec, Adam):
        return keras.optimizers.Adam(
            learning_rate=spec.learning_rate, beta_1=spec.beta_1, beta_2=spec.beta_2, epsilon=spec.epsilon
        )
    raise ValueError(f"unknown optimizer {spec!r}")  # the spec's union rules this out


def make_accuracy(preset: Preset, is_regression: bool | None = None) -> Any:
    """The ``accuracy`` metric that :mod:`nnplay.engine.targets` defines, or ``None`` for a regression."""
    keras = _keras()
    regression = preset.data.is_regression if is_regression is None else is_regression
    kind = accuracy_kind(preset.model.loss, preset.model.output_units, regression)
    if kind is None:
        return None
    if kind == "binary":
        return keras.metrics.BinaryAccuracy(name="accuracy", threshold=0.5)
    if kind == "sparse":
        return keras.metrics.SparseCategoricalAccuracy(name="accuracy")
    return keras.metrics.CategoricalAccuracy(name="accuracy")


def build_model(
    preset: Preset, n_features: int, weights: list[np.ndarray] | None = None, *, is_regression: bool | None = None
) -> keras.Sequential:
    """The preset's ``Sequential``, compiled, holding ``weights`` (default: the shared initial ones).

    Layer names come from :meth:`ModelSpec.layer_names`, so they match the summary and the NumPy
    engine. The model is compiled with the preset's loss, optimizer and accuracy, so that a saved
    file keeps them.
    """
    with float_type(preset.train.dtype):
        return _build(preset, n_features, weights, is_regression)


def _build(preset: Preset, n_features: int, weights: list[np.ndarray] | None, is_regression: bool | None) -> Any:
    keras = _keras()
    dtype = preset.train.dtype
    layers: list[Any] = [keras.Input(shape=(n_features,), dtype=dtype, name="input")]
    for index, (layer, name) in enumerate(zip(preset.model.layers, preset.model.layer_names(), strict=True)):
        if isinstance(layer, DenseLayer):
            layers.append(keras.layers.Dense(
                layer.units,
                activation=layer.activation,
                use_bias=layer.use_bias,
                kernel_regularizer=make_regularizer(layer.kernel_regularizer),
                bias_regularizer=make_regularizer(layer.bias_regularizer),
                name=name,
                dtype=dtype,
            ))
        elif isinstance(layer, DropoutLayer):
            # One seed per layer, derived from the run's seed: the same preset drops the same units.
            layers.append(keras.layers.Dropout(layer.rate, seed=preset.train.seed + index, name=name, dtype=dtype))
    model = keras.Sequential(layers, name="sequential")
    metric = make_accuracy(preset, is_regression)
    model.compile(
        optimizer=make_optimizer(preset),
        loss=preset.model.loss,
        metrics=[metric] if metric is not None else None,
    )
    model.set_weights(weights if weights is not None else initial_weights(preset, n_features))
    return model


# --------------------------------------------------------------------------------------------
# The callback that turns Keras's progress into the engine's events


def _events_callback_class() -> type:
    """Defined on first use, because its base class lives in Keras."""
    keras = _keras()

    class EventsCallback(keras.callbacks.Callback):
        """Streams TrainBegin / BatchEnd / EpochEnd, checks the cancel flag after every batch and
        stops at the first NaN or infinite loss.

        With a pace, the wait before each batch happens where Keras can still skip that batch:
        at the start of the run, after the previous batch, and after the previous epoch's end
        (Keras looks at ``stop_training`` only after a batch and after an epoch)."""

        def __init__(
            self,
            emit: EventSink,
            cancel: threading.Event | None,
            *,
            epochs: int,
            steps: int,
            batch_rows: int,
            n_train: int,
            n_val: int,
            pace: Pace | None = None,
            watch: StepWatch | None = None,
        ) -> None:
            super().__init__()
            self.emit = emit
            self.cancel = cancel
            self.pace, self.watch = pace, watch
            self.epochs, self.steps, self.batch_rows = epochs, steps, batch_rows
            self.n_train, self.n_val = n_train, n_val
            self.history = History()
            self.interrupted: Status | None = None  # "cancelled" or "diverged", set mid-epoch
            self.stopped_epoch: int | None = None
            self.snapshot: list[np.ndarray] | None = None
            self._epoch = 0

        def on_train_begin(self, logs: dict | None = None) -> None:
            self.snapshot = self.model.get_weights()
            self.emit(TrainBegin("keras", self.epochs, self.steps, self.n_train, self.n_val))
            if not self._turn(0, 0):
                raise _CancelledBeforeFirstBatch  # Keras would run one batch before it looks

        def _turn(self, epoch: int, step: int) -> bool:
            """Wait for the pace's go ahead for batch ``step`` of ``epoch``; False once cancelled."""
            return self.pace is None or self.pace.wait_turn(epoch, step, self.steps, self.cancel)

        def on_train_batch_begin(self, batch: int, logs: dict | None = None) -> None:
            if self.watch is not None:
                self.watch.before = self.model.get_weights()

        def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
            self._epoch = epoch

        def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
            # Keras's logs hold the epoch's running loss: the row-weighted mean of its batch
            # losses so far. The NumPy engine reports the same running mean.
            running = float((logs or {}).get("loss", math.nan))
            if not math.isfinite(running):
                self.interrupted, self.stopped_epoch = "diverged", self._epoch
                self.model.stop_training = True
                return
            if self.watch is not None:
                self.emit(self.watch.taken(self._epoch, batch + 1, self.model.get_weights()))
            self.emit(BatchEnd(self._epoch, batch + 1, self.steps, running))
            if batch + 1 < self.steps and not self._turn(self._epoch, batch + 1):
                self.interrupted = "cancelled"
                self.model.stop_training = True
            if self.cancel is not None and self.cancel.is_set():
                self.interrupted = "cancelled"
                self.model.stop_training = True

        def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
            if self.interrupted:
                return  # a partial epoch is not an epoch: no EpochEnd, nothing in the history
            epoch_logs = {key: float(logs[key]) for key in LOG_KEYS if logs and key in logs}
            if not all(math.isfinite(value) for value in epoch_logs.values()):
                # The training loss stayed finite but the validation loss overflowed: same verdict.
                self.interrupted, self.stopped_epoch = "diverged", epoch
                self.model.stop_training = True
                return
            self.history.append(epoch_logs)
            self.snapshot = self.model.get_weights()
            self.emit(EpochEnd(epoch, self.epochs, epoch_logs))
            if epoch + 1 < self.epochs and not self.model.stop_training and not self._turn(epoch + 1, 0):
                self.interrupted = "cancelled"
                self.model.stop_training = True

        def on_train_end(self, logs: dict | None = None) -> None:
            # After a blow-up, keep the weights unless the bad step overflowed them; then go back
            # to the end of the last whole epoch (the NumPy engine's rule, too).
            diverged = self.interrupted == "diverged" and self.snapshot is not None
            if diverged and not all(np.isfinite(w).all() for w in self.model.get_weights()):
                self.model.set_weights(self.snapshot)

    return EventsCallback


class _CancelledBeforeFirstBatch(Exception):
    """A run that was held before its first batch and then stopped: nothing was trained."""


@dataclass
class StepWatch:
    """Keeps the weights before a batch to report the step as a :class:`StepTaken`. Keras does not
    hand out its gradients; for plain SGD they are the step divided by the learning rate."""

    learning_rate: float
    plain_sgd: bool
    before: list[np.ndarray] | None = None

    def taken(self, epoch: int, step: int, after: list[np.ndarray]) -> StepTaken:
        before = self.before or after
        gradient = tuple((b - a) / self.learning_rate for b, a in zip(before, after, strict=True)) if self.plain_sgd else None
        return StepTaken(epoch, step, tuple(before), gradient, tuple(after), self.learning_rate)


def _early_stopping_class() -> type:
    keras = _keras()

    class EarlyStopping(keras.callbacks.EarlyStopping):
        """Keras's own rule, told not to judge an epoch that a cancel or a NaN cut short (Keras
        would still call it with the partial epoch's logs)."""

        def __init__(self, events: Any, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.events = events

        def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
            if not self.events.interrupted:
                super().on_epoch_end(epoch, logs)

    return EarlyStopping


# --------------------------------------------------------------------------------------------
# The trainer


class KerasTrainer(Trainer):
    """Trains the preset's model with Keras 3 (TensorFlow backend), reporting the engine's events.

    The model lives on the devices ``train.devices`` names (:mod:`nnplay.engine.devices`): it is
    built and compiled under that strategy's scope, and ``fit`` splits each batch between them."""

    engine = "keras"

    def __init__(self, preset: Preset, n_features: int, *, is_regression: bool | None = None) -> None:
        super().__init__(preset, n_features)
        self.placement: Placement = placement(preset.train.devices)  # before TensorFlow's first op
        self._keras = _keras()
        self._keras.utils.set_random_seed(preset.train.seed)
        with self.placement.strategy.scope():
            self.model = build_model(preset, n_features, is_regression=is_regression)

    def fit(
        self,
        x: np.ndarray | FeatureSource,
        y: np.ndarray,
        *,
        on_event: EventSink | None = None,
        cancel: threading.Event | None = None,
        pace: Pace | None = None,
        watch_steps: bool = False,
    ) -> FitResult:
        emit = emitter(on_event)
        try:
            return self._fit(x, y, emit, cancel, pace, watch_steps, every_batch(on_event, pace, watch_steps))
        except Exception as exc:  # an engine bug or an exhausted machine: tell the listener, then raise
            emit(TrainFailed(f"{type(exc).__name__}: {exc}"))
            raise

    def _fit(self, x: np.ndarray | FeatureSource, y: np.ndarray, emit: EventSink, cancel: threading.Event | None,
             pace: Pace | None, watch_steps: bool, per_batch: bool) -> FitResult:
        train = self.preset.train
        x_train, y_train, x_val, y_val = validation_split(as_source(x), y, train.validation_split)
        n_train, n_val = len(x_train), len(x_val)
        batch = train.batch_rows(n_train)
        if batch < self.placement.replicas:  # "all" GPUs, or a training set smaller than the devices
            raise DeviceError(too_few_rows(self.placement.replicas, batch), field="train.devices")
        steps = max(1, math.ceil(n_train / batch))
        optimizer = train.optimizer
        watch = StepWatch(optimizer.learning_rate, isinstance(optimizer, SGD) and not optimizer.momentum) if watch_steps else None
        events = _events_callback_class()(
            emit, cancel, epochs=train.epochs, steps=steps, batch_rows=batch, n_train=n_train, n_val=n_val,
            pace=pace, watch=watch,
        )
        callbacks: list[Any] = []
        stopper = None
        if train.early_stopping is not None:
            spec = train.early_stopping
            stopper = _early_stopping_class()(
                events, monitor=spec.monitor, patience=spec.patience, min_delta=spec.min_delta,
                mode=spec.mode, restore_best_weights=spec.restore_best_weights,
            )
            callbacks.append(stopper)  # before `events`: it has decided before we read its verdict
        callbacks.append(events)

        # Keras 3.15's many-batch call fails on a mirrored model's distributed input ("You must
        # feed a value for placeholder tensor"): one batch per call there.
        mirrored = self.placement.replicas > 1
        self._batches_per_call(1 if per_batch or mirrored else min(steps, STEPS_PER_CALL))
        # Seeds Python, NumPy and TensorFlow: Keras's shuffling and dropout masks repeat run to run.
        self._keras.utils.set_random_seed(train.seed)
        with float_type(train.dtype):
            started = time.perf_counter()
            try:
                self.model.fit(
                    **_fit_data(x_train, y_train, x_val, y_val, batch, train.shuffle, train.seed),
                    epochs=train.epochs,
                    callbacks=callbacks,
                    verbose=0,
                )
            except _CancelledBeforeFirstBatch:
                events.interrupted = "cancelled"
            fit_seconds = time.perf_counter() - started

        history = events.history
        status: Status = "completed"
        best_epoch = stopped_epoch = None
        if events.interrupted:
            status = events.interrupted
            stopped_epoch = events.stopped_epoch
        elif stopper is not None and stopper.stopped_epoch > 0:
            status, stopped_epoch = "early_stopped", stopper.stopped_epoch
        # Keras's EarlyStopping puts the best weights back whenever it has them, however the run
        # ended (so does the NumPy engine); the result names that epoch when it was a real stop.
        if status == "early_stopped" and stopper.restore_best_weights and stopper.best_weights is not None:
            best_epoch = stopper.best_epoch
        result = FitResult(status, history.epochs, dict(history.logs), fit_seconds, best_epoch, stopped_epoch,
                           replicas=self.placement.replicas)
        emit(TrainEnd(result))
        return result

    def _batches_per_call(self, count: int) -> None:
        """Keras's ``steps_per_execution``; its compiled functions are made for one count, so a
        change drops them (Keras makes them anew on the next fit, evaluate or predict)."""
        if self.model.steps_per_execution != count:
            self.model.steps_per_execution = count
            self.model.train_function = self.model.test_function = self.model.predict_function = None

    # ----------------------------------------------------------------------------------------

    def predict(self, x: np.ndarray | FeatureSource) -> np.ndarray:
        source = as_source(x)
        with float_type(self.preset.train.dtype):
            if source.in_memory or not len(source):
                array = source.as_array()
                return np.asarray(self.model.predict(array, batch_size=_eval_batch(len(array)), verbose=0))
            return np.asarray(self.model.predict(row_batches(source, None, _stream_batch(source)), verbose=0))

    def evaluate(self, x: np.ndarray | FeatureSource, y: np.ndarray) -> dict[str, float]:
        source = as_source(x)
        with float_type(self.preset.train.dtype):
            if source.in_memory or not len(source):
                array = source.as_array()
                scores = self.model.evaluate(array, y, batch_size=_eval_batch(len(array)), verbose=0, return_dict=True)
            else:
                batches = row_batches(source, y, _stream_batch(source))
                scores = self.model.evaluate(batches, verbose=0, return_dict=True)
        return {key: float(scores[key]) for key in ("loss", "accuracy") if key in scores}

    def get_weights(self) -> list[np.ndarray]:
        return [np.array(w) for w in self.model.get_weights()]

    def set_weights(self, weights: list[np.ndarray]) -> None:
        self.model.set_weights(weights)


def every_batch(on_event: EventSink | None, pace: Pace | None, watch_steps: bool) -> bool:
    """Whether Keras must call back after every batch: to hold a paced run before any batch, to
    watch each step, or for a listener that needs every batch. A plain function might, so it is
    served every batch; a :class:`~nnplay.engine.callbacks.CallbackList` says whether it does."""
    if pace is not None or watch_steps or on_event is None:
        return pace is not None or watch_steps
    wants = getattr(on_event, "wants_every_batch", None)
    return True if wants is None else bool(wants())


def training_batches(x: np.ndarray, y: np.ndarray, batch: int, *, shuffle: bool, seed: int) -> Any:
    """The training rows as an endless ``tf.data`` stream of batches, epoch after epoch, each epoch
    in a new order when ``shuffle`` (``fit`` is told the steps per epoch).

    One stream for the whole run: given arrays, Keras would build a new iterator every epoch,
    which costs more than a whole epoch of a small net. Only row numbers are shuffled; each batch
    is gathered from the arrays, so no second copy of the data is made. Epoch ``e``'s order is a
    stateless shuffle seeded ``(seed, e)``: the same on one device and mirrored on several (a
    seeded ``Dataset.shuffle`` is not, once ``tf.distribute`` rewrites the pipeline)."""
    tf = tensorflow()
    features, targets = tf.convert_to_tensor(x), tf.convert_to_tensor(y)
    rows = tf.range(len(x), dtype=tf.int64)

    def epoch_batches(epoch: Any) -> Any:
        order = tf.random.experimental.stateless_shuffle(rows, seed=tf.stack([tf.constant(seed, tf.int64), epoch]))
        return tf.data.Dataset.from_tensor_slices(order if shuffle else rows).batch(batch)

    batches = tf.data.Dataset.counter().flat_map(epoch_batches)
    return batches.map(lambda index: (tf.gather(features, index), tf.gather(targets, index))).prefetch(tf.data.AUTOTUNE)


def _eval_batch(rows: int) -> int:
    """Rows per step when scoring: big enough to be quick, small enough for any memory."""
    return max(1, min(rows, 4096))


# --------------------------------------------------------------------------------------------
# Feeding rows: arrays as they are, rows on disk through a keras.utils.PyDataset


def _stream_batch(source: FeatureSource) -> int:
    """Rows per step when scoring rows streamed from disk: a few MB of floats at a time."""
    return max(1, min(len(source), source.chunk_rows()))


def _fit_data(x_train: FeatureSource, y_train: np.ndarray, x_val: FeatureSource, y_val: np.ndarray,
              batch: int, shuffle: bool, seed: int) -> dict[str, Any]:
    """``fit``'s data arguments: rows in memory go in as one :func:`training_batches` stream for the
    whole run; rows on disk as a :func:`row_batches` data set that reads one batch at a time."""
    if x_train.in_memory:
        validation = (x_val.as_array(), y_val) if len(x_val) else None
        return {"x": training_batches(x_train.as_array(), y_train, batch, shuffle=shuffle, seed=seed),
                "steps_per_epoch": max(1, math.ceil(len(x_train) / batch)), "validation_data": validation}
    validation = row_batches(x_val, y_val, _stream_batch(x_val)) if len(x_val) else None
    # shuffle=False: the data set shuffles rows itself; Keras's own would reorder whole batches.
    return {"x": row_batches(x_train, y_train, batch, shuffle=shuffle, seed=seed), "shuffle": False,
            "validation_data": validation}


def row_batches(source: FeatureSource, y: np.ndarray | None, batch: int, *, shuffle: bool = False,
                seed: int = 0) -> Any:
    """A ``keras.utils.PyDataset`` of ``source``'s rows (with ``y``'s targets), ``batch`` at a time.

    With ``shuffle``, each epoch walks a new permutation of the rows, drawn exactly as the NumPy
    engine draws its own (``default_rng([seed, 1])``, one permutation per epoch), so the two
    engines see the same batches. Keras reads a batch or two before training to learn their
    shapes; those come in file order and are not trained on.
    """
    keras = _keras()

    class RowBatches(keras.utils.PyDataset):
        def __init__(self) -> None:
            super().__init__(workers=1, use_multiprocessing=False)
            self.steps = max(1, math.ceil(len(source) / batch))
            self.rng = np.random.default_rng([seed, 1]) if shuffle and self.steps > 1 else None
            self.order: np.ndarray | None = None

        def __len__(self) -> int:
            return self.steps

        def on_epoch_begin(self) -> None:
            if self.rng is not None:
                self.order = self.rng.permutation(len(source))

        def __getitem__(self, index: int):
            rows: np.ndarray | slice = slice(index * batch, (index + 1) * batch)
            if self.order is not None:
                rows = self.order[rows]
            x = source.batch(rows)
            return (x,) if y is None else (x, y[rows])

    return RowBatches()
