"""What the headless commands print about a run, in words and tables (rich), for a person to read."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.console import Console


def figures_line(figures: Mapping[str, float]) -> str:
    """``loss 0.1234  accuracy 0.9500``: an epoch's logs or a test score, four decimals each."""
    return "  ".join(f"{name} {value:.4f}" for name, value in figures.items())


def print_test(console: Console, report: Any) -> None:
    """A run's scores on the test rows, when it has test rows (``report``: a RunReport)."""
    if report.test:
        console.print("test: " + figures_line(report.test))


def print_confusion(console: Console, report: Any) -> None:
    """A classifier's confusion matrix over the test rows."""
    if report.confusion is not None and report.class_names:
        from nnplay.tui.render import confusion_table

        console.print(confusion_table(report.confusion, report.class_names))
