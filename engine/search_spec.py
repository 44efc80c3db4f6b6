"""The ``[search]`` table of a preset: which settings a random search may change, and how far.

The lecture tunes its malaria network with scikit-learn's ``RandomizedSearchCV`` over three knobs::

    params = {'n_hidden': [0, 1, 2, 3], 'n_neurons': np.arange(1, 100), 'lrt': reciprocal(3e-4, 3e-2)}

In a preset the same search reads::

    [search]
    trials = 10
    seed = 42
    objective = "val_accuracy"

    [search.space]
    hidden_layers = { low = 0, high = 3 }
    hidden_units = { low = 1, high = 99 }
    "train.optimizer.learning_rate" = { low = 3e-4, high = 3e-2, log = true }

Each key of ``space`` is either a field of the preset by its dotted path (quoted in TOML, because
of the dots) or one of the two structural knobs: ``hidden_layers`` rebuilds the hidden stack as that
many copies of the preset's first hidden dense layer, ``hidden_units`` gives every hidden dense layer
that many units (the lecture's ``n_neurons``: one width for all). A range is ``{ low, high }``
(``log = true`` draws on a log scale, as ``reciprocal`` does) or ``{ choices = [...] }``.

The table is checked against the rest of the preset while the preset is validated: a path the preset
does not have, a bound the field itself would refuse, or an objective the run cannot report is an
error naming ``search.space.<path>.low`` (and so on), like any other field. Nothing here imports the
search library: :mod:`nnplay.engine.search` does, when a search runs.
"""

from __future__ import annotations

import copy
import math
import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError, ValidationError

from nnplay.engine.spec_paths import get_path, set_path

Objective = Literal["val_accuracy", "val_loss"]
HIDDEN_LAYERS, HIDDEN_UNITS = "hidden_layers", "hidden_units"
KNOBS = (HIDDEN_LAYERS, HIDDEN_UNITS)
Value = int | float | str | bool

# Fields a trial may not change: the data would have to be loaded or encoded again, or the trial
# would stop being the same experiment (see `path_refusal`).
_FIXED = {
    "model.loss": "the loss fixes how the labels are encoded; every trial keeps the preset's",
    "train.dtype": "every trial keeps the preset's dtype",
    "train.engine": "choose the engine with --engine; every trial uses the same one",
}
MAX_HIDDEN_LAYERS = 16
_MISSING = object()  # get_path's answer for a path the preset does not have
_GOT = re.compile(r" \(got [^()]*\)$")  # the value, which the outer message names anyway


class _Table(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Range(_Table):
    """``{ low, high, log }`` for numbers, or ``{ choices = [...] }`` for anything."""

    # int | float keeps TOML's 3 apart from 3.0; `draws_integers` decides with the field's own type.
    low: int | float | None = None
    high: int | float | None = None
    log: bool = False
    choices: tuple[Value, ...] | None = Field(None, min_length=1, max_length=100)

    @model_validator(mode="after")
    def _bounds(self) -> Range:
        if self.choices is not None:
            if self.low is not None or self.high is not None or self.log:
                raise ValueError("must give either choices or low and high, not both")
            return self
        if self.low is None or self.high is None:
            raise ValueError("must give low and high (or choices)")
        if not (math.isfinite(self.low) and math.isfinite(self.high)):
            raise ValueError("must have finite low and high")
        if self.low > self.high:
            raise ValueError(f"must have low ({self.low:g}) no greater than high ({self.high:g})")
        if self.log and self.low <= 0:
            raise ValueError(f"must have low above 0 on a log scale (low is {self.low:g})")
        return self

    def ends(self) -> dict[str, Value]:
        """The values whose validity stands for the whole range: its two ends, or every choice."""
        if self.choices is not None:
            return {f"choices[{i}]": choice for i, choice in enumerate(self.choices)}
        return {"low": self.low, "high": self.high}  # type: ignore[dict-item]


class Pruning(_Table):
    """Optuna's median rule: stop a trial whose value after an epoch is worse than the median of the
    earlier trials' values after that same epoch."""

    startup_trials: int = Field(2, ge=0, le=1000)  # trials that always run to the end first
    warmup_epochs: int = Field(1, ge=0, le=100_000)  # epochs of each trial that are never judged


class SearchSpec(_Table):
    trials: int = Field(10, ge=1, le=10_000)
    seed: int = Field(0, ge=0, le=2**31 - 1)
    objective: Objective = "val_accuracy"
    pruning: Pruning | None = None
    space: dict[str, Range] = Field(min_length=1, max_length=32)

    @field_validator("pruning", mode="before")
    @classmethod
    def _pruning_switch(cls, value: Any) -> Any:
        # `pruning = true` takes the defaults; `false` is no pruning.
        if value is True:
            return {}
        return None if value is False else value

    @property
    def direction(self) -> Literal["maximize", "minimize"]:
        return "maximize" if self.objective.endswith("accuracy") else "minimize"


# --------------------------------------------------------------------------------------------
# Paths and trials: what one set of drawn values does to a preset


def draws_integers(raw: dict[str, Any], path: str, spec: Range) -> bool:
    """Whether ``spec`` draws whole numbers at ``path``: the knobs and integer fields do, real-valued
    fields do not; a field that holds neither (``batch_size = "full"``) follows the bounds' type."""
    if path in KNOBS:
        return True
    value = get_path(raw, path)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return isinstance(spec.low, int) and isinstance(spec.high, int)
    return isinstance(value, int)


def _hidden_dense(layers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [layer for layer in layers[:-1] if layer.get("type") == "dense"]


def param_edits(raw: dict[str, Any], params: dict[str, Value]) -> list[tuple[str, Any]]:
    """One trial's values as edits ``(path, value)`` of the plain preset ``raw``: the playground applies
    them one by one, as if typed; :func:`apply_params` applies them at once.

    ``hidden_layers`` becomes one edit of ``model.layers``: the output layer, after that many copies
    of the first hidden dense layer (its activation and penalties; a plain ReLU layer when there is
    none). ``hidden_units`` sets the width of every hidden dense layer.
    """
    layers = copy.deepcopy(raw["model"]["layers"])
    if HIDDEN_LAYERS in params:
        hidden = _hidden_dense(layers)
        template = {k: v for k, v in hidden[0].items() if k != "name"} if hidden else {"type": "dense", "activation": "relu"}
        template["units"] = params.get(HIDDEN_UNITS, template.get("units", 1))
        layers = [dict(template) for _ in range(int(params[HIDDEN_LAYERS]))] + layers[-1:]
    elif HIDDEN_UNITS in params:
        for layer in _hidden_dense(layers):
            layer["units"] = params[HIDDEN_UNITS]
    edits: list[tuple[str, Any]] = [("model.layers", layers)] if any(k in params for k in KNOBS) else []
    return edits + [(path, value) for path, value in params.items() if path not in KNOBS]


def apply_params(raw: dict[str, Any], params: dict[str, Value]) -> dict[str, Any]:
    """A copy of the plain preset ``raw`` with one trial's values set, and no ``[search]`` table."""
    out = copy.deepcopy({k: v for k, v in raw.items() if k != "search"})
    for path, value in param_edits(out, params):
        set_path(out, path, value)
    return out


def path_refusal(raw: dict[str, Any], path: str, space: dict[str, Range]) -> str | None:
    """Why ``path`` cannot be searched in this preset, or ``None`` when it can."""
    if path in KNOBS:
        if HIDDEN_LAYERS not in space and not _hidden_dense(raw["model"]["layers"]):
            return "must come with hidden_layers: the preset has no hidden dense layer to widen"
        return None
    if path.startswith(("data.", "preset.", "search.")):
        return f"is part of [{path.split('.')[0]}]; a search varies only the model and its training"
    if path in _FIXED:
        return f"is fixed: {_FIXED[path]}"
    if path.startswith("model.layers") and HIDDEN_LAYERS in space:
        return "is rebuilt by hidden_layers, so it cannot be searched by position as well"
    value = get_path(raw, path, _MISSING)
    if value is _MISSING:
        return ("is not a field of this preset (name a field it sets, such as "
                "train.optimizer.learning_rate, or a knob: hidden_layers, hidden_units)")
    if isinstance(value, (dict, list)):
        return "is a table, not one setting; name one of its fields"
    return None


def _end_problem(raw: dict[str, Any], search: SearchSpec, path: str, value: Value) -> str | None:
    """Why the preset with ``path`` set to ``value`` would not validate, or ``None``."""
    from nnplay.engine.errors import SpecError
    from nnplay.engine.spec import validate_preset

    if path == HIDDEN_LAYERS and not (isinstance(value, int) and 0 <= value <= MAX_HIDDEN_LAYERS):
        return f"must be a whole number of layers within 0 .. {MAX_HIDDEN_LAYERS}"
    params: dict[str, Value] = {path: value}
    if path == HIDDEN_LAYERS and HIDDEN_UNITS in search.space:
        params[HIDDEN_UNITS] = next(iter(search.space[HIDDEN_UNITS].ends().values()))
    try:
        validate_preset(apply_params(raw, params))
    except SpecError as error:
        first = error.problems[0]
        return f"must keep the preset valid, but {first.field} {_GOT.sub('', first.message)}"
    return None


def _problems(search: SearchSpec, info: ValidationInfo) -> list[InitErrorDetails]:
    tables = ("preset", "data", "model", "train")
    if not all(key in info.data for key in tables):
        return []  # the rest of the preset is wrong already; its own errors say so
    from nnplay.engine.spec import Preset

    base = Preset.model_construct(**{key: info.data[key] for key in tables})
    raw = base.to_dict()
    problems: list[InitErrorDetails] = []

    def refuse(loc: tuple[Any, ...], message: str, value: Any) -> None:
        problems.append(InitErrorDetails(type=PydanticCustomError("search", message), loc=loc, input=value))

    if search.objective.startswith("val_") and base.train.validation_split == 0:
        refuse(("objective",), "must have validation rows to read: set train.validation_split above 0", search.objective)
    elif search.objective == "val_accuracy" and base.data.is_regression:
        refuse(("objective",), "must be 'val_loss' for a regression (it has no accuracy)", search.objective)
    for path, spec in search.space.items():
        why = path_refusal(raw, path, search.space)
        if why:
            refuse(("space", path), why, spec.model_dump(exclude_none=True))
            continue
        for where, value in spec.ends().items():
            if spec.choices is None and draws_integers(raw, path, spec):
                value = int(value)  # type: ignore[arg-type]
            why = _end_problem(raw, search, path, value)
            if why:
                refuse(("space", path, where), why, value)
                break
    return problems


def _check_against_preset(search: SearchSpec, info: ValidationInfo) -> SearchSpec:
    problems = _problems(search, info)
    if problems:
        raise ValidationError.from_exception_data("search", problems)
    return search


#: The type of :class:`~nnplay.engine.spec.Preset`'s ``search`` field. Declared after ``train``, it is
#: checked against the tables validated before it.
SearchTable = Annotated[SearchSpec, AfterValidator(_check_against_preset)]
