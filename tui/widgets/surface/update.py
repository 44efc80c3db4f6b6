
"""One descent step in the lecture's notation, with the step's own numbers.

    βₜ₊₁ = βₜ − α·∇   (the lecture's β̂_{t+1} = β̂_t − α·∇)

βₜ and βₜ₊₁ are the weights before and after the step, ∇ the gradient of the loss at β̂ₜ on the
step's batch (penalties included) that the optimizer was given, α the learning rate. Every number
is the engine's (:class:`~nnplay.engine.training.StepTaken`); nothing is computed here.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from rich.text import Text
from textual.widgets import Static

from nnplay.engine.spec import SGD, Optimizer
from nnplay.engine.training import StepTaken

# The lecture writes the estimate with a hat; terminals place combining hats unreliably, so: βₜ, βₜ₊₁.
BETA, BETA_NEXT = "β\u209c", "β\u209c\u208a\u2081"


def vector(arrays: Sequence[np.ndarray]) -> str:
    values = np.concatenate([np.asarray(a, dtype=np.float64).ravel() for a in arrays])
    return "[" + ", ".join(f"{v:+.4f}" for v in values) + "]"


def step_lines(step: StepTaken, count: int, optimizer: Optimizer) -> Text:
    """The step's numbers, one quantity a line."""
    plain = isinstance(optimizer, SGD) and not optimizer.momentum
    text = Text()
    text.append(f"step t = {count}", style="bold")
    text.append(f"  (epoch {step.epoch + 1}, batch {step.step})\n", style="dim")
    text.append(f"{BETA}   = {vector(step.before)}\n")
    if step.gradient is None:
        text.append("∇    = not exposed by Keras for this optimizer\n", style="dim")
    else:
        text.append(f"∇    = {vector(step.gradient)}\n")
    text.append(f"α    = {step.learning_rate:g}\n")
    rule = f"{BETA} − α·∇" if plain else ("momentum" if isinstance(optimizer, SGD) else "Adam") + " step from ∇"
    text.append(f"{BETA_NEXT} = {rule} = ", style="bold")
    text.append(vector(step.after), style="bold")
    return text


class UpdateNumbers(Static):
    """Shows the latest step of a model with a few weights (hidden until there is one)."""

    DEFAULT_CSS = """
    UpdateNumbers {
        height: auto;
        padding: 0 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def show_step(self, step: StepTaken | None, count: int, optimizer: Optimizer) -> None:
        self.display = step is not None
        if step is not None:
            self.update(step_lines(step, count, optimizer))
