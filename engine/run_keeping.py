"""Keeping runs: one object the CLI, the app and the search hand each run to.

A :class:`RunKeeper` says where runs go (the run store, a TensorBoard logdir) and whether they are
kept at all (``--no-record``). For a run being trained, :meth:`RunKeeper.start` gives a
:class:`Recording`: a :class:`~nnplay.engine.callbacks.Callback` that writes the TensorBoard event
files epoch by epoch, and whose :meth:`Recording.finish` writes the finished run to the store, in
one transaction. For a run already finished (a search trial), :meth:`RunKeeper.record` does both in
one call. The stored figures are those of :class:`~nnplay.engine.runs.RunRecord`, and reading a
stored run back gives a ``RunRecord`` again (:func:`stored_record`), so the runs table, the chart
overlay and ``nnplay compare`` show stored runs the way they show the session's.

Usage, for a run of the CLI::

    keeper = RunKeeper.from_flags(args.runs_db, args.logdir, record=not args.no_record)  # checks the file
    recording = keeper.start(preset, source="train")
    report = run(prepared, on_event=recording.around(sink))
    recording.finish(report)

TensorFlow is never imported here: the weights are kept as NumPy's ``.npz``.
"""

from __future__ import annotations

import contextlib
import io
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from nnplay.engine.callbacks import Callback, CallbackList
from nnplay.engine.errors import NnplayError
from nnplay.engine.run_db import RunDB, RunRow, RunStoreError, utc_now
from nnplay.engine.runs import RunRecord, _preset_dict, change_labels
from nnplay.engine.spec import Preset
from nnplay.engine.training import Event, EventSink, FitResult, TrainBegin
from nnplay.engine.user_paths import slug

if TYPE_CHECKING:
    from nnplay.engine.run import RunReport

FIGURES = RunRecord.FIGURES
LOGDIR_NAME = "tensorboard"
SOURCES = ("app", "train", "compare", "search")


def learning_rate(preset: Preset) -> float:
    return float(preset.train.optimizer.learning_rate)


# --------------------------------------------------------------------------------------------
# Where runs go


@dataclass(frozen=True)
class RunKeeper:
    """Where runs are kept: ``db`` (the run store) and ``logdir`` (TensorBoard; default: a
    ``tensorboard`` folder beside the store). ``enabled=False`` keeps nothing (``--no-record``)."""

    db: RunDB = field(default_factory=RunDB)
    logdir: Path | None = None
    enabled: bool = True

    @classmethod
    def from_flags(cls, runs_db: str | None = None, logdir: str | None = None, *, record: bool = True) -> RunKeeper:
        """The keeper the command line asks for, its store checked (and migrated) now, before any
        training: a foreign or corrupt file is a one-line error (:class:`RunStoreError`)."""
        keeper = cls(RunDB(runs_db), Path(logdir).expanduser() if logdir else None, record)
        if record:
            keeper.db.open()
            try:
                keeper.tensorboard_dir.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise RunStoreError(f"cannot make the TensorBoard folder: {exc.strerror or exc}",
                                    field=str(keeper.tensorboard_dir)) from None
        return keeper

    @property
    def tensorboard_dir(self) -> Path:
        return self.logdir if self.logdir is not None else self.db.path.parent / LOGDIR_NAME

    def _run_dir(self, preset: Preset, engine: str) -> Path:
        """A new folder for one run, named as Keras's guide names them (the start time), plus the preset."""
        stamp = time.strftime("%Y%m%d-%H%M%S")
        base = self.tensorboard_dir / f"{stamp}-{slug(preset.preset.title)}-{engine}"
        base.parent.mkdir(parents=True, exist_ok=True)
        for n in range(1, 10_000):
            candidate = base if n == 1 else base.with_name(f"{base.name}-{n}")
            try:
                candidate.mkdir()
                return candidate
            except FileExistsError:
                continue
        raise FileExistsError(base)

    def warm_up(self) -> None:
        """Import what writing a run's logs needs (the ``tensorboard`` package's protos: a tenth of a
        second or more), so a program with idle time before its first run (the app, after its first
        screen) does not spend it inside that run."""
        if self.enabled:
            import nnplay.engine.tensorboard_log as tensorboard_log

            tensorboard_log.load_writer()

    def start(self, preset: Preset, *, source: str, engine: str | None = None) -> Recording:
        """A :class:`Recording` for a run about to train ``preset`` (a no-op one when disabled)."""
        return Recording(self, preset, source, engine or preset.train.engine)

    def record(self, report: RunReport, *, source: str) -> int | None:
        """Keep a run that has finished already (its TensorBoard files written from its history)."""
        recording = self.start(report.preset, source=source, engine=report.engine)
        recording.started = time.time() - report.fit.fit_seconds
        return recording.finish(report, write_history=True)


# --------------------------------------------------------------------------------------------
# One run being kept


class Recording(Callback):
    """One run on its way to the store: a callback (TensorBoard, epoch by epoch), then :meth:`finish`."""

    def __init__(self, keeper: RunKeeper, preset: Preset, source: str, engine: str) -> None:
        self.keeper, self.preset, self.source, self.engine = keeper, preset, source, engine
        self.started = time.time()
        self.tensorboard: Any = None  # TensorBoardLog, made at the run's start
        self.run_id: int | None = None
        self.problem: str | None = None  # why the logs or the store could not be written (the run goes on)

    def _log(self) -> Any:
        if self.tensorboard is None and self.keeper.enabled and self.problem is None:
            from nnplay.engine.tensorboard_log import TensorBoardLog

            try:
                run_dir = self.keeper._run_dir(self.preset, self.engine)
            except OSError as exc:
                return self._lost_logs(exc)
            self.tensorboard = TensorBoardLog(run_dir, learning_rate(self.preset))
        return self.tensorboard

    def _lost_logs(self, exc: OSError) -> None:
        """A full disk or a folder gone must not stop a run: its TensorBoard logs stop, the run goes on."""
        where = exc.filename or self.keeper.tensorboard_dir
        self.problem = f"TensorBoard logs not written: {where}: {exc.strerror or exc}"
        self.tensorboard = None

    def around(self, sink: EventSink | None = None) -> EventSink:
        """An event sink that gives every event to ``sink`` (if any), then to this recording."""
        mine = CallbackList([self])

        def both(event: Event) -> None:
            if sink is not None:
                sink(event)
            mine(event)

        return both

    def on_train_begin(self, params: TrainBegin) -> None:
        self.started, self.engine = time.time(), params.engine
        log = self._log()
        if log is not None:
            log.on_train_begin(params)

    def on_epoch_end(self, epoch: int, logs: Any) -> None:
        if self.tensorboard is not None:
            try:
                self.tensorboard.on_epoch_end(epoch, logs)
            except OSError as exc:
                self._lost_logs(exc)

    def on_train_end(self, result: FitResult) -> None:
        if self.tensorboard is not None:
            try:
                self.tensorboard.on_train_end(result)  # writes the epochs it held back
            except OSError as exc:
                self._lost_logs(exc)

    def on_train_failed(self, message: str) -> None:
        if self.tensorboard is not None:
            self.tensorboard.close()

    def finish(self, report: RunReport, *, write_history: bool = False) -> int | None:
        """Write the finished run to the store (one transaction); returns its id (``None`` when disabled)."""
        if not self.keeper.enabled:
            return None
        if write_history and self._log() is not None:
            try:
                self.tensorboard.write_history(report.fit.history)
            except OSError as exc:
                self._lost_logs(exc)
        record = RunRecord.from_report(report, 0, ())
        ended = time.time()
        row = new_row(record, report, self.source, _iso(self.started), _iso(ended),
                      None if self.tensorboard is None else str(self.tensorboard.run_dir))
        self.run_id = self.keeper.db.add(row, pack_weights(report.trainer.get_weights()))
        return self.run_id

    def try_finish(self, report: RunReport) -> str | None:
        """:meth:`finish`, for a caller that must go on whatever happens (the app): ``None`` when
        all was kept, else the one line that says what was not."""
        try:
            self.finish(report)
        except NnplayError as error:
            return f"Run not kept: {error.one_line()}"
        return self.problem


def _iso(seconds: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def pack_weights(weights: list[np.ndarray]) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, *weights)
    return buffer.getvalue()


def unpack_weights(blob: bytes) -> list[np.ndarray]:
    with np.load(io.BytesIO(blob), allow_pickle=False) as archive:
        return [archive[f"arr_{i}"] for i in range(len(archive.files))]


def new_row(record: RunRecord, report: RunReport, source: str, started: str, ended: str, logdir: str | None) -> RunRow:
    from nnplay.engine.presets import preset_toml

    preset = report.preset
    ran = preset.with_changes("train.engine", record.engine) if preset.train.engine != record.engine else preset
    return RunRow(
        id=0, started=started, ended=ended or utc_now(), title=record.title, engine=record.engine, preset_toml=preset_toml(ran),
        seed=preset.train.seed, data_seed=getattr(preset.data, "seed", None), status=record.status,
        message=record.message, epochs=record.epochs, best_epoch=record.best_epoch, seconds=record.seconds,
        history=record.history, figures={name: getattr(record, name) for name in FIGURES}, source=source,
        logdir=logdir,
    )


# --------------------------------------------------------------------------------------------
# Reading runs back


def row_preset(row: RunRow) -> Preset:
    """The preset a stored run trained, validated by today's rules (:class:`SpecError` if it no longer is valid)."""
    import tomllib

    from nnplay.engine.spec import validate_preset

    return validate_preset(tomllib.loads(row.preset_toml))


def stored_record(row: RunRow, changes: tuple[str, ...] = ()) -> RunRecord:
    """A stored run as the session's runs are: numbered by its id."""
    return RunRecord(
        number=row.id, title=row.title, engine=row.engine, preset=row_preset(row), changes=changes,
        status=row.status,  # type: ignore[arg-type]
        message=row.message, epochs=row.epochs, best_epoch=row.best_epoch, seconds=row.seconds, history=row.history,
        **row.figures,
    )


def label_changes(records: list[RunRecord], *, same_title: bool = True) -> list[RunRecord]:
    """Each record labelled with what changed from the one before it (of the same title, when
    ``same_title``: a list of many presets' runs compares each run with its own preset's last)."""
    import dataclasses

    last: dict[str, RunRecord] = {}
    out = []
    for record in records:
        before = last.get(record.title if same_title else "")
        changes = () if before is None else change_labels(_preset_dict(before.preset, before.engine),
                                                          _preset_dict(record.preset, record.engine))
        out.append(dataclasses.replace(record, changes=changes))
        last[record.title if same_title else ""] = record
    return out


@dataclass(frozen=True)
class StoredRun:
    """A stored run: the row as kept, and the record the runs table and the chart draw."""

    row: RunRow
    record: RunRecord


def stored_runs(db: RunDB, limit: int | None = None) -> list[StoredRun]:
    """The stored runs, oldest first, each labelled with what changed from the run of its preset
    before it; a run whose preset no longer validates is left out."""
    from nnplay.engine.errors import SpecError

    rows, records = [], []
    for row in db.list(limit):
        try:
            records.append(stored_record(row))
        except SpecError:
            continue
        rows.append(row)
    return [StoredRun(row, record) for row, record in zip(rows, label_changes(records), strict=True)]


def stored_weights(db: RunDB, run_id: int) -> list[np.ndarray]:
    from nnplay.engine.errors import NnplayError

    blob = db.weights(run_id)
    if not blob:
        raise NnplayError(f"run {run_id} kept no weights", field="RUN_ID")
    return unpack_weights(blob)


RUN_PREFIX = "run:"


def run_id_of(text: str, *, bare: bool = False) -> int | None:
    """The run id ``text`` names: ``run:12`` (or a bare ``12`` where only a run can be meant), else ``None``."""
    value = text.removeprefix(RUN_PREFIX)
    if value.isdigit() and (bare or text.startswith(RUN_PREFIX)):
        return int(value)
    return None


def remove_logs(row: RunRow) -> None:
    """Delete a run's TensorBoard folder: the event files nnplay wrote there, then the folders left empty."""
    if not row.logdir:
        return
    folder = Path(row.logdir)
    for part in ("train", "validation"):
        for events in (folder / part).glob("events.out.tfevents.*"):
            events.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            (folder / part).rmdir()
    with contextlib.suppress(OSError):
        folder.rmdir()


def open_stored_run(db: RunDB, run_id: int) -> Any:
    """A stored run opened as a saved model is (:class:`~nnplay.engine.restore.OpenedModel`): its
    preset and final weights, its data loaded and the weights scored on the test rows, without
    TensorFlow for a NumPy run. The app then takes it as the draft, ready to train on from there."""
    from nnplay.engine.restore import OpenedModel, SavedModel
    from nnplay.engine.run import evaluate, prepare

    row = db.get(run_id)
    preset, weights = row_preset(row), stored_weights(db, run_id)
    saved = SavedModel(path=Path(f"{RUN_PREFIX}{run_id}"), name="sequential", n_features=int(weights[0].shape[0]),
                       layers=tuple(preset.model.layers), loss=preset.model.loss, weights=tuple(weights))
    prepared = prepare(preset)
    saved.check_width(prepared.dataset.n_features, prepared.dataset.name)
    return OpenedModel(saved, preset, prepared, evaluate(prepared, saved.weights, engine=row.engine))
