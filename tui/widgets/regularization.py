"""The Regularization panel: L1/L2 penalties per dense layer, dropout rates, early stopping."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Checkbox, Label

from nnplay.engine.spec import EarlyStopping
from nnplay.tui.messages import FieldEdited
from nnplay.tui.widgets.fields import Field, ProblemList, fields_for
from nnplay.tui.widgets.panel import DraftPanel

NEW_EARLY_STOPPING = {"monitor": "loss", "patience": 5, "restore_best_weights": True}


class RegularizationPanel(DraftPanel):
    def compose(self) -> ComposeResult:
        layers = self.draft.get("model.layers", [])
        names = self.draft.preset.model.layer_names() if len(self.draft.preset.model.layers) == len(layers) else []
        yield Label("Penalties added to the loss: l1·Σ|w| + l2·Σw²", classes="section")
        prefixes = []
        for i, layer in enumerate(layers):
            at = f"model.layers[{i}]"
            title = names[i] if i < len(names) else layer.get("type", "")
            with Vertical(classes="reg-layer"):
                if layer.get("type") == "dropout":
                    with Horizontal(classes="reg-row"):
                        yield Label(f"{i + 1} {title}", classes="reg-name", markup=False)  # names may come from an .h5
                        yield Field(f"{at}.rate", "rate", "float", layer.get("rate"))
                    prefixes.append(f"{at}.rate")
                    continue
                # The layer's name on its own line: the two values of a row keep the width to show
                # themselves whole (0.01 never reads as 0.0) even in a 40-column panel.
                yield Label(f"{i + 1} {title}", classes="reg-name", markup=False)  # names may come from an .h5
                for part in ("kernel", "bias"):
                    key = f"{part}_regularizer"
                    values = layer.get(key) or {}
                    with Horizontal(classes="reg-row"):
                        yield Label(part, classes="reg-part")
                        yield Field(f"{at}.{key}.l1", "l1", "float", values.get("l1", 0.0), classes="reg-value")
                        yield Field(f"{at}.{key}.l2", "l2", "float", values.get("l2", 0.0), classes="reg-value")
                    prefixes.append(f"{at}.{key}")
        yield ProblemList(*prefixes, id="reg-problems")
        stop = self.draft.get("train.early_stopping")
        yield Label("Early stopping", classes="section")
        yield Checkbox("stop once it stops improving", stop is not None, compact=True,
                       id="early-stopping")
        if stop is not None:
            yield from fields_for(EarlyStopping, "train.early_stopping", stop)
        yield ProblemList("train.early_stopping")

    @on(Checkbox.Changed, "#early-stopping")
    def _toggle_early_stopping(self, event: Checkbox.Changed) -> None:
        event.stop()
        if event.value == (self.draft.get("train.early_stopping") is not None):
            return
        self.post_message(FieldEdited("train.early_stopping", dict(NEW_EARLY_STOPPING) if event.value else None,
                                      structural=True))
