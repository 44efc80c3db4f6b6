"""TF Playground's weight colours: orange for negative, blue for positive, grey about zero."""

from __future__ import annotations

from rich.color import Color
from rich.style import Style

ORANGE = (0xF5, 0x93, 0x22)
GREY = (0xE8, 0xEA, 0xEB)
BLUE = (0x08, 0x77, 0xBD)
DIM = Style(color="grey42")


def _blend(a: tuple[int, int, int], b: tuple[int, int, int], t: float) -> Color:
    return Color.from_rgb(*(round(x + (y - x) * t) for x, y in zip(a, b)))


#: 7 shades a side: index 0 is the faintest, 6 the full colour.
SHADES = 7
_NEG = [Style(color=_blend(GREY, ORANGE, 0.35 + 0.65 * i / (SHADES - 1))) for i in range(SHADES)]
_POS = [Style(color=_blend(GREY, BLUE, 0.35 + 0.65 * i / (SHADES - 1))) for i in range(SHADES)]
NEGATIVE, POSITIVE = _NEG[-1], _POS[-1]


def signed_style(value: float, scale: float) -> Style:
    """The colour of ``value`` on a scale whose full colour is at |value| >= ``scale``."""
    if scale <= 0 or value == 0:
        return _POS[0]
    shade = min(SHADES - 1, int(abs(value) / scale * (SHADES - 1) + 0.5))
    return (_NEG if value < 0 else _POS)[shade]
