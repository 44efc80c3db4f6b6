"""Feature inputs: what a two-feature data set feeds the network, as TensorFlow Playground offers.

A 2-D source gives two columns, x1 and x2. ``[data] inputs`` picks the columns the network sees,
computed from those two::

    inputs = ["x1", "x2", "x1^2", "x2^2"]   # x1, x2, x1 squared, x2 squared

The names are ``x1``, ``x2``, ``x1^2``, ``x2^2``, ``x1*x2``, ``sin(x1)`` and ``sin(x2)``. With
``x1^2`` and ``x2^2`` a single sigmoid unit solves the circles, because the boundary
``w1 x1^2 + w2 x2^2 + b = 0`` is itself a circle. The same function maps the data's rows and the
points of the boundary view's grid, so the pictures show what the network was trained on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Literal, get_args

import numpy as np
from pydantic import AfterValidator

from nnplay.engine.errors import Problem

InputName = Literal["x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)"]
INPUT_NAMES: tuple[str, ...] = get_args(InputName)

#: Each input as a function of the two source columns.
_COLUMNS: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "x1": lambda x1, x2: x1,
    "x2": lambda x1, x2: x2,
    "x1^2": lambda x1, x2: x1 * x1,
    "x2^2": lambda x1, x2: x2 * x2,
    "x1*x2": lambda x1, x2: x1 * x2,
    "sin(x1)": lambda x1, x2: np.sin(x1),
    "sin(x2)": lambda x1, x2: np.sin(x2),
}


def _distinct(names: tuple[str, ...]) -> tuple[str, ...]:
    if not names:
        raise ValueError("must name at least one input (or leave inputs out for the source's own columns)")
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ValueError(f"must list each input once ({', '.join(repeated)} repeated)")
    return names


#: The ``[data] inputs`` field: known names, each once, at least one (``None``: the source's columns).
FeatureInputs = (
    Annotated[tuple[InputName, ...], AfterValidator(_distinct)]
    | None
)


def expand(x: np.ndarray, inputs: tuple[str, ...] | None) -> np.ndarray:
    """The network's input columns for rows ``x`` of the two source features (``x`` itself when
    ``inputs`` is ``None``). Keeps ``x``'s dtype."""
    if inputs is None:
        return x
    if x.shape[1] != 2:
        raise ValueError(f"feature inputs need two source columns, got {x.shape[1]}")
    x1, x2 = x[:, 0], x[:, 1]
    return np.stack([_COLUMNS[name](x1, x2) for name in inputs], axis=1).astype(x.dtype, copy=False)


def input_width(inputs: tuple[str, ...] | None, source_width: int | None) -> int | None:
    """How many columns the network sees."""
    return source_width if inputs is None else len(inputs)


def width_problems(source: str, width: int) -> list[Problem]:
    """The rule: feature inputs need a source with two features."""
    if width == 2:
        return []
    return [Problem("data.inputs", f"feature inputs need a source with two features; {source!r} has {width}")]


def input_problems(data) -> list[Problem]:
    """The rule at the spec, when the spec knows the source's width (a CSV is checked when it is
    read, see :func:`check_source_width`)."""
    width = data.n_features()
    if getattr(data, "inputs", None) is None or width is None:
        return []
    return width_problems(data.source, width)


def check_source_width(source: str, width: int) -> None:
    """Raise :class:`DataError` when a loaded source cannot take feature inputs."""
    if problems := width_problems(source, width):
        from nnplay.engine.errors import DataError

        raise DataError(problems)
