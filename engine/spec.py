"""The validated description of one playground run: a :class:`Preset`.

A preset is four tables, ``[preset]``, ``[data]``, ``[model]`` and ``[train]``. Each is a frozen
pydantic model that forbids unknown keys, so a typo is an error rather than a silent default.
:func:`validate_preset` turns a plain dict (read from TOML, or edited in the TUI) into a
:class:`Preset`, or raises :class:`~nnplay.engine.errors.SpecError` whose problems name the field path
(``model.layers[1].rate``) and the bad value.

Names mean the same thing everywhere: the tuples below (``ACTIVATIONS``, ``LOSSES``, ...) are the
registries that both engines and the TUI's selectors use. The data sources are listed once, in
:data:`DATA_MODELS`: the ``[data]`` union, :data:`DATA_SOURCES` and the loaders' table
(:data:`nnplay.engine.data.LOADERS`) are all derived from it.

This module is the schema only. Editing a dotted path lives in :mod:`~nnplay.engine.spec_paths`,
the wording of pydantic's errors in :mod:`~nnplay.engine.spec_errors`, the rules across fields in
:mod:`~nnplay.engine.spec_rules`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any, ClassVar, Literal, Union, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from nnplay.engine import spec_names
from nnplay.engine.errors import SpecError
from nnplay.engine.features import FeatureInputs, input_width
from nnplay.engine.search_spec import SearchTable
from nnplay.engine.spec_errors import problems_from
from nnplay.engine.spec_paths import set_path
from nnplay.engine.spec_rules import combination_problems

Activation = Literal["linear", "sigmoid", "tanh", "relu", "softmax"]
LossName = Literal[
    "binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy",
    "mean_squared_error",
]
EngineName = Literal[spec_names.ENGINES]  # the names live where the CLI can read them without pydantic
Monitor = Literal["loss", "val_loss", "accuracy", "val_accuracy"]

ACTIVATIONS: tuple[str, ...] = get_args(Activation)
LOSSES: tuple[str, ...] = get_args(LossName)
ENGINES: tuple[str, ...] = get_args(EngineName)
MONITORS: tuple[str, ...] = get_args(Monitor)

#: scikit-learn takes seeds 0 .. 2**32 - 1 (``random_state``); TensorFlow's are kept below 2**31.
DATA_SEED_MAX = 2**32 - 1
TRAIN_SEED_MAX = 2**31 - 1


def _tags(models: tuple[type[BaseModel], ...], key: str) -> list[str]:
    """The values of the ``Literal`` field ``key`` that tell a tagged union's ``models`` apart."""
    return [tag for model in models for tag in get_args(model.model_fields[key].annotation)]


class _Spec(BaseModel):
    # allow_inf_nan=False: nan and inf are refused wherever a float is taken, naming the field.
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, allow_inf_nan=False)


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
    #: ``"module:function"`` in :mod:`nnplay.engine.data` that loads this source (imported on first use).
    loader: ClassVar[str]
    #: The key that fixes how many rows the loader makes (``n``), if the spec has one.
    rows_key: ClassVar[str | None] = None
    #: Whether the loader streams the rows from the on-disk cache instead of holding them.
    streamed: ClassVar[bool] = False

    test_size: float = Field(0.2, ge=0.0, lt=1.0)
    standardize: bool = False
    seed: int = Field(42, ge=0, le=DATA_SEED_MAX)
    inputs: FeatureInputs = None  # feature inputs computed from a 2-D source (engine/features.py)

    @classmethod
    def sources(cls) -> list[str]:
        """The ``source`` names this model takes."""
        return _tags((cls,), "source")

    #: Number of input features, when the spec alone fixes it (``None``: read the data).
    def n_features(self) -> int | None:
        return None

    def n_rows(self) -> int | None:
        """Rows the loader makes (at most), when the spec alone fixes it (``None``: read the data)."""
        return None if self.rows_key is None else getattr(self, self.rows_key)

    #: Number of classes, when the spec alone fixes it (``None`` for regression or unknown).
    def n_classes(self) -> int | None:
        return None

    @property
    def is_regression(self) -> bool:
        return False


class LogisticData(_DataBase):
    """The lecture's data: X ~ N(0, 1), y ~ Bernoulli(sigmoid(X beta + intercept))."""

    loader = "synthetic:logistic"
    rows_key = "n"
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

    loader = "synthetic:softmax"
    rows_key = "n"
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
    rows_key = "n"
    n: N = 500
    noise: Noise = 0.1

    def n_features(self) -> int:
        return 2

    def n_classes(self) -> int | None:
        return 2


class CirclesData(_PlaneData):
    loader = "synthetic:circles"
    source: Literal["circles"]


class XorData(_PlaneData):
    loader = "synthetic:xor"
    source: Literal["xor"]


class MoonsData(_PlaneData):
    loader = "synthetic:moons"
    source: Literal["moons"]


class GaussianData(_PlaneData):
    loader = "synthetic:gaussian"
    source: Literal["gaussian"]
    classes: Classes = 2

    def n_classes(self) -> int:
        return self.classes


class SpiralData(_PlaneData):
    loader = "synthetic:spiral"
    source: Literal["spiral"]
    classes: Classes = 2

    def n_classes(self) -> int:
        return self.classes


class RegressionData(_PlaneData):
    """A 2-D regression set: a tilted plane plus noise (for mean squared error)."""

    loader = "synthetic:regression"
    source: Literal["regression"]

    def n_classes(self) -> None:
        return None

    @property
    def is_regression(self) -> bool:
        return True


#: source -> (features, classes) of the sets scikit-learn ships (its loader is ``load_<source>``).
BUNDLED_SHAPES = {"breast_cancer": (30, 2), "digits": (64, 10), "iris": (4, 3), "wine": (13, 3)}


class BundledData(_DataBase):
    """Small real data sets that ship with scikit-learn (no download)."""

    loader = "bundled:bundled"
    source: Literal[tuple(BUNDLED_SHAPES)]  # type: ignore[valid-type]

    def n_features(self) -> int:
        return BUNDLED_SHAPES[self.source][0]

    def n_classes(self) -> int:
        return BUNDLED_SHAPES[self.source][1]


class _ImageData(_DataBase):
    #: Images are decoded once into the on-disk cache and trained from it a batch at a time, so
    #: the rows cost no memory (see :mod:`nnplay.engine.memory`).
    streamed: ClassVar[bool] = True
    image_size: ImageSize = 32
    color_mode: Literal["rgb", "grayscale"] = "rgb"
    limit: int | None = Field(None, ge=2)

    def n_features(self) -> int:
        channels = 3 if self.color_mode == "rgb" else 1
        return self.image_size * self.image_size * channels

    def row_limit(self) -> int | None:
        """How many images to take (``None``: every one)."""
        return self.limit if isinstance(self.limit, int) else None

    def n_rows(self) -> int | None:
        return self.row_limit() if self.rows_key else None


class MalariaData(_ImageData):
    """The lecture's malaria cell images, through tensorflow-datasets."""

    loader = "malaria_tfds:malaria"
    rows_key = "limit"  # the loader makes room for `limit` images up front
    source: Literal["malaria"]
    #: The lecture's tenth of the 27,558 cells by default; "all" (or none) takes the whole split.
    limit: Annotated[int, Field(ge=2)] | Literal["all"] | None = 2500
    data_dir: str | None = None

    def n_classes(self) -> int:
        return 2


class FolderData(_ImageData):
    """Your own images: one sub-folder per class (like the NIH ``cell_images`` folders)."""

    loader = "images:folder"
    source: Literal["folder"]
    path: str = Field(min_length=1)

    def n_classes(self) -> None:
        return None


class CsvData(_DataBase):
    """Your own table: numeric feature columns and one label column."""

    loader = "table:table"
    source: Literal["csv"]
    path: str = Field(min_length=1)
    label_column: str = Field(min_length=1)
    task: Literal["classification", "regression"] = "classification"

    @property
    def is_regression(self) -> bool:
        return self.task == "regression"


#: Every data source, in the order the TUI offers them: the one list the rest is derived from.
DATA_MODELS: tuple[type[_DataBase], ...] = (
    LogisticData, SoftmaxData, CirclesData, XorData, GaussianData, SpiralData, MoonsData,
    RegressionData, BundledData, MalariaData, FolderData, CsvData,
)
DataSpec = Annotated[Union[DATA_MODELS], Field(discriminator="source")]  # type: ignore[valid-type]
DATA_SOURCES: tuple[str, ...] = tuple(_tags(DATA_MODELS, "source"))

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


def keras_layer_names(layers: Iterable[tuple[str, str | None]]) -> list[str]:
    """Names for ``(type, name)`` pairs as Keras gives them: a layer's own name, else ``dense``,
    ``dense_1``, ... counted over the unnamed layers of each type."""
    seen: dict[str, int] = {}
    names = []
    for kind, name in layers:
        if name:
            names.append(name)
            continue
        count = seen.get(kind, 0)
        seen[kind] = count + 1
        names.append(kind if count == 0 else f"{kind}_{count}")
    return names


LAYER_MODELS = (DenseLayer, DropoutLayer)
Layer = Annotated[Union[LAYER_MODELS], Field(discriminator="type")]  # type: ignore[valid-type]
LAYER_TYPES: tuple[str, ...] = tuple(_tags(LAYER_MODELS, "type"))


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
        return keras_layer_names((layer.type, layer.name) for layer in self.layers)


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


OPTIMIZER_MODELS = (SGD, Adam)
Optimizer = Annotated[Union[OPTIMIZER_MODELS], Field(discriminator="name")]  # type: ignore[valid-type]
OPTIMIZERS: tuple[str, ...] = tuple(_tags(OPTIMIZER_MODELS, "name"))


class EarlyStopping(_Spec):
    """Stop when ``monitor`` has not improved by ``min_delta`` for ``patience`` epochs (Keras's rule)."""

    monitor: Monitor = "val_loss"
    patience: int = Field(0, ge=0, le=10_000)
    min_delta: float = Field(0.0, ge=0.0)
    restore_best_weights: bool = False

    @property
    def mode(self) -> Literal["min", "max"]:
        return "max" if self.monitor.endswith("accuracy") else "min"


#: More devices than any one machine holds; a larger number is a typo.
MAX_DEVICES = 64


class TrainSpec(_Spec):
    engine: EngineName = "numpy"
    optimizer: Optimizer = Field(default_factory=lambda: SGD(name="sgd"))
    batch_size: Annotated[int | Literal["full"], Field(union_mode="left_to_right")] = 32
    epochs: int = Field(10, ge=1, le=100_000)
    validation_split: float = Field(0.0, ge=0.0, lt=1.0)
    shuffle: bool = True
    early_stopping: EarlyStopping | None = None
    seed: int = Field(0, ge=0, le=TRAIN_SEED_MAX)
    dtype: Literal["float32", "float64"] = "float32"
    #: Devices the Keras engine mirrors the model on (engine/devices.py): ``"all"`` is every GPU
    #: when there are several, else the one device there is; a number N is N GPUs, or N logical
    #: CPU devices on a machine without GPUs (the mirrored path, tested on a laptop).
    devices: Annotated[int | Literal["all"], Field(union_mode="left_to_right")] = "all"

    @field_validator("devices", mode="wrap")
    @classmethod
    def _positive_devices(cls, value: Any, handler: Any) -> int | str:
        if value == "all" or (isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_DEVICES):
            return handler(value)
        raise ValueError(f'must be a whole number from 1 to {MAX_DEVICES}, or "all" (every GPU)')

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
    search: SearchTable | None = None  # a random search over the fields above (engine/search_spec.py)

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


# --------------------------------------------------------------------------------------------
# Validation: the schema, then the rules across fields (each in its own module)

#: Values that name a tagged union's member; pydantic puts them in an error's location.
_TAGS = frozenset(DATA_SOURCES) | frozenset(LAYER_TYPES) | frozenset(OPTIMIZERS)


def validate_preset(raw: dict[str, Any]) -> Preset:
    """A plain dict in, a valid :class:`Preset` out, or :class:`SpecError` naming each bad field."""
    try:
        preset = Preset.model_validate(raw)
    except ValidationError as exc:
        raise SpecError(problems_from(exc, _TAGS)) from None
    problems = combination_problems(preset)
    if problems:
        raise SpecError(problems)
    return preset
