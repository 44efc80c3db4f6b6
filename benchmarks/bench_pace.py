"""What the pace control costs a headless run: NumPy steps per second, side by side.

The lecture's 2-4-2 softmax net, batches of 10 (80 steps an epoch), trained three ways in turn,
several rounds each so that the three share the machine's load alike:

* ``fit(x, y)``: no pace argument at all (the CLI's call);
* ``fit(x, y, pace=None)``: the same, said out loud;
* ``fit(x, y, pace=Pace())``: a pace object with no speed limit that is never paused, so every
  batch takes its lock and looks at its state: the most a playing run at "max" speed pays;
* ``fit(x, y, watch_steps=True)``: every step reported with its weights and gradient (what the
  app asks of models small enough for the Surface view), for scale.

Run: ``python -m benchmarks pace``.
"""

from __future__ import annotations

import statistics

import numpy as np

from nnplay.engine.numpy_net.trainer import NumpyTrainer
from nnplay.engine.pace import Pace
from nnplay.engine.spec import validate_preset

ROUNDS = 11
EPOCHS = 40


def _preset():
    return validate_preset({
        "preset": {"title": "bench pace"},
        "data": {"source": "logistic", "n": 1000, "test_size": 0.0},
        "model": {"loss": "categorical_crossentropy", "layers": [
            {"type": "dense", "units": 4, "activation": "sigmoid"},
            {"type": "dense", "units": 2, "activation": "softmax"}]},
        "train": {"optimizer": {"name": "sgd", "learning_rate": 0.1}, "batch_size": 10, "epochs": EPOCHS,
                  "validation_split": 0.2},
    })


def main() -> None:
    preset = _preset()
    rng = np.random.default_rng(0)
    x = rng.normal(size=(1000, 2)).astype(np.float32)
    y = np.eye(2, dtype=np.float32)[rng.integers(0, 2, 1000)]
    steps = EPOCHS * 80
    ways = {
        "no pace argument": lambda t: t.fit(x, y),
        "pace=None": lambda t: t.fit(x, y, pace=None),
        "pace=Pace() (no limit)": lambda t: t.fit(x, y, pace=Pace()),
        "watch_steps=True": lambda t: t.fit(x, y, watch_steps=True),
    }
    seconds: dict[str, list[float]] = {name: [] for name in ways}
    for _ in range(ROUNDS):
        for name, fit in ways.items():
            seconds[name].append(fit(NumpyTrainer(preset, 2)).fit_seconds)
    base, fastest = statistics.median(seconds["no pace argument"]), min(seconds["no pace argument"])
    print(f"2-4-2 softmax net, {steps} steps of 10 rows per run; {ROUNDS} interleaved rounds")
    print("(the fastest round is the least disturbed by other work on the machine)\n")
    print(f"{'how fit is called':<26}{'steps/s':>10}{'median s':>10}{'vs none':>9}{'fastest s':>11}{'vs none':>9}")
    for name, values in seconds.items():
        median, best = statistics.median(values), min(values)
        print(f"{name:<26}{steps / median:>10,.0f}{median:>10.3f}{median / base:>9.3f}{best:>11.3f}{best / fastest:>9.3f}")


if __name__ == "__main__":
    main()
