"""What the Network and Weights views cost, and whether they slow training.

1. A frame of each view inside the real app (headless, Pilot) at 120x40 and 80x24, median of
   ``FRAMES`` redraws from the weights of a finished run: the Network view's ``redraw`` (the engine's
   pictures of every shown unit from one grid pass, then the half-block strips) and the strips'
   conversion to ANSI bytes (what the terminal receives); the Weights view's ``redraw`` (the engine's
   statistics or matrices, laid out as text) and its rendering to segments.
2. Preset 12 (with ``LONG_EPOCHS`` epochs, so that the run lasts seconds) trained in the app with the Network tab on screen, with the Weights tab on screen and
   with the Loss tab on screen, against the same run headless (``prepare`` + ``run``, as
   ``nnplay train`` does it): the app's overhead in percent, each the median of ``RUNS`` runs.

Run: ``python -m benchmarks network_views``.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from pathlib import Path

FRAMES = 30
RUNS = 3
SIZES = ((120, 40), (80, 24))
PRESETS = ("05-hidden-layer", "12-playground-circles")
LONG_EPOCHS = 300


def _ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:7.2f} ms"


async def frame_costs(preset_id: str, size: tuple[int, int]) -> dict[str, list[float]]:
    from textual.widgets import TabbedContent

    from nnplay.tui.app import make_app
    from nnplay.tui.widgets.network.units import NetworkView
    from nnplay.tui.widgets.network.weights import WeightsView

    app = make_app(preset_id)
    out: dict[str, list[float]] = {"network": [], "network ansi": [], "weights": [], "weights ansi": []}
    async with app.run_test(size=size) as pilot:
        while app.dataset is None:
            await pilot.pause(0.05)
        app.action_train()
        while app.report is None:
            await pilot.pause(0.05)
        tabs = app.query_one("#views", TabbedContent)
        for name, widget_type in (("network", NetworkView), ("weights", WeightsView)):
            tabs.active = f"view-{name}"
            await pilot.pause(0.5)
            view = app.query_one(widget_type)
            out["width"] = [view.content_size.width]
            for _ in range(FRAMES):
                start = time.perf_counter()
                view.redraw()
                out[name].append(time.perf_counter() - start)
                start = time.perf_counter()
                if name == "network":
                    "".join(view.render_line(y).render(app.console) for y in range(len(view._lines)))
                else:
                    lines = app.console.render_lines(view.describe(view.content_size.width), app.console.options.update_width(view.content_size.width))
                    "".join(segment.text for line in lines for segment in line)
                out[f"{name} ansi"].append(time.perf_counter() - start)
    return out


def headless_run(preset) -> float:  # noqa: ANN001
    from nnplay.engine.run import prepare, run

    start = time.monotonic()
    run(prepare(preset))
    return time.monotonic() - start


async def app_run(preset_path: str, view: str) -> float:
    """Seconds from ``t`` to the results on screen with tab ``view`` of the side column showing."""
    from textual.widgets import TabbedContent

    from nnplay.tui.app import make_app

    app = make_app(preset_path)
    async with app.run_test(size=(120, 40)) as pilot:
        while app.dataset is None:
            await pilot.pause(0.05)
        app.query_one("#views", TabbedContent).active = view
        await pilot.pause(0.5)
        start = time.monotonic()
        app.action_train()
        while app.report is None:
            await asyncio.sleep(0.01)
        await pilot.pause()
        return time.monotonic() - start


def main() -> None:
    from nnplay.engine.presets import load_preset, save_preset

    print("Frame cost of the views (median of", FRAMES, "redraws after a finished run)")
    for preset_id in PRESETS:
        for size in SIZES:
            costs = asyncio.run(frame_costs(preset_id, size))
            print(f"  {preset_id:24} {size[0]}x{size[1]} (view {costs['width'][0]} cells wide): "
                  f"network {_ms(costs['network'])} + ANSI {_ms(costs['network ansi'])};  "
                  f"weights {_ms(costs['weights'])} + render {_ms(costs['weights ansi'])}")

    preset = load_preset("12-playground-circles").with_changes("train.epochs", LONG_EPOCHS)
    headless = statistics.median(headless_run(preset) for _ in range(RUNS))
    print(f"\nPreset 12 with {LONG_EPOCHS} epochs, training time, median of {RUNS} runs: headless {headless:.2f} s")
    with tempfile.TemporaryDirectory() as folder:
        path = str(save_preset(preset, Path(folder) / "long.toml"))
        for view in ("view-loss", "view-network", "view-weights"):
            seconds = statistics.median(asyncio.run(app_run(path, view)) for _ in range(RUNS))
            print(f"  in the app, {view[5:]:8} tab showing: {seconds:.2f} s ({(seconds / headless - 1) * 100:+.0f} %)")


if __name__ == "__main__":
    main()
