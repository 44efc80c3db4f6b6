"""Pydantic's validation errors, worded for a person editing a preset.

Each error pydantic reports carries a machine-readable ``type`` (``greater_than``, ``missing``, ...)
and its ``ctx`` (the bound, the allowed values, ...). The message is built from those two, never
from pydantic's English sentence, so a change in pydantic's wording cannot change ours. Every
problem reads ``field.path: message (got value)``, one line, the value cut to a readable length.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from pydantic import ValidationError

from nnplay.engine.errors import Problem
from nnplay.engine.spec_paths import join_path

#: The longest shown value; a longer one is cut and ends in "...".
SHOWN_CHARS = 60


def shown(value: Any, limit: int = SHOWN_CHARS) -> str:
    """``repr(value)`` on one line, at most ``limit`` characters."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _count(n: Any, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _text_length(ctx: dict[str, Any]) -> str:
    n = ctx["min_length"]
    return "must not be empty" if n == 1 else f"must have at least {_count(n, 'character')}"


#: error type -> the message, built from the error's ctx.
MESSAGES: dict[str, Callable[[dict[str, Any]], str]] = {
    "missing": lambda ctx: "is required",
    "extra_forbidden": lambda ctx: "unknown key (check its spelling against the preset format in README.md)",
    "greater_than": lambda ctx: f"must be greater than {ctx['gt']}",
    "greater_than_equal": lambda ctx: f"must be at least {ctx['ge']}",
    "less_than": lambda ctx: f"must be less than {ctx['lt']}",
    "less_than_equal": lambda ctx: f"must be at most {ctx['le']}",
    "multiple_of": lambda ctx: f"must be a multiple of {ctx['multiple_of']}",
    "finite_number": lambda ctx: "must be a finite number (not nan or inf)",
    "int_type": lambda ctx: "must be a whole number",
    "int_parsing": lambda ctx: "must be a whole number",
    "int_from_float": lambda ctx: "must be a whole number",
    "int_parsing_size": lambda ctx: "must be a whole number of a sensible size",
    "float_type": lambda ctx: "must be a number",
    "float_parsing": lambda ctx: "must be a number",
    "bool_type": lambda ctx: "must be true or false",
    "bool_parsing": lambda ctx: "must be true or false",
    "string_type": lambda ctx: "must be text",
    "string_too_short": _text_length,
    "string_too_long": lambda ctx: f"must have at most {_count(ctx['max_length'], 'character')}",
    "string_pattern_mismatch": lambda ctx: f"must match the pattern {ctx['pattern']}",
    "too_short": lambda ctx: f"must have at least {_count(ctx['min_length'], 'item')}",
    "too_long": lambda ctx: f"must have at most {_count(ctx['max_length'], 'item')}",
    "tuple_type": lambda ctx: "must be a list",
    "list_type": lambda ctx: "must be a list",
    "model_type": lambda ctx: "must be a table",
    "model_attributes_type": lambda ctx: "must be a table",
    "dict_type": lambda ctx: "must be a table",
    "literal_error": lambda ctx: f"unknown value; choose one of {ctx['expected']}",
    "union_tag_invalid": lambda ctx: f"unknown value; choose one of {ctx['expected_tags']}",
    "union_tag_not_found": lambda ctx: f"is required (one of {ctx['discriminator']})",
    # Our own validators raise ValueError with a message that is already ours.
    "value_error": lambda ctx: str(ctx["error"]),
    "assertion_error": lambda ctx: str(ctx["error"]),
}

#: Types whose message says all there is: no "(got ...)".
_NO_VALUE = frozenset({"missing", "extra_forbidden", "union_tag_not_found"})


def message_for(error: dict[str, Any]) -> str:
    """One error's message, from its ``type`` and ``ctx``, with the value it got."""
    kind, ctx = error["type"], error.get("ctx") or {}
    build = MESSAGES.get(kind)
    # An error type this table does not know yet: pydantic's own sentence is the honest fallback.
    message = build(ctx) if build is not None else str(error["msg"])
    value = ctx.get("tag", error.get("input")) if kind == "union_tag_invalid" else error.get("input")
    if kind in _NO_VALUE or isinstance(value, dict):
        return message
    return f"{message} (got {shown(value)})"


def field_of(error: dict[str, Any], tags: Iterable[str] = ()) -> str:
    """The dotted field an error is about, without the tags pydantic puts in a tagged union's location
    (``('model', 'layers', 1, 'dense', 'units')`` -> ``model.layers[1].units``)."""
    tags = frozenset(tags)
    loc = [part for part in error["loc"] if isinstance(part, int) or part not in tags]
    if error["type"] in ("union_tag_invalid", "union_tag_not_found"):
        loc.append(str((error.get("ctx") or {}).get("discriminator", "")).strip("'"))
    return join_path(loc)


def problems_from(error: ValidationError, tags: Iterable[str] = ()) -> list[Problem]:
    """One :class:`Problem` per field; a container's own complaint adds nothing to its items' ones.

    ``tags`` are the values that tell a tagged union's members apart (``"dense"``, ``"iris"``, ...).
    """
    tags = frozenset(tags)
    seen: set[str] = set()
    problems = []
    for item in error.errors(include_url=False):
        field = field_of(item, tags)
        if field in seen or any(f.startswith((f"{field}.", f"{field}[")) for f in seen):
            continue
        seen.add(field)
        problems.append(Problem(field, message_for(item)))
    return problems
