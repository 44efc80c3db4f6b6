"""Speed of the NumPy engine, and how close it gets to the floor this machine allows.

1. Steps per second on the lecture's 2-4-2 softmax net (n = 1000, batch 100, 50 epochs).
2. The lecture's 30000-300-100-50-1 malaria net on 2,000 random float32 rows, batch 100: seconds
   per epoch with SGD and with Adam, split into the forward/backward pass (matrix products) and
   the parameter update, beside the floors: the same float32 matrix products done bare, and one
   in-place pass over the 9,035,501 parameters per array the update reads or writes.

Run: ``python -m benchmarks`` (all) or ``python -m benchmarks.bench_numpy``.
"""

from __future__ import annotations

import os
import time

import numpy as np

from engine.numpy_net.model import Sequential
from engine.numpy_net.optimizers import make_optimizer
from engine.numpy_net.initializers import initial_weights
from engine.numpy_net.trainer import NumpyTrainer
from engine.spec import validate_preset

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


def _best_of(fn, repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def matmul_floor(batch: int = 100) -> float:
    """Bare float32 products of one step of the malaria net: forward, kernel gradients, and
    input gradients for every layer but the first."""
    rng = np.random.default_rng(0)
    widths = [30000, 300, 100, 50, 1]
    xs = [rng.random((batch, w), dtype=np.float32) for w in widths]
    ws = [rng.random((a, b), dtype=np.float32) for a, b in zip(widths, widths[1:])]
    outs_fwd = [np.empty((batch, b), np.float32) for b in widths[1:]]
    outs_gw = [np.empty_like(w) for w in ws]
    outs_gx = [np.empty((batch, a), np.float32) for a in widths[:-1]]

    def step():
        for i, w in enumerate(ws):
            np.matmul(xs[i], w, out=outs_fwd[i])
            np.matmul(xs[i].T, xs[i + 1], out=outs_gw[i])
            if i > 0:
                np.matmul(xs[i + 1], w.T, out=outs_gx[i])

    step()
    return _best_of(step, 10)


def pass_floor(n_params: int) -> float:
    """One in-place pass over n float32 numbers (read and write), the unit of update cost."""
    a = np.ones(n_params, dtype=np.float32)
    return _best_of(lambda: np.multiply(a, 0.999, out=a), 10)


def malaria_epoch(optimizer: dict, epochs: int = 2, rows: int = 2000, batch: int = 100) -> dict:
    preset = _preset(MALARIA_LAYERS, "binary_crossentropy", optimizer, source="malaria",
                     extra_data={"image_size": 100}, batch=batch, epochs=epochs)
    rng = np.random.default_rng(0)
    x = rng.random((rows, 30000), dtype=np.float32)
    y = rng.integers(0, 2, (rows, 1)).astype(np.float32)
    model = Sequential.from_preset(preset, initial_weights(preset, 30000), rng)
    opt = make_optimizer(preset.train.optimizer, model.parameters)
    products = update = 0.0
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
            update += time.perf_counter() - t1
            products += t1 - t0
    n_params = sum(p.size for p in model.parameters)
    return {"products_per_epoch": products / epochs, "update_per_epoch": update / epochs,
            "epoch_seconds": (products + update) / epochs, "steps": steps, "params": n_params}


def main() -> None:
    print(f"## NumPy engine (numpy {np.__version__}, {os.cpu_count()} cores)\n")
    small = small_net_steps_per_second()
    print(f"2-4-2 softmax net, n=1000, batch 100, 50 epochs: {small['steps']} steps in "
          f"{small['seconds']:.3f} s = {small['steps_per_second']:,.0f} steps/s\n")
    floor_products = matmul_floor()
    sgd = malaria_epoch({"name": "sgd", "learning_rate": 0.01})
    adam = malaria_epoch({"name": "adam", "learning_rate": 0.001})
    one_pass = pass_floor(sgd["params"])
    steps = sgd["steps"]
    rows = [
        # name, measured products, measured update, arrays the update must touch
        ("SGD", sgd, 2),  # w (read+write), g (read)
        ("Adam", adam, 4),  # w, g, m, v
    ]
    print(f"30000-300-100-50-1 net ({sgd['params']:,} params), 2,000 rows, batch 100 ({steps} steps/epoch):\n")
    print("| optimizer | epoch s | products s | products floor s | ratio | update s | update floor s | ratio |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, m, arrays in rows:
        pf = floor_products * steps
        uf = one_pass * arrays * steps
        print(f"| {name} | {m['epoch_seconds']:.3f} | {m['products_per_epoch']:.3f} | {pf:.3f} | "
              f"{m['products_per_epoch'] / pf:.2f}x | {m['update_per_epoch']:.3f} | {uf:.3f} | "
              f"{m['update_per_epoch'] / uf:.2f}x |")
    total_floor = floor_products * steps + one_pass * 2 * steps
    print(f"\nSGD epoch against the whole floor (products + 2 passes): {sgd['epoch_seconds'] / total_floor:.2f}x")


if __name__ == "__main__":
    main()
