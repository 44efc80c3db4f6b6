"""Data sets made on the spot from a seed: instant, offline, reproducible."""

from __future__ import annotations

import numpy as np

from engine.data.dataset import Dataset, split
from engine.spec import LogisticData


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def logistic(spec: LogisticData) -> Dataset:
    """The lecture's data: X ~ N(0, 1) with q columns, y ~ Bernoulli(sigmoid(X beta + intercept))."""
    rng = np.random.default_rng(spec.seed)
    beta = np.asarray(spec.beta if spec.beta is not None else np.arange(1, spec.features + 1), dtype=np.float64)
    x = rng.normal(size=(spec.n, spec.features))
    p = sigmoid(x @ beta + spec.intercept)
    y = rng.binomial(1, p).astype(np.int64)
    return split(
        "logistic", x, y, test_size=spec.test_size, seed=spec.seed, standardize=spec.standardize,
        class_names=("0", "1"),
    )
