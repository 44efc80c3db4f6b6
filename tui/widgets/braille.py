"""Lines drawn in braille: each terminal cell holds a 2x4 grid of dots, so a chart of C x R cells
has 2C x 4R pixels. Pixels are NumPy boolean masks (row 0 at the top); :func:`cell_codes` packs
them into the braille code points U+2800 + bits. No Python loop per pixel: a chart redraw is a
few array operations per curve.
"""

from __future__ import annotations

import numpy as np

# The bit of each dot in a braille cell, indexed [row in cell, column in cell] (Unicode's dot order).
DOT_BITS = np.array([[0x01, 0x08], [0x02, 0x10], [0x04, 0x20], [0x40, 0x80]], dtype=np.int32)
BRAILLE = tuple(chr(0x2800 + code) for code in range(256))


def cell_codes(pixels: np.ndarray) -> np.ndarray:
    """A ``(4R, 2C)`` mask of pixels -> the ``(R, C)`` braille bit patterns (0: an empty cell)."""
    rows, cols = pixels.shape[0] // 4, pixels.shape[1] // 2
    blocks = pixels[: rows * 4, : cols * 2].reshape(rows, 4, cols, 2)
    return (blocks * DOT_BITS[None, :, None, :]).sum(axis=(1, 3))


def polyline(xs: np.ndarray, ys: np.ndarray, width: int, height: int, *, dashed: bool = False) -> np.ndarray:
    """The pixels of the line through the points ``(xs, ys)`` (pixel units, ``xs`` ascending).

    Every pixel column between the first and the last point is filled from the line's value there
    to its value in the next column, so steep stretches stay connected; when several points share a
    column (more epochs than pixels) the column spans all of them. ``dashed`` draws every other
    cell's columns.
    """
    mask = np.zeros((height, width), dtype=bool)
    if len(xs) == 0:
        return mask
    xs = np.clip(np.asarray(xs, dtype=np.int64), 0, width - 1)
    ys = np.clip(np.asarray(ys, dtype=float), 0, height - 1)
    first, last = int(xs[0]), int(xs[-1])
    cols = np.arange(first, last + 1)
    along = np.interp(cols, xs, ys)
    low, high = along.copy(), along.copy()
    np.minimum.at(low, xs - first, ys)
    np.maximum.at(high, xs - first, ys)
    low[:-1] = np.minimum(low[:-1], along[1:])
    high[:-1] = np.maximum(high[:-1], along[1:])
    rows = np.arange(height)[:, None]
    span = (rows >= np.rint(low)[None, :]) & (rows <= np.rint(high)[None, :])
    if dashed:
        span &= ((cols // 2) % 2 == 0)[None, :]
    mask[:, first : last + 1] = span
    return mask
