"""Choosing a bundled preset: a modal list by title, and the same list in the command palette."""

from __future__ import annotations

from functools import partial

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from nnplay.engine.presets import PresetEntry, bundled_presets


class PresetPicker(ModalScreen[str | None]):
    """Dismissed with the chosen preset's id, or ``None``."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Close")]

    def __init__(self, entries: list[PresetEntry] | None = None, current: str | None = None) -> None:
        super().__init__()
        self.entries = entries if entries is not None else bundled_presets()
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="picker", classes="dialog"):
            yield Label("Load a preset (enter to load, esc to close)", classes="dialog-title")
            options = [Option(f"{e.id[:2]}  {e.title}", id=e.id) for e in self.entries]
            yield OptionList(*options, id="preset-list")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        ids = [e.id for e in self.entries]
        if self.current in ids:
            options.highlighted = ids.index(self.current)
        options.focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)


class PresetCommands(Provider):
    """``Load preset: <title>`` for every bundled preset."""

    async def _entries(self) -> list[PresetEntry]:
        return bundled_presets()

    def _load(self, preset_id: str) -> None:
        self.app.call_later(self.app.load_preset_ref, preset_id)  # type: ignore[attr-defined]

    async def discover(self) -> Hits:
        for entry in await self._entries():
            yield DiscoveryHit(f"Load preset: {entry.title}", partial(self._load, entry.id), help=entry.id)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for entry in await self._entries():
            text = f"Load preset: {entry.title}"
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), partial(self._load, entry.id), help=entry.id)
