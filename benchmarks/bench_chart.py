"""What the loss chart's plot costs the UI thread: textual-plotext's own paint against the cached plot.

A 60x30 plot of three curves of 200 epochs (two runs' training line and one validation line), the
figure the chart hands :class:`~nnplay.tui.widgets.plots.LossPlot`, timed three ways in one app:

- ``PlotextPlot.render`` as textual-plotext paints it: a plotext build and ``Text.from_ansi`` (it
  does this on every paint, a mouse hover included);
- the cached plot's build (a new figure or size): plotext's matrices read straight into strips;
- a repaint of an unchanged figure (a hover, another widget's refresh): the cached strips.

Run: ``python -m benchmarks chart``.
"""

from __future__ import annotations

import asyncio
import statistics
import time

import numpy as np

SIZE = (60, 30)
EPOCHS = 200
REPEATS = 20


def _figure():
    from nnplay.tui.widgets.plots import Curve, Figure

    epochs = np.arange(EPOCHS)
    loss = 0.3 + np.exp(-epochs / 40)
    curves = (Curve(loss * 1.1, (90, 90, 90), dotted=False), Curve(loss, (31, 119, 180), dotted=False),
              Curve(loss + 0.05, (31, 119, 180), dotted=True))
    return Figure(curves=curves, low=0.3, high=1.4, labels=((1.4, "1.4"), (0.85, "0.85"), (0.3, "0.3")),
                  epochs=EPOCHS, muted=(120, 120, 120), best=120, best_color=(31, 119, 180))


async def measure() -> dict[str, list[float]]:
    from textual.app import App, ComposeResult
    from textual_plotext import PlotextPlot

    from nnplay.tui.widgets.plots import LossPlot

    class Bench(App):
        def compose(self) -> ComposeResult:
            yield LossPlot()

    times: dict[str, list[float]] = {"textual-plotext render (build + Text.from_ansi)": [],
                                     "cached plot: build (new figure)": [], "cached plot: repaint (unchanged)": []}
    app = Bench()
    async with app.run_test(size=SIZE) as pilot:
        plot = app.query_one(LossPlot)
        figure = _figure()
        await pilot.pause()
        for _ in range(REPEATS):
            plot.show(figure)
            start = time.perf_counter()
            [plot.render_line(y) for y in range(SIZE[1])]
            times["cached plot: build (new figure)"].append(time.perf_counter() - start)
            start = time.perf_counter()
            [plot.render_line(y) for y in range(SIZE[1])]
            times["cached plot: repaint (unchanged)"].append(time.perf_counter() - start)
            start = time.perf_counter()
            PlotextPlot.render(plot)  # the same figure, still on plot.plt, as textual-plotext paints it
            times["textual-plotext render (build + Text.from_ansi)"].append(time.perf_counter() - start)
    return times


def main() -> None:
    times = asyncio.run(measure())
    print(f"loss plot {SIZE[0]}x{SIZE[1]}, 3 curves x {EPOCHS} epochs, median of {REPEATS}:")
    for label, values in times.items():
        print(f"  {label:50s} {statistics.median(values) * 1000:7.2f} ms (min {min(values) * 1000:.2f})")


if __name__ == "__main__":
    main()
