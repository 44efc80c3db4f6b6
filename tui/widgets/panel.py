"""The base of every editing panel: it draws one :class:`~nnplay.engine.draft.Draft` and redraws on a new one."""

from __future__ import annotations

from typing import Any

from textual import events
from textual.containers import VerticalScroll
from textual.widgets import Button, Checkbox, Select

from nnplay.engine.draft import Draft
from nnplay.tui.widgets.fields import FieldInput

#: In MOVE mode the arrow keys walk the panel's fields like tab / shift+tab.
FOCUS_STEPS = {"up": -1, "left": -1, "down": 1, "right": 1}


class DraftPanel(VerticalScroll, can_focus=False):
    """A scrolling panel composed from the current draft of the spec. Not a stop of its own for tab:
    the first tab from the panel's tabs lands on its first field (focus scrolls the panel)."""

    def __init__(self, draft: Draft, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.draft = draft

    async def show(self, draft: Draft) -> None:
        """Rebuild the panel's fields from ``draft`` (after a preset load or a structural edit)."""
        self.draft = draft
        await self.recompose()

    def on_key(self, event: events.Key) -> None:
        # A key bubbles here before any binding is tried, so the arrows move between fields instead of
        # scrolling the panel or opening a Select; an edited field and an open Select keep theirs.
        step = FOCUS_STEPS.get(event.key)
        focused = self.screen.focused
        if step is None or not isinstance(focused, (FieldInput, Select, Checkbox, Button)):
            return
        if isinstance(focused, FieldInput) and focused.editing:
            return
        event.stop()
        event.prevent_default()
        self.screen.focus_next() if step > 0 else self.screen.focus_previous()
