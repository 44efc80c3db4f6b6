"""The Boundary view: the model's output over the data's input plane, with the data on top.

The engine computes everything (:mod:`nnplay.engine.probe`): the plane that covers the data, one
NumPy forward pass over its grid from a copy of the weights, and what the output means at each
pixel. This view only picks colours:

* two classes: p(class 1) on TF Playground's orange-grey-blue scale (orange: class 0, blue: class 1);
* more classes: each class's hue, fading to grey where the winning probability is low;
* regression: the predicted value on a light-to-dark blue scale spanning the training targets;
* ``d`` (discretize): the predicted class only, in solid colours;
* ``x``: the test points too (darker than the training points).

Before the first run it shows the untrained model (the shared initial weights), so pressing train
visibly moves it; while training it redraws from the weights the relay posts (at most ten times a
second), and after a run it keeps the last run's weights while the model and data stay the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from nnplay.engine.probe import OutputField, Plane, grid_outputs, image_shape, output_field, plane_for
from nnplay.tui.widgets.colormap import (
    SHADES,
    Palette,
    PixelMap,
    class_shades,
    diverging,
    half_blocks,
    hue,
    point_colors,
    quantize,
    sequential,
    supports_truecolor,
)
from nnplay.tui.widgets.live import LiveView

if TYPE_CHECKING:
    from nnplay.engine.data import Dataset
    from nnplay.engine.spec import ModelSpec, Preset

CLASS_SHADES = 8  # shades per class, unsure (grey) to sure (the class's hue)
MAX_FPS = 10  # live frames a second at most
UI_SHARE = 0.08  # the most of the wall time the UI thread may spend between two live frames


# --------------------------------------------------------------------------------------------
# Values to palette indexes (pure: tested with small arrays)


@dataclass(frozen=True)
class Picture:
    """An image of palette indexes ``(pixel rows, cols)`` and the palette they index."""

    image: np.ndarray
    palette: Palette


@lru_cache(maxsize=16)
def _palette(kind: str, k: int, fade: bool = True) -> tuple[Palette, int]:
    """The map's palette followed by the points' colours, and where the points' colours start
    (``fade``: light map colours, for true colour; the 256-colour fallback keeps them strong)."""
    if kind == "binary":
        base = diverging(fade=fade)
    elif kind == "classes":
        base = class_shades(k, CLASS_SHADES, fade=fade)
    else:
        base = sequential(fade=fade)
    points = sequential(fade=False) if kind == "regression" else point_colors(k, over_strong_map=not fade)
    return base + points, len(base)


def map_indexes(field: OutputField, *, discretize: bool, value_range: tuple[float, float] | None = None) -> np.ndarray:
    """Each pixel's colour index in the map's part of the palette (see :func:`_palette`)."""
    if field.kind == "binary":
        if discretize:
            return np.where(field.classes == 1, SHADES - 1, 0)
        return quantize(2.0 * field.value - 1.0, -1.0, 1.0, SHADES)  # p in [0, 1] -> [-1, 1]
    if field.kind == "classes":
        k = field.n_classes or 1
        sure = np.full(field.value.shape, CLASS_SHADES - 1) if discretize else quantize(field.value, 1.0 / k, 1.0, CLASS_SHADES)
        return field.classes * CLASS_SHADES + sure
    low, high = value_range or (float(np.min(field.value)), float(np.max(field.value)))
    return quantize(field.value, low, high, SHADES)


def picture(field: OutputField, plane: Plane, points: list[tuple[np.ndarray, np.ndarray, bool]], *,
            discretize: bool = False, value_range: tuple[float, float] | None = None,
            truecolor: bool = True) -> Picture:
    """The map of ``field`` with ``points`` drawn over it: ``(plane coordinates, labels, is_test)``
    groups, later groups on top. Class points take their class's full colour (test points a darker
    one); regression points their target's colour on the map's scale, at full strength."""
    k = field.n_classes or 2
    palette, start = _palette(field.kind, k, truecolor)
    image = map_indexes(field, discretize=discretize, value_range=value_range).copy()
    for uv, labels, is_test in points:
        if len(uv) == 0:
            continue
        rows, cols = plane.pixels(uv)
        if field.kind == "regression":
            low, high = value_range or (float(np.min(labels)), float(np.max(labels)))
            image[rows, cols] = start + quantize(labels, low, high, SHADES)
        else:
            image[rows, cols] = start + np.asarray(labels, dtype=np.int64) % k + (k if is_test else 0)
    return Picture(image, palette)


# --------------------------------------------------------------------------------------------
# The view


def _swatch(color: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*color)


class BoundaryView(LiveView, Vertical):
    """Header (what the colours mean), the map, and a status line (keys, which weights)."""

    DEFAULT_CSS = """
    BoundaryView { height: 1fr; }
    BoundaryView > .boundary-line { height: 1; padding: 0 1; color: $text-muted; }
    BoundaryView > #boundary-map { height: 1fr; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.model: ModelSpec | None = None
        self.data_spec = None
        self.dataset: Dataset | None = None
        self.weights: list[np.ndarray] | None = None
        self.trained = False  # the weights are a run's, not the initial ones
        self.epoch_note = ""
        self.plane: Plane | None = None
        self.discretize = False
        self.show_test = False
        self.field: OutputField | None = None  # the last frame's output field (tests read it)
        self.frames = 0

    # Live frames keep the UI thread's whole share of the time under UI_SHARE; a copy that arrives
    # too soon waits for the next tick instead of being dropped.
    FRAMES_PER_SECOND, UI_SHARE, WHOLE_THREAD = MAX_FPS, UI_SHARE, True

    def compose(self) -> ComposeResult:
        yield Static("", id="boundary-legend", classes="boundary-line")
        yield PixelMap(id="boundary-map")
        yield Static("", id="boundary-status", classes="boundary-line")

    def on_mount(self) -> None:
        self.start_live()

    def on_resize(self) -> None:
        self.plane = None
        self.redraw()

    def redraw(self) -> None:
        self.draw_or_defer()

    # -- what the app tells the view -------------------------------------------------------

    def show_untrained(self, preset: Preset, dataset: Dataset, weights: list[np.ndarray], *, start: bool = False) -> None:
        """The draft's model on ``dataset`` with the ``weights`` a run would start from (the session
        says which). Keeps the last run's weights while they still fit the model and data, unless
        ``start``: a run begins from ``weights`` now."""
        same_run = self.trained and self.model == preset.model and self.data_spec == preset.data and not start
        if dataset is not self.dataset:
            self.plane = None
        self.dataset, self.data_spec = dataset, preset.data
        if not same_run:
            self.model, self.weights, self.trained = preset.model, weights, False
            self.epoch_note = "untrained (initial weights)"
        self.redraw()

    def show_weights(self, model: ModelSpec, weights: list[np.ndarray], note: str, *, final: bool = True) -> None:
        """A run's weights (from the training thread's copy). While training (``final`` false) the
        frame waits while the UI thread has spent more than ``UI_SHARE`` of the time since the last
        frame working (the training thread shares the interpreter with it); the newest copy is drawn
        on a later tick, so a paused run's last copy is shown too. ``final`` draws at once."""
        self.model, self.weights, self.trained, self.epoch_note = model, weights, True, note
        if final:
            self.redraw()
        else:
            self.mark_stale()
            self.draw_if_due()

    def toggle_discretize(self) -> None:
        self.discretize = not self.discretize
        self.redraw()

    def toggle_test_points(self) -> None:
        self.show_test = not self.show_test
        self.redraw()

    # -- drawing ---------------------------------------------------------------------------

    def _why_not(self) -> str:
        """Why there is no map to draw ('' when there is one)."""
        if self.dataset is None or self.model is None or self.weights is None:
            return "Waiting for the data…"
        shape = image_shape(self.data_spec) if self.data_spec is not None else None
        if shape is not None:
            h, w, c = shape
            return (f"{self.dataset.name}: {self.dataset.n_features} inputs, the pixels of {h}x{w} "
                    f"{'RGB' if c == 3 else 'grey'} images; there is no input plane to colour. "
                    "The Network view draws what each first-layer unit looks for.")
        if self.weights[0].shape[0] != self.dataset.n_features:
            return "The model and the data do not match yet."
        return ""

    def draw(self) -> None:
        pixels = self.query_one(PixelMap)
        legend = self.query_one("#boundary-legend", Static)
        status = self.query_one("#boundary-status", Static)
        why = self._why_not()
        cols, rows = pixels.pixel_size
        if why or cols < 2 or rows < 2:
            pixels.show([])
            self._update_line(legend, why)
            self._update_line(status, "")
            self.field = None
            return
        dataset = self.dataset
        if self.plane is None or (self.plane.cols, self.plane.rows) != (cols, rows):
            self.plane = plane_for(dataset, cols, rows)
        maps = grid_outputs(self.model, self.weights, self.plane)
        field = output_field(maps.output, is_regression=dataset.is_regression)
        groups = [(self.plane.project(dataset.plane_train), dataset.y_train, False)]
        if self.show_test:
            groups.append((self.plane.project(dataset.plane_test), dataset.y_test, True))
        value_range = None
        if field.kind == "regression" and len(dataset.y_train):
            value_range = (float(np.min(dataset.y_train)), float(np.max(dataset.y_train)))
        truecolor = supports_truecolor(self)
        pic = picture(field, self.plane, groups, discretize=self.discretize, value_range=value_range, truecolor=truecolor)
        pixels.show(half_blocks(pic.palette, truecolor).strips(pic.image))
        self.field = field
        self.frames += 1
        self._update_line(legend, self._legend(field, value_range))
        self._update_line(status, self._status(field))

    @staticmethod
    def _update_line(line: Static, text: Text | str) -> None:
        """Update a one-line label only when its text changes (a repaint costs more than a compare)."""
        if getattr(line, "_shown", None) != text:
            line._shown = text  # type: ignore[attr-defined]
            line.update(text, layout=False)

    def _legend(self, field: OutputField, value_range: tuple[float, float] | None) -> Text:
        names = self.dataset.class_names or ()
        text = Text(no_wrap=True, overflow="ellipsis")
        if field.kind == "regression":
            low, high = value_range or (0.0, 1.0)
            text.append("prediction ")
            text.append(f"{low:.3g} ")
            for color in sequential().colors[::6]:
                text.append("█", style=_swatch(color))
            text.append(f" {high:.3g}")
        else:
            if field.kind == "binary" and not self.discretize:
                text.append(f"p({names[1] if len(names) > 1 else 'class 1'})  ")
            for i, name in enumerate(names):
                text.append("■ ", style=_swatch(hue(i)))
                text.append(f"{name}  ")
        text.append(f"· {self.plane.description}", style="dim")
        return text

    def _status(self, field: OutputField) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(self.epoch_note)
        if field.kind != "regression":
            text.append(" · d ", style="bold")
            text.append("graded" if self.discretize else "classes")
        text.append(" · x ", style="bold")
        text.append(f"{'hide' if self.show_test else 'show'} test")
        return text

