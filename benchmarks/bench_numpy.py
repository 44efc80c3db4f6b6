"""Speed of the NumPy engine, and how close it gets to the floor this machine allows.

1. Steps per second on the lecture's 2-4-2 softmax net (n = 1000, batch 100, 50 epochs).
2. The lecture's 30000-300-100-50-1 malaria net on 2,000 random float32 rows, batch 100: seconds
   per epoch with SGD and with Adam, split into the forward/backward pass (matrix products) and
   the parameter update, beside the floors: the same float32 matrix products done bare, and one
   in-place pass over the 9,035,501 parameters per array the update reads or writes.

Run: ``python -m benchmarks`` (all) or ``python -m benchmarks.bench_numpy``.
"""

from __future__ import annotations

import itertools
import os
import time

import numpy as np

from nnplay.engine.numpy_net.initializers import initial_weights
from nnplay.engine.numpy_net.model import Sequential
from nnplay.engine.numpy_net.optimizers import make_optimizer
from nnplay.engine.numpy_net.trainer import NumpyTrainer
from nnplay.engine.spec import validate_preset

MALARIA_LAYERS = [
    {"type": "dense", "units": 300, "activation": "relu"},
    {"type": "dense", "units": 100, "activation": "relu"},
    {"type": "dense", "units": 50, "activation": "relu"},
    {"type": "dense", "units": 1, "activation": "sigmoid"},
]


def _preset(layers, loss, optimizer, *, source="logistic", extra_data=None, batch=100, epochs=50):
    return validate_preset({
        "preset": {"title": "bench"},
        "data": {"source": source, **(extra_data or {})},
        "model": {"loss": loss, "layers": layers},
        "train": {"optimizer": optimizer, "batch_size": batch, "epochs": epochs},
    })


def small_net_steps_per_second() -> dict:
    preset = _preset(
        [{"type": "dense", "units": 4, "activation": "sigmoid"}, {"type": "dense", "units": 2, "activation": "softmax"}],
        "categorical_crossentropy", {"name": "sgd", "learning_rate": 0.1}, extra_data={"n": 1000, "test_size": 0.0},
    )
    rng = np.random.default_rng(0)
    x = rng.normal(size=(1000, 2)).astype(np.float32)
    y = np.eye(2, dtype=np.float32)[rng.integers(0, 2, 1000)]
    result = NumpyTrainer(preset, 2).fit(x, y)
    steps = 50 * 10
    return {"steps": steps, "seconds": result.fit_seconds, "steps_per_second": steps / result.fit_seconds}


def _bare_products(batch: int):
    """Bare float32 products of one step of the malaria net: forward, kernel gradients, and input
    gradients for every layer but the first. Returns a function that runs one such step."""
    rng = np.random.default_rng(0)
    widths = [30000, 300, 100, 50, 1]
    xs = [rng.random((batch, w), dtype=np.float32) for w in widths]
    ws = [rng.random((a, b), dtype=np.float32) for a, b in itertools.pairwise(widths)]
    outs_fwd = [np.empty((batch, b), np.float32) for b in widths[1:]]
    outs_gw = [np.empty_like(w) for w in ws]
    outs_gx = [np.empty((batch, a), np.float32) for a in widths[:-1]]

    def step():
        for i, w in enumerate(ws):
            np.matmul(xs[i], w, out=outs_fwd[i])
            np.matmul(xs[i].T, xs[i + 1], out=outs_gw[i])
            if i > 0:
                np.matmul(xs[i + 1], w.T, out=outs_gx[i])

    return step


def _bare_passes(n_params: int, arrays: int):
    """One in-place read-and-write pass over n float32 numbers for each array an update touches."""
    buffers = [np.ones(n_params, dtype=np.float32) for _ in range(arrays)]

    def step():
        for a in buffers:
            np.multiply(a, 0.999, out=a)

    return step


def malaria_epoch(optimizer: dict, update_arrays: int, epochs: int = 2, rows: int = 2000, batch: int = 100) -> dict:
    """Time the engine's products and update, and right after each step the bare floor of both,
    so that both see the same load on this noisy machine."""
    preset = _preset(MALARIA_LAYERS, "binary_crossentropy", optimizer, source="malaria",
                     extra_data={"image_size": 100}, batch=batch, epochs=epochs)
    rng = np.random.default_rng(0)
    x = rng.random((rows, 30000), dtype=np.float32)
    y = rng.integers(0, 2, (rows, 1)).astype(np.float32)
    model = Sequential.from_preset(preset, initial_weights(preset, 30000), rng)
    n_params = sum(p.size for p in model.parameters)
    opt = make_optimizer(preset.train.optimizer, model.parameters)
    floor_products, floor_update = _bare_products(batch), _bare_passes(n_params, update_arrays)
    floor_products()
    t = {"products": 0.0, "update": 0.0, "floor_products": 0.0, "floor_update": 0.0}
    steps = rows // batch
    for _ in range(epochs):
        for s in range(steps):
            xb, yb = x[s * batch:(s + 1) * batch], y[s * batch:(s + 1) * batch]
            t0 = time.perf_counter()
            p = model.forward(xb, training=True)
            model.data_loss(yb, p)
            model.backward(yb, p)
            t1 = time.perf_counter()
            opt.apply(model.parameters, model.gradients)
            t2 = time.perf_counter()
            floor_products()
            t3 = time.perf_counter()
            floor_update()
            t4 = time.perf_counter()
            for key, dt in zip(t, (t1 - t0, t2 - t1, t3 - t2, t4 - t3), strict=True):
                t[key] += dt
    return {key: value / epochs for key, value in t.items()} | {"steps": steps, "params": n_params}


def main() -> None:
    print(f"## NumPy engine (numpy {np.__version__}, {os.cpu_count()} cores)\n")
    small = small_net_steps_per_second()
    print(f"2-4-2 softmax net, n=1000, batch 100, 50 epochs: {small['steps']} steps in "
          f"{small['seconds']:.3f} s = {small['steps_per_second']:,.0f} steps/s\n")
    # Arrays the update must read and write: SGD w and g; Adam w, g, m and v.
    sgd = malaria_epoch({"name": "sgd", "learning_rate": 0.01}, update_arrays=2)
    adam = malaria_epoch({"name": "adam", "learning_rate": 0.001}, update_arrays=4)
    print(f"30000-300-100-50-1 net ({sgd['params']:,} params), 2,000 rows, batch 100 "
          f"({sgd['steps']} steps/epoch), seconds per epoch:\n")
    print("| optimizer | epoch | products | products floor | ratio | update | update floor | ratio | epoch / floor |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, m in (("SGD", sgd), ("Adam", adam)):
        epoch, floor = m["products"] + m["update"], m["floor_products"] + m["floor_update"]
        print(f"| {name} | {epoch:.3f} | {m['products']:.3f} | {m['floor_products']:.3f} | "
              f"{m['products'] / m['floor_products']:.2f}x | {m['update']:.3f} | {m['floor_update']:.3f} | "
              f"{m['update'] / m['floor_update']:.2f}x | {epoch / floor:.2f}x |")


if __name__ == "__main__":
    main()
