"""The lecture's tuning step: a random search over a preset's ``[search]`` space.

Optuna drives the loop through its ask-and-tell interface, which fits any trainer: ask for a trial,
draw its values from the space (:mod:`nnplay.engine.search_spec`), train the preset those values make
with :func:`nnplay.engine.run.run`, and tell the study the objective. With a seeded ``RandomSampler``
the same seed draws the same trials, as ``RandomizedSearchCV(random_state=...)`` would. With pruning
on, every epoch's value is reported to the study, and a trial that falls behind the median of the
earlier ones at the same epoch is stopped there (through the trainer's cancel flag, which both
engines check after every batch).

Optuna is imported by :func:`run_search` only: this module loads fast, so the CLI's ``--help`` and the
playground's first screen never pay for the search library. Progress goes out as the small events
below, one way, like the trainers' own.
"""

from __future__ import annotations

import dataclasses
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from nnplay.engine.errors import NnplayError
from nnplay.engine.run import Prepared, run
from nnplay.engine.runs import finite_or_none
from nnplay.engine.search_spec import SearchSpec, Value, apply_params, draws_integers
from nnplay.engine.spec import Preset, validate_preset
from nnplay.engine.training import EpochEnd, Event

if TYPE_CHECKING:
    from nnplay.engine.run_keeping import RunKeeper

TrialStatus = Literal["complete", "pruned", "failed"]


@dataclass(frozen=True)
class TrialResult:
    number: int  # 0-based, as Optuna counts
    params: dict[str, Value]
    value: float | None  # the objective: the final one, or the last one reported before pruning
    status: TrialStatus
    epochs: int
    seconds: float
    test: dict[str, float] = field(default_factory=dict)  # the trained model on the test rows
    message: str = ""  # why a trial failed

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "params": dict(self.params),
            "value": finite_or_none(self.value),
            "status": self.status,
            "epochs": self.epochs,
            "seconds": round(self.seconds, 4),
            "test": {k: finite_or_none(v) for k, v in self.test.items()},
            "message": self.message,
        }


# --------------------------------------------------------------------------------------------
# Events


@dataclass(frozen=True)
class SearchBegin:
    trials: int
    objective: str
    direction: str
    engine: str


@dataclass(frozen=True)
class TrialBegin:
    number: int
    trials: int
    params: dict[str, Value]


@dataclass(frozen=True)
class TrialEpoch:
    number: int
    epoch: int  # 0-based
    epochs: int
    value: float | None  # the objective after this epoch


@dataclass(frozen=True)
class TrialEnd:
    result: TrialResult
    best: TrialResult | None  # the best complete trial so far
    leaderboard: tuple[TrialResult, ...]  # every trial so far, best first (see `rank`)


@dataclass(frozen=True)
class SearchEnd:
    result: SearchResult


SearchEvent = SearchBegin | TrialBegin | TrialEpoch | TrialEnd | SearchEnd
SearchSink = Callable[[SearchEvent], None]


# --------------------------------------------------------------------------------------------
# The result


@dataclass(frozen=True)
class SearchResult:
    preset: Preset  # the preset searched (its [search] table included)
    engine: str
    objective: str
    direction: Literal["maximize", "minimize"]
    trials: tuple[TrialResult, ...]
    best: TrialResult | None  # Optuna's best trial; None when no trial completed
    cancelled: bool
    seconds: float

    def leaderboard(self) -> list[TrialResult]:
        return rank(self.trials, self.direction)

    def best_preset(self) -> Preset:
        """The searched preset with the best trial's values, as a plain preset (no ``[search]``)."""
        if self.best is None:
            raise NnplayError("no trial completed, so there is no best preset to write", field="search")
        return best_preset_for(self.preset, self.best, self.engine, len(self.trials), self.objective)

    def to_json(self) -> dict[str, Any]:
        return {
            "engine": self.engine,
            "objective": self.objective,
            "direction": self.direction,
            "cancelled": self.cancelled,
            "seconds": round(self.seconds, 4),
            "trials": [trial.to_json() for trial in self.trials],
            "best": None if self.best is None else self.best.to_json(),
        }


def rank(trials: tuple[TrialResult, ...] | list[TrialResult], direction: str) -> list[TrialResult]:
    """Complete trials best first (ties by trial number), then the pruned, then the failed."""
    sign = -1.0 if direction == "maximize" else 1.0
    order = {"complete": 0, "pruned": 1, "failed": 2}

    def key(trial: TrialResult) -> tuple[int, float, int]:
        value = finite_or_none(trial.value)
        return order[trial.status], math.inf if value is None else sign * value, trial.number

    return sorted(trials, key=key)


def trial_preset(preset: Preset, params: dict[str, Value]) -> Preset:
    """The plain preset one trial trains (raises :class:`SpecError` if the values do not fit)."""
    return validate_preset(apply_params(preset.to_dict(), params))


def best_preset_for(preset: Preset, best: TrialResult, engine: str, trials: int, objective: str) -> Preset:
    raw = apply_params(preset.to_dict(), best.params)
    raw["train"]["engine"] = engine
    title = f"{preset.preset.title} (best of {trials} trials)"
    raw["preset"]["title"] = title if len(title) <= 120 else title[:119] + "…"
    found = ", ".join(f"{name} = {_show(value)}" for name, value in best.params.items())
    raw["preset"]["notes"] = (
        f"Found by `nnplay search`: trial {best.number} of {trials} reached {objective} "
        f"{best.value:.4f} with {found}.\n\n{preset.preset.notes}"
    )
    return validate_preset(raw)


def _show(value: Value) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


# --------------------------------------------------------------------------------------------
# The loop


def _import_optuna() -> Any:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.ERROR)  # its per-trial lines would scribble on the screen
    return optuna


def _suggest(trial: Any, raw: dict[str, Any], search: SearchSpec) -> dict[str, Value]:
    params: dict[str, Value] = {}
    for name, spec in search.space.items():
        if spec.choices is not None:
            params[name] = trial.suggest_categorical(name, list(spec.choices))
        elif draws_integers(raw, name, spec):
            params[name] = trial.suggest_int(name, int(spec.low), int(spec.high), log=spec.log)  # type: ignore[arg-type]
        else:
            params[name] = trial.suggest_float(name, float(spec.low), float(spec.high), log=spec.log)  # type: ignore[arg-type]
    return params


def _final_value(history: dict[str, list[float]], objective: str, best_epoch: int | None) -> float | None:
    """The objective for the weights a trial ends with (early stopping may have restored an earlier epoch's)."""
    values = history.get(objective) or []
    if not values:
        return None
    return values[best_epoch] if best_epoch is not None else values[-1]


class _TrialWatch:
    """Receives one trial's training events: reports each epoch to the study, stops the trainer when
    the pruner says so or the user cancels, and passes the epoch on as a :class:`TrialEpoch`."""

    def __init__(self, trial: Any, objective: str, prune: bool, cancel: threading.Event, emit: SearchSink) -> None:
        self.trial, self.objective, self.prune, self.cancel, self.emit = trial, objective, prune, cancel, emit
        self.stop = threading.Event()  # the trainer's own cancel flag for this trial
        self.pruned = False
        self.last: float | None = None

    def __call__(self, event: Event) -> None:
        if self.cancel.is_set():
            self.stop.set()
        if not isinstance(event, EpochEnd):
            return
        value = event.logs.get(self.objective)
        if value is not None and math.isfinite(value):
            self.last = float(value)
            self.trial.report(self.last, event.epoch)
            if self.prune and self.trial.should_prune():
                self.pruned = True
                self.stop.set()
        self.emit(TrialEpoch(self.trial.number, event.epoch, event.epochs, self.last))


def run_search(
    prepared: Prepared,
    *,
    trials: int | None = None,
    engine: str | None = None,
    on_event: SearchSink | None = None,
    cancel: threading.Event | None = None,
    keeper: RunKeeper | None = None,
) -> SearchResult:
    """Run the prepared preset's search: ``trials`` overrides ``search.trials``, ``engine`` the
    preset's engine; ``cancel`` stops within one batch and keeps the trials finished by then;
    ``keeper`` records every trial that trained in the run store."""
    preset = prepared.preset
    search = preset.search
    if search is None:
        raise NnplayError("this preset has no [search] table; see README.md for one", field="search")
    optuna = _import_optuna()
    emit: SearchSink = on_event or (lambda _: None)
    cancel = cancel or threading.Event()
    engine = engine or preset.train.engine
    total = trials if trials is not None else search.trials
    pruner = (optuna.pruners.MedianPruner(n_startup_trials=search.pruning.startup_trials,
                                          n_warmup_steps=search.pruning.warmup_epochs)
              if search.pruning else optuna.pruners.NopPruner())
    study = optuna.create_study(direction=search.direction, sampler=optuna.samplers.RandomSampler(seed=search.seed),
                                pruner=pruner)
    raw = preset.to_dict()
    results: list[TrialResult] = []
    best: TrialResult | None = None
    started = time.perf_counter()
    emit(SearchBegin(total, search.objective, search.direction, engine))
    for _ in range(total):
        if cancel.is_set():
            break
        trial = study.ask()
        params = _suggest(trial, raw, search)
        emit(TrialBegin(trial.number, total, dict(params)))
        watch = _TrialWatch(trial, search.objective, search.pruning is not None, cancel, emit)
        result = _run_trial(prepared, engine, params, watch, keeper)
        if result is None:  # the user stopped the search in the middle of this trial
            study.tell(trial, state=optuna.trial.TrialState.FAIL)
            break
        if result.status == "complete":
            study.tell(trial, result.value)
            best_trial = study.best_trial
            best = next(r for r in [*results, result] if r.number == best_trial.number)
        else:
            state = optuna.trial.TrialState.PRUNED if result.status == "pruned" else optuna.trial.TrialState.FAIL
            study.tell(trial, state=state)
        results.append(result)
        emit(TrialEnd(result, best, tuple(rank(results, search.direction))))
    outcome = SearchResult(preset, engine, search.objective, search.direction, tuple(results), best,
                           cancel.is_set(), time.perf_counter() - started)
    emit(SearchEnd(outcome))
    return outcome


def _run_trial(prepared: Prepared, engine: str, params: dict[str, Value], watch: _TrialWatch,
               keeper: RunKeeper | None = None) -> TrialResult | None:
    started = time.perf_counter()
    number, objective = watch.trial.number, watch.objective

    def failed(message: str, epochs: int = 0) -> TrialResult:
        return TrialResult(number, params, None, "failed", epochs, time.perf_counter() - started, message=message)

    try:
        preset = trial_preset(prepared.preset, params)
        report = run(dataclasses.replace(prepared, preset=preset), engine=engine, on_event=watch, cancel=watch.stop)
    except NnplayError as error:  # values that do not fit together, or a trainer that refused them
        return failed(error.one_line())
    if keeper is not None:
        keeper.record(report, source="search")
    fit = report.fit
    seconds = time.perf_counter() - started
    if watch.pruned:
        return TrialResult(number, params, watch.last, "pruned", fit.epochs_run, seconds)
    if fit.status == "cancelled":
        return None
    if fit.status == "diverged":
        return failed(fit.describe(), fit.epochs_run)
    value = _final_value(fit.history, objective, fit.best_epoch)
    if value is None or not math.isfinite(value):
        return failed(f"the run reported no finite {objective}", fit.epochs_run)
    return TrialResult(number, params, value, "complete", fit.epochs_run, seconds, dict(report.test))
