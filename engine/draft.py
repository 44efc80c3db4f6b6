"""The spec being edited: what the user typed, and what the engine's validation says about it.

The session (:mod:`nnplay.engine.session`) keeps one :class:`Draft`; it knows nothing of any screen.
Every edit sets one path in a plain dict and runs the engine's own
:func:`~nnplay.engine.spec.validate_preset` over the whole of it, so two fields can be wrong at once and
each keeps its own reason. The last valid :class:`~nnplay.engine.spec.Preset` is kept beside it: that
is what a run trains (a frozen copy) and what the model summary shows.
"""

from __future__ import annotations

import copy
from typing import Any

from nnplay.engine.errors import Problem, SpecError
from nnplay.engine.spec import Preset, validate_preset
from nnplay.engine.spec_paths import get_path, set_path


class Draft:
    def __init__(self, preset: Preset) -> None:
        self.preset: Preset = preset
        self.raw: dict[str, Any] = preset.to_dict()
        self.problems: list[Problem] = []

    @property
    def valid(self) -> bool:
        return not self.problems

    def get(self, path: str, default: Any = None) -> Any:
        return get_path(self.raw, path, default)

    def set(self, path: str, value: Any) -> bool:
        """Set one value and validate everything; returns whether the spec is now valid."""
        raw = copy.deepcopy(self.raw)
        set_path(raw, path, value)
        self.raw = raw
        try:
            preset = validate_preset(raw)
        except SpecError as error:
            self.problems = error.problems
            return False
        self.preset, self.problems = preset, []
        # What the user typed is kept as typed; only the validated preset is normalised.
        return True

    def problem_at(self, path: str) -> Problem | None:
        return next((p for p in self.problems if p.field == path), None)
