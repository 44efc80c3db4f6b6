"""Trials per minute of the small search (preset 14: moons, 12 trials of up to 40 epochs), measured
side by side in one run:

* NumPy engine (median of 5 runs, the variants taking turns) with the preset's median pruning, and
  the same search without it (the share of epochs pruning saves, and what it costs the best value);
* Keras engine with pruning, on the first 3 trials only (each Keras trial builds and traces a new
  model, so it is far slower per trial);
* the overhead of the search itself: the same trials trained one by one with ``run`` and no Optuna.

Goal: the small search finishes in well under a minute on this 2-core machine (issue 12), so a
student sees the leaderboard fill while watching.

Run: ``python -m benchmarks search``.
"""

from __future__ import annotations

import dataclasses
import statistics
import time
from collections.abc import Callable
from typing import Any

from nnplay.engine.presets import load_preset
from nnplay.engine.run import prepare, run
from nnplay.engine.search import SearchResult, run_search, trial_preset

KERAS_TRIALS = 3
REPEATS = 5  # NumPy searches take about a second: the median of five damps the other processes' noise


def _timed(work: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    out = work()
    return out, time.perf_counter() - started


def _row(name: str, result: SearchResult, seconds: float) -> str:
    epochs = sum(t.epochs for t in result.trials)
    pruned = sum(t.status == "pruned" for t in result.trials)
    best = "-" if result.best is None else f"{result.best.value:.4f}"
    rate = len(result.trials) / seconds * 60
    return f"| {name} | {len(result.trials)} | {pruned} | {epochs} | {seconds:.2f} | {rate:,.0f} | {best} |"


def main() -> None:
    preset = load_preset("14-moons-search")
    plain = preset.with_changes("search.pruning", None)
    prepared, prepared_plain = prepare(preset), prepare(plain)
    trials = run_search(prepared_plain).trials

    def bare() -> None:  # the same trials trained one by one, no Optuna
        for trial in trials:
            run(dataclasses.replace(prepared_plain, preset=trial_preset(plain, trial.params)))

    # The three NumPy variants take turns, so that the other processes' load falls on each alike.
    times: dict[str, list[float]] = {"pruning": [], "plain": [], "bare": []}
    results: dict[str, SearchResult] = {}
    for _ in range(REPEATS):
        results["pruning"], seconds = _timed(lambda: run_search(prepared))
        times["pruning"].append(seconds)
        results["plain"], seconds = _timed(lambda: run_search(prepared_plain))
        times["plain"].append(seconds)
        times["bare"].append(_timed(bare)[1])
    median = {name: statistics.median(values) for name, values in times.items()}
    keras, keras_s = _timed(lambda: run_search(prepared, engine="keras", trials=KERAS_TRIALS))

    print("| search | trials | pruned | epochs trained | seconds | trials / minute | best val_accuracy |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    print(_row(f"preset 14, NumPy, pruning (median of {REPEATS})", results["pruning"], median["pruning"]))
    print(_row(f"preset 14, NumPy, no pruning (median of {REPEATS})", results["plain"], median["plain"]))
    print(_row(f"preset 14, Keras, pruning (first {KERAS_TRIALS} trials)", keras, keras_s))
    overhead = median["plain"] / median["bare"] - 1
    saved = 1 - sum(t.epochs for t in results["pruning"].trials) / sum(t.epochs for t in results["plain"].trials)
    print(f"\nThe same {len(trials)} trials trained one by one without Optuna: {median['bare']:.2f} s "
          f"(the search loop: {overhead:+.0%}). Pruning trained {saved:.0%} fewer epochs.")
    # The first trials are the pruner's start-up trials: complete on both engines, the same draws.
    per_keras = sum(t.seconds for t in keras.trials) / len(keras.trials)
    per_numpy = sum(t.seconds for t in results["pruning"].trials[:len(keras.trials)]) / len(keras.trials)
    print(f"Per trial, on the same first {len(keras.trials)} draws: NumPy {per_numpy:.2f} s, "
          f"Keras {per_keras:.2f} s ({per_keras / per_numpy:.0f}x).")


if __name__ == "__main__":
    main()
