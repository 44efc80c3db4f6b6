"""The Search view: run the preset's random search, watch the leaderboard fill, apply the winner.

``f`` starts the search of the current spec's ``[search]`` table in a thread worker (Optuna is
imported there, never at start-up) and ``f`` again stops it within one batch, keeping the trials
that finished. The worker relays the engine's search events as :class:`SearchView.Update` messages;
the view draws what they carry: the ranked trials (the engine ranks them) and the best value after
each trial (the engine keeps it). ``a`` applies the best trial to the draft by posting the same
:class:`~nnplay.tui.messages.FieldEdited` messages a panel posts when the user types, so the draft
validates each edit and the panels mark any field the engine complains about.

With ``nnplay play --storage WHERE`` the search joins a shared study (the session's ``study``): the
leaderboard and the curve are the whole study's, every worker's trials, refreshed after each trial
of this one and, while one trains, each time the engine reads the study back (``StudyProgress``).
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
from textual.worker import Worker, get_current_worker

from nnplay.engine.callbacks import SearchCallback, SearchCallbackList
from nnplay.engine.search_spec import param_edits
from nnplay.tui.messages import FieldEdited
from nnplay.tui.render_search import format_value, leaderboard_table, param_label
from nnplay.tui.widgets.lazy_plot import mounted_plot

if TYPE_CHECKING:
    from nnplay.engine.draft import Draft
    from nnplay.engine.search import (
        SearchBegin,
        SearchEvent,
        SearchResult,
        StudyProgress,
        TrialBegin,
        TrialEnd,
        TrialEpoch,
        TrialResult,
    )
    from nnplay.engine.session import Session
    from nnplay.engine.spec import Preset
    from nnplay.tui.widgets.plots import SearchCurve

EPOCH_UPDATES_PER_SECOND = 5
WIDE = 56  # columns from which the leaderboard has room for the test accuracy
IDLE = ("f runs the preset's random search (its [search] table: presets 13 and 14 have one); "
        "f again stops it; a applies the best trial to the panels.")


class _Relay(SearchCallback):
    """On the worker thread: posts the search's events to the view, a trial's epochs at most
    ``EPOCH_UPDATES_PER_SECOND`` a second (a small set trains many a second)."""

    def __init__(self, view: SearchView) -> None:
        self.view, self.last = view, 0.0

    def _post(self, event: SearchEvent) -> None:
        self.view.post_message(SearchView.Update(event))

    on_search_begin = on_trial_begin = on_trial_end = on_study_progress = _post

    def on_trial_epoch(self, epoch: TrialEpoch) -> None:
        now = time.monotonic()
        if now - self.last >= 1 / EPOCH_UPDATES_PER_SECOND:
            self.last = now
            self._post(epoch)

    def on_search_end(self, result: SearchResult) -> None:
        from nnplay.engine.search import SearchEnd

        self._post(SearchEnd(result))


class SearchView(SearchCallback, Vertical):
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
        self._total = 0
        self._hooks = SearchCallbackList([self])

    def compose(self) -> ComposeResult:
        yield Static(Text(IDLE, style="dim"), id="search-status")
        with VerticalScroll(id="search-board-box"):
            yield Static("", id="search-board")

    # ----------------------------------------------------------------------------------------
    # Start, stop, apply

    def toggle(self, session: Session) -> None:
        """Start a search of the session's draft, or stop the one running."""
        if self.running:
            self.stop()
            return
        draft = session.draft
        if not draft.valid:
            self.app.notify(f"Fix the spec first: {draft.problems[0]}", severity="warning", markup=False)
            return
        preset = draft.preset
        if preset.search is None:
            self.app.notify("This preset has no [search] table: open preset 13 or 14, or add one to a preset file "
                            "(README.md shows how).", title="Nothing to search", severity="warning", timeout=8,
                            markup=False)
            return
        self.preset, self.result, self.best, self.board = preset, None, None, ()
        self._total = preset.search.trials
        self.running = True
        self._status(Text(f"loading the data of {preset.preset.title}…"))
        self._draw_board()
        self._curve().show([], [], preset.search.objective)
        self._worker = self._search(session, preset)

    def stop(self) -> None:
        if self._worker is not None:
            self._worker.cancel()  # sets the worker's cancelled_event, the search's cancel flag
            self._status(Text("stopping after this batch…", style="yellow"))

    def apply_best(self, draft: Draft) -> bool:
        """Post the best trial's values as field edits of the draft; False when there is none yet."""
        if self.best is None or self.preset is None:
            self.app.notify("No finished trial yet: press f to search first.", severity="warning")
            return False
        if draft.preset.search != self.preset.search:  # another preset was loaded since
            self.app.notify("The search ran on another preset; press f to search this one.", severity="warning")
            return False
        for path, value in param_edits(draft.raw, self.best.params):
            self.post_message(FieldEdited(path, value, structural=path == "model.layers"))
        found = ", ".join(f"{param_label(k)} {format_value(v)}" for k, v in self.best.params.items())
        self.app.notify(found, title=f"Applied trial {self.best.number}")
        return True

    # ----------------------------------------------------------------------------------------
    # The worker

    @work(thread=True, exclusive=True, exit_on_error=False, group="search", description="search")
    def _search(self, session: Session, preset: Preset) -> None:
        worker = get_current_worker()
        session.search(preset, on_event=SearchCallbackList([_Relay(self)]), cancel=worker.cancelled_event)

    @on(Update)
    def _update(self, message: Update) -> None:
        message.stop()
        self._hooks(message.event)

    # -- the search's events, on the UI thread -------------------------------------------------

    def on_search_begin(self, begin: SearchBegin) -> None:
        self._total = begin.trials
        shared = f"; {begin.study}" if begin.study else ""
        self._status(Text(f"{begin.trials} trials, {begin.engine} engine, {begin.direction} {begin.objective}{shared}"))

    def on_trial_begin(self, trial: TrialBegin) -> None:
        drawn = "  ".join(f"{param_label(k)} {format_value(v)}" for k, v in trial.params.items())
        self._status(Text.assemble((f"trial #{trial.number} ({trial.number + 1} of {trial.trials}): ", "bold"),
                                   drawn, self._best_text()))

    def on_trial_epoch(self, epoch: TrialEpoch) -> None:
        value = "" if epoch.value is None else f"  {epoch.value:.4f}"
        self._status(Text.assemble((f"trial #{epoch.number} ({epoch.number + 1} of {self._total}) ", "bold"),
                                   f"epoch {epoch.epoch + 1}/{epoch.epochs}{value}", self._best_text()))

    def on_trial_end(self, end: TrialEnd) -> None:
        self._show_board(end.best, end.leaderboard)

    def on_study_progress(self, progress: StudyProgress) -> None:
        self._show_board(progress.best, progress.leaderboard)

    def _show_board(self, best: TrialResult | None, leaderboard: tuple[TrialResult, ...]) -> None:
        self.best, self.board = best, leaderboard
        self._draw_board()
        self._draw_curve()

    def on_search_end(self, result: SearchResult) -> None:
        self._finish(result)

    def _finish(self, result: SearchResult) -> None:
        self.result, self.running, self._worker = result, False, None
        ended = "stopped" if result.cancelled else "done"
        hint = "a applies the best" if result.best is not None else "no trial completed"
        count = f"{len(result.trials)} trials" + ("" if result.study is None else f" in study {result.study},")  # all workers'
        text = Text.assemble((f"{ended}: {count} in {result.seconds:.1f} s; ", "bold"), (hint, "dim"), self._best_text())
        self._status(text)

    def failed(self, message: str) -> None:
        """The search worker raised (the app's one worker-failure handler calls this)."""
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

    def _curve(self) -> SearchCurve:
        """The trials' curve, mounted on first use (plotext is not loaded for the first screen)."""
        return mounted_plot(self, "SearchCurve", "search-curve")

    def on_resize(self) -> None:
        self._draw_board()

    def _status(self, text: Text) -> None:
        self.query_one("#search-status", Static).update(text)

    def _draw_curve(self) -> None:
        """Each trial's value by trial number and the best so far, from the leaderboard (a shared study's
        holds every worker's trials, so the curve is drawn afresh rather than added to)."""
        search = self.preset.search  # type: ignore[union-attr]
        better = max if search.direction == "maximize" else min
        values: list[float | None] = [None] * (1 + max((t.number for t in self.board), default=-1))
        for trial in self.board:
            if trial.status == "complete":
                values[trial.number] = trial.value
        best: list[float | None] = []
        for value in values:
            last = best[-1] if best else None
            best.append(value if last is None else last if value is None else better(last, value))
        self._curve().show(values, best, search.objective)

    def _draw_board(self) -> None:
        board = self.query_one("#search-board", Static)
        if self.preset is None or self.preset.search is None or not self.board:
            board.update("")
            return
        best = None if self.best is None else self.best.number
        board.update(leaderboard_table(list(self.board), self.preset.search.space, self.preset.search.objective,
                                       best=best, title=None, compact=True, show_test=self.size.width >= WIDE))
