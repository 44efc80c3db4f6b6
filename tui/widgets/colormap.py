"""Colour maps in the terminal: two pixels per cell, drawn with half blocks on Textual's Line API.

A cell shows ``▀``: its upper pixel is the foreground colour, its lower pixel the background. An
image is a 2-D array of palette indices with twice as many pixel rows as cell rows; it becomes one
:class:`~textual.strip.Strip` per cell row. Styles are built once per palette (one per pair of
colours, on first use) and equal neighbours merge into one segment, so a frame of a few thousand
cells costs about a millisecond instead of the tens that a new ``Style`` per cell would.

The palettes follow TensorFlow Playground: orange ``#f59322``, grey ``#e8eaeb`` and blue ``#0877bd``
over [-1, 1] in 31 shades, lightened as if drawn at alpha 160/255 on white so that the data points
(full colour) stand out; a hue per class, fading to grey where the model is unsure; a light-to-dark
blue scale for regression. On a terminal without true colour the palette is converted once to the
nearest of the 256 standard colours (rich's own conversion).

Nothing here knows about models: :mod:`nnplay.engine.probe` computes the values, this module only
turns values into colours.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from rich.color import Color, ColorSystem
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip
from textual.widget import Widget

RGB = tuple[int, int, int]
HALF = "▀"

ORANGE: RGB = (0xF5, 0x93, 0x22)
GREY: RGB = (0xE8, 0xEA, 0xEB)
BLUE: RGB = (0x08, 0x77, 0xBD)
WHITE: RGB = (0xFF, 0xFF, 0xFF)
#: Class hues: class 0 orange and class 1 blue as in the binary scale, then distinct others.
CLASS_HUES: tuple[RGB, ...] = (
    ORANGE, BLUE, (0x2C, 0xA0, 0x2C), (0x94, 0x67, 0xBD), (0xD6, 0x27, 0x28), (0x8C, 0x56, 0x4B),
    (0xE3, 0x77, 0xC2), (0x7F, 0x7F, 0x7F), (0xBC, 0xBD, 0x22), (0x17, 0xBE, 0xCF),
)
MAP_ALPHA = 160 / 255  # TF Playground draws its map at this opacity over white
SHADES = 31


def mix(a: RGB, b: RGB, t: float) -> RGB:
    """The colour ``t`` of the way from ``a`` to ``b``."""
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))  # type: ignore[return-value]


def ramp(stops: Sequence[RGB], n: int) -> tuple[RGB, ...]:
    """``n`` colours evenly spaced along the piecewise-linear path through ``stops``."""
    out = []
    for i in range(n):
        pos = i / (n - 1) * (len(stops) - 1) if n > 1 else 0.0
        k = min(int(pos), len(stops) - 2)
        out.append(mix(stops[k], stops[k + 1], pos - k))
    return tuple(out)


def hue(index: int) -> RGB:
    return CLASS_HUES[index % len(CLASS_HUES)]


def darker(color: RGB, factor: float = 0.55) -> RGB:
    return tuple(int(c * factor) for c in color)  # type: ignore[return-value]


def faded(colors: Sequence[RGB]) -> tuple[RGB, ...]:
    """``colors`` as drawn at :data:`MAP_ALPHA` over white."""
    return tuple(mix(WHITE, c, MAP_ALPHA) for c in colors)


# --------------------------------------------------------------------------------------------
# Palettes: a tuple of colours, indexed by small integers


@dataclass(frozen=True)
class Palette:
    colors: tuple[RGB, ...]

    def __len__(self) -> int:
        return len(self.colors)

    def __add__(self, other: Palette) -> Palette:
        return Palette(self.colors + other.colors)


def diverging(n: int = SHADES, *, fade: bool = True) -> Palette:
    """Orange -> grey -> blue over [-1, 1] (TF Playground's scale), ``n`` shades (``fade``: as
    drawn at :data:`MAP_ALPHA` over white; the 256-colour fallback keeps the full colours, whose
    nearest standard colours still tell the hues apart)."""
    colors = ramp((ORANGE, GREY, BLUE), n)
    return Palette(faded(colors) if fade else colors)


def sequential(n: int = SHADES, *, fade: bool = True) -> Palette:
    """Light to dark blue, for a regression's predicted value (``fade``: as the map draws it)."""
    colors = ramp((GREY, BLUE, darker(BLUE, 0.5)), n)
    return Palette(faded(colors) if fade else colors)


def class_shades(k: int, shades: int = 8, *, fade: bool = True) -> Palette:
    """For each of ``k`` classes, ``shades`` colours from grey (unsure) to the class's hue (sure):
    index ``c * shades + s``."""
    ramps = [ramp((GREY, hue(i)), shades) for i in range(k)]
    return Palette(tuple(c for colors in ramps for c in (faded(colors) if fade else colors)))


def point_colors(k: int, *, over_strong_map: bool = False) -> Palette:
    """Data points: ``k`` full class colours (training), then ``k`` darker ones (test).

    Over the 256-colour fallback's strong map a point in its class's full colour would vanish into
    its own region, so there the points are drawn darker still (training) and darkest (test)."""
    if over_strong_map:
        return Palette(tuple(darker(hue(i), 0.5) for i in range(k)) + tuple(darker(hue(i), 0.25) for i in range(k)))
    return Palette(tuple(hue(i) for i in range(k)) + tuple(darker(hue(i)) for i in range(k)))


def quantize(values: np.ndarray, low: float, high: float, n: int) -> np.ndarray:
    """``values`` in [low, high] as indexes 0..n-1 (values outside are clipped; NaN -> middle)."""
    span = high - low if high > low else 1.0
    scaled = np.nan_to_num((np.asarray(values, dtype=np.float64) - low) / span, nan=0.5)
    return np.clip(np.rint(scaled * (n - 1)), 0, n - 1).astype(np.int64)


# --------------------------------------------------------------------------------------------
# Half blocks


def to_color(rgb: RGB, truecolor: bool) -> Color:
    """``rgb`` as a rich colour: itself in true colour, else the nearest of the 256 standard ones."""
    color = Color.from_rgb(*rgb)
    return color if truecolor else color.downgrade(ColorSystem.EIGHT_BIT)


class HalfBlocks:
    """Turns images of palette indices into strips of half-block cells, one style per colour pair
    (built on first use and kept)."""

    def __init__(self, palette: Palette, truecolor: bool = True) -> None:
        self.palette = palette
        self.truecolor = truecolor
        self._colors = [to_color(c, truecolor) for c in palette.colors]
        self._styles: dict[int, Style] = {}

    def style(self, upper: int, lower: int) -> Style:
        code = upper * len(self._colors) + lower
        style = self._styles.get(code)
        if style is None:
            style = self._styles[code] = Style(color=self._colors[upper], bgcolor=self._colors[lower])
        return style

    def strips(self, image: np.ndarray) -> list[Strip]:
        """``image``: ``(2 * rows, cols)`` palette indexes (an odd last row repeats as the lower
        pixel); one strip per cell row, equal neighbouring cells merged into one segment."""
        cols = np.shape(image)[1]
        return [Strip(segments, cols) for segments in self.segment_rows(image)]

    def segment_rows(self, image: np.ndarray) -> list[list[Segment]]:
        """What :meth:`strips` draws, as plain segment lists: for a picture that is one part of a
        line (a thumbnail beside others), so that the line becomes a single strip."""
        image = np.asarray(image, dtype=np.int64)
        if image.shape[0] % 2:
            image = np.vstack([image, image[-1:]])
        n = len(self._colors)
        codes = image[0::2] * n + image[1::2]
        cols = codes.shape[1]
        # Where each run of equal cells starts, for all rows at once (one NumPy pass per picture).
        first = np.ones((codes.shape[0], 1), dtype=bool)
        row_of, start_of = np.nonzero(np.hstack([first, codes[:, 1:] != codes[:, :-1]]))
        runs = np.append(start_of[1:], cols)
        runs[:-1][row_of[1:] != row_of[:-1]] = cols  # a row's last run ends at the edge
        lengths = (runs - start_of).tolist()
        values = codes[row_of, start_of].tolist()
        rows: list[list[Segment]] = [[] for _ in range(codes.shape[0])]
        for row, length, code in zip(row_of.tolist(), lengths, values, strict=True):
            rows[row].append(Segment(HALF * length, self._style_of(code, n)))
        return rows

    def _style_of(self, code: int, n: int) -> Style:
        style = self._styles.get(code)
        return style if style is not None else self.style(code // n, code % n)


@lru_cache(maxsize=32)
def half_blocks(palette: Palette, truecolor: bool = True) -> HalfBlocks:
    """The shared :class:`HalfBlocks` of a palette (its styles are built once per app)."""
    return HalfBlocks(palette, truecolor)


def heatmap_strips(values: np.ndarray, low: float = -1.0, high: float = 1.0,
                   palette: Palette | None = None, truecolor: bool = True) -> list[Strip]:
    """A 2-D array of values ``(2 * rows, cols)`` as half-block strips, ``low`` .. ``high`` spread
    over ``palette`` (default: the diverging orange-grey-blue scale)."""
    palette = palette or DIVERGING
    return half_blocks(palette, truecolor).strips(quantize(values, low, high, len(palette)))


def heatmap_segments(values: np.ndarray, low: float = -1.0, high: float = 1.0,
                     palette: Palette | None = None, truecolor: bool = True) -> list[list[Segment]]:
    """:func:`heatmap_strips` as segment lists, one per cell row (to join with other pictures)."""
    palette = palette or DIVERGING
    return half_blocks(palette, truecolor).segment_rows(quantize(values, low, high, len(palette)))


DIVERGING = diverging()


def line_at(strips: Sequence[Strip], y: int, width: int) -> Strip:
    """Row ``y`` of a pre-built picture, cut or padded to ``width`` (blank below the picture)."""
    if y < len(strips):
        strip = strips[y]
        return strip if strip.cell_length == width else strip.crop_extend(0, width, None)
    return Strip.blank(width)


def supports_truecolor(widget: Widget) -> bool:
    """Whether the app's terminal shows 24-bit colour (rich's detection, as Textual uses it)."""
    try:
        system = widget.app.console.color_system
    except Exception:  # noqa: BLE001 (no app yet: assume the best)
        return True
    return system in (None, "truecolor", "windows")


class PixelMap(Widget):
    """A widget that shows strips made by :class:`HalfBlocks` (two pixels per cell), top left."""

    DEFAULT_CSS = """
    PixelMap { width: 1fr; height: 1fr; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.strips: list[Strip] = []

    def show(self, strips: list[Strip]) -> None:
        self.strips = strips
        self.refresh()

    @property
    def pixel_size(self) -> tuple[int, int]:
        """``(cols, rows)`` of pixels the widget shows at its current size."""
        return self.size.width, 2 * self.size.height

    def render_line(self, y: int) -> Strip:
        return line_at(self.strips, y, self.size.width)
