"""The lecture's tuning step: a random search over a preset's ``[search]`` space.

Optuna drives the loop through its ask-and-tell interface, which fits any trainer: ask for a trial,
draw its values from the space (:mod:`nnplay.engine.search_spec`), train the preset those values make
with :func:`nnplay.engine.run.run`, and tell the study the objective. With a seeded ``RandomSampler``
the same seed draws the same trials, as ``RandomizedSearchCV(random_state=...)`` would. With pruning
on, every epoch's value is reported to the study, and a trial that falls behind the median of the
earlier ones at the same epoch is stopped there (through the trainer's cancel flag, which both
engines check after every batch).

With ``study`` (:class:`~nnplay.engine.study_storage.StudyOptions`), the study lives in a shared
Optuna storage instead of memory: this process is one worker of many, each with a seed of its own,
asking the storage for trials until the study holds ``trials`` of them in all (every worker's,
whatever their state), and the leaderboard is the whole study's, read back from the storage.

Optuna is imported by :func:`run_search` only: this module loads fast, so the CLI's ``--help`` and the
playground's first screen never pay for the search library. Progress goes out as the small events
below, one way, like the trainers' own.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import json
import math
import os
import threading
import time
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from nnplay.engine.callbacks import Callback, CallbackList
from nnplay.engine.errors import NnplayError
from nnplay.engine.report_json import figure, figures, finite_or_none
from nnplay.engine.run import Prepared, run
from nnplay.engine.search_spec import SearchSpec, Value, apply_params, draws_integers
from nnplay.engine.spec import Preset, validate_preset
from nnplay.engine.study_storage import (
    Heartbeat,
    SearchIdentity,
    StudyOptions,
    fail_stale_trials,
    join_study,
    open_storage,
    parse_storage,
    worker_label,
    worker_seed,
)

if TYPE_CHECKING:
    from nnplay.engine.run_keeping import RunKeeper

TrialStatus = Literal["complete", "pruned", "failed", "running"]  # running: another worker's, still training
POLL_SECONDS = 2.0  # a shared study is read back this often while a trial trains, for the others' trials


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

    def to_json(self, dtype: str = "float64") -> dict[str, Any]:
        """The trial, JSON-ready; ``dtype`` is the one the trial trained in (its figures' precision)."""
        return {
            "number": self.number,
            "params": dict(self.params),
            "value": figure(self.value, dtype),
            "status": self.status,
            "epochs": self.epochs,
            "seconds": round(self.seconds, 4),
            "test": figures(self.test, dtype),
            "message": self.message,
        }


# --------------------------------------------------------------------------------------------
# Events


@dataclass(frozen=True)
class SearchBegin:
    trials: int  # in the study, every worker's counted
    objective: str
    direction: str
    engine: str
    study: str = ""  # a shared study: its name and storage; empty in memory


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
class StudyProgress:
    """A shared study read back while this worker trains: the other workers' trials so far."""

    best: TrialResult | None
    leaderboard: tuple[TrialResult, ...]


@dataclass(frozen=True)
class SearchEnd:
    result: SearchResult


SearchEvent = SearchBegin | TrialBegin | TrialEpoch | TrialEnd | StudyProgress | SearchEnd
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
    study: str | None = None  # a shared study's name; None in memory
    storage: str | None = None  # where it lives, as safe to print (no password)

    def leaderboard(self) -> list[TrialResult]:
        return rank(self.trials, self.direction)

    def best_preset(self) -> Preset:
        """The searched preset with the best trial's values, as a plain preset (no ``[search]``)."""
        if self.best is None:
            raise NnplayError("no trial completed, so there is no best preset to write", field="search")
        return best_preset_for(self.preset, self.best, self.engine, len(self.trials), self.objective)

    def to_json(self) -> dict[str, Any]:
        dtype = self.preset.train.dtype
        return {
            "engine": self.engine,
            "objective": self.objective,
            "direction": self.direction,
            "cancelled": self.cancelled,
            "seconds": round(self.seconds, 4),
            "study": self.study,
            "storage": self.storage,
            "trials": [trial.to_json(dtype) for trial in self.trials],
            "best": None if self.best is None else self.best.to_json(dtype),
        }


def rank(trials: tuple[TrialResult, ...] | list[TrialResult], direction: str) -> list[TrialResult]:
    """Complete trials best first (ties by trial number), then the pruned, the running, the failed."""
    sign = -1.0 if direction == "maximize" else 1.0
    order = {"complete": 0, "pruned": 1, "running": 2, "failed": 3}

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


def import_optuna() -> Any:
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


class _TrialWatch(Callback):
    """Hears one trial's training: reports each epoch to the study, stops the trainer when the pruner
    says so or the user cancels, and passes the epoch on as a :class:`TrialEpoch`. In a shared study
    it also reads the study back every ``POLL_SECONDS`` (``poll``). It looks at batches only to stop
    in time, so an unpaced Keras trial may run many batches per call into TensorFlow."""

    every_batch = False

    def __init__(self, trial: Any, objective: str, prune: bool, cancel: threading.Event, emit: SearchSink,
                 poll: Callable[[], None] | None = None) -> None:
        self.trial, self.objective, self.prune, self.cancel, self.emit = trial, objective, prune, cancel, emit
        self.stop = threading.Event()  # the trainer's own cancel flag for this trial
        self.pruned = False
        self.last: float | None = None
        self.poll, self.polled = poll, time.monotonic()

    def on_train_batch_end(self, batch: int, logs: Mapping[str, float]) -> None:
        if self.cancel.is_set():
            self.stop.set()
        if self.poll is not None and time.monotonic() - self.polled >= POLL_SECONDS:
            self.polled = time.monotonic()
            self.poll()

    def on_epoch_end(self, epoch: int, logs: Mapping[str, float]) -> None:
        self.on_train_batch_end(-1, logs)  # an epoch of no batches still looks for a stop
        value = logs.get(self.objective)
        if value is not None and math.isfinite(value):
            self.last = float(value)
            if self.prune:  # only the pruner reads them; in a journal file each report is a write with an fsync
                self.trial.report(self.last, epoch)
                if self.trial.should_prune():
                    self.pruned = True
                    self.stop.set()
        self.emit(TrialEpoch(self.trial.number, epoch, self.params.epochs if self.params else epoch + 1, self.last))


class SearchStudy:
    """The Optuna study a search asks and tells: this process's own in memory (seeded with the search's
    seed, so it repeats), or a shared one that every worker joins (a seed per worker, a heartbeat per
    running trial, and the leaderboard read back from the storage)."""

    def __init__(self, optuna: Any, search: SearchSpec, options: StudyOptions | None) -> None:
        self.optuna, self.search, self.options = optuna, search, options
        pruner = (optuna.pruners.MedianPruner(n_startup_trials=search.pruning.startup_trials,
                                              n_warmup_steps=search.pruning.warmup_epochs)
                  if search.pruning else optuna.pruners.NopPruner())
        self.own: list[TrialResult] = []  # this worker's trials (all of them, in memory)
        self.best: TrialResult | None = None
        if options is None:
            self.place = None
            sampler = optuna.samplers.RandomSampler(seed=search.seed)
            self.study = optuna.create_study(direction=search.direction, sampler=sampler, pruner=pruner)
            return
        self.place = parse_storage(options.storage)
        storage = open_storage(self.place, options.heartbeat)
        sampler = optuna.samplers.RandomSampler(seed=worker_seed(search.seed, options.worker))
        self.study = join_study(storage, options.name, identity_of(search), sampler, pruner)

    @property
    def label(self) -> str:
        return "" if self.options is None or self.place is None else f"study {self.options.name} in {self.place.shown}"

    def full(self, total: int) -> bool:
        """True when the study holds ``total`` trials (in a shared one: every worker's, any state)."""
        if self.options is None:
            return len(self.own) >= total
        fail_stale_trials(self.study)  # a killed worker's trial counts, as FAIL, once its heartbeat is overdue
        return len(self.study.get_trials(deepcopy=False)) >= total

    def ask(self) -> Any:
        with warnings.catch_warnings():  # "Heartbeat ... supposed to be used with Study.optimize": we beat ourselves
            warnings.simplefilter("ignore", UserWarning)
            trial = self.study.ask()
        if self.options is not None:  # which process runs it: `optuna trials` shows it, --workers fails a dead one's
            trial.set_user_attr("worker", worker_label(os.getpid()))
        return trial

    def heartbeat(self, trial: Any) -> contextlib.AbstractContextManager[Any]:
        return contextlib.nullcontext() if self.options is None else Heartbeat(self.study, trial)

    def tell(self, trial: Any, result: TrialResult, *, keep: bool = True) -> None:
        """Tell the study how ``trial`` ended; ``keep`` False: a trial the user stopped, which a search in
        memory forgets (a shared study keeps it, failed, as every worker sees it)."""
        states = self.optuna.trial.TrialState
        if self.options is not None:  # what other workers' leaderboards show of this trial
            trial.set_user_attr("nnplay", {"epochs": result.epochs, "seconds": round(result.seconds, 4),
                                           "test": dict(result.test), "message": result.message})
        try:
            if result.status == "complete":
                self.study.tell(trial, result.value)
            else:
                self.study.tell(trial, state=states.PRUNED if result.status == "pruned" else states.FAIL)
        except self.optuna.exceptions.UpdateFinishedTrialError:
            pass  # a worker slower than its heartbeat's grace: another one has marked the trial failed
        if not keep:
            return
        self.own.append(result)
        if self.options is None and result.status == "complete":
            best_trial = self.study.best_trial
            self.best = next(r for r in self.own if r.number == best_trial.number)

    def board(self) -> tuple[list[TrialResult], TrialResult | None]:
        """Every trial (by number) and the best: this worker's in memory, the whole study's when shared."""
        if self.options is None:
            return list(self.own), self.best
        trials = [trial_result(t) for t in self.study.get_trials(deepcopy=False)]
        complete = [t for t in trials if t.status == "complete"]
        best = rank(complete, self.search.direction)[0] if complete else None
        return trials, best

    def progress(self, emit: SearchSink) -> Callable[[], None] | None:
        if self.options is None:
            return None

        def poll() -> None:
            trials, best = self.board()
            emit(StudyProgress(best, tuple(rank(trials, self.search.direction))))

        return poll


def trial_result(trial: Any) -> TrialResult:
    """A trial of a shared study as the leaderboard shows it, whichever worker ran it."""
    from optuna.trial import TrialState

    status: TrialStatus = {TrialState.COMPLETE: "complete", TrialState.PRUNED: "pruned",
                           TrialState.FAIL: "failed"}.get(trial.state, "running")
    extra = trial.user_attrs.get("nnplay") or {}
    reports = trial.intermediate_values
    value = trial.value if status == "complete" else (reports[max(reports)] if reports and status == "pruned" else None)
    if "seconds" in extra:
        seconds = float(extra["seconds"])
    else:
        end = trial.datetime_complete or datetime.datetime.now()
        seconds = (end - trial.datetime_start).total_seconds() if trial.datetime_start else 0.0
    message = extra.get("message") or ("its worker stopped before the trial ended" if status == "failed" else "")
    return TrialResult(trial.number, dict(trial.params), value, status, int(extra.get("epochs", len(reports))), seconds,
                       dict(extra.get("test") or {}), message)


def identity_of(search: SearchSpec) -> SearchIdentity:
    space = tuple((name, json.dumps(spec.model_dump(mode="json"), sort_keys=True)) for name, spec in search.space.items())
    return SearchIdentity(search.objective, search.direction, space)


def run_search(
    prepared: Prepared,
    *,
    trials: int | None = None,
    engine: str | None = None,
    on_event: SearchSink | None = None,
    cancel: threading.Event | None = None,
    study: StudyOptions | None = None,
    keeper: RunKeeper | None = None,
) -> SearchResult:
    """Run the prepared preset's search: ``trials`` overrides ``search.trials``, ``engine`` the
    preset's engine; ``cancel`` stops within one batch and keeps the trials finished by then;
    ``study`` shares the study through an Optuna storage (see the module's notes); ``keeper``
    records every trial that trained in the run store."""
    preset = prepared.preset
    search = preset.search
    if search is None:
        raise NnplayError("this preset has no [search] table; see README.md for one", field="search")
    optuna = import_optuna()
    emit: SearchSink = on_event or (lambda _: None)
    cancel = cancel or threading.Event()
    engine = engine or preset.train.engine
    total = trials if trials is not None else search.trials
    handle = SearchStudy(optuna, search, study)
    raw = preset.to_dict()
    started = time.perf_counter()
    emit(SearchBegin(total, search.objective, search.direction, engine, handle.label))
    while not cancel.is_set() and not handle.full(total):
        trial = handle.ask()
        params = _suggest(trial, raw, search)
        emit(TrialBegin(trial.number, total, dict(params)))
        watch = _TrialWatch(trial, search.objective, search.pruning is not None, cancel, emit, handle.progress(emit))
        with handle.heartbeat(trial):
            result = _run_trial(prepared, engine, params, watch, keeper)
        if result is None:  # the user stopped the search in the middle of this trial
            handle.tell(trial, TrialResult(trial.number, params, None, "failed", 0, 0.0, message="stopped by its worker"),
                        keep=False)
            break
        handle.tell(trial, result)
        board, best = handle.board()
        emit(TrialEnd(result, best, tuple(rank(board, search.direction))))
    board, best = handle.board()
    outcome = SearchResult(preset, engine, search.objective, search.direction, tuple(board), best, cancel.is_set(),
                           time.perf_counter() - started, None if study is None else study.name,
                           None if handle.place is None else handle.place.shown)
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
        report = run(dataclasses.replace(prepared, preset=preset), engine=engine, on_event=CallbackList([watch]),
                     cancel=watch.stop)
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
