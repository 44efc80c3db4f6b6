"""A trained model out to a Keras ``.h5`` file, and the summary of any such file read back.

Either engine exports: a Keras trainer saves its own model; a NumPy trainer's weights are poured into
its Keras twin, built by the same :func:`nnplay.engine.keras_net.build_model` the Keras engine trains, so
the file is the very model the NumPy engine computed. The file is Keras's legacy HDF5 format, the
one the lecture saves (``model.save('malaria.h5')``), readable by plain
``keras.models.load_model(path)`` with no custom objects; it is compiled first, so the loss and
the optimizer's settings travel with the weights.

Writing goes through :func:`nnplay.engine.atomic.replacing` (a temporary ``.h5`` in the target
folder, then a rename), so the target is either the old file or the complete new one, never half of
either, and it gets the same permissions as any file the user writes. Keras's own
``overwrite=False`` would ask on standard input (and hang a TUI), so the decision to overwrite is
taken here.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from nnplay.engine.atomic import replacing
from nnplay.engine.errors import ExportError
from nnplay.engine.summary import LayerRow, ModelSummary
from nnplay.engine.training import Trainer
from nnplay.engine.user_paths import user_path

SUFFIX = ".h5"


def export_h5(trainer: Trainer, path: str | os.PathLike[str], *, force: bool = False) -> Path:
    """Save ``trainer``'s model (either engine) as a Keras HDF5 file at ``path``; returns the path.

    Raises :class:`ExportError` naming the path when it does not end in ``.h5``, already exists
    (unless ``force``), sits in a folder that does not exist or cannot be written.
    """
    target = Path(path).expanduser()
    check_export_target(target, force)
    model = keras_model_of(trainer)
    try:
        with replacing(target, suffix=SUFFIX) as tmp:
            model.save(tmp, overwrite=True)  # the temporary file is ours: no question on stdin
    except OSError as exc:
        raise ExportError(f"cannot write {str(target)!r}: {exc.strerror or exc}", field=str(target)) from None
    return target


def check_export_target(target: Path, force: bool, field: str = "path") -> None:
    """Raise :class:`ExportError` unless ``target`` can take an export; cheap, and TensorFlow-free,
    so a caller can check before it spends minutes training."""
    where = str(user_path(target, field, ExportError))
    if target.suffix.lower() != SUFFIX:
        raise ExportError(f"an export file must end in .h5 (got {where!r})", field=field)
    if target.is_dir():
        raise ExportError(f"{where!r} is a folder; give a file name ending in .h5", field=field)
    if target.exists() and not force:
        raise ExportError(f"{where!r} exists; pass --force to replace it", field=field)
    folder = target.parent
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "does not exist"
        raise ExportError(f"cannot write {where!r}: folder {str(folder)!r} {what}", field=field)


def keras_model_of(trainer: Trainer) -> Any:
    """The trainer's model as a compiled ``keras.Sequential`` holding its current weights."""
    model = getattr(trainer, "model", None)
    if trainer.engine == "keras" and model is not None:
        return model
    from nnplay.engine.keras_net import build_model

    return build_model(trainer.preset, trainer.n_features, trainer.get_weights())


# --------------------------------------------------------------------------------------------
# Reading a file back


_KNOWN_LAYERS = ("Dense", "Dropout")


def load_h5(path: str | os.PathLike[str], *, compile: bool = False) -> Any:
    """Open a Keras HDF5 model file (safe mode on: a file cannot smuggle in code).

    Raises :class:`ExportError` with one line for a missing, unreadable, corrupt or foreign file.
    """
    source = user_path(path, "path", ExportError)
    where = str(source)
    if not source.exists():
        raise ExportError(f"no such file {where!r}", field="path")
    if source.is_dir():
        raise ExportError(f"{where!r} is a folder, not a model file", field="path")
    import h5py

    try:
        is_hdf5 = h5py.is_hdf5(source)
    except OSError as exc:
        raise ExportError(f"cannot read {where!r}: {exc.strerror or exc}", field="path") from None
    if not is_hdf5:
        raise ExportError(f"{where!r} is not an HDF5 file (is it corrupt, or another format?)", field="path")
    if _weights_only(source):
        raise ExportError(
            f"{where!r} holds weights only, no model; save the whole model with model.save('model.h5')", field="path"
        )
    from nnplay.engine.tf_quiet import keras

    # load_model picks the reader by extension; an HDF5 file named otherwise goes through a link.
    try:
        if source.suffix in (".h5", ".hdf5"):  # Keras reads the suffix case-sensitively: MODEL.H5 needs the link
            return keras().models.load_model(source, compile=compile, safe_mode=True)
        with tempfile.TemporaryDirectory() as folder:
            alias = Path(folder) / "model.h5"
            alias.symlink_to(source.resolve())
            return keras().models.load_model(alias, compile=compile, safe_mode=True)
    except Exception as exc:  # noqa: BLE001 - Keras raises many kinds for a file it cannot read; all mean the same
        raise ExportError(f"{where!r} is not a Keras model file Keras can open: {_first_line(exc)}", field="path") from None


def _weights_only(source: Path) -> bool:
    """A file of weights without the model around them (``save_weights``): Keras 3's
    ``.weights.h5`` layout, or Keras 2's, neither of which carries a ``model_config``."""
    import h5py

    try:
        with h5py.File(source, "r") as handle:
            return "model_config" not in handle.attrs and ("vars" in handle or "layer_names" in handle.attrs)
    except OSError:
        return False  # unreadable: let Keras say why


def sequential_layers(model: Any, where: str) -> list[Any]:
    """The layers of a loaded model, or :class:`ExportError` unless it is a Sequential of Dense and
    Dropout layers (the only models nnplay's spec can say)."""
    if type(model).__name__ != "Sequential":
        raise ExportError(f"{where!r} holds a {type(model).__name__} model; nnplay reads Sequential models", field="path")
    for layer in model.layers:
        kind = type(layer).__name__
        if kind not in _KNOWN_LAYERS:
            raise ExportError(
                f"{where!r} has a {kind} layer ({layer.name!r}); nnplay reads Dense and Dropout layers only", field="path"
            )
    return list(model.layers)


def summary_from_h5(path: str | os.PathLike[str]) -> ModelSummary:
    """The Keras-style summary of a saved Sequential model of Dense and Dropout layers."""
    where = str(Path(path).expanduser())
    model = load_h5(path)
    rows = []
    for layer in sequential_layers(model, where):
        kind = type(layer).__name__
        try:
            shape = tuple(None if d is None else int(d) for d in layer.output.shape)
        except (AttributeError, ValueError):
            raise ExportError(f"{where!r} holds a model that was never built (no input shape)", field="path") from None
        rows.append(LayerRow(layer.name, kind, shape, int(layer.count_params())))
    trainable = sum(_size(w) for w in model.trainable_weights)
    frozen = sum(_size(w) for w in model.non_trainable_weights)
    input_shape = tuple(None if d is None else int(d) for d in model.inputs[0].shape)
    return ModelSummary(model.name, input_shape, tuple(rows), trainable, frozen)


def _size(weight: Any) -> int:
    size = 1
    for dim in weight.shape:
        size *= int(dim)
    return size


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    line = text[0] if text else type(exc).__name__
    return line if len(line) <= 160 else line[:157] + "..."
