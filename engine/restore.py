"""A saved model brought back and put to use: the lecture's last step.

The lecture saves its network with ``model.save('malaria.h5')``, opens it again with
``keras.models.load_model('malaria.h5')`` and asks it about ``X_test[:3]``. Here the file is read
once (safe mode on, compiled as it was saved) and turned into the playground's own terms: its Dense
and Dropout layers become spec layers (units, activation, bias, penalties), its weights become the
starting weights of either engine. Anything the spec cannot say (a Functional model, a Conv layer,
an activation nnplay does not know) is refused with one line, rather than silently changed.

:func:`open_model` puts a file beside a preset: the preset keeps its data, split and training
settings and takes the file's layers, and the result is scored on the very test rows that training
scored (same data spec, split and standardisation), so a model exported by ``nnplay train`` reports
that run's test accuracy again.

TensorFlow is imported only inside the functions that read a file.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from nnplay.engine.errors import ExportError, SpecError
from nnplay.engine.report_json import add_classes, figures
from nnplay.engine.spec import (
    ACTIVATIONS,
    LOSSES,
    DenseLayer,
    DropoutLayer,
    ModelSpec,
    Preset,
    Regularizer,
    validate_preset,
)
from nnplay.engine.weight_layout import WeightLayout

#: Keras's short names and class names for the losses the spec knows.
_LOSS_ALIASES = {
    "mse": "mean_squared_error",
    "BinaryCrossentropy": "binary_crossentropy",
    "CategoricalCrossentropy": "categorical_crossentropy",
    "SparseCategoricalCrossentropy": "sparse_categorical_crossentropy",
    "MeanSquaredError": "mean_squared_error",
}
_PENALTIES = ("L1", "L2", "L1L2")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")
_AUTO_NAME = re.compile(r"^(dense|dropout)(_[0-9]+)?$")


@dataclass(frozen=True)
class SavedModel:
    """A Sequential of Dense and Dropout layers read from a Keras ``.h5`` file, in spec terms."""

    path: Path
    name: str
    n_features: int
    layers: tuple[DenseLayer | DropoutLayer, ...]
    loss: str | None  # the loss it was compiled with, when the spec knows it
    weights: tuple[np.ndarray, ...]  # Keras order: kernel, bias, kernel, ...

    @property
    def where(self) -> str:
        return str(self.path)

    def layer_dicts(self) -> list[dict[str, Any]]:
        """The layers as a preset's ``[model] layers`` list."""
        return [layer.model_dump(mode="json", exclude_none=True) for layer in self.layers]

    def check_width(self, n_features: int, data_name: str) -> None:
        """Raise :class:`ExportError` naming both widths unless the data has the model's input width."""
        if n_features != self.n_features:
            raise ExportError(
                f"{self.where!r} takes {self.n_features} input features, but the data "
                f"({data_name}) has {n_features}; open it with a preset of that width",
                field="path",
            )

    def weights_for(self, model: ModelSpec, n_features: int) -> list[np.ndarray] | None:
        """These weights when they fit ``model`` on ``n_features`` inputs (layers may have been
        edited since the file was opened), else ``None``: the run then starts from fresh weights."""
        shapes = weight_shapes(model, n_features)
        if shapes != [w.shape for w in self.weights]:
            return None
        return list(self.weights)


def weight_shapes(model: ModelSpec, n_features: int) -> list[tuple[int, ...]]:
    """The shape of every weight array of ``model`` on ``n_features`` inputs, in Keras order."""
    return WeightLayout.of(model, n_features).shapes


# --------------------------------------------------------------------------------------------
# Reading a file


def read_model(path: str | os.PathLike[str]) -> SavedModel:
    """Load a Keras ``.h5`` model (safe mode, compiled as saved) and read it into spec terms.

    Raises :class:`ExportError` with one line for a missing or foreign file, a weights-only file,
    a model that is not a Sequential of Dense and Dropout layers, or a setting the spec cannot hold.
    """
    from nnplay.engine.export import load_h5, sequential_layers

    source = Path(path).expanduser()
    where = str(source)
    model = load_h5(source, compile=True)
    keras_layers = sequential_layers(model, where)
    shape = tuple(model.inputs[0].shape) if model.inputs else ()
    if len(shape) != 2 or shape[1] is None:
        raise ExportError(f"{where!r} takes inputs of shape {shape}; nnplay feeds rows of features, (None, n)", field="path")
    layers = [_spec_layer(layer, where) for layer in keras_layers]
    if not any(isinstance(layer, DenseLayer) for layer in layers):
        raise ExportError(f"{where!r} has no Dense layer", field="path")
    return SavedModel(
        path=source,
        name=str(model.name),
        n_features=int(shape[1]),
        layers=_named(layers, [layer.name for layer in keras_layers]),
        loss=_compiled_loss(source),
        weights=tuple(np.array(w) for w in model.get_weights()),
    )


def _spec_layer(layer: Any, where: str) -> DenseLayer | DropoutLayer:
    config = layer.get_config()
    what = f"{where!r}: layer {layer.name!r}"
    if type(layer).__name__ == "Dropout":
        if config.get("noise_shape") is not None:
            raise ExportError(f"{what} drops with a noise_shape, which nnplay's dropout has not", field="path")
        return DropoutLayer(type="dropout", rate=float(config["rate"]))
    activation = config.get("activation")
    if activation not in ACTIVATIONS:
        raise ExportError(f"{what} uses activation {activation!r}; nnplay knows {', '.join(ACTIVATIONS)}", field="path")
    for key in ("activity_regularizer", "kernel_constraint", "bias_constraint"):
        if config.get(key) is not None:
            raise ExportError(f"{what} has a {key}, which nnplay's spec cannot hold", field="path")
    return DenseLayer(
        type="dense",
        units=int(config["units"]),
        activation=activation,
        use_bias=bool(config.get("use_bias", True)),
        kernel_regularizer=_penalty(config.get("kernel_regularizer"), what),
        bias_regularizer=_penalty(config.get("bias_regularizer"), what),
    )


def _penalty(config: dict[str, Any] | None, what: str) -> Regularizer | None:
    """Keras's serialised ``L1``/``L2``/``L1L2`` regularizer as the spec's ``{l1, l2}``."""
    if config is None:
        return None
    kind = config.get("class_name") if isinstance(config, dict) else config
    if kind not in _PENALTIES:
        raise ExportError(f"{what} has a {kind} regularizer; nnplay knows L1, L2 and L1L2", field="path")
    values = config.get("config") or {}
    return Regularizer(l1=float(values.get("l1", 0.0)), l2=float(values.get("l2", 0.0)))


def _named(layers: list[DenseLayer | DropoutLayer], names: list[str]) -> tuple[DenseLayer | DropoutLayer, ...]:
    """Keep the names a person gave (``my_dense_layer``); drop the ones Keras made up
    (``dense``, ``dense_7``), which the spec gives back by itself."""
    named = []
    for layer, name in zip(layers, names, strict=True):
        made_up = _AUTO_NAME.match(name) is not None and name.split("_")[0] == layer.type
        fits_spec = _NAME.match(name) is not None and len(name) <= 64
        named.append(layer.model_copy(update={"name": name}) if fits_spec and not made_up else layer)
    return tuple(named)


def _compiled_loss(source: Path) -> str | None:
    """The loss in the file's ``training_config``, when the spec knows it (``None`` otherwise)."""
    import h5py

    with h5py.File(source, "r") as handle:
        raw = handle.attrs.get("training_config")
    if raw is None:
        return None
    loss = json.loads(raw).get("loss")
    if isinstance(loss, dict):  # a serialised loss object: its class, and maybe a name
        config = loss.get("config")
        if isinstance(config, dict) and config.get("from_logits"):
            return None
        loss = config.get("name") if isinstance(config, dict) and config.get("name") else loss.get("class_name")
    loss = _LOSS_ALIASES.get(loss, loss) if isinstance(loss, str) else None
    return loss if loss in LOSSES else None


# --------------------------------------------------------------------------------------------
# A file beside a preset


def with_model(preset: Preset, saved: SavedModel) -> Preset:
    """``preset`` with the file's layers (and its loss, when known); the data and the training
    settings stay. Raises :class:`ExportError` when the two cannot go together."""
    raw = preset.to_dict()
    raw["model"]["layers"] = saved.layer_dicts()
    if saved.loss is not None:
        raw["model"]["loss"] = saved.loss
    try:
        return validate_preset(raw)
    except SpecError as error:
        raise ExportError(f"{saved.where!r} does not fit this preset: {error.one_line()}", field="path") from None


@dataclass(frozen=True)
class OpenedModel:
    """A saved model set beside a preset's data, and its scores on that preset's test rows."""

    saved: SavedModel
    preset: Preset  # the preset with the file's layers
    prepared: Any  # nnplay.engine.run.Prepared (kept loose: the run module imports scikit-learn)
    report: Any  # nnplay.engine.run.RunReport, scored without training

    def probabilities(self, rows: int) -> np.ndarray:
        """The model's outputs on the first ``rows`` test rows: the lecture's ``model.predict(X_test[:3])``."""
        return self.report.trainer.predict(self.prepared.x_test[:rows])

    def to_json(self, model_ref: str, preset_ref: str, probabilities: np.ndarray) -> dict[str, Any]:
        """What ``nnplay predict --json`` prints: the outputs on the first test rows, their labels and
        the scores on every test row, at the precision the model computed them."""
        report, data, dtype = self.report, self.prepared.dataset, self.preset.train.dtype
        out: dict[str, Any] = {
            "model": model_ref,
            "preset": preset_ref,
            "engine": report.engine,
            "input_features": self.saved.n_features,
            "test_rows": len(data.y_test),
            "class_names": None,
            "probabilities": figures(probabilities, dtype),
            "labels": data.y_test[: len(probabilities)].tolist(),
            "test": figures(report.test, dtype),
            "confusion_matrix": None,
        }
        add_classes(out, "class_names", report.class_names, report.confusion)
        return out


def open_model(
    path: str | os.PathLike[str], preset: Preset, *, engine: str | None = None, dataset: Any = None
) -> OpenedModel:
    """Read ``path``, give ``preset`` its layers, load the preset's data (or take ``dataset``, loaded
    from ``preset.data`` already), check the input width and score the file's weights on the test
    rows with ``engine`` (default: the preset's)."""
    from nnplay.engine.run import evaluate, prepare

    saved = read_model(path)
    applied = with_model(preset, saved)
    known = applied.n_features()
    if known is not None:  # refuse before loading data when the spec alone fixes the width
        saved.check_width(known, applied.data.source)
    prepared = prepare(applied, dataset)
    saved.check_width(prepared.dataset.n_features, prepared.dataset.name)
    return OpenedModel(saved, applied, prepared, evaluate(prepared, saved.weights, engine=engine))
