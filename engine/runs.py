"""The session's runs, side by side: what each run was, what changed from the one before, how it ended.

A :class:`RunRecord` is the figures a student compares between two runs: the engine, the stop
reason, the final train / validation / test loss and accuracy, the seconds, the whole history and
the epoch early stopping restored. :func:`change_labels` names what changed between two presets in
the spec's own field names ("dropout 0.2 → 0", "l2 0.01", "engine keras"), and a :class:`RunStore`
keeps the last few records of a session (the playground's chart overlay and runs table, and
``nnplay compare``).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from nnplay.engine.report_json import figure, finite_or_none
from nnplay.engine.spec import Preset, keras_layer_names
from nnplay.engine.training import Status

if TYPE_CHECKING:  # the run module loads the data sources (scikit-learn); keep it out of start-up
    from nnplay.engine.run import RunReport

MAX_RUNS = 8
ARROW = "→"

# --------------------------------------------------------------------------------------------
# What changed between two presets


@dataclass(frozen=True)
class _Change:
    where: str  # the part of the spec: "data", "train", a layer's Keras name
    name: str  # the field, as the spec names it
    values: str  # "0.2 → 0", or just the new value when the old one was off

    def label(self, qualified: bool) -> str:
        return f"{self.where} {self.name} {self.values}" if qualified else f"{self.name} {self.values}"


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_text(v) for v in value) + "]"
    return str(value)


def _values(old: Any, new: Any) -> str:
    """``old → new``; only the new value when the old one was absent or 0.0 (a penalty, a rate or
    the noise turned on), and for switches and names (an engine, an activation): the new one says it all."""
    if old is None or isinstance(new, bool | str) or (isinstance(old, float) and old == 0):
        return _text(new)
    return f"{_text(old)} {ARROW} {_text(new)}"


def _same(old: Any, new: Any) -> bool:
    if isinstance(old, list | tuple) and isinstance(new, list | tuple):
        return list(old) == list(new)
    return old == new


def _diff_fields(where: str, old: Mapping[str, Any], new: Mapping[str, Any], out: list[_Change], *,
                 switch: str | None = None, switch_name: str | None = None, skip: tuple[str, ...] = ()) -> None:
    """One change per differing field. When the ``switch`` field (a discriminator such as the data
    source) differs, that is one change and only the fields both sides have are compared."""
    keys = [k for k in new if k not in skip] + [k for k in old if k not in new and k not in skip]
    if switch is not None and old.get(switch) != new.get(switch):
        out.append(_Change(where, switch_name or switch, _text(new.get(switch))))
        keys = [k for k in keys if k in old and k in new]
    for key in keys:
        if key == switch:
            continue
        before, after = old.get(key), new.get(key)
        if not _same(before, after):
            out.append(_Change(where, key, _values(before, after) if after is not None else f"{_text(before)} {ARROW} off"))


def _penalties(layer: Mapping[str, Any], which: str) -> dict[str, float]:
    spec = layer.get(f"{which}_regularizer") or {}
    prefix = "" if which == "kernel" else "bias_"
    return {f"{prefix}l1": float(spec.get("l1", 0.0)), f"{prefix}l2": float(spec.get("l2", 0.0))}


def _dense_fields(layer: Mapping[str, Any]) -> dict[str, Any]:
    fields = {k: v for k, v in layer.items() if k not in ("type", "name", "kernel_regularizer", "bias_regularizer")}
    return {**fields, **_penalties(layer, "kernel"), **_penalties(layer, "bias")}


def _diff_layers(old: list[Mapping[str, Any]], new: list[Mapping[str, Any]], out: list[_Change]) -> None:
    """Dense layers are matched in order, and so are dropout layers; a different number of dense
    layers is one change (their units, ``layers 4-2 → 16-8-2``)."""
    dense_old = [layer for layer in old if layer["type"] == "dense"]
    dense_new = [layer for layer in new if layer["type"] == "dense"]
    if len(dense_old) != len(dense_new):
        units = lambda layers: "-".join(str(layer["units"]) for layer in layers)  # noqa: E731
        out.append(_Change("model", "layers", f"{units(dense_old)} {ARROW} {units(dense_new)}"))
    else:
        all_names = keras_layer_names((layer["type"], layer.get("name")) for layer in new)
        names = [n for n, layer in zip(all_names, new, strict=True) if layer["type"] == "dense"]
        for name, before, after in zip(names, dense_old, dense_new, strict=True):
            _diff_fields(name, _dense_fields(before), _dense_fields(after), out)
    rates_old = [float(layer["rate"]) for layer in old if layer["type"] == "dropout"]
    rates_new = [float(layer["rate"]) for layer in new if layer["type"] == "dropout"]
    if len(rates_old) == len(rates_new):
        for i, (before, after) in enumerate(zip(rates_old, rates_new, strict=True)):
            if before != after:
                out.append(_Change(f"dropout_{i}" if i else "dropout", "dropout", _values(before, after)))
    else:  # a dropout layer added or removed: every rate, 0 for none
        rates = lambda r: ", ".join(_text(v) for v in r) or "0"  # noqa: E731
        values = f"{rates(rates_old)} {ARROW} {rates(rates_new)}" if rates_old else rates(rates_new)
        out.append(_Change("model", "dropout", values))


def change_labels(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[str, ...]:
    """Short labels, in the spec's field names, for what differs between two presets' dicts
    (:meth:`Preset.to_dict`): ``("dropout 0.2 → 0", "l2 0.01", "engine keras")``. The title and the
    notes are not compared. A field name that changed in two places is qualified by where it sits
    (``data seed 42 → 1``, ``train seed 0 → 1``)."""
    changes: list[_Change] = []
    _diff_fields("data", before["data"], after["data"], changes, switch="source")
    old_model, new_model = before["model"], after["model"]
    _diff_fields("model", old_model, new_model, changes, skip=("layers",))
    _diff_layers(list(old_model["layers"]), list(new_model["layers"]), changes)
    old_train, new_train = before.get("train", {}), after.get("train", {})
    _diff_fields("train", old_train, new_train, changes, skip=("optimizer", "early_stopping"))
    _diff_fields("optimizer", old_train.get("optimizer", {}), new_train.get("optimizer", {}), changes,
                 switch="name", switch_name="optimizer")
    stop_old, stop_new = old_train.get("early_stopping"), new_train.get("early_stopping")
    if (stop_old is None) != (stop_new is None):
        changes.append(_Change("train", "early_stopping", "on" if stop_new else "off"))
    elif stop_old is not None and stop_new is not None:
        _diff_fields("early_stopping", stop_old, stop_new, changes)
    names = [c.name for c in changes]
    return tuple(c.label(names.count(c.name) > 1) for c in changes)


# --------------------------------------------------------------------------------------------
# One run's record


@dataclass(frozen=True)
class RunRecord:
    """A finished run, as the runs table and the chart overlay show it.

    The final figures are those of the weights the model kept: the best epoch's when early stopping
    restored it, else the last epoch's. ``None`` where there is no such figure (no validation rows,
    no test rows, a regression's accuracy)."""

    number: int  # 1-based, counted over the session (clearing the runs does not restart it)
    title: str
    engine: str
    preset: Preset
    changes: tuple[str, ...]
    status: Status
    message: str  # the stop reason in a sentence (FitResult.describe)
    epochs: int
    best_epoch: int | None  # 0-based epoch whose weights early stopping restored
    seconds: float
    history: dict[str, list[float]]
    train_loss: float | None
    train_accuracy: float | None
    val_loss: float | None
    val_accuracy: float | None
    test_loss: float | None
    test_accuracy: float | None

    @classmethod
    def from_report(cls, report: RunReport, number: int, changes: tuple[str, ...]) -> RunRecord:
        fit = report.fit
        history = {key: list(values) for key, values in fit.history.items()}
        kept = fit.best_epoch if fit.best_epoch is not None else fit.epochs_run - 1

        def at(key: str) -> float | None:
            values = history.get(key) or []
            return float(values[kept]) if 0 <= kept < len(values) else None

        return cls(
            number=number, title=report.preset.preset.title, engine=report.engine, preset=report.preset,
            changes=changes, status=fit.status, message=fit.describe(), epochs=fit.epochs_run,
            best_epoch=fit.best_epoch, seconds=fit.fit_seconds, history=history,
            train_loss=at("loss"), train_accuracy=at("accuracy"), val_loss=at("val_loss"), val_accuracy=at("val_accuracy"),
            test_loss=report.test.get("loss"), test_accuracy=report.test.get("accuracy"),
        )

    @property
    def stop_reason(self) -> str:
        """The stop reason in a few words, for a table cell."""
        if self.status == "early_stopped":
            return "early stop" + (f", best {self.best_epoch + 1}" if self.best_epoch is not None else "")
        return {"completed": "completed", "cancelled": "cancelled", "diverged": "diverged (NaN)"}[self.status]

    FIGURES = ("train_loss", "train_accuracy", "val_loss", "val_accuracy", "test_loss", "test_accuracy")

    def to_json(self) -> dict[str, Any]:
        """One row of figures, JSON-ready: a non-finite number (a diverged loss) is ``None``, a float32
        run's figures are written at float32's precision."""
        return {
            "run": self.number,
            "title": self.title,
            "engine": self.engine,
            "changes": list(self.changes),
            "epochs": self.epochs,
            "status": self.status,
            "stop_reason": self.stop_reason,
            "message": self.message,
            "best_epoch": None if self.best_epoch is None else self.best_epoch + 1,
            **{name: figure(getattr(self, name), self.preset.train.dtype) for name in self.FIGURES},
            "seconds": finite_or_none(self.seconds),
        }


# --------------------------------------------------------------------------------------------
# The session's runs


def _preset_dict(preset: Preset, engine: str) -> dict[str, Any]:
    raw = preset.to_dict()
    raw.setdefault("train", {})["engine"] = engine  # the engine that ran, overrides included
    return raw


class RunStore:
    """The last ``limit`` runs of a session, oldest first; each knows what changed from the one before."""

    def __init__(self, limit: int = MAX_RUNS) -> None:
        self._runs: deque[RunRecord] = deque(maxlen=limit)
        self._count = 0

    def changes_for(self, preset: Preset, engine: str | None = None) -> tuple[str, ...]:
        """What ``preset`` changes from the last run kept (nothing for the first run)."""
        if not self._runs:
            return ()
        last = self._runs[-1]
        return change_labels(_preset_dict(last.preset, last.engine), _preset_dict(preset, engine or preset.train.engine))

    @property
    def next_number(self) -> int:
        return self._count + 1

    def add(self, report: RunReport) -> RunRecord:
        record = RunRecord.from_report(report, self.next_number, self.changes_for(report.preset, report.engine))
        self._count += 1
        self._runs.append(record)
        return record

    def clear(self) -> None:
        self._runs.clear()

    @property
    def runs(self) -> tuple[RunRecord, ...]:
        return tuple(self._runs)

    def __len__(self) -> int:
        return len(self._runs)

    def __iter__(self) -> Iterator[RunRecord]:
        return iter(self._runs)
