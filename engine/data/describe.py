"""What a loaded data set holds, in numbers a student can check: :func:`describe`.

The CLI prints it (``nnplay data PRESET``, or ``--json``) and the TUI's Dataset panel shows it.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from nnplay.engine.data.dataset import Dataset
from nnplay.engine.report_json import cap_classes


@dataclass(frozen=True)
class ClassCount:
    name: str
    train: int
    test: int

    @property
    def total(self) -> int:
        return self.train + self.test


@dataclass(frozen=True)
class DataSummary:
    """Rows, features, classes with their counts, and the range of the feature values."""

    name: str
    task: str  # "classification" or "regression"
    rows_train: int
    rows_test: int
    features: int
    feature_names: tuple[str, ...]  # the first few only (an image has thousands)
    classes: tuple[ClassCount, ...]  # empty for a regression
    balance: float | None  # smallest class count / largest (1.0: balanced); None for a regression
    value_min: float  # over every feature value, training and test rows
    value_max: float
    target_min: float | None  # regression targets' range; None for classes
    target_max: float | None

    @property
    def rows(self) -> int:
        return self.rows_train + self.rows_test

    @property
    def n_classes(self) -> int | None:
        return len(self.classes) if self.task == "classification" else None

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["rows"] = self.rows
        out["feature_names"] = list(self.feature_names)
        out["classes"] = [{**asdict(c), "total": c.total} for c in self.classes]
        return out

    def to_json(self) -> dict[str, Any]:
        """The summary as plain JSON types (``json.dumps`` it), for ``nnplay data --json``; the
        classes capped (see :mod:`nnplay.engine.report_json`)."""
        out = json.loads(json.dumps(self.to_dict(), allow_nan=False))
        cap_classes(out, "classes")
        return out

    def to_text(self) -> str:
        return "\n".join(self.lines())

    def lines(self) -> list[str]:
        """A short plain-text account, one fact per line."""
        names = f": {', '.join(self.feature_names)}" if self.features <= len(self.feature_names) else ""
        out = [
            f"data set   {self.name} ({self.task})",
            f"rows       {self.rows} ({self.rows_train} train, {self.rows_test} test)",
            f"features   {self.features}{names}",
            f"values     {self.value_min:.4g} .. {self.value_max:.4g}",
        ]
        if self.task == "regression":
            out.append(f"targets    {self.target_min:.4g} .. {self.target_max:.4g}")
        else:
            out.append(f"classes    {len(self.classes)} (balance {self.balance:.2f}: smallest / largest class)")
            total = max(self.rows, 1)
            out.extend(
                f"  {c.name:<20} {c.total:>7} ({100 * c.total / total:4.1f}%)  train {c.train}, test {c.test}"
                for c in self.classes
            )
        return out


MAX_FEATURE_NAMES = 32


def _range(*parts: np.ndarray) -> tuple[float, float]:
    filled = [p for p in parts if p.size]
    if not filled:
        return 0.0, 0.0
    return float(min(p.min() for p in filled)), float(max(p.max() for p in filled))


def describe(dataset: Dataset) -> DataSummary:
    """The summary of ``dataset`` (cheap: a few passes over the arrays, no copies)."""
    value_min, value_max = _range(dataset.x_train, dataset.x_test)
    classes: tuple[ClassCount, ...] = ()
    balance = target_min = target_max = None
    if dataset.is_regression:
        target_min, target_max = _range(dataset.y_train, dataset.y_test)
    else:
        k = dataset.n_classes or 0
        train = np.bincount(dataset.y_train.astype(np.int64), minlength=k)
        test = np.bincount(dataset.y_test.astype(np.int64), minlength=k)
        classes = tuple(
            ClassCount(name, int(train[i]), int(test[i])) for i, name in enumerate(dataset.class_names or ())
        )
        totals = [c.total for c in classes]
        balance = (min(totals) / max(totals)) if totals and max(totals) else 0.0
    return DataSummary(
        name=dataset.name,
        task="regression" if dataset.is_regression else "classification",
        rows_train=len(dataset.x_train),
        rows_test=len(dataset.x_test),
        features=dataset.n_features,
        feature_names=tuple(dataset.feature_names[:MAX_FEATURE_NAMES]),
        classes=classes,
        balance=balance,
        value_min=value_min,
        value_max=value_max,
        target_min=target_min,
        target_max=target_max,
    )
