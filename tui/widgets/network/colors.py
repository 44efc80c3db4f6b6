"""Weight colours for text: TF Playground's orange for negative, blue for positive, grey near zero
(the same colours as :mod:`nnplay.tui.widgets.colormap`, at full strength for readable text)."""

from __future__ import annotations

from rich.color import Color
from rich.style import Style

from nnplay.tui.widgets.colormap import BLUE, GREY, ORANGE, mix

DIM = Style(color="grey50")
EIGHTHS = " ▁▂▃▄▅▆▇█"  # a bar's height in eighths of a cell, 0 to 8
SHADES = 7  # a side: index 0 the faintest, 6 the full colour
_NEG = [Style(color=Color.from_rgb(*mix(GREY, ORANGE, 0.35 + 0.65 * i / (SHADES - 1)))) for i in range(SHADES)]
_POS = [Style(color=Color.from_rgb(*mix(GREY, BLUE, 0.35 + 0.65 * i / (SHADES - 1)))) for i in range(SHADES)]


def signed_style(value: float, scale: float) -> Style:
    """The colour of ``value`` on a scale whose full colour is at |value| >= ``scale``."""
    if scale <= 0 or value == 0:
        return _POS[0]
    shade = min(SHADES - 1, int(abs(value) / scale * (SHADES - 1) + 0.5))
    return (_NEG if value < 0 else _POS)[shade]
