"""Small builders the tests share."""

from __future__ import annotations

from pydantic import TypeAdapter

from nnplay.engine.spec import DataSpec

_DATA = TypeAdapter(DataSpec)


def data_spec(**data):
    """A validated ``[data]`` table on its own (the rules that tie it to a model do not apply)."""
    return _DATA.validate_python(data)
