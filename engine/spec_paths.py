"""Dotted paths into a preset's plain dict: ``model.layers[1].units`` names one value.

The TUI edits a preset one path at a time, the CLI's flags override one path each, and validation
errors point back at a path; this module is the one place that reads and writes them.
"""

from __future__ import annotations

import re
from typing import Any

_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def split_path(path: str) -> list[str | int]:
    """``"a.b[2].c"`` -> ``["a", "b", 2, "c"]``."""
    return [int(index) if index else name for name, index in _PART.findall(path)]


def join_path(parts: tuple[Any, ...] | list[Any]) -> str:
    """``["a", "b", 2, "c"]`` -> ``"a.b[2].c"`` (the inverse of :func:`split_path`)."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def get_path(raw: Any, path: str, default: Any = None) -> Any:
    """The value at ``path`` in nested dicts and lists, or ``default`` when any step is missing."""
    node = raw
    for part in split_path(path):
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return default
    return node


def set_path(raw: dict[str, Any], path: str, value: Any) -> None:
    """Set ``path`` in nested dicts and lists, making missing tables on the way; ``None`` removes the key."""
    parts = split_path(path)
    node: Any = raw
    for part in parts[:-1]:
        node = node[part] if isinstance(part, int) else node.setdefault(part, {})
    last = parts[-1]
    if value is None and isinstance(node, dict):
        node.pop(last, None)
    else:
        node[last] = value
