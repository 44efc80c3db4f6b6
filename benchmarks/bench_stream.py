"""Streamed from the on-disk cache against held in memory: private memory and seconds per epoch.

The benchmark writes an image folder of ``ROWS`` images and one of ten times as many (small random
PNGs, resized by the loader to ``IMAGE_SIZE`` x ``IMAGE_SIZE`` x 3, so each row is 12,288 values),
decodes each once into nnplay's data cache, then trains a 12,288-32-1 network on it for ``EPOCHS``
epochs with each engine, two ways:

* ``streamed``: as nnplay runs it, each batch read from the uint8 memory map and made float32;
* ``in memory``: the same rows first turned into whole float32 arrays (what nnplay did before the
  cache streamed: the data's size in private memory).

Each case runs in a fresh Python process, so its numbers are its own: ``private MB`` is RssAnon
(the process's private, non-file memory) after training, ``data MB`` the part of it added after the
imports (the data and the run), ``s/epoch`` the median of the epochs' wall times (the first epoch,
which traces Keras's graph, left out). Goal: streamed ``data MB`` the same at 1x and 10x the rows.

With ``NNPLAY_BENCH_FULL=1`` it also seeds a malaria cache entry of the full split's size
(27,558 rows of 100x100x3 random pixels, 788 MiB: the state after a first ``limit = "all"`` load)
and runs preset 11's data with a logistic regression (30,000 -> 1) for two epochs of 256-row batches
with the NumPy engine, as ``limit = "all"`` would.

Run: ``python -m benchmarks stream`` (``NNPLAY_BENCH_ROWS=2000`` changes the 1x size).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
ROWS = int(os.environ.get("NNPLAY_BENCH_ROWS", "500"))
IMAGE_SIZE = 64
EPOCHS = 4

CASE = r"""
import json, sys, time

def private_kb():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("RssAnon:"))

import numpy as np
from dataclasses import replace
from nnplay.engine.run import prepare, run, make_trainer
from nnplay.engine.spec import validate_preset
from nnplay.engine.callbacks import Callback, CallbackList

folder, engine, mode, epochs, size = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
preset = validate_preset({
    "preset": {"title": "stream benchmark"},
    "data": {"source": "folder", "path": folder, "image_size": size, "test_size": 0.2, "standardize": True},
    "model": {"loss": "binary_crossentropy", "layers": [{"type": "dense", "units": 32, "activation": "relu"},
                                                       {"type": "dense", "units": 1, "activation": "sigmoid"}]},
    "train": {"epochs": epochs, "batch_size": 64, "validation_split": 0.1, "engine": engine},
})
import PIL.Image, sklearn.model_selection  # what any load imports, before the baseline
make_trainer(preset, 3, engine)  # and the engine (TensorFlow for Keras)
baseline = private_kb()
prepared = prepare(preset)
if mode == "memory":
    prepared = replace(prepared, x_train=np.asarray(prepared.x_train), x_test=np.asarray(prepared.x_test))

class Clock(Callback):
    def __init__(self):
        self.times = []
        self.last = time.perf_counter()
    def on_epoch_end(self, epoch, logs):
        now = time.perf_counter()
        self.times.append(now - self.last)
        self.last = now

clock = Clock()
report = run(prepared, on_event=CallbackList([clock]))
assert report.fit.status == "completed", report.fit.status
after = private_kb()
print(json.dumps({"private_kb": after, "data_kb": after - baseline, "epochs": clock.times,
                  "rows": len(prepared.x_train) + len(prepared.x_test)}))
"""


FULL = r"""
import json, sys, time
from pathlib import Path

def private_kb():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("RssAnon:"))

import numpy as np
from nnplay.engine.callbacks import Callback, CallbackList
from nnplay.engine.data import cache
from nnplay.engine.data.malaria_tfds import cache_key
from nnplay.engine.run import make_trainer, prepare, run
from nnplay.engine.spec import validate_preset

preset = validate_preset({
    "preset": {"title": "all malaria cells"},
    "data": {"source": "malaria", "limit": "all", "image_size": 100, "test_size": 0.2, "seed": 42,
             "data_dir": sys.argv[1]},
    "model": {"loss": "binary_crossentropy", "layers": [{"type": "dense", "units": 1, "activation": "sigmoid"}]},
    "train": {"epochs": 2, "batch_size": 256, "validation_split": 0.1, "engine": "numpy"},
})
if sys.argv[2] == "seed":
    def build(folder: Path) -> dict:
        rng = np.random.default_rng(0)
        rows = 27558
        x = np.lib.format.open_memmap(folder / "x.npy", mode="w+", dtype=np.uint8, shape=(rows, 30000))
        for start in range(0, rows, 1000):
            x[start:start + 1000] = rng.integers(0, 256, (min(1000, rows - start), 30000), dtype=np.uint8)
        x.flush()
        cache.save_labels(folder, np.arange(rows) % 2)
        return {"class_names": ["parasitized", "uninfected"]}
    cache.cached("malaria", cache_key(preset.data), build)
    raise SystemExit(0)
import PIL.Image, sklearn.model_selection
make_trainer(preset, 3)
baseline = private_kb()
started = time.perf_counter()
prepared = prepare(preset)
opened = time.perf_counter() - started

class Clock(Callback):
    def __init__(self):
        self.times, self.cpu, self.last = [], [], (time.perf_counter(), time.process_time())
    def on_epoch_end(self, epoch, logs):
        now = (time.perf_counter(), time.process_time())
        self.times.append(now[0] - self.last[0])
        self.cpu.append(now[1] - self.last[1])
        self.last = now

clock = Clock()
report = run(prepared, on_event=CallbackList([clock]))
after = private_kb()
print(json.dumps({"private_kb": after, "data_kb": after - baseline, "epochs": clock.times, "cpu": clock.cpu,
                  "open_s": opened, "train": len(prepared.x_train), "test": len(prepared.x_test)}))
"""


def full_malaria(env: dict[str, str], tmp: Path) -> None:
    where = str(tmp / "no-tfds-copy")
    subprocess.run([sys.executable, "-c", FULL, where, "seed"], check=True, env=env, cwd=ROOT)
    done = subprocess.run([sys.executable, "-c", FULL, where, "train"], capture_output=True, text=True, env=env,
                          cwd=ROOT, check=False)
    if done.returncode != 0:
        raise SystemExit(f"the full malaria case failed:\n{done.stderr[-3000:]}")
    out = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"\nall malaria cells (cache entry of 27,558 x 30,000 uint8, 788 MiB), logistic regression, NumPy engine, "
          f"batch 256: {out['train']:,} training and {out['test']:,} test rows; data opened in {out['open_s']:.2f} s; "
          f"epochs {', '.join(f'{t:.1f}' for t in out['epochs'])} s wall, "
          f"{', '.join(f'{t:.1f}' for t in out['cpu'])} s CPU (validation rows scored too); "
          f"private memory {out['private_kb'] / 1024:.0f} MB, {out['data_kb'] / 1024:.1f} MB of it added by the data "
          f"and the run")


def make_folder(root: Path, n: int, seed: int = 0) -> Path:
    from PIL import Image

    rng = np.random.default_rng(seed)
    for k, name in enumerate(("a", "b")):
        (root / name).mkdir(parents=True, exist_ok=True)
        for i in range(n // 2):
            pixels = rng.integers(0, 156, (16, 16, 3), dtype=np.uint8) + 100 * k
            Image.fromarray(pixels).save(root / name / f"{i:05d}.png")
    return root


def run_case(folder: Path, engine: str, mode: str, env: dict[str, str], epochs: int = EPOCHS) -> dict:
    done = subprocess.run([sys.executable, "-c", CASE, str(folder), engine, mode, str(epochs), str(IMAGE_SIZE)],
                          capture_output=True, text=True, env=env, cwd=ROOT, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{engine}/{mode} on {folder.name} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="nnplay-bench-stream-") as tmp:
        env = {**os.environ, "XDG_CACHE_HOME": str(Path(tmp) / "cache"), "TF_CPP_MIN_LOG_LEVEL": "3"}
        folders = {scale: make_folder(Path(tmp) / f"x{scale}", ROWS * scale) for scale in (1, 10)}
        for folder in folders.values():  # decode into the cache first: the cases time training only
            run_case(folder, "numpy", "stream", env, epochs=1)
        print(f"{IMAGE_SIZE}x{IMAGE_SIZE}x3 images ({IMAGE_SIZE * IMAGE_SIZE * 3:,} values a row), "
              f"{EPOCHS} epochs, batch 64, a 32-unit hidden layer; RssAnon after training\n")
        print(f"{'engine':7} {'data':10} {'rows':>6} {'private MB':>11} {'data MB':>8} {'s/epoch':>8}")
        results = {}
        for engine in ("numpy", "keras"):
            for mode in ("stream", "memory"):
                for scale, folder in folders.items():
                    out = run_case(folder, engine, mode, env)
                    seconds = statistics.median(out["epochs"][1:] or out["epochs"])
                    results[(engine, mode, scale)] = out
                    print(f"{engine:7} {'streamed' if mode == 'stream' else 'in memory':10} {out['rows']:>6} "
                          f"{out['private_kb'] / 1024:>11.1f} {out['data_kb'] / 1024:>8.1f} {seconds:>8.2f}", flush=True)
        for engine in ("numpy", "keras"):
            growth = {mode: (results[(engine, mode, 10)]["data_kb"] - results[(engine, mode, 1)]["data_kb"]) / 1024
                      for mode in ("stream", "memory")}
            print(f"\n{engine}: 10x the rows adds {growth['stream']:.1f} MB private memory streamed, "
                  f"{growth['memory']:.1f} MB in memory", end="")
        print()
        if os.environ.get("NNPLAY_BENCH_FULL"):
            full_malaria(env, Path(tmp))


if __name__ == "__main__":
    main()
