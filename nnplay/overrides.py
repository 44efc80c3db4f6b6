"""Flags that override a preset's fields (``--engine``, ``--epochs``, ``--seed``, ``--devices``), worded by the flag."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the spec loads pydantic: a command pays for it when it runs, not at start-up
    from nnplay.engine.spec import Preset

#: flag (its argparse dest) -> the preset field it overrides
FIELDS = {"engine": "train.engine", "epochs": "train.epochs", "seed": "train.seed", "devices": "train.devices"}


def device_count(text: str) -> int | str:
    """``--devices``: ``all`` or a whole number; the preset's rules judge the number (argparse
    turns a ValueError into its one-line error)."""
    return text if text == "all" else int(text)


device_count.__name__ = "device count"  # argparse names the type: "invalid device count value: 'x'"


def with_overrides(preset: Preset, args: argparse.Namespace) -> Preset:
    """``preset`` with the value of every override flag the command has and the user gave."""
    from nnplay.engine.errors import Problem, SpecError

    for flag, path in FIELDS.items():
        value = getattr(args, flag, None)
        if value is None:
            continue
        try:
            preset = preset.with_changes(path, value)
        except SpecError as exc:  # name the flag the user typed, not the preset field
            raise SpecError([Problem(f"--{flag}", p.message) for p in exc.problems]) from None
    return preset


def load_with_overrides(ref: str, args: argparse.Namespace) -> Preset:
    from nnplay.engine.presets import load_preset

    return with_overrides(load_preset(ref), args)
