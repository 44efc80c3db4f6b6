"""The Network view: the inputs, then one row per layer, each unit a small picture of what it computes.

As in TensorFlow Playground, every unit's thumbnail is its activation over the same plane as the
decision boundary, block-averaged from one forward pass over the grid; under each thumbnail a row
of bars shows the unit's incoming weights (height: size, orange: negative, blue: positive). For
image data the first layer's units are the images their weights form (see
:mod:`nnplay.engine.unit_maps`). Arrows pick a unit (the selected one is marked ``▲``) and its
picture is drawn large below the network; enter hides or shows the large picture.

The pictures are computed by the engine from the latest weight snapshot, at most
``REDRAWS_PER_SECOND`` times a second, only while the view is on screen, and only while the UI
thread keeps its share of the time small (:class:`~nnplay.tui.widgets.live.LiveView`).
The widget is on the Line API: a frame is a list of strips, one per line, built once, then sliced.
"""

from __future__ import annotations

import textwrap
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from rich.segment import Segment
from rich.style import Style
from textual import events, on, work
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget
from textual.worker import get_current_worker

from nnplay.engine.probe import Plane, image_shape, plane_for
from nnplay.engine.spec import Preset
from nnplay.engine.unit_maps import (
    NetworkPictures,
    UnitPictures,
    fit_square,
    network_pictures,
)
from nnplay.tui.widgets.colormap import heatmap_segments, line_at
from nnplay.tui.widgets.live import LiveView
from nnplay.tui.widgets.network.colors import DIM, EIGHTHS, signed_style

REDRAWS_PER_SECOND = 10
HEAVY = 1_000_000  # first-layer weights above which the pictures are computed in a worker thread
TILE = 8  # cells wide; 8 pixels tall = 4 cell rows
TILE_ROWS = TILE // 2
GAP = 1
BOLD = Style(bold=True)
MARK = Style(bold=True, color="yellow")


def _text(text: str, style: Style | None = None) -> Segment:
    return Segment(text, style)


def _line(segments: list[Segment], width: int) -> Strip:
    """One line of the view, cut or padded to ``width`` cells (one Strip: each costs to build)."""
    length = sum(segment.cell_length for segment in segments)
    if length < width:
        return Strip([*segments, Segment(" " * (width - length))], width)
    return Strip(segments, length).crop(0, width) if length > width else Strip(segments, width)


def weight_bars(incoming: np.ndarray, scale: float, width: int = TILE) -> list[Segment]:
    """A unit's incoming weights as ``width`` cells: one bar per weight (height |w| / ``scale``,
    orange negative, blue positive); more weights than cells end in ``…``."""
    shown = incoming if len(incoming) <= width else incoming[: width - 1]
    heights = np.clip(np.rint(np.abs(shown) / scale * 8), 1, 8).astype(int) if scale > 0 else np.ones(len(shown), int)
    cells = [_text(EIGHTHS[h], signed_style(w, scale)) for w, h in zip(shown.tolist(), heights.tolist(), strict=True)]
    if len(incoming) > width:
        cells.append(_text("…", DIM))
    cells.append(_text(" " * (width - len(cells))))
    return cells


def tiles_per_row(width: int) -> int:
    return max(1, (width + GAP) // (TILE + GAP))


def map_size(width: int) -> int:
    """Pixels a side of the large picture (and of the grid the thumbnails come from)."""
    return int(min(48, max(16, width // TILE * TILE)))


class NetworkView(LiveView, Widget, can_focus=True):
    """The Network tab: :meth:`show_model` when the model or data change, :meth:`show_weights`
    per snapshot (Keras-order weights)."""

    # Live frames keep the UI thread's whole share of the time (its own frames, the progress line,
    # Textual's compositor) under UI_SHARE, as the Boundary view's do: the training thread needs the rest.
    FRAMES_PER_SECOND, UI_SHARE, WHOLE_THREAD = REDRAWS_PER_SECOND, 0.08, True

    DEFAULT_CSS = """
    NetworkView {
        height: auto;
        padding: 0 1;
    }
    NetworkView:focus {
        background: $boost;
    }
    """
    BINDINGS: ClassVar = [
        Binding("left", "move(0, -1)", "Unit", show=False),
        Binding("right", "move(0, 1)", "Unit", show=False),
        Binding("up", "move(-1, 0)", "Layer", show=False),
        Binding("down", "move(1, 0)", "Layer", show=False),
        Binding("enter", "toggle_large", "Large map", show=False),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.preset: Preset | None = None
        self.dataset = None
        self.weights: list[np.ndarray] | None = None
        self.epoch = -1
        self.pictures: NetworkPictures | None = None
        self.selected = (1, 0)  # (picture row: the inputs or the first layer's kernels first, unit)
        self._picked = False  # whether the user chose a unit (else the first layer's first unit)
        self.large = True
        self.frames = 0
        self.drawn_epoch: int | None = None  # the epoch of the weights on screen
        self.shown_epoch = -1
        self._computing = False
        self._plane: Plane | None = None
        self._lines: list[Strip] = []
        self._width = 0
        self._top = 2  # lines above the first row of tiles

    def on_mount(self) -> None:
        self.start_live()
        self.draw_now()

    # -- what to show ----------------------------------------------------------------------

    def show_model(self, preset: Preset, dataset) -> None:
        """A new model or data set: draw it once weights arrive."""
        data_changed = dataset is not self.dataset
        self.preset, self.dataset = preset, dataset
        if data_changed:
            self._plane = None
        self.weights, self.pictures = None, None
        self._picked = False
        self.mark_stale()

    def show_weights(self, weights: Sequence[np.ndarray], epoch: int = -1) -> None:
        self.weights, self.epoch = list(weights), epoch
        self.mark_stale()

    # -- drawing ---------------------------------------------------------------------------

    def on_resize(self) -> None:
        self.mark_stale()

    def draw(self) -> None:
        width = max(self.content_size.width, 20)
        self._width = width
        job = (self.preset, self.dataset, self.weights, self.epoch, width)
        if self._heavy():
            if not self._computing:  # one picture job at a time; a stale view asks again later
                self._computing = True
                self._compute_in_thread(job)
            else:
                self.mark_stale()
            return
        self._show(self._compute(*job[:3], width), job[3], width)

    def _heavy(self) -> bool:
        """Whether the pictures take long enough to compute off the UI thread (a huge first layer)."""
        return self.weights is not None and int(np.size(self.weights[0])) > HEAVY

    @work(thread=True, exclusive=True, exit_on_error=False, group="network-view", description="unit pictures")
    def _compute_in_thread(self, job: tuple) -> None:
        preset, dataset, weights, epoch, width = job
        started = time.monotonic()
        pictures = self._compute(preset, dataset, weights, width)
        if not get_current_worker().is_cancelled:
            self.post_message(self.PicturesReady(pictures, epoch, width, time.monotonic() - started))

    @dataclass
    class PicturesReady(Message):
        pictures: NetworkPictures | None
        epoch: int
        width: int
        seconds: float

    @on(PicturesReady)
    def _pictures_ready(self, event: PicturesReady) -> None:
        event.stop()
        self._computing = False
        self.pacer.paid(event.seconds)
        self._show(event.pictures, event.epoch, event.width)

    def _show(self, pictures: NetworkPictures | None, epoch: int, width: int) -> None:
        self.pictures = pictures
        self.drawn_epoch = epoch if pictures is not None else None
        self.shown_epoch = epoch
        self._lines = self._build(width)
        self.frames += 1
        if self.size.height != len(self._lines):
            self.refresh(layout=True)
        else:
            self.refresh()

    def _compute(self, preset: Preset | None, dataset, weights, width: int) -> NetworkPictures | None:
        if preset is None or dataset is None or weights is None:
            return None
        size = map_size(width)
        plane = self._plane
        if plane is None and image_shape(preset.data) is None:
            plane = plane_for(dataset, size, size)  # a PCA plane is worth keeping: cache it
            if dataset is self.dataset:
                self._plane = plane
        plane = plane.resized(size, size) if plane is not None else None
        return network_pictures(preset.model, weights, dataset, preset.data,
                                plane=plane, max_units=tiles_per_row(width), size=size)

    def _build(self, width: int) -> list[Strip]:
        pictures = self.pictures
        if pictures is None:
            return [_line([_text("The network appears once the data have loaded.", DIM)], width)]
        self._clamp()
        when = "untrained" if self.shown_epoch < 0 else f"epoch {self.shown_epoch + 1}"
        lines = [
            _line([_text("Network ", BOLD), _text(f"({when}) ", DIM), _text("←→↑↓ pick · enter: large map", DIM)], width),
            *(_line([_text(part, DIM)], width) for part in textwrap.wrap(pictures.description, width)),
        ]
        self._top = len(lines)
        for r, row in enumerate(pictures.rows):
            lines.extend(self._row_lines(r, row, width))
        if self.large:
            lines.extend(self._large_lines(width))
        return lines

    def _row_lines(self, r: int, row: UnitPictures, width: int) -> list[Strip]:
        more = row.units - row.shown
        title = "inputs" if row.activation == "input" else f"{row.name} · {row.units} {row.activation}"
        what = {"kernel": "(weights as an image)", "samples": "(on test images)"}.get(row.kind, "")
        head = [_text(f"{title}  ", BOLD)]
        if more > 0:
            head.append(_text(f"+{more} more  ", DIM))
        head.append(_text(what, DIM))
        lines = [_line(head, width)]
        tiles = [heatmap_segments(row.thumbnail(j, TILE)) for j in range(row.shown)]
        gap = _text(" " * GAP)
        for y in range(TILE_ROWS):
            segments: list[Segment] = []
            for tile in tiles:
                segments.extend(tile[y])
                segments.append(gap)
            lines.append(_line(segments, width))
        lines.append(self._under_tiles(r, row, width))
        return lines

    def _under_tiles(self, r: int, row: UnitPictures, width: int) -> Strip:
        """Under each tile: the incoming weights' bars (or the input's name), the chosen one marked."""
        segments: list[Segment] = []
        scale = float(np.abs(row.kernel).max()) if row.kernel is not None and row.kernel.size else 0.0
        for j in range(row.shown):
            chosen = (r, j) == self.selected
            if row.kernel is None or row.kind == "kernel":
                name = row.unit_names[j] if j < len(row.unit_names) else f"unit {j + 1}"
                label = ("▲" if chosen else "") + name
                segments.append(_text(f"{label[:TILE]:<{TILE}}", MARK if chosen else DIM))
            else:
                bars = weight_bars(row.kernel[:, j], scale, TILE - 1 if chosen else TILE)
                segments.extend([_text("▲", MARK), *bars] if chosen else bars)
            segments.append(_text(" " * GAP))
        return _line(segments, width)

    def _large_lines(self, width: int) -> list[Strip]:
        pictures = self.pictures
        r, j = self.selected
        row = pictures.rows[r]
        picture = row.maps[j]
        if max(picture.shape) < 16:  # a small picture (outputs on 8x8 sample images): enlarge it
            picture = fit_square(picture, 32)
        name = row.unit_names[j] if row.activation == "input" and j < len(row.unit_names) else f"{row.name} unit {j + 1}"
        raw = row.raw[j]
        lines = [Strip.blank(width), _line([_text(f"{name}  ", MARK), _text(
            f"{raw.min():.3g} … {raw.max():.3g}  " + _scale_note(row), DIM)], width)]
        lines.extend(_line(segments, width) for segments in heatmap_segments(picture))
        if row.kernel is not None:
            lines.append(_line(self._weights_line(row, j), width))
        return lines

    def _weights_line(self, row: UnitPictures, j: int) -> list[Segment]:
        incoming = row.kernel[:, j]
        scale = float(np.abs(incoming).max()) or 1.0
        segments = [_text("in: ", DIM)]
        if row.bias is not None:
            segments += [_text("bias ", DIM), _text(f"{row.bias[j]:+.2f} ", signed_style(row.bias[j], scale))]
        for k, w in enumerate(incoming[:6]):
            segments += [_text(f"w{k + 1} ", DIM), _text(f"{w:+.2f} ", signed_style(w, scale))]
        if len(incoming) > 6:
            segments.append(_text(f"… {len(incoming) - 6} more", DIM))
        return segments

    # -- Line API ----------------------------------------------------------------------------

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return max(1, len(self._lines))

    def render_line(self, y: int) -> Strip:
        return line_at(self._lines, y, self.content_size.width)

    # -- picking a unit ----------------------------------------------------------------------

    def _clamp(self) -> None:
        rows = self.pictures.rows if self.pictures else []
        if not rows:
            return
        if not self._picked:  # the first layer's first unit: row 1 after the inputs, row 0 for images
            self.selected = (0 if rows[0].kind == "kernel" else 1, 0)
        r = min(max(self.selected[0], 0), len(rows) - 1)
        self.selected = (r, min(max(self.selected[1], 0), rows[r].shown - 1))

    def action_move(self, rows: int, units: int) -> None:
        self._picked = True
        self.selected = (self.selected[0] + rows, self.selected[1] + units)
        self._clamp()
        self._lines = self._build(self._width or max(self.content_size.width, 20))
        self.refresh(layout=True)
        self._show_selected()

    def on_click(self, event: events.Click) -> None:
        """A click on a tile picks its unit."""
        offset = event.get_content_offset(self)
        if offset is None or self.pictures is None:
            return
        row, line = divmod(offset.y - self._top, TILE_ROWS + 2)
        unit = offset.x // (TILE + GAP)
        if 0 <= row < len(self.pictures.rows) and 1 <= line <= TILE_ROWS + 1 and unit < self.pictures.rows[row].shown:
            self.selected = (row, unit)
            self.action_move(0, 0)

    def action_toggle_large(self) -> None:
        self.large = not self.large
        self.action_move(0, 0)

    def _show_selected(self) -> None:
        """Scroll the chosen unit's row into view."""
        if self.pictures is None or self.parent is None:
            return
        top = self._top + (TILE_ROWS + 2) * self.selected[0]
        region = Region(0, self.virtual_region.y + top, self.size.width, TILE_ROWS + 2)
        scroll = getattr(self.parent, "scroll_to_region", None)
        if scroll is not None:
            scroll(region, animate=False)


def _scale_note(row: UnitPictures) -> str:
    if row.kind == "kernel":
        return "weights ÷ max|w|"
    if row.activation in ("sigmoid", "softmax"):
        return "colour: 2a−1 (0.5 grey)"
    if row.activation == "tanh":
        return "colour: a"
    return "colour: a ÷ max|a|"
