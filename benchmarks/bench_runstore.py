"""What keeping a run costs: the run itself, then the same run recorded (TensorBoard files epoch by
epoch, the row and its weights written at the end), side by side in interleaved rounds.

Preset 12 (the playground's circles, a 16-unit hidden layer, 60 epochs) trained four ways:

* plain ``run(prepared)``: what ``--no-record --json`` does;
* ``run`` with a listener that does nothing: the trainer's own cost of reporting its events;
* recorded: ``RunKeeper.start`` + ``Recording.around`` + ``finish`` into a fresh store, as
  ``nnplay train`` records;
* the store alone: ``RunKeeper.record`` of a finished run (the row, the weights and its TensorBoard
  files written from its history), as a search trial is kept;

and, apart, what one epoch's TensorBoard records take.

Run: ``python -m benchmarks runstore``.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from nnplay.engine.presets import load_preset
from nnplay.engine.run import prepare, run
from nnplay.engine.run_db import RunDB
from nnplay.engine.run_keeping import RunKeeper

ROUNDS = 7


def main() -> None:
    prepared = prepare(load_preset("12"))
    with tempfile.TemporaryDirectory() as folder:
        keeper = RunKeeper(RunDB(Path(folder) / "runs.sqlite3"))
        keeper.db.open()
        plain, watched, recorded, alone = [], [], [], []
        report = run(prepared)
        for _ in range(ROUNDS):
            started = time.perf_counter()
            run(prepared)
            plain.append(time.perf_counter() - started)

            started = time.perf_counter()
            run(prepared, on_event=lambda event: None)
            watched.append(time.perf_counter() - started)

            started = time.perf_counter()
            recording = keeper.start(prepared.preset, source="train")
            recording.finish(run(prepared, on_event=recording.around()))
            recorded.append(time.perf_counter() - started)

            started = time.perf_counter()
            keeper.record(report, source="search")
            alone.append(time.perf_counter() - started)
        runs = len(keeper.db.list())
    base = statistics.median(plain)
    print(f"preset 12, {prepared.preset.train.epochs} epochs, {ROUNDS} interleaved rounds (median, fastest):\n")
    print(f"  {'run only (--no-record)':<34} {base * 1000:8.1f} ms  {min(plain) * 1000:8.1f} ms")
    for name, times in (("run, events to a no-op listener", watched), ("run, recorded as it trains", recorded)):
        print(f"  {name:<34} {statistics.median(times) * 1000:8.1f} ms  {min(times) * 1000:8.1f} ms"
              f"   ({statistics.median(times) / base:.2f}x)")
    print(f"  {'keeping a finished run':<34} {statistics.median(alone) * 1000:8.1f} ms  {min(alone) * 1000:8.1f} ms")
    print(f"  {'TensorBoard files, one epoch':<34} {_epoch_seconds() * 1000:8.2f} ms")
    print(f"\n{runs} runs written")


def _epoch_seconds(epochs: int = 1000) -> float:
    """What ``TensorBoardLog.on_epoch_end`` takes for Keras's four logs and the learning rate."""
    from nnplay.engine.tensorboard_log import TensorBoardLog

    logs = {"loss": 0.5, "accuracy": 0.9, "val_loss": 0.6, "val_accuracy": 0.8}
    with tempfile.TemporaryDirectory() as folder:
        log = TensorBoardLog(Path(folder) / "run", learning_rate=0.1)
        log.on_epoch_end(0, logs)  # the files are opened
        started = time.perf_counter()
        for epoch in range(1, epochs + 1):
            log.on_epoch_end(epoch, logs)
        seconds = (time.perf_counter() - started) / epochs
        log.close()
    return seconds
