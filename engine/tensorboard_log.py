"""TensorBoard event files for every run, as Keras's ``TensorBoard`` callback writes them, without TensorFlow.

Keras writes a run's epoch logs into ``<run>/train`` (``epoch_loss``, ``epoch_accuracy``,
``epoch_learning_rate``) and ``<run>/validation`` (the ``val_`` logs, the prefix dropped), each
value a float32 scalar tensor tagged for the ``scalars`` plugin, step = the 0-based epoch, in files
named ``events.out.tfevents.<time>.<host>.<pid>.<n>.v2``. :class:`TensorBoardLog` writes the same
records with the ``tensorboard`` package's record writer and protos (``scalar_pb``), so
``tensorboard --logdir`` shows nnplay's runs of either engine next to the user's own Keras runs.

``tensorboard``'s ``EventFileWriter`` is not used: it opens files through ``tf.io.gfile``, which
imports TensorFlow whenever it is installed (seconds, and the NumPy engine's process stays free of
it); the record format itself (length, masked CRCs) is the package's own ``RecordWriter``.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Mapping
from itertools import count
from pathlib import Path
from typing import Any

from nnplay.engine.callbacks import Callback
from nnplay.engine.training import FitResult, TrainBegin

_file_number = count()


def load_writer() -> None:
    """Import the record writer and the protos this module writes with (see ``RunKeeper.warm_up``)."""
    from tensorboard.compat.proto import event_pb2  # noqa: F401
    from tensorboard.plugins.scalar.summary_v2 import scalar_pb  # noqa: F401
    from tensorboard.summary.writer.record_writer import RecordWriter  # noqa: F401


class _EventFile:
    """One ``events.out.tfevents…v2`` file, flushed after every epoch so TensorBoard sees it live."""

    def __init__(self, folder: Path) -> None:
        from tensorboard.compat.proto import event_pb2
        from tensorboard.summary.writer.record_writer import RecordWriter

        folder.mkdir(parents=True, exist_ok=True)
        name = f"events.out.tfevents.{int(time.time()):010d}.{socket.gethostname()}.{os.getpid()}.{next(_file_number)}.v2"
        self._event = event_pb2.Event
        self._writer = RecordWriter(open(folder / name, "wb"))  # noqa: SIM115 - closed by close()
        self._write(self._event(wall_time=time.time(), file_version="brain.Event:2"))

    def _write(self, event: Any) -> None:
        self._writer.write(event.SerializeToString())

    def scalars(self, step: int, values: Mapping[str, float]) -> None:
        from tensorboard.plugins.scalar.summary_v2 import scalar_pb

        for tag, value in values.items():
            self._write(self._event(wall_time=time.time(), step=step, summary=scalar_pb(tag, float(value))))
        self._writer.flush()

    def close(self) -> None:
        self._writer.close()


class TensorBoardLog(Callback):
    """Writes each epoch's logs under ``run_dir`` (``train/`` and ``validation/``) as Keras's callback does.

    ``learning_rate`` is logged as ``epoch_learning_rate`` (both engines keep it constant); the
    folders are made at the first epoch, as Keras makes its writers lazily.
    """

    #: Epochs are written at most this often (and at the run's end): a small net ends hundreds of
    #: epochs a second, and building their records one by one would cost the run a tenth of its time.
    WRITE_SECONDS = 2.0

    def __init__(self, run_dir: str | os.PathLike[str], learning_rate: float | None = None) -> None:
        self.run_dir = Path(run_dir)
        self.learning_rate = learning_rate
        self._files: dict[str, _EventFile] = {}
        self._pending: list[tuple[int, dict[str, float]]] = []
        self._written = time.monotonic()

    def _file(self, name: str) -> _EventFile:
        if name not in self._files:
            self._files[name] = _EventFile(self.run_dir / name)
        return self._files[name]

    def on_train_begin(self, params: TrainBegin) -> None:
        self.close()  # a second run through the same callback starts new files
        self._written = time.monotonic()

    def on_epoch_end(self, epoch: int, logs: Mapping[str, float]) -> None:
        self._pending.append((epoch, dict(logs)))
        if time.monotonic() - self._written >= self.WRITE_SECONDS:
            self.write_pending()

    def write_pending(self) -> None:
        """Write the epochs held back so far (``tensorboard --logdir`` shows them from then on)."""
        pending, self._pending, self._written = self._pending, [], time.monotonic()
        for epoch, logs in pending:
            train = {f"epoch_{k}": v for k, v in logs.items() if not k.startswith("val_")}
            if self.learning_rate is not None:
                train["epoch_learning_rate"] = self.learning_rate
            validation = {f"epoch_{k.removeprefix('val_')}": v for k, v in logs.items() if k.startswith("val_")}
            if train:
                self._file("train").scalars(epoch, train)
            if validation:
                self._file("validation").scalars(epoch, validation)

    def on_train_end(self, result: FitResult) -> None:
        self.close()

    def on_train_failed(self, message: str) -> None:
        self.close()

    def write_history(self, history: Mapping[str, list[float]]) -> None:
        """A finished run's whole history at once (for a run that was not watched as it trained)."""
        epochs = max((len(values) for values in history.values()), default=0)
        for epoch in range(epochs):
            self.on_epoch_end(epoch, {k: v[epoch] for k, v in history.items() if epoch < len(v)})
        self.close()

    def close(self) -> None:
        self.write_pending()
        for file in self._files.values():
            file.close()
        self._files.clear()
