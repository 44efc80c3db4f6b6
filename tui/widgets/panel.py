"""The base of every editing panel: it draws one :class:`~nnplay.engine.draft.Draft` and redraws on a new one."""

from __future__ import annotations

from typing import Any

from textual.containers import VerticalScroll

from nnplay.engine.draft import Draft


class DraftPanel(VerticalScroll):
    """A scrolling panel composed from the current draft of the spec."""

    def __init__(self, draft: Draft, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.draft = draft

    async def show(self, draft: Draft) -> None:
        """Rebuild the panel's fields from ``draft`` (after a preset load or a structural edit)."""
        self.draft = draft
        await self.recompose()
