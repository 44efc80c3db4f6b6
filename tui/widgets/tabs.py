"""Tabs that fit: full titles where they fit, the short ones on a narrow screen, never a word cut."""

from __future__ import annotations

from typing import Any

from textual.css.query import NoMatches
from textual.widgets import TabbedContent

UNSEEN_MARK = " •"  # after a title: something new waits in that tab (a run's results)


class FittedTabs(TabbedContent):
    """A :class:`TabbedContent` whose titles shorten (``short``: pane id -> title) when the full ones do
    not fit its width, and which can mark a tab as holding something not seen yet."""

    def __init__(self, *args: Any, titles: tuple[tuple[str, str, str], ...], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.titles = {pane_id: (title, short) for pane_id, title, short in titles}
        self.unseen: set[str] = set()

    def on_mount(self) -> None:
        self.watch(self, "active", self._seen, init=False)

    def on_resize(self) -> None:
        self._relabel()

    def mark_unseen(self, pane_id: str) -> None:
        if pane_id != self.active:
            self.unseen.add(pane_id)
            self._relabel()

    def _seen(self, active: str) -> None:
        if active in self.unseen:
            self.unseen.discard(active)
            self._relabel()

    def _relabel(self) -> None:
        if not self.is_mounted or not self.titles:
            return
        marks = len(UNSEEN_MARK) * len(self.unseen)
        width = self.size.width

        def needed(index: int, padding: int) -> int:
            return sum(len(titles[index]) + padding for titles in self.titles.values()) + marks

        # Full titles two spaces apart, then one space apart, then the short titles one space apart.
        tight = needed(0, 2) > width
        short = tight and needed(0, 1) > width
        self.set_class(tight, "-tight")  # app.tcss: one space between titles instead of two
        for pane_id, (title, abbreviation) in self.titles.items():
            label = (abbreviation if short else title) + (UNSEEN_MARK if pane_id in self.unseen else "")
            try:
                tab = self.get_tab(pane_id)
            except NoMatches:  # a pane the app did not compose
                continue
            if str(tab.label) != label:
                tab.label = label
