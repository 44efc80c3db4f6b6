"""Speed of the playground as a user feels it.

1. First paint: from starting a fresh ``python`` process to the app's first screen being ready
   (headless, 120x40, default preset), median of five starts.
2. A training run inside the app (``t`` pressed to the results shown) against the same run
   headless (``nnplay.engine.run.prepare`` + ``nnplay.engine.run.run``, as ``nnplay train`` does it): the app's
   overhead in percent (goal: at most +10 %).
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
        line = next((l for l in out.stdout.splitlines() if l.startswith("PAINTED")), None)
        if line is None:
            raise RuntimeError(out.stderr[-2000:])
        times.append(float(line.split()[1]) - start)
    return times


def headless_run(preset) -> float:  # noqa: ANN001
    from nnplay.engine.run import prepare, run

    start = time.monotonic()
    run(prepare(preset))
    return time.monotonic() - start


async def app_run(preset_path: str) -> tuple[float, float]:
    """Seconds from ``t`` to the results on screen, and the UI thread's CPU seconds meanwhile."""
    from nnplay.tui.app import make_app

    app = make_app(preset_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.5)
        app.pace.set_speed(None)  # the app's own overhead, not the pace it plays at for people
        start, cpu = time.monotonic(), time.thread_time()
        app.action_train()
        while app.report is None:
            await asyncio.sleep(0.01)
        await pilot.pause()  # the results drawn
        return time.monotonic() - start, time.thread_time() - cpu


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
    return ", ".join(f"{v:.2f}" for v in values)


def main() -> None:
    paint = first_paint()
    print(f"first paint (process start -> first screen, 120x40): median {statistics.median(paint) * 1000:.0f} ms "
          f"(min {min(paint) * 1000:.0f}, max {max(paint) * 1000:.0f}, {len(paint)} starts)")

    preset = validate_preset(RUN)
    from nnplay.engine.presets import save_preset

    with tempfile.TemporaryDirectory() as folder:
        path = str(save_preset(preset, Path(folder) / "bench.toml"))
        headless_run(preset)  # warm the imports and caches once
        headless, in_app, ui_cpu = [], [], []
        for _ in range(3):  # interleaved, so that other load on the machine hits both alike
            headless.append(headless_run(preset))
            seconds, cpu = asyncio.run(app_run(path))
            in_app.append(seconds)
            ui_cpu.append(cpu)
        # The minimum is the run least disturbed by whatever else the machine was doing.
        h, a = min(headless), min(in_app)
        steps = 400 * -(-720 // 8)
        print(f"training run ({steps} batches, numpy): headless best {h:.2f} s, in the app best {a:.2f} s "
              f"-> app overhead {100 * (a - h) / h:+.1f} % (all: headless {_seconds(headless)}, app {_seconds(in_app)})")
        print(f"UI thread CPU during the run: {statistics.median(ui_cpu):.2f} s "
              f"({100 * statistics.median(ui_cpu) / statistics.median(in_app):.1f} % of the run)")

        long = validate_preset({**RUN, "train": {**RUN["train"], "epochs": 100_000}})
        path = str(save_preset(long, Path(folder) / "long.toml"))
        latencies = asyncio.run(key_latency(path))
        print(f"key press -> handled during training: median {statistics.median(latencies) * 1000:.1f} ms, "
              f"max {max(latencies) * 1000:.1f} ms ({len(latencies)} presses)")


if __name__ == "__main__":
    main()
