"""The "Surface" view: the descent drawn on the loss surface, step by step.

For a model with two weights (the lecture's β1, β2) the picture is the whole loss, fixed for the
run; the path of the weights after every step is drawn on it as it grows. Full-batch gradient
descent walks a smooth curve, SGD on mini-batches a jittery one. For a larger (but small) model
it is a slice through two weights chosen in the picker below, every other weight held at its value
of the moment: that slice moves as they train, so it is drawn again when the run is paused, when
it ends, and every few seconds while it plays.

The loss values come from :class:`nnplay.engine.surface.LossSurface`, computed in a thread worker;
the weights and gradients from the run's :class:`~nnplay.engine.training.StepTaken` events.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Label, Select, Static

from nnplay.tui.widgets.live import LiveView
from nnplay.tui.widgets.surface.map import Marker, SurfaceMap
from nnplay.tui.widgets.surface.update import UpdateNumbers

if TYPE_CHECKING:
    from nnplay.engine.run import RunReport
    from nnplay.engine.spec import Preset
    from nnplay.engine.surface import LossSurface, Surface, WeightRef
    from nnplay.engine.training import StepTaken

#: Models with at most this many weights report every step and get a surface; larger ones do not.
WATCH_LIMIT = 500
#: The update as numbers is shown for models with at most this many weights (a one-unit model).
NUMBERS_LIMIT = 4
SLICE_EVERY = 3.0  # seconds between redrawn slices while a run plays
SLICE_COARSENESS = 2  # a slice is computed on every 2nd pixel each way (a quarter of the work)

START, NOW, TRUTH, LOWEST = (255, 255, 255), (255, 70, 70), (255, 165, 0), (0, 235, 255)


def watches(trainable_params: int) -> bool:
    """Whether a run of a model this size should report its steps for this view."""
    return trainable_params <= WATCH_LIMIT


@dataclass
class _Run:
    preset: Preset
    source: LossSurface
    u: WeightRef
    v: WeightRef
    truth: tuple[float, ...] | None
    start: list[np.ndarray]
    current: list[np.ndarray]
    recorded: bool = True  # the run reports its steps
    steps: int = 0
    last: StepTaken | None = None


class SurfacePane(LiveView, Vertical):
    """Title, picture, axes and legend, the step's numbers, and (for slices) the weight picker."""

    DEFAULT_CSS = """
    SurfacePane {
        height: 1fr;
    }
    SurfacePane .surface-line {
        height: 1;
        padding: 0 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    SurfacePane #surface-picker {
        height: auto;
        display: none;
    }
    SurfacePane #surface-picker.-sliced {
        display: block;
    }
    SurfacePane #surface-picker Select {
        width: 1fr;
    }
    """

    @dataclass
    class Computed(Message):
        surface: Surface
        token: object

    def compose(self) -> ComposeResult:
        yield Static("Train (t), or step (b, n), to draw the loss surface.", id="surface-title", classes="surface-line")
        yield SurfaceMap(id="surface-map")
        yield Static("", id="surface-axes", classes="surface-line")
        yield Static("", id="surface-legend", classes="surface-line")
        yield UpdateNumbers("", id="surface-update")
        with Horizontal(id="surface-picker"):
            yield Label("weights ")
            yield Select([], id="surface-u", compact=True, prompt="weight u")
            yield Select([], id="surface-v", compact=True, prompt="weight v")

    def on_mount(self) -> None:
        self.watched: _Run | None = None
        self.surface: Surface | None = None
        self._computing: _Run | None = None  # the run whose surface is being computed
        self._again = False
        self._computed_at = 0.0
        self._grid_size = (0, 0)
        self.query_one(UpdateNumbers).display = False
        self.start_live()

    # A step's markers and numbers are drawn on the live-view clock: stale while the tab is hidden,
    # caught up when it shows, at most as often as the frame budget allows.
    FRAMES_PER_SECOND = 30.0

    # -- what the app tells it -------------------------------------------------------------

    @staticmethod
    def showing(app) -> bool:
        """Whether the app's Surface tab is the one on screen."""
        return any(pane._shown() for pane in app.query(SurfacePane))

    def prepare(self, preset: Preset, n_features: int, source: LossSurface | None, start: list[np.ndarray],
                steps: bool = True) -> None:
        """A run begins from the ``start`` weights it announced; ``source`` is None for a model too
        large to watch; ``steps``: its steps will be reported (not for a run at max speed started
        with this tab hidden)."""
        from nnplay.engine.surface import true_beta

        self.surface = None
        surface_map = self.query_one(SurfaceMap)
        self.query_one(UpdateNumbers).display = False
        if source is None:
            self.watched = None
            surface_map.message = f"The surface view watches models of at most {WATCH_LIMIT} weights."
            surface_map.show_grid(None, (0, 1, 0, 1))
            self._title("No surface for this model: it is too large to follow step by step.")
            return
        refs = source.refs
        self.watched = _Run(preset, source, refs[0], refs[1], true_beta(preset, n_features), start, start, steps)
        picker = self.query_one("#surface-picker")
        picker.set_class(source.sliced, "-sliced")
        if source.sliced:
            options = [(ref.name, i) for i, ref in enumerate(refs)]
            with self.prevent(Select.Changed):
                self.query_one("#surface-u", Select).set_options(options)
                self.query_one("#surface-v", Select).set_options(options)
                self.query_one("#surface-u", Select).value = 0
                self.query_one("#surface-v", Select).value = 1
        surface_map.message = "computing the loss surface…"
        surface_map.set_path([self._point(start)])
        surface_map.show_grid(None, (0, 1, 0, 1))
        self._show_markers()
        self._title()
        self.compute()

    def add_steps(self, steps: Sequence[StepTaken]) -> None:
        run = self.watched
        if run is None or not steps:
            return
        run.steps += len(steps)
        run.last = steps[-1]
        run.current = list(steps[-1].after)
        self.query_one(SurfaceMap).extend_path([self._point(step.after) for step in steps])
        self.mark_stale()  # a hidden tab only keeps the points; it catches up when shown
        self.draw_if_due()

    def _shown(self) -> bool:
        return all(node.display for node in self.ancestors_with_self if isinstance(node, Widget))

    def on_show(self) -> None:
        self.draw_now()

    def draw(self) -> None:
        run = self.watched
        if run is None:
            return
        self._show_markers()
        self._title()
        if len(run.source.refs) <= NUMBERS_LIMIT and run.last is not None:
            self.query_one(UpdateNumbers).show_step(run.last, run.steps, run.preset.train.optimizer)
        missing = self.surface is None and self._computing is None
        if missing or (run.source.sliced and time.monotonic() - self._computed_at > SLICE_EVERY):
            self.compute()

    def held(self) -> None:
        """The run is paused: a slice is drawn again through the weights of the moment."""
        if self.watched is not None and self.watched.source.sliced:
            self.compute()

    def finish(self, report: RunReport) -> None:
        if self.watched is not None:
            self._final_weights(report, self.watched)

    @work(thread=True, exclusive=True, exit_on_error=False, group="surface-final", description="final weights")
    def _final_weights(self, report: RunReport, run: _Run) -> None:
        # Early stopping may have put earlier weights back: draw where the model really ended.
        weights = report.trainer.get_weights()  # Keras is asked in this thread, never in the UI's
        self.app.call_from_thread(self._ended, run, weights)

    def _ended(self, run: _Run, weights: list[np.ndarray]) -> None:
        if run is not self.watched:
            return
        run.current = weights
        self._show_markers()
        self._title()
        self.compute()

    # -- computing the surface (in a worker) -----------------------------------------------

    def compute(self) -> None:
        run = self.watched
        if run is None:
            return
        if self._computing is run:  # one is under way for this run: once more when it is done
            self._again = True
            return
        size = self.query_one(SurfaceMap).grid_size
        if size[0] < 8 or size[1] < 4:
            return  # not on screen: drawn when the pane is shown (on_resize)
        self._grid_size = size
        self._computing, self._again = run, False
        include = [run.truth] if run.truth is not None and len(run.truth) == 2 else []
        if not run.source.sliced:  # the whole model: frame the start and the path so far too
            include += self.query_one(SurfaceMap).path_box()
        extent = None  # a fixed picture for the whole model, unless resized or the path left it
        if self.surface is not None and not run.source.sliced and self._fits(size):
            u0, u1, v0, v1 = self.surface.extent
            if all(u0 <= u <= u1 and v0 <= v <= v1 for u, v in include):
                extent = self.surface.extent
        if run.source.sliced:
            size = (-(-size[0] // SLICE_COARSENESS), -(-size[1] // SLICE_COARSENESS))
        self._compute(run, [w.copy() for w in run.current], size, extent, include)

    def _fits(self, size: tuple[int, int]) -> bool:
        return self.surface is not None and self.surface.loss.shape == (size[1], size[0])

    @work(thread=True, exclusive=True, exit_on_error=False, group="surface", description="loss surface")
    def _compute(self, run: _Run, weights: list[np.ndarray], size: tuple[int, int],
                 extent: tuple[float, float, float, float] | None, include: list) -> None:
        surface = run.source.compute(weights, run.u, run.v, size=size, extent=extent, include=include)
        self.post_message(self.Computed(surface, run))

    @on(Computed)
    def _computed(self, event: Computed) -> None:
        event.stop()
        if event.token is not self._computing or event.token is not self.watched:
            return  # an earlier run's surface, finished late
        self._computing = None
        self._computed_at = time.monotonic()
        self.surface = event.surface
        surface_map = self.query_one(SurfaceMap)
        loss = event.surface.loss
        if event.surface.sliced:  # drawn at the map's size from the coarser grid
            cols, rows = surface_map.grid_size
            loss = np.repeat(np.repeat(loss, SLICE_COARSENESS, axis=0), SLICE_COARSENESS, axis=1)[:rows, :cols]
        surface_map.show_grid(loss, event.surface.extent)
        self._show_markers()
        self._title()
        if self._again or self._grid_size != self.query_one(SurfaceMap).grid_size:
            self.compute()

    def failed(self, message: str) -> None:
        """A surface worker raised (the app's one worker-failure handler calls this)."""
        self._computing = None  # the next step, pause or resize tries again
        self._title(f"The loss surface could not be computed: {message}")

    def on_resize(self) -> None:
        if self.watched is not None and self.query_one(SurfaceMap).grid_size != self._grid_size:
            self.compute()

    @on(Select.Changed)
    def _picked(self, event: Select.Changed) -> None:
        event.stop()
        run = self.watched
        if run is None or not isinstance(event.value, int):
            return
        ref = run.source.refs[event.value]
        if event.select.id == "surface-u":
            run.u = ref
        else:
            run.v = ref
        self.surface = None
        self.query_one(SurfaceMap).set_path([self._point(run.current)])  # the path starts again here
        self._show_markers()
        self.compute()

    # -- words and markers -----------------------------------------------------------------

    def _point(self, weights: Sequence[np.ndarray]) -> tuple[float, float]:
        assert self.watched is not None
        return self.watched.u.of(weights), self.watched.v.of(weights)

    def _show_markers(self) -> None:
        run = self.watched
        if run is None:
            return
        markers = []
        if not run.source.sliced:
            markers.append(Marker(*self._point(run.start), "○", START))
        if run.truth is not None and len(run.truth) == 2:
            markers.append(Marker(*run.truth, "✕", TRUTH))
        if self.surface is not None:
            markers.append(Marker(*self.surface.minimum, "◇", LOWEST))
        markers.append(Marker(*self._point(run.current), "●", NOW))
        self.query_one(SurfaceMap).set_markers(markers)
        self._legend()

    def _title(self, text: str | None = None) -> None:
        run = self.watched
        if text is None and run is not None:
            u, v = run.u.name, run.v.name
            batch = run.preset.train.batch_size
            how = "full batch" if batch == "full" else f"batches of {batch}"
            loss = ""
            if self.surface is not None:
                now = run.source.loss_at(run.current)
                loss = f" · loss {now:.4f}"
            text = f"Loss over ({u}, {v}) · step {run.steps}{loss} · {how}"
            if run.source.sliced:
                text = f"Slice ({u}, {v}), other weights held as they are now · step {run.steps}{loss}"
            if not run.recorded:
                text = f"({u}, {v}){loss} · no path: the run began at max speed with this tab hidden"
        self.query_one("#surface-title", Static).update(text or "", layout=False)

    def _legend(self) -> None:
        run, surface = self.watched, self.surface
        if run is None:
            return
        parts = [] if run.source.sliced else ["○ start"]
        parts.append("● now")
        if run.truth is not None and len(run.truth) == 2:
            parts.append(f"✕ true β ({run.truth[0]:g}, {run.truth[1]:g})")
        if surface is not None:
            parts.append(f"◇ min ({surface.minimum[0]:.2f}, {surface.minimum[1]:.2f})")
            u0, u1, v0, v1 = surface.extent
            axes = f"→ {run.u.name} {u0:.2f} … {u1:.2f}  ↑ {run.v.name} {v0:.2f} … {v1:.2f}  dark: low loss"
            self.query_one("#surface-axes", Static).update(axes, layout=False)
        self.query_one("#surface-legend", Static).update("  ".join(parts), layout=False)
