"""Loading malaria-sized images: time and peak memory.

The benchmark makes 2,500 PNG cell images in a temporary folder (two class sub-folders, each
image a round cell on a dark background, 110 to 150 pixels wide like the NIH crops) and measures:

* ``folder, first load``: decode and resize to 100x100x3 (the lecture's size) into nnplay's data
  cache, split; the rows are then streamed from the cache, float32 a batch at a time;
* ``folder, cached``: the same spec again, opened from the cache;
* ``malaria, cached``: the ``malaria`` source with limit 2,500 and image_size 100 when its
  prepared arrays are cached (the state after the first, tensorflow-datasets load).

Each case runs in a fresh Python process so its numbers are its own: ``seconds`` is the loader
call (``nnplay.engine.data.load_data``) once its libraries are imported (``imports s``, timed apart: a
user pays them once per process, whatever the data), ``traced MB`` is tracemalloc's peak during it (NumPy's arrays are
traced; Pillow's internal buffers are not), and ``max RSS MB`` is the whole process's high-water
mark, interpreter and imports included. Goals: under 1 GB peak, and a cached load under a second.

Run: ``python -m benchmarks data`` (or ``python benchmarks/bench_data.py``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
IMAGES = 2500
IMAGE_SIZE = 100
GOAL_PEAK_MB = 1024
GOAL_CACHED_SECONDS = 1.0


def make_cells(root: Path, n: int = IMAGES, seed: int = 0) -> None:
    """``n`` PNGs split between ``Parasitized`` and ``Uninfected``: a noisy pink disc on black,
    parasitized cells with a few dark purple spots."""
    from PIL import Image

    rng = np.random.default_rng(seed)
    for name in ("Parasitized", "Uninfected"):
        (root / name).mkdir(parents=True, exist_ok=True)
    for i in range(n):
        k = i % 2
        side = int(rng.integers(110, 151))
        yy, xx = np.mgrid[:side, :side]
        centre = side / 2 + rng.normal(0, 3, size=2)
        inside = (yy - centre[0]) ** 2 + (xx - centre[1]) ** 2 < (side * 0.42) ** 2
        pixels = np.zeros((side, side, 3), dtype=np.float32)
        pixels[inside] = np.array((205, 150, 160)) + rng.normal(0, 8, size=(int(inside.sum()), 3))
        if k == 0:
            for _ in range(int(rng.integers(1, 4))):
                sy, sx = rng.integers(side // 4, 3 * side // 4, size=2)
                spot = (yy - sy) ** 2 + (xx - sx) ** 2 < int(rng.integers(9, 40))
                pixels[spot] = (110, 40, 130)
        folder = "Parasitized" if k == 0 else "Uninfected"
        Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).save(root / folder / f"cell_{i:05d}.png")


_CASE = r"""
import json, resource, sys, time, tracemalloc
start = time.perf_counter()
from nnplay.engine.data import get_loader, load_data
from nnplay.engine.spec import validate_preset

data = json.loads(sys.argv[1])
import sklearn.model_selection, PIL.Image  # the libraries any load needs, imported before timing
get_loader(data["source"])
imports = time.perf_counter() - start
preset = validate_preset({
    "preset": {"title": "bench"}, "data": data,
    "model": {"loss": "binary_crossentropy", "layers": [{"type": "dense", "units": 1, "activation": "sigmoid"}]},
})
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
tracemalloc.start()
start = time.perf_counter()
ds = load_data(preset.data)
seconds = time.perf_counter() - start
_, traced = tracemalloc.get_traced_memory()
tracemalloc.stop()
print(json.dumps({
    "seconds": seconds, "imports": imports, "traced_mb": traced / 2**20,
    "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "rss_before_mb": before,
    "train": list(ds.x_train.shape), "test": list(ds.x_test.shape), "dtype": str(ds.x_train.dtype),
}))
"""


def run_case(data: dict, cache_home: Path) -> dict:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache_home), "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", _CASE, json.dumps(data)], capture_output=True, text=True, env=env, cwd=ROOT, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"benchmark case failed: {done.stderr.strip().splitlines()[-1:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def seed_malaria_cache(folder_data: dict, malaria_data: dict, cache_home: Path) -> None:
    """Store the folder's prepared pixels where the malaria loader looks for its cache, as its
    first load through tensorflow-datasets would have left them."""
    os.environ["XDG_CACHE_HOME"] = str(cache_home)
    from nnplay.engine.data import cache
    from nnplay.engine.data.images import decoder, scan_folder
    from nnplay.engine.data.malaria_tfds import cache_key
    from nnplay.engine.spec import validate_preset

    spec = validate_preset({
        "preset": {"title": "bench"}, "data": malaria_data,
        "model": {"loss": "binary_crossentropy", "layers": [{"type": "dense", "units": 1, "activation": "sigmoid"}]},
    }).data
    names, paths, labels = scan_folder(Path(folder_data["path"]))
    # (run in its own process, see main, so this process's memory does not count in the cases)
    names = tuple(name.lower() for name in names)
    cache.cached("malaria", cache_key(spec), decoder(paths, labels, names, spec.image_size, spec.color_mode))


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="nnplay-bench-data-") as tmp:
        tmp_path = Path(tmp)
        cells, cache_home = tmp_path / "cell_images", tmp_path / "cache"
        make_cells(cells)
        folder = {"source": "folder", "path": str(cells), "image_size": IMAGE_SIZE, "test_size": 0.2, "seed": 42}
        malaria = {"source": "malaria", "limit": IMAGES, "image_size": IMAGE_SIZE, "test_size": 0.2, "seed": 42,
                   "data_dir": str(tmp_path / "no-tfds-copy")}
        rows = [("folder, first load", run_case(folder, cache_home)), ("folder, cached", run_case(folder, cache_home))]
        subprocess.run(
            [sys.executable, "-c", "import json, sys; from pathlib import Path; from benchmarks.bench_data import "
             "seed_malaria_cache as s; s(json.loads(sys.argv[1]), json.loads(sys.argv[2]), Path(sys.argv[3]))",
             json.dumps(folder), json.dumps(malaria), str(cache_home)],
            check=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        rows.append(("malaria, cached", run_case(malaria, cache_home)))

    print(f"{IMAGES} images of {IMAGE_SIZE}x{IMAGE_SIZE}x3 -> float32 rows of {IMAGE_SIZE * IMAGE_SIZE * 3} values")
    print(f"{'case':<20} {'seconds':>8} {'imports s':>9} {'traced MB':>10} {'max RSS MB':>11} {'RSS before':>11}  shapes")
    for name, r in rows:
        print(
            f"{name:<20} {r['seconds']:>8.2f} {r['imports']:>9.2f} {r['traced_mb']:>10.0f} {r['max_rss_mb']:>11.0f} "
            f"{r['rss_before_mb']:>11.0f}  train {tuple(r['train'])}, test {tuple(r['test'])}, {r['dtype']}"
        )
    peak = max(r["max_rss_mb"] for _, r in rows)
    cached = max(r["seconds"] for name, r in rows if "cached" in name)
    print(f"\npeak RSS {peak:.0f} MB (goal < {GOAL_PEAK_MB}): {'met' if peak < GOAL_PEAK_MB else 'MISSED'}")
    verdict = "met" if cached < GOAL_CACHED_SECONDS else "MISSED"
    print(f"slowest cached load {cached:.2f} s (goal < {GOAL_CACHED_SECONDS:.0f} s): {verdict}")


if __name__ == "__main__":
    main()
