"""Every key of the playground, written once: the app's bindings, the footer, the command palette and
README's key table all come from :data:`ACTIONS`.

An :class:`Action` is one command: its key, the app action it runs, the word the footer shows, the
sentence the palette and README show, and whether the footer carries it. Keys are commands in MOVE
mode whatever has focus (the fields pass them on until ``enter`` starts an edit, see
:class:`~nnplay.tui.widgets.fields.FieldInput`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Literal

from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider

Group = Literal["Run", "Views", "Panels", "Files", "App"]
Where = Literal["footer", "palette"]  # footer: always in view; palette: ctrl+p, README and the views' own hints


@dataclass(frozen=True)
class Action:
    key: str  # Textual's key name: "t", "space", "right_square_bracket"
    action: str  # the app's action with its arguments: "train", "cycle_view(1)"
    label: str  # the footer's word(s)
    help: str  # what it does, for the palette and README
    group: Group
    where: Where = "palette"
    display: str | None = None  # how the key is written when its name is not the character: "]"
    pair: str | None = None  # footer: keys sharing one label ("+ - Speed") name the pair
    priority: bool = False  # before the focused widget's own keys (the palette's ctrl+p)

    @property
    def shown_key(self) -> str:
        return self.display or self.key

    def binding(self) -> Binding:
        return Binding(self.key, self.action, self.label, show=self.where == "footer", key_display=self.display,
                       group=FOOTER_PAIRS.get(self.pair) if self.pair else None, priority=self.priority)


FOOTER_PAIRS = {"step": Binding.Group("Step", compact=True), "speed": Binding.Group("Speed", compact=True),
                "view": Binding.Group("View", compact=True)}

#: The left column's panels: id, title, and the title a narrow screen shows (keys 1 to 6).
PANEL_TABS = (("dataset", "Dataset", "Data"), ("layers", "Layers", "Layers"), ("regularization", "Regularization", "Reg."),
              ("training", "Training", "Train"), ("notes", "Notes", "Notes"), ("results", "Results", "Results"))
#: The right column's views, as the panels (stepped through by ] and [).
VIEW_TABS = (("view-loss", "Loss", "Loss"), ("view-boundary", "Boundary", "Bnd"), ("view-network", "Network", "Net"),
             ("view-weights", "Weights", "Wts"), ("view-surface", "Surface", "Surf"), ("view-runs", "Runs", "Runs"),
             ("view-search", "Search", "Srch"), ("view-code", "Code", "Code"))

ACTIONS: tuple[Action, ...] = (
    Action("t", "train", "Train", "train / stop the run", "Run", "footer"),
    Action("space", "pause", "Pause", "pause or play the run", "Run", "footer"),
    Action("b", "step_batch", "Batch", "one batch, then hold (from idle: a run that starts held)", "Run", "footer",
           pair="step"),
    Action("n", "step_epoch", "Epoch", "to the end of the epoch under way, or one whole epoch", "Run", "footer",
           pair="step"),
    Action("plus", "faster", "Faster", "faster: up to max speed", "Run", "footer", "+", pair="speed"),
    Action("minus", "slower", "Slower", "slower: down to 0.5 epochs a second", "Run", "footer", "-", pair="speed"),
    Action("right_square_bracket", "cycle_view(1)", "Next view", "next view on the right", "Views", "footer", "]",
           pair="view"),
    Action("left_square_bracket", "cycle_view(-1)", "Previous view", "previous view on the right", "Views", "footer",
           "[", pair="view"),
    Action("l", "toggle_metric", "Loss/Acc", "Loss view: loss or accuracy", "Views"),
    Action("c", "clear_runs", "Clear runs", "Loss and Runs views: clear the session's runs", "Views"),
    Action("d", "boundary('discretize')", "Regions", "Boundary view: class regions instead of graded output", "Views"),
    Action("x", "boundary('test_points')", "Test points", "Boundary view: show the test points", "Views"),
    Action("f", "search", "Search", "Search view: start or stop the preset's search", "Views", "footer"),
    Action("a", "apply_best", "Apply best", "Search view: apply the best trial to the panels", "Views"),
    *(Action(str(i), f"show_tab('{tab}')", title, f"the {title} panel", "Panels") for i, (tab, title, _) in
      enumerate(PANEL_TABS, start=1)),
    Action("e", "export", "Export", "export the last run's model to .h5", "Files"),
    Action("o", "open_model", "Open .h5", "open a saved .h5 as the current model", "Files"),
    Action("s", "save", "Save", "save the spec as a preset", "Files"),
    Action("w", "write_code", "Write code", "Code view: write the model as a Keras program (.py)", "Files"),
    Action("p", "presets", "Presets", "load a preset", "Files"),
    Action("escape", "leave_field", "Leave field", "leave the field for the panel's tabs (while editing: cancel the edit)",
           "App", display="esc"),
    Action("q", "quit", "Quit", "quit (ctrl+q too)", "App"),
    # Textual's footer shows this one at its right end, whatever the width.
    Action("ctrl+p", "command_palette", "All keys", "the command palette: every key, the presets", "App",
           display="^p", priority=True),
)

#: The app's bindings (``NnplayApp.BINDINGS``).
BINDINGS: list[Binding] = [action.binding() for action in ACTIONS]


class ActionCommands(Provider):
    """The command palette's entries for every key (``NnplayApp.COMMANDS``)."""

    @staticmethod
    def _title(action: Action) -> str:
        return f"{action.help} ({action.shown_key})"

    async def discover(self) -> Hits:
        for action in ACTIONS:
            yield DiscoveryHit(self._title(action), partial(self.app.run_action, action.action), help=action.group)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for action in ACTIONS:
            text = self._title(action)
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), partial(self.app.run_action, action.action), help=action.group)


def key_table() -> str:
    """README's key table (tests/test_tui_keys.py checks README carries exactly this)."""
    rows = ["| key | what it does | group | footer |", "|-----|--------------|-------|--------|"]
    for action in ACTIONS:
        footer = "yes" if action.where == "footer" else ""
        rows.append(f"| `{action.shown_key}` | {action.help} | {action.group} | {footer} |")
    return "\n".join(rows)
