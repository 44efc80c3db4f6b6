"""The Notes tab: the preset's notes as Markdown.

Textual's Markdown widget (markdown-it and pygments behind it) is imported, and the notes parsed,
when the tab is first shown or a moment after the first screen, whichever comes first: the tab
starts hidden, so the first screen does not wait for it.
"""

from __future__ import annotations

from textual.containers import VerticalScroll

LOAD_AFTER = 1.0  # seconds after mounting: the Markdown is built then if the tab was not shown yet


class NotesView(VerticalScroll):
    def __init__(self, source: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.source = source
        self._markdown = None

    def on_mount(self) -> None:
        self.set_timer(LOAD_AFTER, self._build)

    def on_show(self) -> None:
        self._build()

    def _build(self) -> None:
        if self._markdown is None:
            from textual.widgets import Markdown

            self._markdown = Markdown(self.source)
            self.mount(self._markdown)

    async def show_notes(self, source: str) -> None:
        self.source = source
        if self._markdown is not None:
            await self._markdown.update(source)
