"""The digits 64-64-10 net on three engines, side by side in one run: NumPy, Keras, scikit-learn.

Equal work for all three: scikit-learn's 8x8 digits (the preset's training rows), one hidden
layer of 64 relu units, 10 softmax outputs, cross-entropy, Adam (learning rate 0.001), batch 32,
50 epochs, rows reshuffled every epoch, no penalty, no validation, no early stopping.
scikit-learn's ``MLPClassifier`` is told the same (``alpha=0``, ``n_iter_no_change`` past the last
epoch so that it never stops early).

Keras is timed twice: headless at full speed (its own levers on: ``steps_per_execution`` and
``jit_compile``), and with a pace at full speed, where it must call back after every batch so
that a person can pause it (the levers off). Goals: Keras (headless) at most 6x the NumPy engine
(issue 16); NumPy at least 2x as fast as scikit-learn (issue 15).

Then the Keras engine mirrored (``train.devices = 2``) on two logical CPU devices against one
device, seconds per epoch, each in a fresh process (logical devices are set once per process).
The two share the same cores, so the mirrored run is slower here: it proves the path, a real
speed-up needs GPUs.

Each engine runs ``REPEATS`` times in turn (NumPy, scikit-learn, Keras, NumPy, ...) and the table
gives the fastest run of each: the machine is shared, and the fastest is the least disturbed.

Run: ``python -m benchmarks digits``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import warnings

import numpy as np

from nnplay.engine.pace import Pace
from nnplay.engine.run import make_trainer, prepare
from nnplay.engine.spec import Preset, validate_preset

EPOCHS, BATCH, LEARNING_RATE, REPEATS = 50, 32, 1e-3, 3
MIRRORED_EPOCHS = 10

#: One mirrored run in a fresh process: the steady seconds per epoch (first epoch left out: tracing).
MIRRORED_RUN = """
import json, sys, time
from benchmarks.bench_digits import digits_preset
from nnplay.engine.run import make_trainer, prepare
preset = digits_preset(devices=int(sys.argv[1]), epochs=int(sys.argv[2]))
prepared = prepare(preset)
stamps = []
trainer = make_trainer(preset, prepared.x_train.shape[1], "keras")
result = trainer.fit(prepared.x_train, prepared.y_train,
                     on_event=lambda event: stamps.append(time.perf_counter()) if type(event).__name__ == "EpochEnd" else None)
steady = (stamps[-1] - stamps[0]) / (len(stamps) - 1)
print(json.dumps({"replicas": result.replicas, "per_epoch": steady, "loss": result.history["loss"][-1]}))
"""


def digits_preset(*, devices: int | str = "all", epochs: int = EPOCHS) -> Preset:
    return validate_preset({
        "preset": {"title": "digits 64-64-10, Adam"},
        "data": {"source": "digits"},
        "model": {"loss": "categorical_crossentropy", "layers": [
            {"type": "dense", "units": 64, "activation": "relu"},
            {"type": "dense", "units": 10, "activation": "softmax"},
        ]},
        "train": {"optimizer": {"name": "adam", "learning_rate": LEARNING_RATE}, "batch_size": BATCH,
                  "epochs": epochs, "shuffle": True, "seed": 0, "engine": "keras", "devices": devices},
    })


def time_engine(preset: Preset, engine: str, x: np.ndarray, y: np.ndarray, *, paced: bool = False) -> tuple[float, float]:
    """Seconds of ``fit`` and the last epoch's loss."""
    trainer = make_trainer(preset, x.shape[1], engine)
    result = trainer.fit(x, y, pace=Pace() if paced else None)
    return result.fit_seconds, result.history["loss"][-1]


def time_sklearn(x: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    net = MLPClassifier(hidden_layer_sizes=(64,), activation="relu", solver="adam", alpha=0.0,
                        batch_size=BATCH, learning_rate_init=LEARNING_RATE, max_iter=EPOCHS, shuffle=True,
                        tol=0.0, n_iter_no_change=EPOCHS + 1, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        started = time.perf_counter()
        net.fit(x, labels)
        seconds = time.perf_counter() - started
    return seconds, float(net.loss_curve_[-1])


def mirrored(devices: int) -> dict:
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    done = subprocess.run([sys.executable, "-c", MIRRORED_RUN, str(devices), str(MIRRORED_EPOCHS)], cwd=root,
                          capture_output=True, text=True, check=True, env={**os.environ, "PYTHONPATH": root})
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    import keras
    import sklearn
    import tensorflow as tf

    preset = digits_preset()
    prepared = prepare(preset)
    x, y = prepared.x_train, prepared.y_train
    labels = y.argmax(axis=1)
    runs: dict[str, list[tuple[float, float]]] = {"numpy": [], "sklearn": [], "keras": [], "keras_paced": []}
    make_trainer(preset, x.shape[1], "keras")  # TensorFlow's start-up, outside every timing
    for _ in range(REPEATS):
        runs["numpy"].append(time_engine(preset, "numpy", x, y))
        runs["sklearn"].append(time_sklearn(x, labels))
        runs["keras"].append(time_engine(preset, "keras", x, y))
        runs["keras_paced"].append(time_engine(preset, "keras", x, y, paced=True))
    best = {name: min(times) for name, times in runs.items()}
    numpy_s = best["numpy"][0]

    steps = EPOCHS * -(-len(x) // BATCH)
    print(f"Machine: {os.cpu_count()} CPU cores; NumPy {np.__version__}, scikit-learn {sklearn.__version__}, "
          f"TensorFlow {tf.__version__}, Keras {keras.__version__}")
    print(f"{preset.preset.title}: {len(x)} rows, batch {BATCH}, {EPOCHS} epochs = {steps} steps; "
          f"fastest of {REPEATS} runs each\n")
    print("| engine | fit | ms / step | last epoch's loss | time / NumPy's | goal |")
    print("|---|---:|---:|---:|---:|---|")
    rows = (("NumPy engine", "numpy", ""), ("scikit-learn MLPClassifier", "sklearn", "NumPy >= 2x as fast"),
            ("Keras engine, headless", "keras", "<= 6x"), ("Keras engine, paced at full speed", "keras_paced", ""))
    for label, name, goal in rows:
        seconds, loss = best[name]
        print(f"| {label} | {seconds:.3f} s | {1000 * seconds / steps:.3f} | {loss:.4f} | "
              f"{seconds / numpy_s:.2f}x | {goal} |")

    print(f"\nKeras engine mirrored (train.devices), {MIRRORED_EPOCHS} epochs, each run in a fresh process; "
          "one batch per call into TensorFlow in both (Keras cannot group batches on a mirrored model)\n")
    print("| devices | replicas | s / epoch (steady) | last epoch's loss | time / one device's |")
    print("|---|---:|---:|---:|---:|")
    one = mirrored(1)
    for label, run in (("1 (CPU)", one), ("2 logical CPU devices", mirrored(2))):
        print(f"| {label} | {run['replicas']} | {run['per_epoch']:.3f} | {run['loss']:.4f} | "
              f"{run['per_epoch'] / one['per_epoch']:.2f}x |")


if __name__ == "__main__":
    main()
