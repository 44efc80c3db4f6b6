"""Rules across fields: settings that are each valid but cannot train together.

The schema (:mod:`nnplay.engine.spec`) checks each field on its own; these rules check how the
fields fit together. :func:`output_fit_problems` is the one rule for "the output layer fits the
data": validation applies it as soon as the spec alone tells the class count (iris has 3 classes),
and :func:`nnplay.engine.run.prepare` applies the same function once loading tells it (a CSV file's
labels), so both give the same words.

The size of a run (rows times features, layer by layer) is not judged here: a spec too big for this
machine's memory is still a valid spec to check or summarise, which allocate nothing. Runs refuse
it (:func:`nnplay.engine.run.check_memory`), before loading when the spec tells the row count.

This module reads a preset through its attributes only (``layer.type``, ``model.loss``...), so the
schema can import it without a cycle.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from nnplay.engine.errors import Problem
from nnplay.engine.features import input_problems
from nnplay.engine.splits import test_rows, training_rows

if TYPE_CHECKING:
    from nnplay.engine.spec import ModelSpec, Preset, TrainSpec


def is_cross_entropy(loss: str) -> bool:
    """Keras names every cross-entropy loss ``..._crossentropy``; these need class labels."""
    return loss.endswith("crossentropy")


def output_index(model: ModelSpec) -> int:
    """The position in ``model.layers`` of the layer that makes the output (the last dense one)."""
    return max(i for i, layer in enumerate(model.layers) if layer.type == "dense")


def output_fit_problems(model: ModelSpec, n_classes: int | None, is_regression: bool) -> list[Problem]:
    """The output layer against the targets: one unit per class (or one sigmoid unit for two
    classes), one unit for a regression's number, and a loss that suits the kind of target.

    ``n_classes`` is ``None`` while only loading the data can tell it (a CSV file, an image folder).
    """
    units, loss = model.output_units, model.loss
    where = f"model.layers[{output_index(model)}].units"
    if is_regression:
        if is_cross_entropy(loss):
            return [Problem("model.loss", f"{loss!r} needs class labels, but the data is a regression set; "
                                          "use 'mean_squared_error'")]
        if units != 1:
            return [Problem(where, f"the data has one number to predict per row, so the output layer needs 1 unit "
                                   f"(got {units})")]
        return []
    if n_classes is None or units == n_classes or (n_classes == 2 and units == 1):
        return []
    either = " (or 1 sigmoid unit)" if n_classes == 2 else ""
    return [Problem(where, f"the data has {n_classes} classes, so the output layer needs {n_classes} units{either} "
                           f"(got {units})")]


def model_problems(model: ModelSpec) -> list[Problem]:
    """The layer stack on its own: a dense output, unique names, an output that suits the loss."""
    if not model.dense_layers:
        return [Problem("model.layers", "needs at least one dense layer")]
    problems: list[Problem] = []
    last = len(model.layers) - 1
    if model.layers[-1].type != "dense":
        problems.append(Problem(f"model.layers[{last}]", "the last layer must be dense (it makes the output)"))
    names = model.layer_names()
    for i, name in enumerate(names):
        if names.index(name) != i:
            problems.append(Problem(f"model.layers[{i}].name", f"{name!r} is used by another layer"))
    out = output_index(model)
    for i, layer in enumerate(model.layers[:out]):
        if layer.type == "dense" and layer.activation == "softmax":
            problems.append(Problem(
                f"model.layers[{i}].activation",
                "'softmax' belongs on the output layer only; use relu, tanh or sigmoid here",
            ))
    units, activation, loss = model.output_units, model.output_activation, model.loss
    wanted = "sigmoid" if loss == "binary_crossentropy" else "softmax"
    if is_cross_entropy(loss) and activation != wanted:
        # Keras computes cross-entropy from the logits of the output activation, so only these
        # pairs mean what they say: sigmoid with binary, softmax with the categorical losses.
        problems.append(Problem(
            f"model.layers[{out}].activation", f"{loss} needs a {wanted!r} output layer (got {activation!r})"
        ))
    if activation == "softmax" and units == 1:
        problems.append(Problem(
            f"model.layers[{out}].units", "softmax over 1 unit is always 1; use 2 or more units, or sigmoid"
        ))
    elif is_cross_entropy(loss) and loss != "binary_crossentropy" and units < 2:
        problems.append(Problem(
            f"model.layers[{out}].units",
            f"{loss} needs one output unit per class (got 1); use binary_crossentropy for one unit",
        ))
    return problems


def too_few_rows(devices: int, batch_rows: int) -> str:
    """Each mirrored device takes a share of every batch; a device with no rows breaks the step."""
    return (f"{devices} devices need at least {devices} rows per batch to share (train.batch_size gives {batch_rows}); "
            "use fewer devices or larger batches")


def training_problems(train: TrainSpec, is_regression: bool) -> list[Problem]:
    """Early stopping must watch something the run reports; only the Keras engine mirrors a model
    on several devices (the NumPy engine runs on one CPU core)."""
    problems = []
    if train.engine != "keras" and train.devices not in ("all", 1):
        problems.append(Problem("train.devices", (
            f"{train.devices} devices need engine = \"keras\"; the {train.engine} engine runs on one CPU core "
            "(set devices = 1 or \"all\")"
        )))
    if isinstance(train.devices, int) and isinstance(train.batch_size, int) and train.batch_size < train.devices:
        problems.append(Problem("train.devices", too_few_rows(train.devices, train.batch_size)))
    stop = train.early_stopping
    if stop is None:
        return problems
    if stop.monitor.startswith("val_") and train.validation_split == 0:
        problems.append(Problem(
            "train.early_stopping.monitor",
            f"{stop.monitor!r} needs a validation set; set train.validation_split above 0 or monitor 'loss'",
        ))
    if stop.monitor.endswith("accuracy") and is_regression:
        problems.append(Problem("train.early_stopping.monitor", f"{stop.monitor!r} needs a classification task"))
    return problems


def split_problems(rows: int, test_size: float, validation_split: float) -> list[Problem]:
    """The test split and then the validation split must leave at least one row to train on."""
    fit = rows - test_rows(rows, test_size)
    if fit <= 0:
        return [Problem("data.test_size", f"takes all {rows} rows for testing, leaving none to train on "
                                          f"(got {test_size})")]
    if training_rows(fit, validation_split) == 0:
        return [Problem("train.validation_split", (
            f"holds out all {fit} rows left after the test split, leaving none to train on; "
            f"lower it or data.test_size (got {validation_split})"
        ))]
    return []


def combination_problems(preset: Preset) -> list[Problem]:
    """Every cross-field rule the spec alone can decide."""
    model, data = preset.model, preset.data
    problems = model_problems(model)
    if model.dense_layers:
        problems += output_fit_problems(model, data.n_classes(), data.is_regression)
    problems += training_problems(preset.train, data.is_regression)
    rows = data.n_rows()
    if rows is not None:
        problems += split_problems(rows, data.test_size, preset.train.validation_split)
    return problems + input_problems(data)
