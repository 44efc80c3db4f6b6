"""Errors a user can act on.

Every error that bad input can cause is an :class:`NnplayError`: it names the field (or file) and
says what is wrong with the value in one line. The CLI prints it as
``nnplay: error: <field>: <message>`` and exits with code 2; the TUI shows it beside the field.
"""

from __future__ import annotations

from dataclasses import dataclass

#: The longest error line nnplay prints; a pasted megabyte of TOML is not echoed back.
LINE_LIMIT = 300


def clip(text: str, limit: int = 80) -> str:
    """``text`` on one line, at most ``limit`` characters: a long one keeps its start and its end
    (a path's file name, a value's last digits) around an ellipsis."""
    flat = " ".join(line.strip() for line in str(text).splitlines())
    if len(flat) <= limit:
        return flat
    head = (limit - 1) // 2
    return f"{flat[:head]}…{flat[len(flat) - (limit - 1 - head):]}"


@dataclass(frozen=True)
class Problem:
    """One defect in user input: where it is and what is wrong with it."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


class NnplayError(Exception):
    """Base class of every error caused by what the user asked for (exit code 2)."""

    exit_code = 2

    def __init__(self, problems: Problem | list[Problem] | str, field: str = "") -> None:
        if isinstance(problems, str):
            problems = [Problem(field, problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        super().__init__(self.one_line())

    def one_line(self) -> str:
        first = str(self.problems[0]) if self.problems else "invalid input"
        more = len(self.problems) - 1
        tail = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
        return clip(first, LINE_LIMIT - len(tail)) + tail


class SpecError(NnplayError):
    """A preset (or an edit to one) is not a valid playground run."""


class DataError(NnplayError):
    """A data source could not be loaded or does not fit the model."""


class ExportError(NnplayError):
    """A model could not be written to or read from a file."""


class DeviceError(NnplayError):
    """``train.devices`` asks for devices this machine or this process cannot give."""
