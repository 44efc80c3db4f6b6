"""Losses: the mean over the batch of each row's loss, as Keras reports it.

The lecture's negative log-likelihood is a *sum* over rows; nnplay (like Keras) takes the *mean*.
The two differ by the factor n only, so gradient descent on the summed NLL with step alpha is the
same walk as on the mean NLL with step alpha * n (the lecture's alpha = 0.001 on n = 1000 rows is
alpha = 1 here).

Every loss gives its value and its gradient with respect to the outputs p. Cross-entropies also give
both with respect to the *logits* z (the output layer before its sigmoid/softmax): this is how Keras
computes them, it is exact where p rounds to 0 or 1, and its gradient is the lecture's famous
shortcut: dL/dz = p - y (divided by the number of rows).
"""

from __future__ import annotations

import numpy as np

EPSILON = 1e-7  # Keras's backend.epsilon(): probabilities are clipped to [eps, 1 - eps]


def _mean_rows_units(t: np.ndarray) -> np.ndarray:
    """The mean over the last two axes (rows, units): one number per model of a stack."""
    return t.reshape((*t.shape[:-2], -1)).mean(axis=-1)


class Loss:
    """``means`` and ``means_from_logits`` take outputs of shape (rows, units), or a stack of them
    (models, rows, units) such as a loss surface evaluates at once, and give one loss per model."""

    name: str
    from_logits_activation: str | None = None  # the output activation whose logits it can use

    def __call__(self, y: np.ndarray, p: np.ndarray) -> float:
        return float(self.means(y, p))

    def from_logits(self, y: np.ndarray, z: np.ndarray) -> float:
        return float(self.means_from_logits(y, z))

    def means(self, y: np.ndarray, p: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def means_from_logits(self, y: np.ndarray, z: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def gradient(self, y: np.ndarray, p: np.ndarray) -> np.ndarray:
        """dL/dp for the batch mean."""
        raise NotImplementedError

    def logits_gradient(self, y: np.ndarray, p: np.ndarray) -> np.ndarray:
        """dL/dz given p = activation(z): the chain rule's two factors cancel to p - y."""
        raise NotImplementedError


class BinaryCrossentropy(Loss):
    """-[y log p + (1 - y) log(1 - p)], averaged over the output units and the rows."""

    name = "binary_crossentropy"
    from_logits_activation = "sigmoid"

    def means(self, y, p):
        p = np.clip(p, EPSILON, 1 - EPSILON)
        return -_mean_rows_units(y * np.log(p) + (1 - y) * np.log(1 - p))

    def gradient(self, y, p):
        inside = (p > EPSILON) & (p < 1 - EPSILON)  # clipping has no slope outside
        p = np.clip(p, EPSILON, 1 - EPSILON)
        return -(y / p - (1 - y) / (1 - p)) * inside / y.size

    def means_from_logits(self, y, z):
        # log(1 + e^z) - y z, in a form that never overflows (TensorFlow's formula).
        return _mean_rows_units(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z))))

    def logits_gradient(self, y, p):
        return (p - y) / y.size


class CategoricalCrossentropy(Loss):
    """-sum_c y_c log p_c for one-hot rows y, averaged over the rows."""

    name = "categorical_crossentropy"
    from_logits_activation = "softmax"

    def _one_hot(self, y: np.ndarray, p: np.ndarray) -> np.ndarray:
        return y

    def means(self, y, p):
        y = self._one_hot(y, p)
        p = p / p.sum(axis=-1, keepdims=True)  # Keras renormalises before clipping
        return -np.mean(np.sum(y * np.log(np.clip(p, EPSILON, 1 - EPSILON)), axis=-1), axis=-1)

    def gradient(self, y, p):
        y = self._one_hot(y, p)
        inside = (p > EPSILON) & (p < 1 - EPSILON)
        return -(y / np.clip(p, EPSILON, 1 - EPSILON)) * inside / len(y)

    def means_from_logits(self, y, z):
        y = self._one_hot(y, z)
        log_p = z - z.max(axis=-1, keepdims=True)
        log_p -= np.log(np.sum(np.exp(log_p), axis=-1, keepdims=True))
        log_p *= y
        return -log_p.sum(axis=(-2, -1)) / z.shape[-2]  # -sum_c y_c log p_c, averaged over the rows

    def logits_gradient(self, y, p):
        return (p - self._one_hot(y, p)) / len(p)


class SparseCategoricalCrossentropy(CategoricalCrossentropy):
    """Categorical cross-entropy with integer class ids instead of one-hot rows."""

    name = "sparse_categorical_crossentropy"

    def _one_hot(self, y, p):
        rows, classes = p.shape[-2:]  # the same rows for every model of a stack
        one_hot = np.zeros((rows, classes), dtype=p.dtype)
        one_hot[np.arange(rows), np.asarray(y).reshape(-1).astype(np.int64)] = 1
        return one_hot


class MeanSquaredError(Loss):
    """(y - p)^2 averaged over the output units and the rows."""

    name = "mean_squared_error"

    def means(self, y, p):
        return _mean_rows_units((y - p) ** 2)

    def gradient(self, y, p):
        return 2 * (p - y) / y.size


_REGISTRY: dict[str, type[Loss]] = {
    cls.name: cls
    for cls in (BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy, MeanSquaredError)
}


def get(name: str) -> Loss:
    """The loss called ``name`` (the names of :data:`nnplay.engine.spec.LOSSES`)."""
    return _REGISTRY[name]()
