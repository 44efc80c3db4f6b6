"""App-wide messages: what panels ask of the app, and what the workers report back to it.

Widget-local messages live inside their widget (``LayerCard.Move``); the ones here cross the
whole app, so they are plain dataclasses that any widget or worker can post.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.message import Message

if TYPE_CHECKING:  # the engine's run module pulls in scikit-learn; keep it out of start-up
    import numpy as np

    from nnplay.engine.data import Dataset
    from nnplay.engine.restore import OpenedModel
    from nnplay.engine.run import RunReport
    from nnplay.engine.session import RunStart
    from nnplay.engine.spec import DataSpec, ModelSpec
    from nnplay.engine.surface import LossSurface
    from nnplay.engine.training import BatchEnd, EpochEnd, StepTaken, TrainBegin


@dataclass
class FieldEdited(Message):
    """A panel changed the value at ``path`` (``model.layers[0].units``) of the spec being edited.

    ``structural`` edits change which fields exist (a layer added, a data source switched), so the
    panels are rebuilt from the spec afterwards.
    """

    path: str
    value: Any
    structural: bool = False


# --------------------------------------------------------------------------------------------
# From the training worker (the engine's events, carried to the UI thread)


@dataclass
class TrainingBegan(Message):
    begin: TrainBegin


@dataclass
class BatchProgress(Message):
    """The latest batch. Only the newest one matters, so a queued one is replaced by the next."""

    batch: BatchEnd

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, BatchProgress)


@dataclass
class RunStarted(Message):
    """A run is about to train (the session's announcement): its preset, data, trainer and starting
    weights. ``surface`` evaluates its loss over two weights; it is given only for models small
    enough to watch step by step. ``steps``: the run reports every step."""

    run: RunStart
    surface: LossSurface | None
    steps: bool = True


@dataclass
class StepsTaken(Message):
    """Descent steps since the last report (oldest first), with their weights and gradients."""

    steps: tuple[StepTaken, ...]


@dataclass
class EpochsEnded(Message):
    """Epochs finished since the last report (one or more, oldest first)."""

    epochs: tuple[EpochEnd, ...]


@dataclass
class WeightsChanged(Message):
    """A copy of the training model's weights (Keras order), read on the training thread. Only the
    newest matters, so a queued one is replaced by the next. ``final``: the run's last weights."""

    model: ModelSpec
    weights: list[np.ndarray]
    final: bool = False
    epoch: int = 0  # 1-based: the epoch these weights were read in (or after)

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, WeightsChanged)


@dataclass
class TrainingFinished(Message):
    report: RunReport
    origin: str | None = None  # the .h5 whose weights the run started from (None: fresh weights)


# --------------------------------------------------------------------------------------------
# From the other workers


@dataclass
class DataPreviewReady(Message):
    spec: DataSpec
    dataset: Dataset


@dataclass
class ExportFinished(Message):
    path: str


@dataclass
class ModelOpened(Message):
    """A saved model was read, set beside the draft's data and scored on its test rows."""

    opened: OpenedModel
    first_rows: Any  # numpy array: the model's outputs on the first test rows (model.predict(X_test[:3]))
