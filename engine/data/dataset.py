"""A loaded data set, split into training and test rows, ready for either engine."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from nnplay.engine.errors import DataError

if TYPE_CHECKING:
    from nnplay.engine.data.source import FeatureSource


@dataclass(frozen=True)
class Dataset:
    """Features are float32 ``(n, features)``: an array, or for images a
    :class:`~nnplay.engine.data.source.FeatureSource` streamed from the on-disk cache (it reads
    like an array: ``len``, ``shape``, slicing, ``np.asarray``). Labels are integer class ids
    ``(n,)`` for a classification set and float targets for a regression set."""

    name: str
    x_train: np.ndarray | FeatureSource
    y_train: np.ndarray
    x_test: np.ndarray | FeatureSource
    y_test: np.ndarray
    feature_names: tuple[str, ...]
    class_names: tuple[str, ...] | None  # None: regression
    #: With feature inputs (``[data] inputs``), the source's own two columns the inputs were
    #: computed from, (train, test); ``None`` when the network sees the source's columns.
    source_columns: tuple[np.ndarray, np.ndarray] | None = None

    @property
    def n_features(self) -> int:
        return int(self.x_train.shape[1])

    @property
    def n_classes(self) -> int | None:
        return None if self.class_names is None else len(self.class_names)

    @property
    def is_regression(self) -> bool:
        return self.class_names is None

    @property
    def plane_train(self) -> np.ndarray:
        """The training rows in the source's own columns (what a 2-D picture plots)."""
        return self.x_train if self.source_columns is None else self.source_columns[0]

    @property
    def plane_test(self) -> np.ndarray:
        return self.x_test if self.source_columns is None else self.source_columns[1]


def split(
    name: str,
    x: np.ndarray,
    y: np.ndarray,
    *,
    test_size: float,
    seed: int,
    standardize: bool = False,
    feature_names: tuple[str, ...] | None = None,
    class_names: tuple[str, ...] | None = None,
    scale: float | None = None,
) -> Dataset:
    """Seeded train/test split (stratified for classes) and optional standardisation that uses
    the training rows' statistics only, so nothing about the test rows leaks into training.

    ``x`` may be of any numeric dtype (images come in as ``uint8``): each part is converted to
    float32 only after the split and multiplied by ``scale`` when given (``1 / 255`` puts pixels
    in [0, 1]), so a large image set is never held as float32 more than once.
    """
    x = np.asarray(x)
    if x.ndim != 2:
        x = x.reshape(len(x), -1)
    y = np.asarray(y)
    y = _class_ids(name, y) if class_names is not None else y.astype(np.float32, copy=False)
    if len(x) != len(y):
        raise DataError(f"{name} has {len(x)} feature rows but {len(y)} labels", field="data")
    if test_size > 0:
        train_rows, test_rows = split_rows(name, y, test_size=test_size, seed=seed, stratified=class_names is not None)
        # Fancy indexing copies, so each part is ours to convert and scale in place.
        x_train = _as_float32(x[train_rows], scale, owned=True)
        x_test = _as_float32(x[test_rows], scale, owned=True)
        y_train, y_test = y[train_rows], y[test_rows]
    else:
        x_train, y_train = _as_float32(x, scale, owned=False), y
        x_test, y_test = x_train[:0], y[:0]
    if standardize:
        mean = x_train.mean(axis=0, dtype=np.float64)
        std = x_train.std(axis=0, dtype=np.float64)
        std[std == 0] = 1.0
        for part in (x_train, x_test):
            _standardize_in_place(part, mean, std)
    names = feature_names or tuple(f"x{i + 1}" for i in range(x.shape[1]))
    return Dataset(
        name,
        np.ascontiguousarray(x_train, dtype=np.float32),
        y_train,
        np.ascontiguousarray(x_test, dtype=np.float32),
        y_test,
        tuple(names),
        None if class_names is None else tuple(class_names),
    )


def split_rows(name: str, y: np.ndarray, *, test_size: float, seed: int,
               stratified: bool) -> tuple[np.ndarray, np.ndarray]:
    """The training and test row numbers of a seeded split (scikit-learn's ``train_test_split``,
    stratified by class where every class has rows enough); all rows train when ``test_size`` is 0."""
    if test_size <= 0:
        return np.arange(len(y)), np.arange(0)
    from sklearn.model_selection import train_test_split

    stratify = y if stratified and _can_stratify(y, test_size) else None
    try:
        train_rows, test_rows = train_test_split(
            np.arange(len(y)), test_size=test_size, random_state=seed, stratify=stratify
        )
    except ValueError as exc:  # too few rows for the requested test share
        raise DataError(
            f"{name}: cannot split {len(y)} rows with test_size={test_size} ({exc})", field="data.test_size"
        ) from None
    return train_rows, test_rows


def split_streamed(
    name: str,
    pixels: np.ndarray,
    y: np.ndarray,
    *,
    test_size: float,
    seed: int,
    standardize: bool = False,
    feature_names: tuple[str, ...],
    class_names: tuple[str, ...] | None,
    scale: float | None = None,
) -> Dataset:
    """:func:`split` for rows that stay on disk: ``pixels`` is a memory map (``(n, features)``,
    ``uint8`` pixels or a table's float32 numbers) and the parts are
    :class:`~nnplay.engine.data.source.StreamedSource` views of it, the same rows the in-memory
    split takes. Standardising uses the training rows' mean and standard deviation, computed in one
    streaming pass."""
    from nnplay.engine.data.source import StreamedSource, feature_stats

    y = np.asarray(y)
    y = _class_ids(name, y) if class_names is not None else y.astype(np.float32, copy=False)
    train_rows, test_rows = split_rows(name, y, test_size=test_size, seed=seed, stratified=class_names is not None)
    train = StreamedSource(pixels, np.asarray(train_rows, dtype=np.int64), scale)
    test = StreamedSource(pixels, np.asarray(test_rows, dtype=np.int64), scale)
    if standardize:
        mean, std = feature_stats(train)
        std[std == 0] = 1.0
        train, test = train.standardized(mean, std), test.standardized(mean, std)
    return Dataset(name, train, y[train_rows], test, y[test_rows], tuple(feature_names),
                   None if class_names is None else tuple(class_names))


def _class_ids(name: str, y: np.ndarray) -> np.ndarray:
    y = y.astype(np.int64, copy=False)
    if len(np.unique(y)) < 2:
        raise DataError(f"{name} has a single class; a classifier needs at least two", field="data")
    return y


def _standardize_in_place(part: np.ndarray, mean: np.ndarray, std: np.ndarray) -> None:
    """``part = (part - mean) / std`` in place. In float32 ``part - mean`` overflows only when the
    values come within a factor 2 of its limit (3.4e38); such a part is worked out in float64, a
    block of rows at a time (a whole float64 copy of a large image set would not fit; a
    standardised value is at most sqrt(rows) from 0, so the result fits float32)."""
    if not part.size:
        return
    if max(abs(float(part.min())), abs(float(part.max()))) < float(np.finfo(np.float32).max) / 2:
        part -= mean.astype(np.float32)
        part /= std.astype(np.float32)
        return
    rows = max(1, 2**21 // max(part.shape[1], 1))  # blocks of about 16 MB
    for start in range(0, len(part), rows):
        block = part[start:start + rows]
        block[...] = (block.astype(np.float64) - mean) / std


def _as_float32(x: np.ndarray, scale: float | None, *, owned: bool) -> np.ndarray:
    """``x`` as float32 times ``scale``; copied unless ``owned`` (ours to change in place)."""
    out = x.astype(np.float32, copy=not owned)
    if scale is not None:
        out *= np.float32(scale)
    return out


def _can_stratify(y: np.ndarray, test_size: float) -> bool:
    _, counts = np.unique(y, return_counts=True)
    return bool(counts.min() >= 2 and round(len(y) * test_size) >= len(counts))
