"""One editable value of the spec: a label and a control bound to a field path.

A :class:`Field` turns what the user typed into the value the spec expects (``"4"`` -> ``4``,
``"full"`` stays ``"full"``, ``"1, 2"`` -> ``[1.0, 2.0]``) and posts
:class:`~nnplay.tui.messages.FieldEdited`; whether the value is acceptable is the engine's call, never the
field's. Text that is not even a number is passed on as text, so the engine's own message
("must be a valid integer") reaches the user. :func:`fields_for` builds the fields of a spec table
from its pydantic model, so a new data source or optimizer setting needs no new widget code.
"""

from __future__ import annotations

import types
from collections.abc import Iterable
from typing import Annotated, Any, ClassVar, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.widgets import Checkbox, Input, Label, Select, Static

from nnplay.engine.errors import Problem
from nnplay.tui.messages import FieldEdited

STACKED_CHOICE = 16  # characters: a longer choice (categorical_crossentropy) puts its list under the label
Kind = Literal["int", "float", "int|full", "floats", "names", "text", "choice", "bool"]


def parse(kind: str, text: str) -> Any:
    """The user's text as the spec's value; empty text means "not set" (``None``)."""
    text = text.strip()
    if text == "":
        return None
    try:
        if kind == "int":
            return int(text)
        if kind == "float":
            return float(text)
        if kind == "int|full":
            return "full" if text.lower() == "full" else int(text)
        if kind == "floats":
            return [float(part) for part in text.replace(";", ",").split(",") if part.strip()]
        if kind == "names":
            return [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]
    except ValueError:
        return text  # the engine says what is wrong with it
    return text


def display(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ", ".join(display(v) for v in value)
    return str(value)


#: Every action of Textual's Input (cursor moves, deletes, paste, submit): off while a field is not edited.
INPUT_ACTIONS = frozenset(binding.action.partition("(")[0] for binding in Input.BINDINGS if isinstance(binding, Binding))


#: Printable keys Textual names without giving their character (its key_to_character misses them).
NAMED_CHARACTERS = {"plus": "+", "minus": "-"}


class FieldInput(Input):
    """A text field with two modes, as in lazygit or vim.

    MOVE (the default, also while focused): the field edits nothing. Printable keys are not inserted
    but bubble to the app's bindings (``t`` trains, ``1``-``6`` switch panels), Input's own bindings
    (backspace, home, cursor keys...) are switched off by :meth:`check_action`, so they fall through
    too. ``enter`` or a click starts EDIT mode: keys go into the field (every change is validated at
    once, as before), ``enter`` accepts, ``escape`` puts back the value from before the edit, leaving
    the field (tab, a click elsewhere) accepts.
    """

    BINDINGS: ClassVar = [
        Binding("enter", "begin_edit", "Edit"),
        Binding("enter", "accept_edit", "Accept"),
        Binding("escape", "cancel_edit", "Cancel", key_display="esc"),
    ]

    editing: reactive[bool] = reactive(False, init=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._before = self.value

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "begin_edit":
            return not self.editing
        if action in ("accept_edit", "cancel_edit") or action in INPUT_ACTIONS:
            return self.editing
        return super().check_action(action, parameters)

    def check_consume_key(self, key: str, character: str | None) -> bool:
        # Textual drops the app's bindings for every key the focused widget may consume (Screen's
        # binding chain); in MOVE mode this field consumes none, so `t`, `1`... reach the app.
        return self.editing and super().check_consume_key(key, character or NAMED_CHARACTERS.get(key))

    async def _on_key(self, event: events.Key) -> None:
        # Runs before Input._on_key (subclass first); prevent_default skips Input's insertion, and the key
        # bubbles on to the app, whose bindings then see it.
        if not self.editing:
            event.prevent_default()

    def _on_paste(self, event: events.Paste) -> None:
        if not self.editing:
            self.action_begin_edit()  # a paste is an edit: it starts one, and escape takes it back

    def on_click(self) -> None:
        if not self.editing:
            self.action_begin_edit()

    def action_begin_edit(self) -> None:
        self._before = self.value
        self.editing = True
        self.cursor_position = len(self.value)

    def action_accept_edit(self) -> None:
        self.editing = False

    def action_cancel_edit(self) -> None:
        self.value = self._before  # Input.Changed posts the old value again
        self.cursor_position = len(self.value)
        self.editing = False

    def _on_blur(self, event: events.Blur) -> None:
        self.editing = False  # leaving the field keeps what was typed (it was validated as typed)

    def watch_editing(self, editing: bool) -> None:
        self.set_class(editing, "-editing")
        if self.parent is not None:
            self.parent.set_class(editing, "-editing")
        if self.is_attached:
            self.screen.set_class(editing, "-editing")
            self.screen.refresh_bindings()  # the footer shows the keys of the mode


class Field(Horizontal):
    """``label  [control]``; marked ``-invalid`` (with the reason as tooltip) when the engine objects."""

    def __init__(
        self,
        path: str,
        label: str,
        kind: Kind,
        value: Any,
        *,
        choices: Iterable[str] = (),
        structural: bool = False,
        placeholder: str = "",
        classes: str = "",
    ) -> None:
        # A list whose longest choice would not fit beside the label goes under it (app.tcss).
        choices = tuple(choices)
        stacked = kind == "choice" and max(map(len, choices), default=0) > STACKED_CHOICE
        super().__init__(classes=f"field {'-stacked ' if stacked else ''}{classes}".strip())
        self.path = path
        self.field_label = label
        self.kind = kind
        self.value = value
        self.choices = tuple(choices)
        self.structural = structural
        self.placeholder = placeholder
        self.problem: Problem | None = None

    def compose(self) -> ComposeResult:
        if self.kind == "bool":
            yield Checkbox(self.field_label, bool(self.value), compact=True, classes="field-control")
            return
        yield Label(self.field_label, classes="field-label", markup=False)
        if self.kind == "choice":
            options = [(c, c) for c in self.choices]
            value = self.value if self.value in self.choices else Select.NULL
            yield Select(options, value=value, allow_blank=value is Select.NULL, compact=True, classes="field-control")
        else:
            yield FieldInput(display(self.value), placeholder=self.placeholder, compact=True, classes="field-control",
                             select_on_focus=False)

    @property
    def control(self) -> FieldInput | Select | Checkbox:
        return self.query_one(".field-control")  # type: ignore[return-value]

    def show_problem(self, problem: Problem | None) -> None:
        self.problem = problem
        self.tooltip = Text(problem.message) if problem else None
        # Right after a panel is rebuilt this field may not have composed its control yet;
        # on_mount applies the stored problem then.
        for control in self.query(".field-control"):
            control.set_class(problem is not None, "-invalid")

    def on_mount(self) -> None:
        self.show_problem(self.problem)

    def _post(self, value: Any) -> None:
        if value == self.value:
            return
        self.value = value
        self.post_message(FieldEdited(self.path, value, self.structural))

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        self._post(parse(self.kind, event.value))

    @on(Select.Changed)
    def _chosen(self, event: Select.Changed) -> None:
        event.stop()
        if event.value is not Select.NULL:
            self._post(event.value)

    @on(Checkbox.Changed)
    def _toggled(self, event: Checkbox.Changed) -> None:
        event.stop()
        self._post(event.value)


class ProblemList(Static):
    """The engine's complaints about one part of the spec, one per line (hidden when there are none)."""

    def __init__(self, *prefixes: str, strip: str = "", id: str | None = None) -> None:
        super().__init__("", classes="problems", id=id)
        self.prefixes = prefixes
        self.strip = strip

    def show_problems(self, problems: list[Problem]) -> None:
        mine = [p for p in problems if any(p.field == x or p.field.startswith((f"{x}.", f"{x}[")) for x in self.prefixes)]
        lines = [f"✗ {p.field.removeprefix(self.strip) or p.field}: {p.message}" for p in mine]
        self.update(Text("\n".join(lines)))  # the user's values are shown, never read as markup
        self.display = bool(lines)


# --------------------------------------------------------------------------------------------
# Fields from a pydantic model


def kind_of(annotation: Any) -> tuple[Kind, tuple[str, ...]]:
    """The control kind (and choices) for a pydantic field's annotation."""
    origin = get_origin(annotation)
    args = [a for a in get_args(annotation) if a is not type(None)]
    if origin in (Union, types.UnionType):
        literals = [a for a in args if get_origin(a) is Literal]
        if int in args and literals:
            return "int|full", ()
        if len(args) == 1:
            return kind_of(args[0])
    if origin is Annotated:
        return kind_of(args[0])
    if origin is Literal:
        return "choice", tuple(str(a) for a in get_args(annotation))
    if origin is tuple:
        return ("names", ()) if args and get_origin(args[0]) is Literal else ("floats", ())
    if annotation is bool:
        return "bool", ()
    if annotation is int:
        return "int", ()
    if annotation is float:
        return "float", ()
    return "text", ()


def fields_for(
    model: type[BaseModel], prefix: str, raw: dict[str, Any], *, skip: Iterable[str] = (), rename: dict[str, str] | None = None
) -> list[Field]:
    """A :class:`Field` for every setting of a spec table, showing the draft's value or the default."""
    rename = rename or {}
    fields = []
    # The model's own settings first, then those it inherits (test_size, seed, ...).
    own = [n for n in model.model_fields if n in model.__annotations__]
    names = own + [n for n in model.model_fields if n not in own]
    for name in names:
        info = model.model_fields[name]
        if name in skip:
            continue
        kind, choices = kind_of(info.annotation)
        default = None if info.is_required() else info.get_default(call_default_factory=True)
        value = raw.get(name, default) if isinstance(raw, dict) else default
        fields.append(Field(f"{prefix}.{name}", rename.get(name, name), kind, value, choices=choices))
    return fields
