"""Small builders the tests share."""

from __future__ import annotations

from pydantic import TypeAdapter, ValidationError

from nnplay.engine.errors import Problem, SpecError
from nnplay.engine.spec import DATA_SOURCES, DataSpec
from nnplay.engine.spec_errors import problems_from

_DATA = TypeAdapter(DataSpec)


def data_spec(**data):
    """A validated ``[data]`` table on its own (the rules that tie it to a model do not apply).

    Its problems come out as the CLI words them, under ``data.``, as :class:`SpecError`."""
    try:
        return _DATA.validate_python(data)
    except ValidationError as exc:
        problems = problems_from(exc, DATA_SOURCES)
        raise SpecError([Problem(f"data.{p.field}", p.message) for p in problems]) from None
