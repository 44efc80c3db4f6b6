"""Keras-style callbacks: the one way training events reach whoever listens.

Both trainers report a run as small immutable events (:mod:`nnplay.engine.training`). Listeners do
not decode them: they subclass :class:`Callback` and override the hooks they care about, with the
names and arguments Keras gives its own callbacks (``on_train_begin``, ``on_epoch_begin(epoch)``,
``on_train_batch_end(batch, logs)``, ``on_epoch_end(epoch, logs)``, ``on_train_end``), plus two of
nnplay's own: ``on_step`` (one descent step's weights and gradient, for the loss surface) and
``on_train_failed``, and one the session calls before a run trains: ``on_run_begin`` (the run's
preset, data, trainer and starting weights, so no listener computes them itself). A :class:`CallbackList` is the event sink
a trainer is given: it turns each event into the matching hook call on every callback, in order, on the
training thread.

Epochs are 0-based as Keras counts them; ``batch`` is the 0-based index of the batch within its
epoch. ``self.params`` (the :class:`~nnplay.engine.training.TrainBegin` of the run) is set before
``on_train_begin``, as Keras sets ``Callback.params``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from nnplay.engine.training import BatchEnd, EpochEnd, Event, FitResult, StepTaken, TrainBegin, TrainEnd, TrainFailed

if TYPE_CHECKING:
    from nnplay.engine.search import SearchBegin, SearchResult, StudyProgress, TrialBegin, TrialEnd, TrialEpoch
    from nnplay.engine.session import RunStart


class Callback:
    """Override what you need; every hook does nothing by default."""

    params: TrainBegin | None = None
    #: Whether the callback must hear of every single batch. ``None``: when it overrides
    #: ``on_train_batch_end`` or ``on_step`` (Keras's own rule for calling batch hooks). A
    #: progress bar that is as happy with every 64th batch says ``False``: then, unpaced, the
    #: Keras engine runs many batches per call into TensorFlow and reports the last of each group.
    every_batch: bool | None = None

    def wants_every_batch(self) -> bool:
        if self.every_batch is not None:
            return self.every_batch
        cls = type(self)
        return cls.on_train_batch_end is not Callback.on_train_batch_end or cls.on_step is not Callback.on_step

    def set_params(self, params: TrainBegin) -> None:
        self.params = params

    def on_run_begin(self, run: RunStart) -> None:
        """The session is about to train ``run`` (:class:`~nnplay.engine.session.RunStart`): its
        preset, prepared data, trainer and the weights it starts from."""

    def on_train_begin(self, params: TrainBegin) -> None:
        """The run starts: ``params`` says the engine, epochs, steps per epoch and row counts."""

    def on_epoch_begin(self, epoch: int) -> None:
        """Epoch ``epoch`` (0-based) starts."""

    def on_step(self, step: StepTaken) -> None:
        """One descent step's weights and gradient (only when the run watches its steps); its
        ``on_train_batch_end`` follows at once."""

    def on_train_batch_end(self, batch: int, logs: Mapping[str, float]) -> None:
        """Batch ``batch`` (0-based within the epoch) ended; ``logs["loss"]`` is the epoch's running mean."""

    def on_epoch_end(self, epoch: int, logs: Mapping[str, float]) -> None:
        """Epoch ``epoch`` (0-based) ended with Keras's logs: ``loss``, ``accuracy``, ``val_loss``, …"""

    def on_train_end(self, result: FitResult) -> None:
        """The run ended (completed, early stopped, cancelled or diverged)."""

    def on_train_failed(self, message: str) -> None:
        """The engine raised; the exception itself still reaches the caller of ``fit``."""


class CallbackList:
    """An event sink that calls every callback's hooks, Keras's ``CallbackList`` for nnplay's events.

    It is callable, so it goes wherever a trainer takes ``on_event``. It also tracks the epoch under
    way (``self.epoch``) and calls ``on_epoch_begin`` when the first batch of an epoch ends, since the
    trainers report no epoch start of their own.
    """

    def __init__(self, callbacks: Iterable[Callback] = ()) -> None:
        self.callbacks: list[Callback] = [c for c in callbacks if c is not None]
        self.epoch = -1
        self._dispatch: dict[type, Callable[[Any], None]] = {
            TrainBegin: self._train_begin,
            StepTaken: self._step,
            BatchEnd: self._batch_end,
            EpochEnd: self._epoch_end,
            TrainEnd: self._train_end,
            TrainFailed: self._train_failed,
        }

    def append(self, callback: Callback) -> None:
        self.callbacks.append(callback)

    def wants_every_batch(self) -> bool:
        """Whether any callback must hear of every batch (see :attr:`Callback.every_batch`)."""
        return any(callback.wants_every_batch() for callback in self.callbacks)

    def __call__(self, event: Event) -> None:
        self._dispatch[type(event)](event)

    def run_begin(self, run: RunStart) -> None:
        """Announce a run before it trains (the session calls this; trainers never do)."""
        for callback in self.callbacks:
            callback.on_run_begin(run)

    def _enter_epoch(self, epoch: int) -> None:
        if epoch != self.epoch:
            self.epoch = epoch
            for callback in self.callbacks:
                callback.on_epoch_begin(epoch)

    def _train_begin(self, event: TrainBegin) -> None:
        self.epoch = -1
        for callback in self.callbacks:
            callback.set_params(event)
            callback.on_train_begin(event)

    def _step(self, event: StepTaken) -> None:
        self._enter_epoch(event.epoch)
        for callback in self.callbacks:
            callback.on_step(event)

    def _batch_end(self, event: BatchEnd) -> None:
        self._enter_epoch(event.epoch)
        logs = {"loss": event.loss}
        for callback in self.callbacks:
            callback.on_train_batch_end(event.step - 1, logs)

    def _epoch_end(self, event: EpochEnd) -> None:
        self._enter_epoch(event.epoch)  # an epoch of no batches still begins before it ends
        for callback in self.callbacks:
            callback.on_epoch_end(event.epoch, event.logs)

    def _train_end(self, event: TrainEnd) -> None:
        for callback in self.callbacks:
            callback.on_train_end(event.result)

    def _train_failed(self, event: TrainFailed) -> None:
        for callback in self.callbacks:
            callback.on_train_failed(event.message)


# --------------------------------------------------------------------------------------------
# A search's events


class SearchCallback:
    """Override what you need: the search's events (:mod:`nnplay.engine.search`) as hooks, named as
    Keras Tuner names its own. ``trial`` numbers are Optuna's, from 0."""

    def on_search_begin(self, begin: SearchBegin) -> None:
        """The search starts: its trial count, objective, direction and engine."""

    def on_trial_begin(self, trial: TrialBegin) -> None:
        """A trial starts with the values drawn for it."""

    def on_trial_epoch(self, epoch: TrialEpoch) -> None:
        """A trial's epoch ended, with the objective's value after it."""

    def on_trial_end(self, end: TrialEnd) -> None:
        """A trial ended: its result, the best so far, the ranked trials."""

    def on_study_progress(self, progress: StudyProgress) -> None:
        """A shared study, read back while this worker trains: every worker's trials so far."""

    def on_search_end(self, result: SearchResult) -> None:
        """The search ended (done or stopped)."""


class SearchCallbackList:
    """A search's event sink (``run_search(on_event=...)``) calling every callback's hooks in order."""

    def __init__(self, callbacks: Iterable[SearchCallback] = ()) -> None:
        self.callbacks = [c for c in callbacks if c is not None]
        self._hooks: dict[type, Callable[[SearchCallback, Any], None]] | None = None

    def __call__(self, event: Any) -> None:
        if self._hooks is None:  # the search module (and the run module under it) loads on first use
            from nnplay.engine.search import SearchBegin, SearchEnd, StudyProgress, TrialBegin, TrialEnd, TrialEpoch

            self._hooks = {
                SearchBegin: lambda c, e: c.on_search_begin(e),
                TrialBegin: lambda c, e: c.on_trial_begin(e),
                TrialEpoch: lambda c, e: c.on_trial_epoch(e),
                TrialEnd: lambda c, e: c.on_trial_end(e),
                StudyProgress: lambda c, e: c.on_study_progress(e),
                SearchEnd: lambda c, e: c.on_search_end(e.result),
            }
        hook = self._hooks[type(event)]
        for callback in self.callbacks:
            hook(callback, event)
