"""The Layers panel: the loss, and the layer stack as cards that can be added, removed and moved."""

from __future__ import annotations

import copy
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Label

from nnplay.engine.spec import ACTIVATIONS, LOSSES
from nnplay.tui.messages import FieldEdited
from nnplay.tui.widgets.fields import Field, ProblemList
from nnplay.tui.widgets.panel import DraftPanel

NEW_DENSE = {"type": "dense", "units": 4, "activation": "relu"}
NEW_DROPOUT = {"type": "dropout", "rate": 0.2}


class LayerCard(Vertical):
    """One layer: its kind and place, its settings, and buttons to move or remove it."""

    def __init__(self, index: int, layer: dict[str, Any], count: int) -> None:
        super().__init__(classes=f"layer-card {layer.get('type', 'dense')}")
        self.index = index
        self.layer_spec = layer
        self.count = count

    def compose(self) -> ComposeResult:
        i, layer = self.index, self.layer_spec
        kind = layer.get("type", "dense")
        with Horizontal(classes="layer-head"):
            yield Label(f"{i + 1} · {kind}", classes="layer-title", markup=False)
            yield Button("↑", name=f"up:{i}", compact=True, disabled=i == 0, tooltip="move up")
            yield Button("↓", name=f"down:{i}", compact=True, disabled=i == self.count - 1, tooltip="move down")
            yield Button("✕", name=f"remove:{i}", compact=True, disabled=self.count == 1, tooltip="remove", variant="error")
        with Horizontal(classes="layer-fields"):
            at = f"model.layers[{i}]"
            if kind == "dense":
                yield Field(f"{at}.units", "units", "int", layer.get("units"), classes="units")
                yield Field(f"{at}.activation", "", "choice", layer.get("activation", "linear"), choices=ACTIVATIONS,
                            classes="activation")
                yield Field(f"{at}.use_bias", "bias", "bool", layer.get("use_bias", True), classes="bias")
            else:
                yield Field(f"{at}.rate", "rate", "float", layer.get("rate"), classes="rate")


class LayersPanel(DraftPanel):
    def compose(self) -> ComposeResult:
        yield Field("model.loss", "loss", "choice", self.draft.get("model.loss"), choices=LOSSES)
        layers = self.draft.get("model.layers", [])
        yield Label(f"input: {self._inputs()}", classes="layer-input", markup=False)
        for index, layer in enumerate(layers):
            yield LayerCard(index, layer, len(layers))
        with Horizontal(classes="layer-add"):
            yield Button("+ dense", name="add:dense", compact=True)
            yield Button("+ dropout", name="add:dropout", compact=True)
        yield ProblemList("model")

    def _inputs(self) -> str:
        n = self.draft.preset.n_features()
        return f"{n} features" if n is not None else "features from the data"

    @on(Button.Pressed)
    def _edit_stack(self, event: Button.Pressed) -> None:
        if not event.button.name or ":" not in event.button.name:
            return
        event.stop()
        action, _, arg = event.button.name.partition(":")
        layers = copy.deepcopy(list(self.draft.get("model.layers", [])))
        if action == "add":
            new = dict(NEW_DENSE if arg == "dense" else NEW_DROPOUT)
            layers.insert(max(len(layers) - 1, 0), new)  # before the output layer
        else:
            i = int(arg)
            if action == "remove" and len(layers) > 1:
                layers.pop(i)
            elif action == "up" and i > 0:
                layers[i - 1], layers[i] = layers[i], layers[i - 1]
            elif action == "down" and i < len(layers) - 1:
                layers[i + 1], layers[i] = layers[i], layers[i + 1]
        self.post_message(FieldEdited("model.layers", layers, structural=True))
