"""Speed of the playground as a user feels it.

1. First paint: from starting a fresh ``python`` process to the app's first screen being ready
   (headless, 120x40, default preset), median of five starts.
2. A training run inside the app against the same run headless (``nnplay.engine.run.prepare`` +
   ``nnplay.engine.run.run``, as ``nnplay train`` does it), side by side in one process, on two
   workloads: 36,000 tiny batches (a hidden layer, batch 8) and the lecture's preset 12 (circles).
   Timed from ``t`` to the finished run reaching the app, and to the results drawn (the Results tab,
   the runs table, a notification: a fixed cost per run, which weighs on a short run). The app runs
   twice: with the Loss chart in front, and with the Runs view in front (the chart hidden, so it
   skips its redraws): the difference is the chart's cost. Goal: at most +15 % with the chart on.
3. Key-press latency during a run: a tab switch key posted while the NumPy engine trains, timed
   until the app has acted on it (goal: under 100 ms).

Run: ``python -m benchmarks tui`` or ``python -m benchmarks.bench_tui``.
"""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from nnplay.engine.spec import validate_preset

ROOT = Path(__file__).resolve().parents[1]

FIRST_PAINT = """
import sys, time
from nnplay.tui.app import make_app

async def painted(pilot):
    print("PAINTED", time.monotonic(), flush=True)
    pilot.app.exit(0)

make_app().run(headless=True, size=(120, 40), auto_pilot=painted)
"""

RUN = {
    "preset": {"title": "Benchmark: a hidden layer, many small batches"},
    "data": {"source": "logistic", "n": 1000, "beta": [1.0, 2.0], "seed": 42},
    "model": {"loss": "categorical_crossentropy", "layers": [
        {"type": "dense", "units": 16, "activation": "relu"},
        {"type": "dense", "units": 2, "activation": "softmax"},
    ]},
    "train": {"optimizer": {"name": "sgd", "learning_rate": 0.1}, "batch_size": 8, "epochs": 400,
              "validation_split": 0.1, "seed": 0},
}


def first_paint(repeats: int = 5) -> list[float]:
    times = []
    for _ in range(repeats):
        start = time.monotonic()
        out = subprocess.run([sys.executable, "-c", FIRST_PAINT], cwd=ROOT, capture_output=True, text=True, timeout=60)
        line = next((text for text in out.stdout.splitlines() if text.startswith("PAINTED")), None)
        if line is None:
            raise RuntimeError(out.stderr[-2000:])
        times.append(float(line.split()[1]) - start)
    return times


def headless_run(preset) -> tuple[float, float]:
    """Wall seconds and the process's CPU seconds of one headless run."""
    from nnplay.engine.run import prepare, run

    start, cpu = time.monotonic(), time.process_time()
    run(prepare(preset))
    return time.monotonic() - start, time.process_time() - cpu


@dataclass(frozen=True)
class AppRun:
    finished: float  # seconds from ``t`` to the finished run handed to the app
    drawn: float  # seconds from ``t`` to the results on screen
    cpu: float  # the process's CPU seconds from ``t`` to the finished run (both threads)
    ui_cpu: float  # the UI thread's CPU seconds meanwhile
    redraws: int  # the chart's redraws meanwhile


async def app_run(preset_path: str, view: str = "view-loss") -> AppRun:
    """A run in the app with ``view`` in front of the side column (the Loss chart or the Runs table)."""
    from textual.widgets import TabbedContent

    from nnplay.tui.app import make_app
    from nnplay.tui.widgets.charts import HistoryChart

    app = make_app(preset_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.5)
        app.query_one("#views", TabbedContent).active = view
        await pilot.pause(0.1)
        redraws = app.query_one(HistoryChart).redraws
        start, cpu, ui_cpu = time.monotonic(), time.process_time(), time.thread_time()
        app.pace.set_speed(None)  # the app's own overhead, not the pace it plays at for people
        app.action_train()
        while app.report is None:
            await asyncio.sleep(0.01)
        finished, cpu = time.monotonic() - start, time.process_time() - cpu
        await pilot.pause()  # the results drawn
        return AppRun(finished, time.monotonic() - start, cpu, time.thread_time() - ui_cpu,
                      app.query_one(HistoryChart).redraws - redraws)


def overhead(name: str, preset, path: str, repeats: int) -> None:
    """Headless, in the app with the chart shown, and with it hidden, interleaved ``repeats`` times
    (so that other load on the machine hits all three alike); the best of each is compared.

    On a busy machine the wall-clock times swing with the load; the process's CPU seconds (the
    training thread's and the UI thread's work; waiting for a core is not counted) swing less."""
    headless_run(preset)  # warm the imports and caches once
    headless: list[tuple[float, float]] = []
    shown: list[AppRun] = []
    hidden: list[AppRun] = []
    for _ in range(repeats):
        headless.append(headless_run(preset))
        shown.append(asyncio.run(app_run(path, "view-loss")))
        hidden.append(asyncio.run(app_run(path, "view-runs")))
    # The minimum is the run least disturbed by whatever else the machine was doing.
    h, h_cpu = min(w for w, _ in headless), min(c for _, c in headless)
    print(f"{name}: headless best {h:.3f} s wall, {h_cpu:.3f} s CPU (wall: {_seconds([w for w, _ in headless])})")
    for label, runs in (("app, chart shown ", shown), ("app, chart hidden", hidden)):
        finished, drawn, cpu = (min(getattr(r, k) for r in runs) for k in ("finished", "drawn", "cpu"))
        print(f"  {label}: run finished best {finished:.3f} s wall ({100 * (finished - h) / h:+.1f} %), "
              f"{cpu:.3f} s CPU ({100 * (cpu - h_cpu) / h_cpu:+.1f} %); results drawn {drawn:.3f} s "
              f"({100 * (drawn - h) / h:+.1f} %); UI thread CPU {min(r.ui_cpu for r in runs):.2f} s, "
              f"chart redraws {max(r.redraws for r in runs)} (wall: {_seconds([r.finished for r in runs])})")


async def key_latency(preset_path: str, presses: int = 30) -> list[float]:
    from textual.widgets import TabbedContent

    from nnplay.tui.app import make_app
    from nnplay.tui.widgets.charts import HistoryChart

    app = make_app(preset_path)
    latencies = []
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.5)
        app.pace.set_speed(None)
        app.action_train()
        while app.query_one(HistoryChart).epochs < 1:
            await asyncio.sleep(0.01)
        tabs = app.query_one(TabbedContent)
        for i in range(presses):
            key, tab = ("2", "layers") if i % 2 == 0 else ("1", "dataset")
            start = time.monotonic()
            app.simulate_key(key)
            while tabs.active != tab:
                await asyncio.sleep(0.0005)
            latencies.append(time.monotonic() - start)
            await asyncio.sleep(0.05)
        assert app.training, "the run ended before the key presses did; make it longer"
        app.stop_training()
        while app.report is None:
            await asyncio.sleep(0.01)
    return latencies


def _seconds(values: list[float]) -> str:
    return ", ".join(f"{v:.3f}" for v in values)


def main() -> None:
    paint = first_paint()
    print(f"first paint (process start -> first screen, 120x40): median {statistics.median(paint) * 1000:.0f} ms "
          f"(min {min(paint) * 1000:.0f}, max {max(paint) * 1000:.0f}, {len(paint)} starts)")

    preset = validate_preset(RUN)
    from nnplay.engine.presets import load_preset, resolve, save_preset

    with tempfile.TemporaryDirectory() as folder:
        path = str(save_preset(preset, Path(folder) / "bench.toml"))
        steps = 400 * -(-720 // 8)
        overhead(f"training run of {steps} tiny batches (numpy)", preset, path, repeats=4)
        overhead("preset 12 (circles, 60 epochs of 25 batches, numpy)", load_preset("12"), str(resolve("12")), repeats=7)

        long = validate_preset({**RUN, "train": {**RUN["train"], "epochs": 100_000}})
        path = str(save_preset(long, Path(folder) / "long.toml"))
        latencies = asyncio.run(key_latency(path))
        print(f"key press -> handled during training: median {statistics.median(latencies) * 1000:.1f} ms, "
              f"max {max(latencies) * 1000:.1f} ms ({len(latencies)} presses)")


if __name__ == "__main__":
    main()
