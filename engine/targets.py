"""Labels in the shape each loss wants, and the accuracy that goes with it.

Both engines agree on these rules, so one preset gives one meaning of "accuracy":

* one output unit (sigmoid + binary cross-entropy, or a regression): targets are a column
  ``(n, 1)``; accuracy thresholds the output at 0.5;
* several output units with ``sparse_categorical_crossentropy``: integer class ids ``(n,)``;
* several output units otherwise: one-hot rows ``(n, C)``; accuracy compares arg-maxes.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

AccuracyKind = Literal["binary", "categorical", "sparse"]


def accuracy_kind(loss: str, output_units: int, is_regression: bool) -> AccuracyKind | None:
    """Which accuracy the model reports, or ``None`` for a regression."""
    if is_regression:
        return None
    if loss == "sparse_categorical_crossentropy":
        return "sparse"
    return "binary" if output_units == 1 else "categorical"


def encode_targets(labels: np.ndarray, loss: str, output_units: int, dtype: str = "float32") -> np.ndarray:
    """Class ids (or regression targets) as the loss expects them."""
    labels = np.asarray(labels)
    if loss == "sparse_categorical_crossentropy":
        return labels.astype(np.int64)
    if output_units == 1:
        return labels.astype(dtype).reshape(-1, 1)
    if labels.ndim == 2 and labels.shape[1] == output_units:
        return labels.astype(dtype)  # already one column per output (multi-output regression)
    one_hot = np.zeros((len(labels), output_units), dtype=dtype)
    one_hot[np.arange(len(labels)), labels.astype(np.int64)] = 1
    return one_hot


def accuracy(kind: AccuracyKind, y: np.ndarray, outputs: np.ndarray) -> float:
    """Mean accuracy of ``outputs`` against encoded targets ``y``."""
    if kind == "binary":
        hits = (outputs > 0.5) == (y > 0.5)
    elif kind == "sparse":
        hits = outputs.argmax(axis=-1) == y.reshape(-1)
    else:
        hits = outputs.argmax(axis=-1) == y.argmax(axis=-1)
    return np.count_nonzero(hits) / hits.size  # the mean of the hits, at a fraction of np.mean's cost


def predicted_classes(outputs: np.ndarray) -> np.ndarray:
    """Class ids from model outputs: threshold one unit at 0.5, arg-max several."""
    if outputs.shape[-1] == 1:
        return (outputs.reshape(-1) > 0.5).astype(np.int64)
    return np.argmax(outputs, axis=-1)


def confusion_matrix(true_ids: np.ndarray, predicted_ids: np.ndarray, n_classes: int) -> np.ndarray:
    """Rows are true classes, columns predicted ones (scikit-learn's layout)."""
    matrix = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(matrix, (np.asarray(true_ids, dtype=np.int64), np.asarray(predicted_ids, dtype=np.int64)), 1)
    return matrix
