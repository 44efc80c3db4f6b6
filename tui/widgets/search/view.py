"""The Search view: run the preset's random search, watch the leaderboard fill, apply the winner.

``f`` starts the search of the current spec's ``[search]`` table in a thread worker (Optuna is
imported there, never at start-up) and ``f`` again stops it within one batch, keeping the trials
that finished. The worker relays the engine's search events as :class:`SearchView.Update` messages;
the view draws what they carry: the ranked trials (the engine ranks them) and the best value after
each trial (the engine keeps it). ``a`` applies the best trial to the draft by posting the same
:class:`~nnplay.tui.messages.FieldEdited` messages a panel posts when the user types, so the draft
validates each edit and the panels mark any field the engine complains about.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Static
from textual.worker import Worker, WorkerState, get_current_worker
from textual_plotext import PlotextPlot

from nnplay.engine.errors import NnplayError
from nnplay.engine.search_spec import param_edits
from nnplay.tui.messages import FieldEdited
from nnplay.tui.render_search import format_value, leaderboard_table, param_label

if TYPE_CHECKING:
    from nnplay.engine.search import SearchEvent, SearchResult, TrialResult
    from nnplay.engine.spec import Preset
    from nnplay.tui.draft import Draft

EPOCH_UPDATES_PER_SECOND = 5
WIDE = 56  # columns from which the leaderboard has room for the test accuracy
IDLE = ("f runs the preset's random search (its [search] table: presets 13 and 14 have one); "
        "f again stops it; a applies the best trial to the panels.")


class SearchCurve(PlotextPlot):
    """Each finished trial's value (dots) and the best value so far (a line), by trial."""

    def on_mount(self) -> None:
        super().on_mount()
        self.show([], [], "")

    def show(self, values: list[float | None], best: list[float | None], objective: str) -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        xs = [i for i, v in enumerate(values) if v is not None]  # Optuna's trial numbers, from 0
        if not xs:
            plt.title("best so far (search to draw it)")
        else:
            # The line first, so that a trial lying on it still shows as a dot.
            bx = [i for i, v in enumerate(best) if v is not None]
            by = [v for v in best if v is not None]
            plt.plot(bx, by, marker="braille", color="green")
            plt.scatter(xs, [v for v in values if v is not None], marker="●", color="cyan")
            plt.title(f"{objective}: each trial ●, best so far ─ ({by[-1]:.4f})")
            plt.xticks(list(range(len(values))))
        plt.xlabel("trial #")
        self.refresh()


class SearchView(Vertical):
    @dataclass
    class Update(Message):
        """One event of the search, from the worker. A newer epoch report replaces a queued one."""

        event: SearchEvent

        def can_replace(self, message: Message) -> bool:
            from nnplay.engine.search import TrialEpoch  # loaded by the worker already

            return isinstance(message, SearchView.Update) and isinstance(message.event, TrialEpoch) \
                and isinstance(self.event, TrialEpoch)

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.preset: Preset | None = None  # the preset being (or last) searched
        self.result: SearchResult | None = None
        self.best: TrialResult | None = None
        self.board: tuple[TrialResult, ...] = ()
        self.running = False
        self._worker: Worker | None = None
        self._values: list[float | None] = []
        self._best_values: list[float | None] = []
        self._total = 0

    def compose(self) -> ComposeResult:
        yield Static(Text(IDLE, style="dim"), id="search-status")
        with VerticalScroll(id="search-board-box"):
            yield Static("", id="search-board")
        yield SearchCurve(id="search-curve")

    # ----------------------------------------------------------------------------------------
    # Start, stop, apply

    def toggle(self, draft: Draft) -> None:
        """Start a search of the draft's preset, or stop the one running."""
        if self.running:
            self.stop()
            return
        if not draft.valid:
            self.app.notify(f"Fix the spec first: {draft.problems[0]}", severity="warning", markup=False)
            return
        preset = draft.preset
        if preset.search is None:
            self.app.notify("This preset has no [search] table: open preset 13 or 14, or add one to a preset file "
                            "(README.md shows how).", title="Nothing to search", severity="warning", timeout=8,
                            markup=False)  # "[search]" is text, not markup
            return
        self.preset, self.result, self.best, self.board = preset, None, None, ()
        self._values, self._best_values, self._total = [], [], preset.search.trials
        self.running = True
        self._status(Text(f"loading the data of {preset.preset.title}…"))
        self._draw_board()
        self.query_one(SearchCurve).show([], [], preset.search.objective)
        self._worker = self._search(preset)

    def stop(self) -> None:
        if self._worker is not None:
            self._worker.cancel()  # sets the worker's cancelled_event, the search's cancel flag
            self._status(Text("stopping after this batch…", style="yellow"))

    def apply_best(self, draft: Draft) -> bool:
        """Post the best trial's values as field edits of the draft; False when there is none yet."""
        if self.best is None or self.preset is None:
            self.app.notify("No finished trial yet: press f to search first.", severity="warning", markup=False)
            return False
        if draft.preset.search != self.preset.search:  # another preset was loaded since
            self.app.notify("The search ran on another preset; press f to search this one.", severity="warning",
                            markup=False)
            return False
        for path, value in param_edits(draft.raw, self.best.params):
            self.post_message(FieldEdited(path, value, structural=path == "model.layers"))
        found = ", ".join(f"{param_label(k)} {format_value(v)}" for k, v in self.best.params.items())
        self.app.notify(found, title=f"Applied trial {self.best.number}", markup=False)
        return True

    # ----------------------------------------------------------------------------------------
    # The worker

    @work(thread=True, exclusive=True, exit_on_error=False, group="search", description="search")
    def _search(self, preset: Preset) -> None:
        from nnplay.engine.run import prepare
        from nnplay.engine.search import TrialEpoch, run_search

        worker = get_current_worker()
        last = 0.0

        def relay(event: SearchEvent) -> None:
            nonlocal last
            if isinstance(event, TrialEpoch):  # many a second on a small set: send a few
                now = time.monotonic()
                if now - last < 1 / EPOCH_UPDATES_PER_SECOND:
                    return
                last = now
            self.post_message(self.Update(event))

        run_search(prepare(preset), on_event=relay, cancel=worker.cancelled_event)

    @on(Update)
    def _update(self, message: Update) -> None:
        from nnplay.engine.search import SearchBegin, SearchEnd, TrialBegin, TrialEnd, TrialEpoch

        message.stop()
        event = message.event
        if isinstance(event, SearchBegin):
            self._total = event.trials
            self._status(Text(f"{event.trials} trials, {event.engine} engine, {event.direction} {event.objective}"))
        elif isinstance(event, TrialBegin):
            drawn = "  ".join(f"{param_label(k)} {format_value(v)}" for k, v in event.params.items())
            self._status(Text.assemble((f"trial #{event.number} ({event.number + 1} of {event.trials}): ", "bold"),
                                       drawn, self._best_text()))
        elif isinstance(event, TrialEpoch):
            value = "" if event.value is None else f"  {event.value:.4f}"
            self._status(Text.assemble((f"trial #{event.number} ({event.number + 1} of {self._total}) ", "bold"),
                                       f"epoch {event.epoch + 1}/{event.epochs}{value}", self._best_text()))
        elif isinstance(event, TrialEnd):
            self.best, self.board = event.best, event.leaderboard
            self._values.append(event.result.value if event.result.status == "complete" else None)
            self._best_values.append(None if event.best is None else event.best.value)
            self._draw_board()
            self.query_one(SearchCurve).show(self._values, self._best_values, self.preset.search.objective)  # type: ignore[union-attr]
        elif isinstance(event, SearchEnd):
            self._finish(event.result)

    def _finish(self, result: SearchResult) -> None:
        self.result, self.running, self._worker = result, False, None
        ended = "stopped" if result.cancelled else "done"
        hint = "a applies the best" if result.best is not None else "no trial completed"
        text = Text.assemble((f"{ended}: {len(result.trials)} trials in {result.seconds:.1f} s; ", "bold"), (hint, "dim"),
                             self._best_text())
        self._status(text)

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "search" or event.state != WorkerState.ERROR:
            return
        event.stop()
        error = event.worker.error
        message = error.one_line() if isinstance(error, NnplayError) else f"{type(error).__name__}: {error}"
        self.running, self._worker = False, None
        self._status(Text(f"search failed: {message}", style="red"))
        self.app.notify(message, title="Search failed", severity="error", timeout=8, markup=False)

    # ----------------------------------------------------------------------------------------
    # Drawing

    def _best_text(self) -> Text:
        """A second line with the best trial so far (none before the first trial ends)."""
        if self.best is None or self.best.value is None:
            return Text("")
        return Text(f"\nbest {self.best.value:.4f} (trial #{self.best.number})", style="green")

    def on_resize(self) -> None:
        self._draw_board()

    def _status(self, text: Text) -> None:
        self.query_one("#search-status", Static).update(text)

    def _draw_board(self) -> None:
        board = self.query_one("#search-board", Static)
        if self.preset is None or self.preset.search is None or not self.board:
            board.update("")
            return
        best = None if self.best is None else self.best.number
        board.update(leaderboard_table(list(self.board), self.preset.search.space, self.preset.search.objective,
                                       best=best, title=None, compact=True, show_test=self.size.width >= WIDE))
