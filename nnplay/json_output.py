"""What ``--json`` prints: standard JSON.

Python's ``json`` writes a NaN or an infinity as the bare words ``NaN`` and ``Infinity``, which other
JSON readers refuse; a diverged run's history holds exactly those. Here a non-finite number becomes
``null`` and ``allow_nan=False`` makes any that slipped through an error of ours, not a broken file.
What goes in (which figures, at what precision, how many classes) is the report types' business:
their ``to_json`` (see :mod:`nnplay.engine.report_json`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any


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


def print_json(value: Any) -> None:
    """``value`` on stdout as one JSON document."""
    print(dumps(value))
