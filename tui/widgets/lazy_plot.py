"""Plots mounted on first use: the first screen loads no plotext (tui/widgets/plots.py imports it)."""

from __future__ import annotations

from typing import Any

from textual.widget import Widget


def mounted_plot(parent: Widget, name: str, widget_id: str) -> Any:
    """The plot class ``name`` of :mod:`nnplay.tui.widgets.plots` under ``parent``: the one already
    there, or a new one mounted now with ``widget_id``."""
    from nnplay.tui.widgets import plots

    plot_type = getattr(plots, name)
    found = parent.query(plot_type)
    if found:
        return found.first()
    plot = plot_type(id=widget_id)
    parent.mount(plot)
    return plot
