"""One playground session: the spec being edited, its data, an opened model, the runs and the pace.

The app and the CLI drive a :class:`Session`; it knows nothing of any screen. It holds:

- the :class:`~nnplay.engine.draft.Draft` (what the user typed, and the engine's complaints about it);
- the loaded data, loaded once per ``[data]`` table: the data preview, every run and every search use
  the very same :class:`~nnplay.engine.data.Dataset` (``loads`` counts the loads);
- the model opened from a ``.h5`` file, whose weights a run starts from while they fit the layers;
- the session's runs (:class:`~nnplay.engine.runs.RunStore`) and the last report;
- the :class:`~nnplay.engine.pace.Pace` every run keeps to (``None``: as fast as it goes, headless);
- where runs are kept beyond the session (a :class:`~nnplay.engine.run_keeping.RunKeeper`: the run
  store and TensorBoard logs); every run and search trial it starts is recorded there.

A run is announced to its listeners before it trains (``Callback.on_run_begin`` with a
:class:`RunStart`): its starting weights are the trainer's own, so no view computes them.

Thread safety: data is loaded under a lock, so a preview and a run started together load it once;
everything else is meant to be changed from one thread (the app's UI thread) while workers read
frozen presets.

Heavy modules (scikit-learn, TensorFlow, Optuna) are imported inside the methods that need them.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from nnplay.engine.callbacks import Callback, CallbackList
from nnplay.engine.draft import Draft
from nnplay.engine.errors import ExportError
from nnplay.engine.pace import Pace
from nnplay.engine.runs import RunStore
from nnplay.engine.spec import Preset

if TYPE_CHECKING:
    from nnplay.engine.data import Dataset
    from nnplay.engine.restore import OpenedModel, SavedModel
    from nnplay.engine.run import Prepared, RunReport
    from nnplay.engine.run_keeping import RunKeeper
    from nnplay.engine.search import SearchResult, SearchSink
    from nnplay.engine.study_storage import StudyOptions
    from nnplay.engine.training import Trainer


@dataclass(frozen=True)
class RunStart:
    """A run about to train: what every listener needs to draw its start."""

    preset: Preset
    prepared: Prepared
    trainer: Trainer
    weights: list[np.ndarray]  # the starting weights, Keras order: the opened model's or the seed's draw
    origin: Path | None  # the .h5 the weights came from (None: fresh weights)
    number: int  # the run's number in the session (1 for the first)
    changes: tuple[str, ...]  # what changed since the previous run, as the Runs view words it

    @property
    def n_features(self) -> int:
        return self.prepared.dataset.n_features


class Session:
    def __init__(self, preset: Preset, *, pace: Pace | None = None, keeper: RunKeeper | None = None,
                 source: str = "app", study: StudyOptions | None = None) -> None:
        self.draft = Draft(preset)
        self.study = study  # the shared Optuna study searches join (None: each search in memory)
        self.pace = pace
        self.keeper = keeper  # None: runs are kept for the session only
        self.source = source  # who runs: "app", "train", "compare" (the run store says so)
        self.kept_problem: str | None = None  # why the last run could not be kept (it trained all the same)
        self.last_run_id: int | None = None  # the last run's id in the run store
        self.runs = RunStore()
        self.report: RunReport | None = None  # the last run's (or the opened model's) report
        self.opened: SavedModel | None = None  # runs start from its weights while they fit
        self.model_path = ""  # the .h5 last exported or opened
        self.listeners: list[Callback] = []  # told about every run, beside each run's own callbacks
        self.loads = 0  # data loads so far (tests count them)
        self._data: tuple[Any, Dataset] | None = None  # the [data] spec and the data loaded from it
        self._data_lock = threading.Lock()
        self._start: tuple[Any, list[np.ndarray]] | None = None  # the draft's starting weights, by key

    # -- the spec --------------------------------------------------------------------------

    @property
    def preset(self) -> Preset:
        """The last valid preset of the draft (what a run trains)."""
        return self.draft.preset

    def edit(self, path: str, value: Any) -> bool:
        """Set one value of the draft; returns whether the data to train on changed (the edit left
        the draft valid with another ``[data]`` table), which calls for a new load."""
        old = self.draft.preset.data
        self.draft.set(path, value)
        return self.draft.valid and self.draft.preset.data != old

    def load_preset(self, preset: Preset) -> None:
        """Start editing ``preset``: the opened model is closed; the runs and the data stay."""
        self.draft = Draft(preset)
        self.opened = None

    # -- the data --------------------------------------------------------------------------

    def load_data(self, spec: Any = None) -> Dataset:
        """The data of ``spec`` (default: the draft's ``[data]``), loaded only if the last load was of
        another table. Safe from any thread; a second caller waits for the first's load."""
        spec = spec if spec is not None else self.draft.preset.data
        with self._data_lock:
            if self._data is not None and self._data[0] == spec:
                return self._data[1]
            from nnplay.engine.data import load_data

            dataset = load_data(spec)
            self.loads += 1
            self._data = (spec, dataset)
            return dataset

    @property
    def dataset(self) -> Dataset | None:
        """The loaded data when it is the draft's (``None``: not loaded yet, or the draft's changed)."""
        data = self._data
        return data[1] if data is not None and data[0] == self.draft.preset.data else None

    def dataset_for(self, spec: Any) -> Dataset | None:
        """The loaded data when it was loaded from ``spec`` (no load)."""
        data = self._data
        return data[1] if data is not None and data[0] == spec else None

    def n_features(self, preset: Preset | None = None) -> int | None:
        """The input width: the spec's own, or the loaded data's (``None``: not known yet)."""
        preset = preset or self.draft.preset
        known = preset.n_features()
        if known is None and (dataset := self.dataset_for(preset.data)) is not None:
            known = dataset.n_features
        return known

    def prepare(self, preset: Preset | None = None) -> Prepared:
        """The preset's data, encoded for its loss, from the session's one load (a run too big for
        this machine's memory is refused before loading when the spec tells its size)."""
        from nnplay.engine.run import check_memory, prepare

        preset = preset or self.draft.preset
        if self.dataset_for(preset.data) is None:
            check_memory(preset, preset.data.n_rows(), preset.n_features())
        return prepare(preset, self.load_data(preset.data))

    # -- the opened model and the starting weights --------------------------------------------

    def opened_weights(self, preset: Preset, n_features: int) -> list[np.ndarray] | None:
        """The opened model's weights when one is open and they fit ``preset`` (else ``None``)."""
        return None if self.opened is None else self.opened.weights_for(preset.model, n_features)

    def opened_fits(self, preset: Preset | None = None) -> bool:
        """Whether a run of ``preset`` would start from the opened model (true when none is open or
        the input width is not known yet: the run decides)."""
        preset = preset or self.draft.preset
        n_features = self.n_features(preset)
        return self.opened is None or n_features is None or self.opened_weights(preset, n_features) is not None

    def start_weights(self, preset: Preset | None = None) -> list[np.ndarray] | None:
        """The weights a run of ``preset`` would start from: the opened model's when they fit, else the
        seed's fresh draw (``None`` while the input width is unknown). The same list is given back
        until the model, the seed, the width or the opened file changes."""
        from nnplay.engine.numpy_net.initializers import initial_weights

        preset = preset or self.draft.preset
        n_features = self.n_features(preset)
        if n_features is None:
            return None
        key = (preset.model, preset.train.seed, preset.train.dtype, n_features, self.opened)
        if self._start is None or self._start[0] != key:
            weights = self.opened_weights(preset, n_features) or initial_weights(preset, n_features)
            self._start = (key, weights)
        return self._start[1]

    def open_model(self, path: str, preset: Preset | None = None) -> OpenedModel:
        """Read a saved model beside ``preset``'s data (the session's load) and score it; the session
        does not change until :meth:`use_model`."""
        from nnplay.engine.restore import open_model

        preset = preset or self.draft.preset
        return open_model(path, preset, dataset=self.load_data(preset.data))

    def use_model(self, opened: OpenedModel) -> None:
        """Edit the opened model's preset; runs start from its weights while they fit."""
        self.draft = Draft(opened.preset)
        self.opened = opened.saved
        self.report = opened.report
        self.model_path = str(opened.saved.path)

    def export_model(self, path: str, *, force: bool = False, report: RunReport | None = None) -> Path:
        """Write ``report``'s model (default: the last run's) as a Keras ``.h5`` file (TensorFlow is
        imported here); returns the path written."""
        from nnplay.engine.export import export_h5

        report = report or self.report
        if report is None:
            raise ExportError("nothing to export yet: train a model first", field="path")
        written = export_h5(report.trainer, path, force=force)
        self.model_path = str(written)
        return written

    # -- runs and searches -------------------------------------------------------------------

    def run(
        self,
        preset: Preset | None = None,
        *,
        prepared: Prepared | None = None,
        callbacks: Iterable[Callback] = (),
        cancel: threading.Event | None = None,
        watch_steps: bool = False,
        engine: str | None = None,
    ) -> RunReport:
        """Train ``preset`` (default: the draft's; or the ``prepared`` one) on the session's data,
        from the opened model's weights when they fit; announce it to the listeners and ``callbacks``
        (``on_run_begin``), train at the session's pace, keep the report among the runs."""
        from nnplay.engine.run import make_trainer, run

        prepared = prepared or self.prepare(preset)
        preset = prepared.preset
        n_features = prepared.dataset.n_features
        opened = self.opened
        start = self.opened_weights(preset, n_features)
        trainer = make_trainer(preset, n_features, engine, initial_weights=start)
        recording = self.keeper.start(preset, source=self.source, engine=trainer.engine) if self.keeper else None
        listeners = CallbackList([*self.listeners, *callbacks, recording])
        origin = opened.path if start is not None and opened is not None else None
        listeners.run_begin(RunStart(preset, prepared, trainer, list(trainer.get_weights()), origin,
                                     self.runs.next_number, self.runs.changes_for(preset, trainer.engine)))
        report = run(prepared, on_event=listeners, cancel=cancel, trainer=trainer, pace=self.pace,
                     watch_steps=watch_steps)
        self.report = report
        self.runs.add(report)
        if recording is not None:  # kept beyond the session; a store that refuses it does not undo the run
            self.kept_problem = recording.try_finish(report)
            self.last_run_id = recording.run_id
        return report

    def search(
        self,
        preset: Preset | None = None,
        *,
        trials: int | None = None,
        engine: str | None = None,
        on_event: SearchSink | None = None,
        cancel: threading.Event | None = None,
        study: StudyOptions | None = None,
    ) -> SearchResult:
        """Run ``preset``'s ``[search]`` (default: the draft's) on the session's data, every trial
        kept by the session's keeper; ``study`` (default: the session's) shares it through an Optuna storage."""
        from nnplay.engine.search import run_search

        return run_search(self.prepare(preset), trials=trials, engine=engine, on_event=on_event, cancel=cancel,
                          study=study or self.study, keeper=self.keeper)

    def clear_runs(self) -> None:
        self.runs.clear()

