"""What a report's ``to_json`` holds: figures at the precision the run computed them, lists kept short.

Every report type builds its own JSON (a run, a run record, a search, an opened model, a data
summary); the rules they share live here:

- **Precision.** A float32 run computes its losses, accuracies and weights as float32; widened to a
  Python float, 0.82 reads ``0.8199999928474426``. :func:`figure` writes a float32 figure as the
  shortest decimal that is the same float32 (``0.82``), the number the text output shows; a float64
  figure stays as it is. A non-finite figure (a diverged loss) is ``None``: JSON has no NaN.
- **Size.** A set with thousands of classes would print a confusion matrix of millions of numbers,
  so per-class lists keep their first :data:`MAX_CLASSES` entries and say how many were left out.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

MAX_CLASSES = 50


def finite_or_none(value: float | None) -> float | None:
    """``value``, or ``None`` for a missing or non-finite one (JSON has no NaN or infinity)."""
    return value if value is not None and math.isfinite(value) else None


def figure(value: float | None, dtype: str) -> float | None:
    """A reported number: ``None`` when missing or non-finite; a float32 one as float32's shortest decimal."""
    value = finite_or_none(value if value is None else float(value))
    if value is None or dtype != "float32":
        return value
    return float(str(np.float32(value)))  # NumPy prints a float32 as the shortest decimal that reads back the same


def figures(value: Any, dtype: str) -> Any:
    """:func:`figure` through a tree of mappings, lists and arrays (a history, a weight matrix)."""
    if isinstance(value, Mapping):
        return {key: figures(item, dtype) for key, item in value.items()}
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, list | tuple):
        return [figures(item, dtype) for item in value]
    if isinstance(value, bool | int | np.integer) or value is None:
        return value
    return figure(value, dtype)


def capped(items: list[Any], limit: int = MAX_CLASSES) -> tuple[list[Any], int]:
    """The first ``limit`` items and how many were left out."""
    return list(items[:limit]), max(len(items) - limit, 0)


def cap_classes(out: dict[str, Any], key: str, limit: int = MAX_CLASSES) -> None:
    """Keep the first ``limit`` entries of ``out[key]``; ``out[key + "_left_out"]`` counts the rest."""
    out[key], left_out = capped(list(out[key]), limit)
    out[f"{key}_left_out"] = left_out


def cap_matrix(matrix: Any, limit: int = MAX_CLASSES) -> list[list[int]]:
    """The confusion matrix of the first ``limit`` classes (rows true, columns predicted)."""
    rows = np.asarray(matrix).tolist()
    return [row[:limit] for row in rows[:limit]]


def add_classes(out: dict[str, Any], key: str, class_names: tuple[str, ...] | None, confusion: Any) -> None:
    """The class names under ``key`` and the confusion matrix over them, both capped."""
    if class_names:
        out[key] = list(class_names)
        cap_classes(out, key)
    if confusion is not None:  # over the same classes as out[key]
        out["confusion_matrix"] = cap_matrix(confusion)
