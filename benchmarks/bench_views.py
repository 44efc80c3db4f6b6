"""What the Boundary view costs, and whether leaving it on slows training.

1. One map frame at the terminal sizes a student uses (120x40 and 80x24), split into its parts:
   the engine's NumPy pass over the grid (``grid_outputs`` + ``output_field``), picking colours
   and laying the data points on top (``picture``), building the half-block strips, and the
   Textual compositor turning the refreshed widget into ANSI bytes. Median of many frames of the
   trained preset-12 model, measured inside a real app at that size.
2. Preset 12 (circles, 16 ReLU units, batches of 32) trained for longer, three ways side by side
   and interleaved: headless (``prepare`` + ``run``, as ``nnplay train``), in the app showing the
   Loss view, and in the app showing the Boundary view (redrawn from the relay's weight copies
   up to ten times a second). The overhead is each app run's best against the best headless run
   (goal: at most +15 %).

3. The Network and Weights views (one frame each, from the same trained weights, at both sizes):
   the Network view's frame (the engine's picture of every shown unit from one grid pass, laid
   out as one strip per line) and the Weights view's (statistics and histograms, laid out as
   text), each then through the compositor to ANSI bytes. Part 2 also trains with each of them
   on screen.

Run: ``python -m benchmarks views``.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from nnplay.engine.presets import load_preset, save_preset

FRAMES = 60
EPOCHS = 200


def _ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:6.2f}"


async def frame_costs(size: tuple[int, int]) -> dict[str, list[float]]:
    from textual.widgets import TabbedContent

    from nnplay.engine.probe import grid_outputs, output_field
    from nnplay.engine.run import prepare, run
    from nnplay.tui.app import NnplayApp
    from nnplay.tui.widgets.boundary import BoundaryView, picture
    from nnplay.tui.widgets.colormap import PixelMap, half_blocks

    preset = load_preset("12-playground-circles")
    report = run(prepare(preset.with_changes("train.epochs", 20)))
    weights = report.trainer.get_weights()
    app = NnplayApp(preset)
    times: dict[str, list[float]] = {"engine": [], "colours": [], "strips": [], "compositor": []}
    async with app.run_test(size=size) as pilot:
        while app.dataset is None:
            await pilot.pause(0.05)
        app.query_one("#views", TabbedContent).active = "view-boundary"
        await pilot.pause(0.3)
        view = app.query_one(BoundaryView)
        view.show_weights(preset.model, weights, "benchmark", final=True)
        await pilot.pause(0.1)
        pixels = app.query_one(PixelMap)
        plane, dataset = view.plane, app.dataset
        groups = [(plane.project(dataset.plane_train), dataset.y_train, False)]
        compositor = app.screen._compositor
        console = app.console
        for _ in range(FRAMES):
            t0 = time.perf_counter()
            maps = grid_outputs(preset.model, weights, plane)
            field = output_field(maps.output, is_regression=False)
            t1 = time.perf_counter()
            pic = picture(field, plane, groups)
            t2 = time.perf_counter()
            strips = half_blocks(pic.palette, True).strips(pic.image)
            t3 = time.perf_counter()
            pixels.show(strips)  # refresh(): the widget's region is repainted
            compositor.update_widgets({pixels})
            update = compositor.render_partial_update()
            ansi = console._render_buffer(console.render(update)) if update is not None else ""
            t4 = time.perf_counter()
            assert len(ansi) > plane.cols  # the map really went out
            times["engine"].append(t1 - t0)
            times["colours"].append(t2 - t1)
            times["strips"].append(t3 - t2)
            times["compositor"].append(t4 - t3)
        times["pixels"] = [float(plane.cols * plane.rows)]
    return times


async def unit_view_costs(size: tuple[int, int]) -> dict[str, list[float]]:
    """Frame costs of the Network and Weights views after a short run of preset 12."""
    from textual.widgets import TabbedContent

    from nnplay.engine.run import prepare, run
    from nnplay.tui.app import NnplayApp
    from nnplay.tui.widgets.network.units import NetworkView
    from nnplay.tui.widgets.network.weights import WeightsView

    preset = load_preset("12-playground-circles")
    weights = run(prepare(preset.with_changes("train.epochs", 20))).trainer.get_weights()
    app = NnplayApp(preset)
    times: dict[str, list[float]] = {}
    async with app.run_test(size=size) as pilot:
        while app.dataset is None:
            await pilot.pause(0.05)
        compositor, console = app.screen._compositor, app.console
        for name, kind in (("network", NetworkView), ("weights", WeightsView)):
            app.query_one("#views", TabbedContent).active = f"view-{name}"
            await pilot.pause(0.3)
            view = app.query_one(kind)
            view.show_weights(weights, 19)
            await pilot.pause(0.3)
            frame, out = [], []
            for _ in range(FRAMES):
                t0 = time.perf_counter()
                view.redraw()
                t1 = time.perf_counter()
                compositor.update_widgets({view})
                update = compositor.render_partial_update()
                ansi = console._render_buffer(console.render(update)) if update is not None else ""
                t2 = time.perf_counter()
                assert ansi  # the frame really went out
                frame.append(t1 - t0)
                out.append(t2 - t1)
            times[name], times[f"{name} compositor"] = frame, out
    return times


def headless_run(preset) -> float:
    from nnplay.engine.run import prepare, run

    start = time.monotonic()
    run(prepare(preset))
    return time.monotonic() - start


async def app_run(path: str, view: str) -> tuple[float, int]:
    """Seconds from ``t`` to the results on screen with ``view`` showing, and the frames that view
    drew meanwhile (0 for the Loss view)."""
    from textual.widgets import TabbedContent

    from nnplay.tui.app import make_app
    from nnplay.tui.widgets.boundary import BoundaryView
    from nnplay.tui.widgets.network.units import NetworkView
    from nnplay.tui.widgets.network.weights import WeightsView

    app = make_app(path)
    async with app.run_test(size=(120, 40)) as pilot:
        while app.dataset is None:
            await pilot.pause(0.05)
        app.query_one("#views", TabbedContent).active = view
        await pilot.pause(0.3)
        counters = {
            "view-boundary": lambda: app.query_one(BoundaryView).frames,
            "view-network": lambda: app.query_one(NetworkView).frames,
            "view-weights": lambda: app.query_one(WeightsView).redraws,
        }
        count = counters.get(view, lambda: 0)
        frames = count()
        app.pace.set_speed(None)  # the views' overhead, not the pace the app plays at for people
        start = time.monotonic()
        app.action_train()
        while app.report is None:
            await asyncio.sleep(0.01)
        await pilot.pause()
        return time.monotonic() - start, count() - frames


def main() -> None:
    print("One Boundary frame (trained preset 12), median of", FRAMES, "frames, in ms:")
    print(f"{'terminal':>9} {'pixels':>7} {'engine':>7} {'colours':>8} {'strips':>7} {'compositor':>11} {'total':>7}")
    for size in ((120, 40), (80, 24)):
        t = asyncio.run(frame_costs(size))
        total = [sum(parts) for parts in zip(t["engine"], t["colours"], t["strips"], t["compositor"], strict=True)]
        print(f"{size[0]:>5}x{size[1]:<3} {int(t['pixels'][0]):>7} {_ms(t['engine']):>7} {_ms(t['colours']):>8} "
              f"{_ms(t['strips']):>7} {_ms(t['compositor']):>11} {_ms(total):>7}")

    print("\nOne Network / Weights frame (trained preset 12: 2 inputs, 16 ReLU units, 2 outputs), median of",
          FRAMES, "frames, in ms:")
    print(f"{'terminal':>9} {'network':>8} {'compositor':>11} {'weights':>8} {'compositor':>11}")
    for size in ((120, 40), (80, 24)):
        t = asyncio.run(unit_view_costs(size))
        print(f"{size[0]:>5}x{size[1]:<3} {_ms(t['network']):>8} {_ms(t['network compositor']):>11} "
              f"{_ms(t['weights']):>8} {_ms(t['weights compositor']):>11}")

    preset = load_preset("12-playground-circles").with_changes("train.epochs", EPOCHS)
    steps = EPOCHS * 25
    with tempfile.TemporaryDirectory() as folder:
        path = str(save_preset(preset, Path(folder) / "bench.toml"))
        headless_run(preset)  # warm imports and caches once
        runs: dict[str, list[float]] = {"headless": [], "app, Loss view": [], "app, Boundary view": [],
                                        "app, Network view": [], "app, Weights view": []}
        frames = []
        unit_frames: dict[str, list[float]] = {"network": [], "weights": []}
        for _ in range(3):  # interleaved, so that other load on the machine hits all three alike
            runs["headless"].append(headless_run(preset))
            runs["app, Loss view"].append(asyncio.run(app_run(path, "view-loss"))[0])
            seconds, drawn = asyncio.run(app_run(path, "view-boundary"))
            runs["app, Boundary view"].append(seconds)
            frames.append(drawn / seconds)
            for name in ("network", "weights"):
                seconds, drawn = asyncio.run(app_run(path, f"view-{name}"))
                runs[f"app, {name.title()} view"].append(seconds)
                unit_frames[name].append(drawn / seconds)
    best = min(runs["headless"])
    print(f"\nPreset 12 for {EPOCHS} epochs ({steps} batches of 32, numpy engine), best of 3 interleaved runs:")
    for name, values in runs.items():
        extra = "" if name == "headless" else f"  overhead {100 * (min(values) - best) / best:+5.1f} %"
        print(f"  {name:<20} {min(values):6.2f} s{extra}   (all: {', '.join(f'{v:.2f}' for v in values)})")
    print(f"  Boundary frames drawn during the run: {statistics.median(frames):.1f} a second")
    print(f"  Network frames: {statistics.median(unit_frames['network']):.1f} a second, "
          f"Weights frames: {statistics.median(unit_frames['weights']):.1f} a second")


if __name__ == "__main__":
    main()
