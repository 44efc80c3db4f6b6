"""The validated description of one playground run: a :class:`Preset`.

A preset is four tables, ``[preset]``, ``[data]``, ``[model]`` and ``[train]``. Each is a frozen
pydantic model that forbids unknown keys, so a typo is an error rather than a silent default.
:func:`validate_preset` turns a plain dict (read from TOML, or edited in the TUI) into a
:class:`Preset`, or raises :class:`~nnplay.engine.errors.SpecError` whose problems name the field path
(``model.layers[1].rate``) and the bad value.

Names mean the same thing everywhere: the tuples below (``ACTIVATIONS``, ``LOSSES``, ...) are the
registries that both engines and the TUI's selectors use.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from nnplay.engine.errors import Problem, SpecError
from nnplay.engine.features import FeatureInputs, input_problems, input_width

Activation = Literal["linear", "sigmoid", "tanh", "relu", "softmax"]
LossName = Literal[
    "binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy",
    "mean_squared_error",
]
EngineName = Literal["numpy", "keras"]
Monitor = Literal["loss", "val_loss", "accuracy", "val_accuracy"]

ACTIVATIONS: tuple[str, ...] = get_args(Activation)
LOSSES: tuple[str, ...] = get_args(LossName)
ENGINES: tuple[str, ...] = get_args(EngineName)
MONITORS: tuple[str, ...] = get_args(Monitor)
CROSS_ENTROPIES = frozenset(LOSSES) - {"mean_squared_error"}


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


# --------------------------------------------------------------------------------------------
# [preset]


class PresetInfo(_Spec):
    title: str = Field(min_length=1, max_length=120)
    notes: str = ""


# --------------------------------------------------------------------------------------------
# [data]: one model per source, told apart by `source`.

N = Annotated[int, Field(ge=10, le=1_000_000)]
Noise = Annotated[float, Field(ge=0.0, le=10.0)]
Classes = Annotated[int, Field(ge=2, le=100)]
ImageSize = Annotated[int, Field(ge=4, le=512)]


class _DataBase(_Spec):
    test_size: float = Field(0.2, ge=0.0, lt=1.0)
    standardize: bool = False
    seed: int = Field(42, ge=0)
    inputs: FeatureInputs = None  # feature inputs computed from a 2-D source (engine/features.py)

    #: Number of input features, when the spec alone fixes it (``None``: read the data).
    def n_features(self) -> int | None:
        return None

    #: Number of classes, when the spec alone fixes it (``None`` for regression or unknown).
    def n_classes(self) -> int | None:
        return None

    @property
    def is_regression(self) -> bool:
        return False


class LogisticData(_DataBase):
    """The lecture's data: X ~ N(0, 1), y ~ Bernoulli(sigmoid(X beta + intercept))."""

    source: Literal["logistic"]
    n: N = 1000
    features: int = Field(2, ge=1, le=10_000)
    beta: tuple[float, ...] | None = None  # default: 1, 2, ..., features (the lecture's [1, 2])
    intercept: float = 0.0

    @field_validator("beta")
    @classmethod
    def _beta_matches_features(cls, beta: tuple[float, ...] | None, info: ValidationInfo) -> tuple[float, ...] | None:
        features = info.data.get("features")
        if beta is not None and features is not None and len(beta) != features:
            raise ValueError(f"must have one coefficient per feature ({features}), not {len(beta)}")
        return beta

    def n_features(self) -> int:
        return self.features

    def n_classes(self) -> int:
        return 2


class SoftmaxData(_DataBase):
    """Multi-class logistic data: class scores are linear in X, labels drawn from their softmax."""

    source: Literal["softmax"]
    n: N = 1000
    features: int = Field(2, ge=1, le=10_000)
    classes: Classes = 3
    scale: float = Field(2.0, gt=0.0, le=100.0)

    def n_features(self) -> int:
        return self.features

    def n_classes(self) -> int:
        return self.classes


class _PlaneData(_DataBase):
    n: N = 500
    noise: Noise = 0.1

    def n_features(self) -> int:
        return 2

    def n_classes(self) -> int | None:
        return 2


class CirclesData(_PlaneData):
    source: Literal["circles"]


class XorData(_PlaneData):
    source: Literal["xor"]


class MoonsData(_PlaneData):
    source: Literal["moons"]


class GaussianData(_PlaneData):
    source: Literal["gaussian"]
    classes: Classes = 2

    def n_classes(self) -> int:
        return self.classes


class SpiralData(_PlaneData):
    source: Literal["spiral"]
    classes: Classes = 2

    def n_classes(self) -> int:
        return self.classes


class RegressionData(_PlaneData):
    """A 2-D regression set: a tilted plane plus noise (for mean squared error)."""

    source: Literal["regression"]

    def n_classes(self) -> None:
        return None

    @property
    def is_regression(self) -> bool:
        return True


_BUNDLED_SHAPES = {"breast_cancer": (30, 2), "digits": (64, 10), "iris": (4, 3), "wine": (13, 3)}


class BundledData(_DataBase):
    """Small real data sets that ship with scikit-learn (no download)."""

    source: Literal["breast_cancer", "digits", "iris", "wine"]

    def n_features(self) -> int:
        return _BUNDLED_SHAPES[self.source][0]

    def n_classes(self) -> int:
        return _BUNDLED_SHAPES[self.source][1]


class _ImageData(_DataBase):
    image_size: ImageSize = 32
    color_mode: Literal["rgb", "grayscale"] = "rgb"
    limit: int | None = Field(None, ge=2)

    def n_features(self) -> int:
        channels = 3 if self.color_mode == "rgb" else 1
        return self.image_size * self.image_size * channels


class MalariaData(_ImageData):
    """The lecture's malaria cell images, through tensorflow-datasets."""

    source: Literal["malaria"]
    limit: int | None = Field(2500, ge=2)
    data_dir: str | None = None

    def n_classes(self) -> int:
        return 2


class FolderData(_ImageData):
    """Your own images: one sub-folder per class (like the NIH ``cell_images`` folders)."""

    source: Literal["folder"]
    path: str = Field(min_length=1)

    def n_classes(self) -> None:
        return None


class CsvData(_DataBase):
    """Your own table: numeric feature columns and one label column."""

    source: Literal["csv"]
    path: str = Field(min_length=1)
    label_column: str = Field(min_length=1)
    task: Literal["classification", "regression"] = "classification"

    @property
    def is_regression(self) -> bool:
        return self.task == "regression"


DataSpec = Annotated[
    Union[
        LogisticData, SoftmaxData, CirclesData, XorData, MoonsData, GaussianData, SpiralData,
        RegressionData, BundledData, MalariaData, FolderData, CsvData,
    ],
    Field(discriminator="source"),
]

DATA_SOURCES: tuple[str, ...] = (
    "logistic", "softmax", "circles", "xor", "gaussian", "spiral", "moons", "regression",
    "breast_cancer", "digits", "iris", "wine", "malaria", "folder", "csv",
)

# --------------------------------------------------------------------------------------------
# [model]


class Regularizer(_Spec):
    """``{ l1 = .., l2 = .. }``: penalty l1 * sum|w| + l2 * sum w**2, added to the loss as Keras does."""

    l1: float = Field(0.0, ge=0.0, le=100.0)
    l2: float = Field(0.0, ge=0.0, le=100.0)

    @property
    def active(self) -> bool:
        return self.l1 > 0 or self.l2 > 0


_NAME = r"^[A-Za-z_][A-Za-z0-9_.\-]*$"


class DenseLayer(_Spec):
    type: Literal["dense"]
    units: int = Field(gt=0, le=100_000)
    activation: Activation = "linear"
    use_bias: bool = True
    kernel_regularizer: Regularizer | None = None
    bias_regularizer: Regularizer | None = None
    name: str | None = Field(None, pattern=_NAME, max_length=64)


class DropoutLayer(_Spec):
    type: Literal["dropout"]
    rate: float = Field(ge=0.0, lt=1.0)
    name: str | None = Field(None, pattern=_NAME, max_length=64)


Layer = Annotated[Union[DenseLayer, DropoutLayer], Field(discriminator="type")]
LAYER_TYPES: tuple[str, ...] = ("dense", "dropout")


class ModelSpec(_Spec):
    loss: LossName
    layers: tuple[Layer, ...] = Field(min_length=1, max_length=64)

    @property
    def dense_layers(self) -> tuple[DenseLayer, ...]:
        return tuple(layer for layer in self.layers if isinstance(layer, DenseLayer))

    @property
    def output_units(self) -> int:
        return self.dense_layers[-1].units

    @property
    def output_activation(self) -> str:
        return self.dense_layers[-1].activation

    def layer_names(self) -> list[str]:
        """Each layer's name: its own, or Keras's default (``dense``, ``dense_1``, ``dropout``, ...)."""
        seen: dict[str, int] = {}
        names = []
        for layer in self.layers:
            if layer.name:
                names.append(layer.name)
                continue
            count = seen.get(layer.type, 0)
            seen[layer.type] = count + 1
            names.append(layer.type if count == 0 else f"{layer.type}_{count}")
        return names


# --------------------------------------------------------------------------------------------
# [train]


class SGD(_Spec):
    name: Literal["sgd"]
    learning_rate: float = Field(0.01, gt=0.0, le=100.0)
    momentum: float = Field(0.0, ge=0.0, lt=1.0)


class Adam(_Spec):
    """Adam with Keras's defaults (beta_1 0.9, beta_2 0.999, epsilon 1e-7)."""

    name: Literal["adam"]
    learning_rate: float = Field(0.001, gt=0.0, le=100.0)
    beta_1: float = Field(0.9, ge=0.0, lt=1.0)
    beta_2: float = Field(0.999, ge=0.0, lt=1.0)
    epsilon: float = Field(1e-7, gt=0.0, le=1.0)


Optimizer = Annotated[Union[SGD, Adam], Field(discriminator="name")]
OPTIMIZERS: tuple[str, ...] = ("sgd", "adam")


class EarlyStopping(_Spec):
    """Stop when ``monitor`` has not improved by ``min_delta`` for ``patience`` epochs (Keras's rule)."""

    monitor: Monitor = "val_loss"
    patience: int = Field(0, ge=0, le=10_000)
    min_delta: float = Field(0.0, ge=0.0)
    restore_best_weights: bool = False

    @property
    def mode(self) -> Literal["min", "max"]:
        return "max" if self.monitor.endswith("accuracy") else "min"


class TrainSpec(_Spec):
    engine: EngineName = "numpy"
    optimizer: Optimizer = Field(default_factory=lambda: SGD(name="sgd"))
    batch_size: Annotated[int | Literal["full"], Field(union_mode="left_to_right")] = 32
    epochs: int = Field(10, ge=1, le=100_000)
    validation_split: float = Field(0.0, ge=0.0, lt=1.0)
    shuffle: bool = True
    early_stopping: EarlyStopping | None = None
    seed: int = Field(0, ge=0, le=2**31 - 1)
    dtype: Literal["float32", "float64"] = "float32"

    @field_validator("batch_size", mode="wrap")
    @classmethod
    def _positive_batch(cls, value: Any, handler: Any) -> int | str:
        if value == "full" or (isinstance(value, int) and not isinstance(value, bool) and value >= 1):
            return handler(value)
        raise ValueError('must be a positive whole number or "full"')

    def batch_rows(self, n_rows: int) -> int:
        """Rows per step for ``n_rows`` training rows (``"full"``: all of them, plain gradient descent)."""
        return n_rows if self.batch_size == "full" else min(int(self.batch_size), max(n_rows, 1))


# --------------------------------------------------------------------------------------------
# The whole preset


class Preset(_Spec):
    preset: PresetInfo
    data: DataSpec
    model: ModelSpec
    train: TrainSpec = Field(default_factory=TrainSpec)

    def n_features(self) -> int | None:
        return input_width(self.data.inputs, self.data.n_features())

    def to_dict(self) -> dict[str, Any]:
        """A plain dict that :func:`validate_preset` turns back into this preset."""
        raw = self.model_dump(mode="json", exclude_none=True)
        raw["data"] = {"source": raw["data"].pop("source"), **raw["data"]}
        return raw

    def with_changes(self, path: str, value: Any) -> Preset:
        """A new preset with the dotted ``path`` set to ``value``, validated (raises SpecError)."""
        raw = self.to_dict()
        set_path(raw, path, value)
        return validate_preset(raw)


def set_path(raw: dict[str, Any], path: str, value: Any) -> None:
    """Set ``a.b[2].c`` in a nested dict/list structure; ``None`` removes the key."""
    parts = _split_path(path)
    node: Any = raw
    for part in parts[:-1]:
        if isinstance(part, int):
            node = node[part]
        else:
            node = node.setdefault(part, {})
    last = parts[-1]
    if value is None and isinstance(node, dict):
        node.pop(last, None)
    else:
        node[last] = value


def _split_path(path: str) -> list[str | int]:
    parts: list[str | int] = []
    for piece in path.split("."):
        name, _, rest = piece.partition("[")
        if name:
            parts.append(name)
        while rest:
            index, _, rest = rest.partition("]")
            parts.append(int(index))
            rest = rest.lstrip("[")
    return parts


# --------------------------------------------------------------------------------------------
# Validation: pydantic's errors, told the user's way


_TAGS = frozenset(DATA_SOURCES) | frozenset(LAYER_TYPES) | frozenset(OPTIMIZERS)


def field_path(loc: tuple[Any, ...]) -> str:
    """``('model', 'layers', 1, 'dense', 'units')`` -> ``model.layers[1].units``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in _TAGS:
            continue  # the union's tag, not a key the user wrote
        else:
            out += f".{part}" if out else str(part)
    return out


def _describe(error: dict[str, Any]) -> str:
    kind = error["type"]
    value = error.get("input")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return "unknown key (check its spelling against the preset format in README.md)"
    if kind == "literal_error":
        return f"unknown value {value!r}; choose one of {ctx.get('expected', '')}"
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        error["loc"] = (*error["loc"], ctx.get("discriminator", "").strip("'"))
    if kind == "union_tag_invalid":
        return f"unknown value {ctx.get('tag')!r}; choose one of {ctx.get('expected_tags', '')}"
    if kind == "union_tag_not_found":
        return f"is required (one of {ctx.get('discriminator', '')})"
    message = str(error["msg"])
    message = message.removeprefix("Value error, ").removeprefix("Input should be ")
    message = message[:1].lower() + message[1:]
    if not message.startswith(("must", "beta", "is ")):
        message = f"must be {message}"
    return message if isinstance(value, dict) else f"{message} (got {value!r})"


def problems_from(error: ValidationError) -> list[Problem]:
    seen: set[str] = set()
    problems = []
    for item in error.errors(include_url=False):
        message = _describe(item)  # may add the tag's key to item["loc"]
        problem = Problem(field_path(tuple(item["loc"])), message)
        # One line per field; a container's own complaint adds nothing to its items' complaints.
        if problem.field not in seen and not any(f.startswith((f"{problem.field}.", f"{problem.field}[")) for f in seen):
            seen.add(problem.field)
            problems.append(problem)
    return problems


def validate_preset(raw: dict[str, Any]) -> Preset:
    """A plain dict in, a valid :class:`Preset` out, or :class:`SpecError` naming each bad field."""
    try:
        preset = Preset.model_validate(raw)
    except ValidationError as exc:
        raise SpecError(problems_from(exc)) from None
    problems = combination_problems(preset) + input_problems(preset.data)
    if problems:
        raise SpecError(problems)
    return preset


def combination_problems(preset: Preset) -> list[Problem]:
    """Settings that are each valid but cannot train together."""
    model, train, data = preset.model, preset.train, preset.data
    problems: list[Problem] = []
    dense = model.dense_layers
    last = len(model.layers) - 1
    if not dense:
        return [Problem("model.layers", "needs at least one dense layer")]
    if not isinstance(model.layers[-1], DenseLayer):
        problems.append(Problem(f"model.layers[{last}]", "the last layer must be dense (it makes the output)"))
    names = model.layer_names()
    for i, name in enumerate(names):
        if names.index(name) != i:
            problems.append(Problem(f"model.layers[{i}].name", f"{name!r} is used by another layer"))
    for i, layer in enumerate(model.layers[:-1]):
        if isinstance(layer, DenseLayer) and layer.activation == "softmax":
            problems.append(Problem(
                f"model.layers[{i}].activation",
                "'softmax' belongs on the output layer only; use relu, tanh or sigmoid here",
            ))
    out_units, out_act = model.output_units, model.output_activation
    where = f"model.layers[{last}]"
    wanted = {"binary_crossentropy": "sigmoid"}.get(model.loss, "softmax")
    if model.loss in CROSS_ENTROPIES and out_act != wanted:
        # Keras computes cross-entropy from the logits of the output activation, so only these
        # pairs mean what they say: sigmoid with binary, softmax with the categorical losses.
        problems.append(Problem(
            f"{where}.activation",
            f"{model.loss} needs a {wanted!r} output layer (got {out_act!r})",
        ))
    if out_act == "softmax" and out_units == 1:
        problems.append(Problem(f"{where}.units", "softmax over 1 unit is always 1; use 2 or more units, or sigmoid"))
    if model.loss in ("categorical_crossentropy", "sparse_categorical_crossentropy") and out_units < 2:
        problems.append(Problem(
            f"{where}.units", f"{model.loss} needs one output unit per class (got 1); use binary_crossentropy for one unit"
        ))
    if data.is_regression and model.loss in CROSS_ENTROPIES:
        problems.append(Problem("model.loss", f"{model.loss!r} needs class labels, but data source {data.source!r} is a regression set; use 'mean_squared_error'"))
    classes = data.n_classes()
    if classes is not None and model.loss in CROSS_ENTROPIES:
        one_sigmoid = classes == 2 and out_units == 1 and model.loss == "binary_crossentropy"
        if out_units != classes and not one_sigmoid:
            problems.append(Problem(
                f"{where}.units",
                f"data source {data.source!r} has {classes} classes, so the output layer needs "
                f"{classes} units{' (or 1 sigmoid unit)' if classes == 2 else ''} (got {out_units})",
            ))
    stop = train.early_stopping
    if stop is not None:
        if stop.monitor.startswith("val_") and train.validation_split == 0:
            problems.append(Problem(
                "train.early_stopping.monitor",
                f"{stop.monitor!r} needs a validation set; set train.validation_split above 0 or monitor 'loss'",
            ))
        if stop.monitor.endswith("accuracy") and data.is_regression:
            problems.append(Problem("train.early_stopping.monitor", f"{stop.monitor!r} needs a classification task"))
    return problems
