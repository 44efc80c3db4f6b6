"""What drawing the loss surface costs: the exact training loss over a grid of two weights.

1. Preset 1 (800 training rows, beta1 and beta2): one 120x60 grid of losses, and the Surface view's
   whole ``compute`` (a coarse 31x31 look for the minimum, the framed 120x60 grid, three 11x11
   refinements).
2. Preset 5 (the 2-4-2 softmax net): a 120x60 slice through two first-layer weights, every other
   weight held.

Each figure is the median of a few runs, in float64 (the surface's precision). Run:
``python -m benchmarks surface``.
"""

from __future__ import annotations

import statistics
import time

import numpy as np

from nnplay.engine.numpy_net.initializers import initial_weights
from nnplay.engine.presets import load_preset
from nnplay.engine.run import prepare
from nnplay.engine.surface import LossSurface, true_beta

ROUNDS = 5


def _median_ms(fn) -> float:
    times = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return 1000 * statistics.median(times)


def one_preset(ref: str) -> None:
    preset = load_preset(ref)
    prepared = prepare(preset)
    source = LossSurface(preset, prepared.x_train, prepared.y_train)
    weights = initial_weights(preset, prepared.dataset.n_features)
    u, v = source.refs[:2]
    grid_u, grid_v = np.meshgrid(np.linspace(-3, 3, 120), np.linspace(-3, 3, 60))
    what = "beta1, beta2" if not source.sliced else f"slice {u.name}, {v.name}"
    grid = _median_ms(lambda: source.losses(weights, u, v, grid_u, grid_v))
    print(f"{f'{ref}: 120x60 grid, {what}, {len(source.x)} rows':<58}{grid:>10.1f}")
    truth = true_beta(preset, prepared.dataset.n_features)
    full = _median_ms(lambda: source.compute(weights, u, v, include=[truth] if truth else []))
    print(f"{f'{ref}: the view compute (coarse, grid, refine)':<58}{full:>10.1f}")


def main() -> None:
    print(f"{'what':<58}{'median ms':>10}")
    for ref in ("01-logistic-gd", "05-hidden-layer"):
        one_preset(ref)


if __name__ == "__main__":
    main()
