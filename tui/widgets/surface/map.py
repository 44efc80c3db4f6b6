"""A loss surface as a terminal picture: colour bands, contour lines, the optimiser's path, markers.

Drawn with the half-block renderer of :mod:`nnplay.tui.widgets.colormap` (two pixels per cell).
The widget draws the grid it is given and does no math about the model: the loss values come
from :mod:`nnplay.engine.surface`. Their colours come in bands (a contour map): the loss is scaled
between its minimum and a high percentile, on a square-root scale so that the bands crowd where
the descent ends, and a pixel whose band differs from its right or lower neighbour is drawn
darker: the contour line.

Markers are characters drawn over their cell: ``○`` the start, ``●`` the current weights, ``✕``
the data's true coefficients, ``◇`` the surface's minimum. The path is a line of light pixels
joining one step's weights to the next.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from nnplay.tui.widgets.colormap import RGB, Palette, PixelMap, darker, half_blocks, ramp, supports_truecolor, to_color

# Low loss dark blue, high loss pale yellow (a viridis-like ramp), in BANDS steps.
RAMP: tuple[RGB, ...] = ((38, 16, 84), (44, 65, 135), (33, 110, 142), (30, 150, 138), (75, 190, 105),
                         (165, 215, 60), (250, 230, 80))
BANDS = 10
CONTOUR_SHADE = 0.72  # a contour pixel keeps this share of its band's colour
PATH: RGB = (245, 245, 245)
HIGH_PERCENTILE = 90
#: Pixel values: band b is b, its contour BANDS + b, the path 2 * BANDS.
PALETTE = Palette(ramp(RAMP, BANDS) + tuple(darker(c, CONTOUR_SHADE) for c in ramp(RAMP, BANDS)) + (PATH,))
PATH_INDEX = 2 * BANDS


@dataclass(frozen=True)
class Marker:
    u: float
    v: float
    char: str
    colour: tuple[int, int, int]


def band_picture(loss: np.ndarray) -> np.ndarray:
    """Palette indexes (rows top to bottom, so the last grid row comes first) for a loss grid."""
    finite = np.isfinite(loss)
    values = np.where(finite, loss, np.nanmax(np.where(finite, loss, -np.inf)) if finite.any() else 0.0)
    low = float(values.min())
    high = float(np.percentile(values, HIGH_PERCENTILE))
    scaled = np.sqrt(np.clip((values - low) / (high - low), 0, 1)) if high > low else np.zeros_like(values)
    band = np.minimum((scaled * BANDS).astype(int), BANDS - 1)[::-1]
    edge = np.zeros(band.shape, dtype=bool)
    edge[:, :-1] |= band[:, :-1] != band[:, 1:]
    edge[:-1, :] |= band[:-1, :] != band[1:, :]
    return np.where(edge, band + BANDS, band)


class SurfaceMap(PixelMap):
    """Draws a loss grid with a path and markers; ``grid_size`` says what resolution fits."""

    DEFAULT_CSS = """
    SurfaceMap {
        height: 1fr;
        min-height: 4;
    }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._pixels: np.ndarray | None = None  # palette indexes, (rows, columns)
        self._extent = (0.0, 1.0, 0.0, 1.0)
        self._path: list[tuple[float, float]] = []
        self._path_mask: np.ndarray | None = None
        self._markers: tuple[Marker, ...] = ()
        self._drawn = 0  # path points already in the mask
        self._stale = True
        self.message = "No surface yet."

    @property
    def grid_size(self) -> tuple[int, int]:
        """(columns, pixel rows) of the picture that fills the widget."""
        cols, rows = self.pixel_size
        return max(cols, 2), max(rows, 2)

    # -- what to draw ----------------------------------------------------------------------

    def show_grid(self, loss: np.ndarray | None, extent: tuple[float, float, float, float]) -> None:
        self._pixels = None if loss is None else band_picture(loss)
        self._extent = extent
        self._path_mask = None if self._pixels is None else np.zeros(self._pixels.shape, dtype=bool)
        self._drawn = 0
        self._changed()

    def set_path(self, points: Sequence[tuple[float, float]]) -> None:
        self._path = list(points)
        if self._path_mask is not None:
            self._path_mask[:] = False
        self._drawn = 0
        self._changed()

    def extend_path(self, points: Sequence[tuple[float, float]]) -> None:
        self._path.extend(points)
        self._changed()

    def path_box(self) -> list[tuple[float, float]]:
        """Two corners of the box around the path (none for an empty path)."""
        if not self._path:
            return []
        p = np.asarray(self._path, dtype=np.float64)
        p = p[np.isfinite(p).all(axis=1)]
        return [tuple(p.min(axis=0)), tuple(p.max(axis=0))] if len(p) else []

    def set_markers(self, markers: Sequence[Marker]) -> None:
        self._markers = tuple(markers)
        self._changed()

    def _changed(self) -> None:
        # Drawn when next painted: a hidden tab costs nothing but the list of points.
        self._stale = True
        self.refresh()

    def render_line(self, y: int) -> Strip:
        if self._stale:
            self._stale = False
            self.strips = self._build()
        return super().render_line(y)

    def pixel_of(self, u: float, v: float) -> tuple[int, int] | None:
        """(row, column) of the pixel at weights (u, v), or None outside the picture."""
        if self._pixels is None:
            return None
        rows, cols = self._pixels.shape
        u0, u1, v0, v1 = self._extent
        col = round((u - u0) / (u1 - u0) * (cols - 1))
        row = round((v1 - v) / (v1 - v0) * (rows - 1))
        return (row, col) if 0 <= row < rows and 0 <= col < cols else None

    def _draw_path(self) -> None:
        """Put the path's new segments into the mask: every segment sampled at least once per
        pixel it crosses, all segments at once."""
        if self._path_mask is None or self._drawn >= len(self._path):
            return
        points = self._path[max(self._drawn - 1, 0):]
        self._drawn = len(self._path)
        rows, cols = self._path_mask.shape
        u0, u1, v0, v1 = self._extent
        p = np.asarray(points, dtype=np.float64).reshape(-1, 2)
        if len(p) == 1:
            p = np.vstack([p, p])  # a lone point is a segment of no length
        c, r = (p[:, 0] - u0) / (u1 - u0) * (cols - 1), (v1 - p[:, 1]) / (v1 - v0) * (rows - 1)
        dc, dr = np.diff(c), np.diff(r)
        with np.errstate(invalid="ignore"):
            samples = np.nan_to_num(np.minimum(np.maximum(np.abs(dc), np.abs(dr)), 4 * (rows + cols))).astype(int) + 2
        segment = np.repeat(np.arange(len(dc)), samples)
        t = (np.arange(samples.sum()) - np.repeat(np.cumsum(samples) - samples, samples)) / np.repeat(samples - 1, samples)
        cc, rr = c[segment] + t * dc[segment], r[segment] + t * dr[segment]
        keep = np.isfinite(cc) & np.isfinite(rr)
        cc, rr = np.rint(cc[keep]).astype(int), np.rint(rr[keep]).astype(int)
        inside = (rr >= 0) & (rr < rows) & (cc >= 0) & (cc < cols)
        self._path_mask[rr[inside], cc[inside]] = True

    # -- drawing ---------------------------------------------------------------------------

    def _build(self) -> list[Strip]:
        width, height = self.size.width, self.size.height
        if self._pixels is None:
            lines = [Strip.blank(width) for _ in range(height)]
            if height:
                lines[height // 2] = Strip([Segment(self.message[:width].center(width), Style(dim=True))])
            return lines
        self._draw_path()
        image = self._pixels.copy()
        if self._path_mask is not None:
            image[self._path_mask] = PATH_INDEX
        truecolor = supports_truecolor(self)
        blocks = half_blocks(PALETTE, truecolor)
        lines = blocks.strips(image)
        for marker in self._markers:  # later markers win a shared cell
            at = self.pixel_of(marker.u, marker.v)
            if at is None or at[0] // 2 >= len(lines):
                continue
            row, col = at[0] // 2, at[1]
            # The marker sits on the surface's own colour, never on the path's.
            under = PALETTE.colors[int(self._pixels[2 * row, col])]
            fg, bg = to_color(marker.colour, truecolor), to_color(under, truecolor)  # as the picture's colours
            cell = Strip([Segment(marker.char, Style(color=fg, bgcolor=bg))])
            line = lines[row]
            lines[row] = Strip.join([line.crop(0, col), cell, line.crop(col + 1, line.cell_length)])
        return lines
