"""Shared pieces of the TUI tests: small preset files and a way to wait for the app."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

HIDDEN = """
[preset]
title = "Test: a hidden layer"
notes = "## A test preset\\n\\nTwo inputs, **four** hidden units, two outputs."

[data]
source = "logistic"
n = 400
beta = [1.0, 2.0]
test_size = 0.25
seed = 42

[model]
loss = "categorical_crossentropy"
layers = [
  { type = "dense", units = 4, activation = "sigmoid" },
  { type = "dense", units = 2, activation = "softmax" },
]

[train]
engine = "numpy"
optimizer = { name = "sgd", learning_rate = 0.5 }
batch_size = 50
epochs = 5
seed = 0
"""

LONG = HIDDEN.replace("epochs = 5", "epochs = 100000").replace("batch_size = 50", "batch_size = 5").replace(
    "Test: a hidden layer", "Test: a long run"
)


def write_preset(folder: Path, text: str = HIDDEN, name: str = "test-preset.toml") -> str:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return str(path)


async def wait_for(pilot, condition: Callable[[], bool], timeout: float = 20.0) -> None:
    """Let the app run until ``condition()`` holds (fails the test after ``timeout`` seconds)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {condition}")
        await pilot.pause(0.05)
    await asyncio.sleep(0)


def screen_strips(widget) -> list:
    """The strips the screen shows in ``widget``'s region now (its children included), as the
    terminal receives them: characters with their styles."""
    region = widget.region
    strips = widget.screen._compositor.render_strips()
    return [strip.crop(region.x, region.right) for strip in strips[region.y : region.bottom]]


def screen_lines(widget) -> list[str]:
    """The text the screen shows in ``widget``'s region now, line by line."""
    return [strip.text for strip in screen_strips(widget)]


async def edit_field(pilot, control, text: str, *, accept: str = "enter") -> None:
    """Edit a field as a user does: focus it (MOVE mode), ``enter`` to edit, clear it, type, then
    ``accept`` (``enter``; ``escape`` cancels)."""
    control.focus()
    await pilot.pause()
    await pilot.press("enter", "ctrl+u", *text, accept)
    await pilot.pause()
