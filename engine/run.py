"""One playground run, start to finish: data -> trainer -> fit -> test scores.

The CLI and the TUI both call :func:`prepare` and :func:`run`; neither does any math of its own.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from nnplay.engine.data import Dataset, load_data
from nnplay.engine.errors import DataError
from nnplay.engine.memory import memory_problems
from nnplay.engine.pace import Pace
from nnplay.engine.report_json import add_classes, figures
from nnplay.engine.spec import DenseLayer, Preset
from nnplay.engine.spec_rules import output_fit_problems, split_problems
from nnplay.engine.summary import ModelSummary, summarize
from nnplay.engine.targets import accuracy_kind, confusion_matrix, encode_targets, predicted_classes
from nnplay.engine.training import EventSink, FitResult, Trainer


def make_trainer(
    preset: Preset, n_features: int, engine: str | None = None, initial_weights: Sequence[np.ndarray] | None = None
) -> Trainer:
    """The trainer for ``engine`` (default: the preset's). Keras is imported only when asked for.

    ``initial_weights`` (Keras order) replace the fresh starting weights: a run can go on from a
    saved model instead of from the seed's glorot draw.
    """
    engine = engine or preset.train.engine
    trainer: Trainer
    if engine == "keras":
        from nnplay.engine.keras_net import KerasTrainer

        trainer = KerasTrainer(preset, n_features)
    else:
        from nnplay.engine.numpy_net.trainer import NumpyTrainer

        trainer = NumpyTrainer(preset, n_features)
    if initial_weights is not None:
        dtype = preset.train.dtype
        trainer.set_weights([np.asarray(w, dtype=dtype) for w in initial_weights])
    return trainer


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
    """The loaded data against the model (raises :class:`DataError`): the rules validation applies
    when the spec alone tells the class count and the row count (output units, rows left to train
    on), with the same functions and words, now that loading has told them; and the memory rule."""
    rows = len(dataset.x_train) + len(dataset.x_test)
    problems = output_fit_problems(preset.model, dataset.n_classes, dataset.is_regression)
    problems = problems or split_problems(rows, preset.data.test_size, preset.train.validation_split)
    if problems:
        raise DataError(problems)
    check_memory(preset, rows, dataset.n_features)


def check_memory(preset: Preset, rows: int | None, n_features: int | None) -> None:
    """Refuse a run this machine's memory cannot hold (raises :class:`DataError`). A rule for runs
    only: a summary or a check allocates nothing, so an 11-billion-parameter net is a fine thing to
    look at. ``rows`` and ``n_features`` are ``None`` while only loading can tell them."""
    data = preset.data
    knob = f"data.{data.rows_key}" if data.rows_key else "data.limit" if "limit" in type(data).model_fields else "data.path"
    problems = memory_problems(preset, rows, n_features, rows_field=knob)
    if problems:
        raise DataError(problems)


def prepare(preset: Preset, dataset: Dataset | None = None) -> Prepared:
    """Load the preset's data (or take ``dataset``, already loaded from ``preset.data``) and encode
    its labels the way its loss wants them; a run too big for memory is refused before loading when
    the spec tells its size, else once loading has told it."""
    if dataset is None:
        check_memory(preset, preset.data.n_rows(), preset.n_features())
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


#: Models up to this many parameters have their weights in the run's JSON.
WEIGHTS_IN_JSON_UP_TO = 1000


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

    def layer_weights(self) -> list[dict[str, Any]]:
        """Each Dense layer's kernel and bias (``None`` without one), as the trainer holds them now."""
        weights = iter(self.trainer.get_weights())
        layers = []
        for layer in self.preset.model.layers:
            if isinstance(layer, DenseLayer):
                kernel = next(weights)
                layers.append({"kernel": kernel, "bias": next(weights) if layer.use_bias else None})
        return layers

    def to_json(self, preset_ref: str, exported: str | None = None) -> dict[str, Any]:
        """The run as ``nnplay train --json`` prints it; the weights too for a small model (the
        lecture prints beta-hat), every figure at the precision the run computed it."""
        fit, dtype = self.fit, self.preset.train.dtype
        out: dict[str, Any] = {
            "preset": preset_ref,
            "title": self.preset.preset.title,
            "engine": self.engine,
            "status": fit.status,
            "epochs_run": fit.epochs_run,
            "best_epoch": None if fit.best_epoch is None else fit.best_epoch + 1,
            "message": fit.describe(),
            "history": figures(fit.history, dtype),
            "test": figures(self.test, dtype),
            "params": {"total": self.summary.total_params, "trainable": self.summary.trainable_params},
            "fit_seconds": fit.fit_seconds,
            "replicas": fit.replicas,
            "export": exported,
        }
        if self.summary.total_params <= WEIGHTS_IN_JSON_UP_TO:
            out["weights"] = figures(self.layer_weights(), dtype)
        add_classes(out, "classes", self.class_names, self.confusion)
        return out


def run(
    prepared: Prepared,
    *,
    engine: str | None = None,
    on_event: EventSink | None = None,
    cancel: threading.Event | None = None,
    initial_weights: Sequence[np.ndarray] | None = None,
    pace: Pace | None = None,
    watch_steps: bool = False,
    trainer: Trainer | None = None,
) -> RunReport:
    """Train the prepared preset and score it on the test rows. ``initial_weights`` (Keras order)
    replace the fresh start; ``trainer``, made beforehand by :func:`make_trainer`, lets a listener
    read the weights as it trains; ``pace``, ``watch_steps``: see
    :meth:`Trainer.fit <nnplay.engine.training.Trainer.fit>`."""
    if trainer is None:  # a preset other than the prepared one (a search's trial) may outgrow memory
        check_memory(prepared.preset, len(prepared.x_train) + len(prepared.x_test), prepared.dataset.n_features)
    trainer = trainer or make_trainer(prepared.preset, prepared.dataset.n_features, engine, initial_weights)
    result = trainer.fit(prepared.x_train, prepared.y_train, on_event=on_event, cancel=cancel, pace=pace,
                         watch_steps=watch_steps)
    return _scored(prepared, trainer, result)


def evaluate(
    prepared: Prepared, initial_weights: Sequence[np.ndarray], *, engine: str | None = None
) -> RunReport:
    """Score given weights on the test rows without training them (``model.evaluate`` of a loaded
    model); the report's fit has run no epochs. Scoring runs on one device: it needs no mirrored
    copies, and TensorFlow may already have started (reading a model file starts it)."""
    preset = prepared.preset.with_changes("train.devices", 1)
    trainer = make_trainer(preset, prepared.dataset.n_features, engine, initial_weights)
    return _scored(prepared, trainer, FitResult("completed", 0, {}, 0.0))


def _scored(prepared: Prepared, trainer: Trainer, result: FitResult) -> RunReport:
    preset, data = prepared.preset, prepared.dataset
    test: dict[str, float] = {}
    confusion = None
    if len(prepared.x_test):
        test = trainer.evaluate(prepared.x_test, prepared.y_test)
        kind = accuracy_kind(preset.model.loss, preset.model.output_units, data.is_regression)
        if kind is not None and data.n_classes:
            predicted = predicted_classes(trainer.predict(prepared.x_test))
            confusion = confusion_matrix(data.y_test, predicted, data.n_classes)
    return RunReport(preset, trainer.engine, result, test, prepared.summary, confusion, data.class_names, trainer)
