"""What every trainer shares: the events it reports, its interface, early stopping, the result.

A trainer (NumPy or Keras) is given a validated :class:`~nnplay.engine.spec.Preset` and the number of input
features. ``fit`` trains on encoded arrays and reports progress as small immutable events through
``on_event``; a ``threading.Event`` passed as ``cancel`` stops it between batches, and a
:class:`~nnplay.engine.pace.Pace` passed as ``pace`` sets its speed and holds it while paused. Events flow one
way: the engine never knows who listens (the TUI posts them as Textual messages, the CLI draws a
progress bar or collects JSON).
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import ClassVar, Literal

import numpy as np

from nnplay.engine.pace import Pace
from nnplay.engine.spec import EarlyStopping, Preset
from nnplay.engine.splits import training_rows

Status = Literal["completed", "early_stopped", "cancelled", "diverged"]

# --------------------------------------------------------------------------------------------
# Events


@dataclass(frozen=True)
class TrainBegin:
    engine: str
    epochs: int
    steps_per_epoch: int
    n_train: int
    n_val: int


@dataclass(frozen=True)
class BatchEnd:
    epoch: int  # 0-based, as Keras counts
    step: int  # 1-based: steps done in this epoch
    steps: int
    loss: float


@dataclass(frozen=True)
class StepTaken:
    """One descent step, reported only when ``fit`` is asked to (``watch_steps=True``): the weights
    (Keras order) before and after it, and the gradient the optimizer was given, penalties
    included (``None`` where the engine cannot expose it). Sent just before the step's BatchEnd."""

    epoch: int  # 0-based
    step: int  # 1-based, as in BatchEnd
    before: tuple[np.ndarray, ...]
    gradient: tuple[np.ndarray, ...] | None
    after: tuple[np.ndarray, ...]
    learning_rate: float


@dataclass(frozen=True)
class EpochEnd:
    epoch: int  # 0-based
    epochs: int
    logs: Mapping[str, float]


@dataclass(frozen=True)
class FitResult:
    status: Status
    epochs_run: int
    history: dict[str, list[float]]
    fit_seconds: float
    best_epoch: int | None = None  # 0-based epoch whose weights were restored by early stopping
    stopped_epoch: int | None = None  # 0-based epoch at which early stopping or divergence ended it
    replicas: int = 1  # devices the model was mirrored on (the Keras engine's train.devices)

    def describe(self) -> str:
        """The stop reason in words, for people."""
        if self.status == "completed":
            return f"completed {self.epochs_run} epochs" if self.epochs_run else "scored as it is, without training"
        if self.status == "early_stopped":
            restored = f"; restored the weights of epoch {self.best_epoch + 1}" if self.best_epoch is not None else ""
            return f"early stopped at epoch {self.epochs_run}{restored}"
        if self.status == "cancelled":
            if self.epochs_run == 0:
                return f"cancelled during epoch {self.epochs_run + 1}"
            return f"cancelled after {self.epochs_run} epochs"
        return (
            f"diverged at epoch {(self.stopped_epoch or 0) + 1}: the loss became NaN or infinite"
            " (try a smaller learning rate); kept the last finite weights"
        )


@dataclass(frozen=True)
class TrainEnd:
    result: FitResult


@dataclass(frozen=True)
class TrainFailed:
    message: str


Event = TrainBegin | StepTaken | BatchEnd | EpochEnd | TrainEnd | TrainFailed
EventSink = Callable[[Event], None]


def _ignore(_: Event) -> None:
    pass


# --------------------------------------------------------------------------------------------
# The interface both engines implement


class Trainer(ABC):
    """Trains the model a preset describes. Weights are a flat list in Keras's order:
    ``[kernel_0, bias_0, kernel_1, ...]`` (a dense layer without bias contributes only its kernel)."""

    engine: ClassVar[str]

    def __init__(self, preset: Preset, n_features: int) -> None:
        self.preset = preset
        self.n_features = n_features

    @abstractmethod
    def fit(
        self,
        x: np.ndarray,
        y: np.ndarray,
        *,
        on_event: EventSink | None = None,
        cancel: threading.Event | None = None,
        pace: Pace | None = None,
        watch_steps: bool = False,
    ) -> FitResult:
        """Train on encoded arrays; the last ``validation_split`` of the rows is held out, as in Keras.

        ``pace`` (optional) is asked before every batch whether it may run: it holds a paused run
        and slows a run to its speed; ``cancel`` ends a run, a held one at once. ``watch_steps``
        reports every step's weights and gradient as :class:`StepTaken` (meant for small models)."""

    @abstractmethod
    def predict(self, x: np.ndarray) -> np.ndarray:
        """The model's outputs (probabilities for classifiers), with dropout off."""

    @abstractmethod
    def evaluate(self, x: np.ndarray, y: np.ndarray) -> dict[str, float]:
        """``loss`` (penalties included, as Keras reports it) and ``accuracy`` for classifiers."""

    @abstractmethod
    def get_weights(self) -> list[np.ndarray]: ...

    @abstractmethod
    def set_weights(self, weights: list[np.ndarray]) -> None: ...


def validation_split(x: np.ndarray, y: np.ndarray, fraction: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Keras's rule: the last ``fraction`` of the rows (before any shuffling) validate."""
    split_at = training_rows(len(x), fraction)
    return x[:split_at], y[:split_at], x[split_at:], y[split_at:]


# --------------------------------------------------------------------------------------------
# Early stopping, with Keras's exact rule


@dataclass
class EarlyStopper:
    """Keras's ``EarlyStopping``: count epochs without an improvement of at least ``min_delta``
    in ``monitor``; stop once the count reaches ``patience``; optionally keep the best weights."""

    spec: EarlyStopping
    best: float | None = None
    best_epoch: int | None = None
    best_weights: list[np.ndarray] | None = None
    wait: int = 0
    stopped_epoch: int | None = None

    def _improved(self, value: float, reference: float | None) -> bool:
        if reference is None:
            return True
        if self.spec.mode == "min":
            return value + self.spec.min_delta < reference
        return value - self.spec.min_delta > reference

    def should_stop(self, epoch: int, logs: Mapping[str, float], weights: Callable[[], list[np.ndarray]]) -> bool:
        value = logs.get(self.spec.monitor)
        if value is None:
            return False
        if self.spec.restore_best_weights and self.best_weights is None:
            self.best_weights, self.best_epoch = weights(), epoch
        self.wait += 1
        if self._improved(value, self.best):
            self.best, self.best_epoch, self.wait = value, epoch, 0
            if self.spec.restore_best_weights:
                self.best_weights = weights()
            return False
        if self.wait >= self.spec.patience and epoch > 0:
            self.stopped_epoch = epoch
            return True
        return False

    def restore(self, set_weights: Callable[[list[np.ndarray]], None]) -> int | None:
        """Put the best weights back (when asked to); returns the restored epoch or ``None``."""
        if self.spec.restore_best_weights and self.best_weights is not None:
            set_weights(self.best_weights)
            return self.best_epoch
        return None


@dataclass
class History:
    """Per-epoch logs keyed as Keras keys them (``loss``, ``accuracy``, ``val_loss``, ...)."""

    logs: dict[str, list[float]] = field(default_factory=dict)

    def append(self, epoch_logs: Mapping[str, float]) -> None:
        for key, value in epoch_logs.items():
            self.logs.setdefault(key, []).append(float(value))

    @property
    def epochs(self) -> int:
        return len(self.logs.get("loss", []))


def emitter(on_event: EventSink | None) -> EventSink:
    return on_event or _ignore
