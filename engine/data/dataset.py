"""A loaded data set, split into training and test rows, ready for either engine."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.model_selection import train_test_split

from engine.errors import DataError


@dataclass(frozen=True)
class Dataset:
    """Features are float32 ``(n, features)``; labels are integer class ids ``(n,)`` for a
    classification set and float targets for a regression set."""

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    feature_names: tuple[str, ...]
    class_names: tuple[str, ...] | None  # None: regression

    @property
    def n_features(self) -> int:
        return int(self.x_train.shape[1])

    @property
    def n_classes(self) -> int | None:
        return None if self.class_names is None else len(self.class_names)

    @property
    def is_regression(self) -> bool:
        return self.class_names is None


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
) -> Dataset:
    """Seeded train/test split (stratified for classes) and optional standardisation that uses
    the training rows' statistics only, so nothing about the test rows leaks into training."""
    x = np.asarray(x, dtype=np.float32)
    if x.ndim != 2:
        x = x.reshape(len(x), -1)
    if class_names is not None and len(np.unique(y)) < 2:
        raise DataError(f"{name} has a single class; a classifier needs at least two", field="data")
    if test_size > 0:
        stratify = y if class_names is not None and _can_stratify(y, test_size) else None
        x_train, x_test, y_train, y_test = train_test_split(
            x, y, test_size=test_size, random_state=seed, stratify=stratify
        )
    else:
        x_train, y_train, x_test, y_test = x, y, x[:0], y[:0]
    if standardize:
        mean = x_train.mean(axis=0)
        std = x_train.std(axis=0)
        std[std == 0] = 1.0
        x_train = (x_train - mean) / std
        x_test = (x_test - mean) / std
    names = feature_names or tuple(f"x{i + 1}" for i in range(x.shape[1]))
    return Dataset(
        name,
        np.ascontiguousarray(x_train, dtype=np.float32),
        np.asarray(y_train),
        np.ascontiguousarray(x_test, dtype=np.float32),
        np.asarray(y_test),
        tuple(names),
        class_names,
    )


def _can_stratify(y: np.ndarray, test_size: float) -> bool:
    _, counts = np.unique(y, return_counts=True)
    return bool(counts.min() >= 2 and round(len(y) * test_size) >= len(counts))
