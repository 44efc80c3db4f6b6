"""Pydantic's validation errors, worded for a person editing a preset.

Each error pydantic reports carries a machine-readable ``type`` (``greater_than``, ``missing``, ...)
and its ``ctx`` (the bound, the allowed values, ...). The message is built from those two, never
from pydantic's English sentence, so a change in pydantic's wording cannot change ours. Every
problem reads ``field.path: message (got value)``, one line, the value cut to a readable length.
"""

from __future__ import annotations

from collections.abc import Iterable
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


#: error type -> the message, a template filled from the error's ctx (``{gt}``, ``{expected}``...).
MESSAGES: dict[str, str] = {
    "missing": "is required",
    "extra_forbidden": "unknown key (check its spelling against the preset format in README.md)",
    "greater_than": "must be greater than {gt}",
    "greater_than_equal": "must be at least {ge}",
    "less_than": "must be less than {lt}",
    "less_than_equal": "must be at most {le}",
    "multiple_of": "must be a multiple of {multiple_of}",
    "finite_number": "must be a finite number (not nan or inf)",
    **dict.fromkeys(("int_type", "int_parsing", "int_from_float", "int_parsing_size"), "must be a whole number"),
    **dict.fromkeys(("float_type", "float_parsing"), "must be a number"),
    **dict.fromkeys(("bool_type", "bool_parsing"), "must be true or false"),
    "string_type": "must be text",
    "string_too_short": "must have at least {min_length} characters",
    "string_too_long": "must have at most {max_length} characters",
    "string_pattern_mismatch": "must match the pattern {pattern}",
    "too_short": "must have at least {min_length} items",
    "too_long": "must have at most {max_length} items",
    **dict.fromkeys(("tuple_type", "list_type"), "must be a list"),
    **dict.fromkeys(("model_type", "model_attributes_type", "dict_type"), "must be a table"),
    "literal_error": "unknown value; choose one of {expected}",
    "union_tag_invalid": "unknown value; choose one of {expected_tags}",
    "union_tag_not_found": "is required",
    # Our own validators raise ValueError with a message that is already ours.
    **dict.fromkeys(("value_error", "assertion_error"), "{error}"),
}

#: Where a bound of one reads better in words.
_ONE = {
    ("string_too_short", 1): "must not be empty",
    ("too_short", 1): "must have at least one item",
    ("string_too_long", 1): "must have at most one character",
    ("too_long", 1): "must have at most one item",
}


#: Types whose message says all there is: no "(got ...)".
_NO_VALUE = frozenset({"missing", "extra_forbidden", "union_tag_not_found"})


def message_for(error: dict[str, Any]) -> str:
    """One error's message, from its ``type`` and ``ctx``, with the value it got."""
    kind, ctx = error["type"], error.get("ctx") or {}
    template = MESSAGES.get(kind)
    bound = ctx.get("min_length", ctx.get("max_length"))
    try:
        message = _ONE.get((kind, bound)) or template.format(**ctx)
    except (AttributeError, KeyError, IndexError):
        # An error type (or context) this table does not know: pydantic's own sentence is the
        # honest fallback.
        message = str(error["msg"])
    value = ctx.get("tag", error.get("input")) if kind == "union_tag_invalid" else error.get("input")
    if kind in _NO_VALUE or isinstance(value, dict):
        return message
    return f"{message} (got {shown(value)})"


def field_path(loc: Iterable[Any], tags: Iterable[str] = ()) -> str:
    """A pydantic location as the dotted field the user wrote, without the tags pydantic puts in a
    tagged union's location (``('model', 'layers', 1, 'dense', 'units')`` -> ``model.layers[1].units``)."""
    tags, loc = frozenset(tags), list(loc)
    # A tag is never the last part: there it is a key the user wrote (`iris = 1` under [data]).
    return join_path([part for i, part in enumerate(loc) if isinstance(part, int) or part not in tags or i == len(loc) - 1])


def field_of(error: dict[str, Any], tags: Iterable[str] = ()) -> str:
    """The dotted field an error is about; a missing or unknown tag names the tag's own key."""
    loc = list(error["loc"])
    if error["type"] in ("union_tag_invalid", "union_tag_not_found"):
        loc.append(str((error.get("ctx") or {}).get("discriminator", "")).strip("'"))
    return field_path(loc, tags)


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
