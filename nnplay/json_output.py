"""What ``--json`` prints: standard JSON that stays small.

Python's ``json`` writes a NaN or an infinity as the bare words ``NaN`` and ``Infinity``, which other
JSON readers refuse; a diverged run's history holds exactly those. Here a non-finite number becomes
``null`` and ``allow_nan=False`` makes any that slipped through an error of ours, not a broken file.
A set with thousands of classes would print a confusion matrix of millions of numbers, so per-class
lists keep their first :data:`MAX_CLASSES` entries and say how many were left out.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

MAX_CLASSES = 50


def plain(value: Any) -> Any:
    """``value`` as JSON's types: NumPy scalars and arrays as Python ones, non-finite floats as ``None``."""
    if isinstance(value, Mapping):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if hasattr(value, "tolist"):  # a NumPy array or scalar
        return plain(value.tolist())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def dumps(value: Any) -> str:
    return json.dumps(plain(value), indent=2, allow_nan=False)


def capped(items: list[Any], limit: int = MAX_CLASSES) -> tuple[list[Any], int]:
    """The first ``limit`` items and how many were left out."""
    return list(items[:limit]), max(len(items) - limit, 0)


def cap_classes(out: dict[str, Any], key: str, limit: int = MAX_CLASSES) -> None:
    """Keep the first ``limit`` entries of ``out[key]``; ``out[key + "_left_out"]`` counts the rest."""
    out[key], left_out = capped(list(out[key]), limit)
    out[f"{key}_left_out"] = left_out


def cap_matrix(matrix: Any, limit: int = MAX_CLASSES) -> tuple[list[list[int]], int]:
    """The confusion matrix of the first ``limit`` classes (rows true, columns predicted) and how
    many classes were left out."""
    rows = plain(matrix)
    kept = [row[:limit] for row in rows[:limit]]
    return kept, max(len(rows) - limit, 0)
