"""One playground run, start to finish: data -> trainer -> fit -> test scores.

The CLI and the TUI both call :func:`prepare` and :func:`run`; neither does any math of its own.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

from nnplay.engine.data import Dataset, load_data
from nnplay.engine.errors import DataError
from nnplay.engine.pace import Pace
from nnplay.engine.spec import Preset
from nnplay.engine.summary import ModelSummary, summarize
from nnplay.engine.targets import accuracy_kind, confusion_matrix, encode_targets, predicted_classes
from nnplay.engine.training import EventSink, FitResult, Trainer


def make_trainer(preset: Preset, n_features: int, engine: str | None = None) -> Trainer:
    """The trainer for ``engine`` (default: the preset's). Keras is imported only when asked for."""
    engine = engine or preset.train.engine
    if engine == "keras":
        from nnplay.engine.keras_net import KerasTrainer

        return KerasTrainer(preset, n_features)
    from nnplay.engine.numpy_net.trainer import NumpyTrainer

    return NumpyTrainer(preset, n_features)


@dataclass(frozen=True)
class Prepared:
    """The data of a run, encoded for the preset's loss."""

    preset: Preset
    dataset: Dataset
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray

    @property
    def summary(self) -> ModelSummary:
        return summarize(self.preset.model, self.dataset.n_features)


def check_fit(preset: Preset, dataset: Dataset) -> None:
    """The data's shape against the model's output (raises :class:`DataError`)."""
    units, loss = preset.model.output_units, preset.model.loss
    where = f"model.layers[{len(preset.model.layers) - 1}].units"
    if dataset.is_regression:
        if loss != "mean_squared_error":
            raise DataError(f"{dataset.name} is a regression set; use loss 'mean_squared_error' (got {loss!r})", field="model.loss")
        return
    classes = dataset.n_classes or 0
    if units == 1 and classes > 2:
        raise DataError(f"{dataset.name} has {classes} classes but the output layer has 1 unit; give it {classes}", field=where)
    if units > 1 and units < classes:
        raise DataError(f"{dataset.name} has {classes} classes, more than the output layer's {units} units", field=where)


def prepare(preset: Preset) -> Prepared:
    """Load the preset's data and encode its labels the way its loss wants them."""
    dataset = load_data(preset.data)
    check_fit(preset, dataset)
    units, loss, dtype = preset.model.output_units, preset.model.loss, preset.train.dtype
    return Prepared(
        preset,
        dataset,
        dataset.x_train.astype(dtype, copy=False),
        encode_targets(dataset.y_train, loss, units, dtype),
        dataset.x_test.astype(dtype, copy=False),
        encode_targets(dataset.y_test, loss, units, dtype),
    )


@dataclass(frozen=True)
class RunReport:
    preset: Preset
    engine: str
    fit: FitResult
    test: dict[str, float]  # empty when the split has no test rows
    summary: ModelSummary
    confusion: np.ndarray | None  # rows true, columns predicted; None for regressions
    class_names: tuple[str, ...] | None
    trainer: Trainer


def run(
    prepared: Prepared,
    *,
    engine: str | None = None,
    on_event: EventSink | None = None,
    cancel: threading.Event | None = None,
    pace: Pace | None = None,
    watch_steps: bool = False,
    trainer: Trainer | None = None,
) -> RunReport:
    """Train the prepared preset and score it on the test rows (with ``trainer`` when given, made
    beforehand by :func:`make_trainer` so that a listener can read its weights as it trains;
    ``pace``, ``watch_steps``: see :meth:`Trainer.fit <nnplay.engine.training.Trainer.fit>`)."""
    preset, data = prepared.preset, prepared.dataset
    trainer = trainer or make_trainer(preset, data.n_features, engine)
    result = trainer.fit(prepared.x_train, prepared.y_train, on_event=on_event, cancel=cancel, pace=pace,
                         watch_steps=watch_steps)
    test: dict[str, float] = {}
    confusion = None
    if len(prepared.x_test):
        test = trainer.evaluate(prepared.x_test, prepared.y_test)
        kind = accuracy_kind(preset.model.loss, preset.model.output_units, data.is_regression)
        if kind is not None and data.n_classes:
            predicted = predicted_classes(trainer.predict(prepared.x_test))
            confusion = confusion_matrix(data.y_test, predicted, data.n_classes)
    return RunReport(preset, trainer.engine, result, test, prepared.summary, confusion, data.class_names, trainer)
