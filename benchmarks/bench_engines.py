"""Both engines on the same presets, in one run: ``fit_seconds`` side by side, and the ratio.

* the lecture's small nets, 2-1 logistic regression and the 2-4-2 softmax net: n = 1000 rows,
  batch 100, 50 epochs. Goal: NumPy at least 20x faster than Keras, which pays a fixed cost per
  step (a graph call, callbacks, metric updates) that a model of 3 or 22 weights does not need;
* the malaria-sized 30000-300-100-50-1 relu net on 2,000 random float32 rows, batch 100, Adam.
  Goal: NumPy no slower than Keras. Both spend the time in the same float32 matrix products.

Keras's ``fit_seconds`` includes tracing its training step into a graph on the first call; for the
big net the table also gives the steady epoch time (the median epoch, timed from epoch events).

Run: ``python -m benchmarks engines`` (or ``python -m benchmarks`` for every benchmark).
"""

from __future__ import annotations

import os
import platform
import statistics
import time
from dataclasses import dataclass

import numpy as np

from nnplay.engine.run import make_trainer, prepare
from nnplay.engine.spec import Preset, validate_preset
from nnplay.engine.training import EpochEnd

BIG_EPOCHS = 3


def _preset(title: str, layers: list[dict], loss: str, optimizer: dict, *, epochs: int, data: dict | None = None) -> Preset:
    return validate_preset({
        "preset": {"title": title},
        "data": data or {"source": "logistic", "n": 1000, "features": 2, "beta": [1.0, 2.0], "test_size": 0.0},
        "model": {"loss": loss, "layers": layers},
        "train": {"optimizer": optimizer, "batch_size": 100, "epochs": epochs, "shuffle": True, "seed": 0},
    })


def logistic_regression() -> Preset:
    return _preset(
        "2-1 logistic regression", [{"type": "dense", "units": 1, "activation": "sigmoid", "use_bias": False}],
        "binary_crossentropy", {"name": "sgd", "learning_rate": 1.0}, epochs=50,
    )


def softmax_net() -> Preset:
    return _preset(
        "2-4-2 softmax net",
        [{"type": "dense", "units": 4, "activation": "sigmoid"}, {"type": "dense", "units": 2, "activation": "softmax"}],
        "categorical_crossentropy", {"name": "sgd", "learning_rate": 0.1}, epochs=50,
    )


def big_net() -> Preset:
    layers = [{"type": "dense", "units": units, "activation": "relu"} for units in (300, 100, 50)]
    layers.append({"type": "dense", "units": 1, "activation": "sigmoid"})
    return _preset(
        "30000-300-100-50-1 relu net, Adam", layers, "binary_crossentropy", {"name": "adam", "learning_rate": 1e-3},
        # The arrays are made below; the data table only has to say "30,000 features" (a 100x100
        # colour image, as in the lecture's malaria model).
        epochs=BIG_EPOCHS, data={"source": "folder", "path": "unused", "image_size": 100},
    )


@dataclass(frozen=True)
class Timing:
    fit_seconds: float
    epochs: int
    steady_epoch: float  # median seconds of one epoch, from epoch-end timestamps

    @property
    def per_epoch(self) -> float:
        return self.fit_seconds / self.epochs


def time_fit(preset: Preset, engine: str, x: np.ndarray, y: np.ndarray) -> Timing:
    trainer = make_trainer(preset, x.shape[1], engine)
    stamps: list[float] = []

    def listen(event: object) -> None:
        if isinstance(event, EpochEnd):
            stamps.append(time.perf_counter())

    started = time.perf_counter()
    result = trainer.fit(x, y, on_event=listen)
    gaps = np.diff([started, *stamps]).tolist()
    steady = statistics.median(gaps[1:] or gaps)
    return Timing(result.fit_seconds, result.epochs_run, steady)


def random_big_data(preset: Preset) -> tuple[np.ndarray, np.ndarray]:
    """2,000 random float32 rows of 30,000 features (a 100x100x3 image's worth) and 0/1 labels."""
    rng = np.random.default_rng(0)
    x = rng.random((2000, 30000), dtype=np.float32)
    y = rng.integers(0, 2, size=(2000, 1)).astype(np.float32)
    return x, y


def main() -> None:
    rows = []
    for preset in (logistic_regression(), softmax_net()):
        prepared = prepare(preset)
        x, y = prepared.x_train, prepared.y_train
        numpy_t, keras_t = time_fit(preset, "numpy", x, y), time_fit(preset, "keras", x, y)
        rows.append((preset.preset.title + f" (n={len(x)}, batch 100, {preset.train.epochs} epochs)",
                     f"{numpy_t.fit_seconds:.3f} s", f"{keras_t.fit_seconds:.3f} s",
                     f"{keras_t.fit_seconds / numpy_t.fit_seconds:.1f}x", ">= 20x"))
    preset = big_net()
    x, y = random_big_data(preset)
    numpy_t, keras_t = time_fit(preset, "numpy", x, y), time_fit(preset, "keras", x, y)
    rows.append((preset.preset.title + f" (n=2000, batch 100, {BIG_EPOCHS} epochs): s/epoch",
                 f"{numpy_t.per_epoch:.2f} s", f"{keras_t.per_epoch:.2f} s",
                 f"{keras_t.per_epoch / numpy_t.per_epoch:.2f}x", ">= 1x"))
    rows.append(("same, steady epoch (median, Keras's graph tracing excluded)",
                 f"{numpy_t.steady_epoch:.2f} s", f"{keras_t.steady_epoch:.2f} s",
                 f"{keras_t.steady_epoch / numpy_t.steady_epoch:.2f}x", ">= 1x"))

    import keras
    import tensorflow as tf

    print(f"Machine: {os.cpu_count()} CPU cores ({platform.machine()}, {platform.system()}); "
          f"NumPy {np.__version__}, TensorFlow {tf.__version__}, Keras {keras.__version__}; "
          f"GPUs visible to TensorFlow: {len(tf.config.list_physical_devices('GPU'))}\n")
    header = ("workload", "NumPy fit", "Keras fit", "Keras / NumPy", "goal")
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join(["---"] + ["---:"] * 4) + "|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
