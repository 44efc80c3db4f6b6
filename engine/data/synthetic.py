"""Data sets made on the spot from a seed: instant, offline, reproducible.

The same spec (and so the same seed) always gives the same rows. The 2-D sets are the classic
playground shapes; scikit-learn's generators make the ones it has (circles, moons, blobs), the
others are a few lines of NumPy each.
"""

from __future__ import annotations

import numpy as np

from nnplay.engine.data.dataset import Dataset, split
from nnplay.engine.spec import (
    CirclesData,
    GaussianData,
    LogisticData,
    MoonsData,
    RegressionData,
    SoftmaxData,
    SpiralData,
    XorData,
)

PLANE = ("x1", "x2")


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def softmax_rows(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _split(name: str, spec, x: np.ndarray, y: np.ndarray, class_names, feature_names=None) -> Dataset:
    return split(
        name, x, y, test_size=spec.test_size, seed=spec.seed, standardize=spec.standardize,
        feature_names=feature_names, class_names=class_names,
    )


def _ids(k: int) -> tuple[str, ...]:
    return tuple(str(i) for i in range(k))


def logistic(spec: LogisticData) -> Dataset:
    """The lecture's data: X ~ N(0, 1) with q columns, y ~ Bernoulli(sigmoid(X beta + intercept))."""
    rng = np.random.default_rng(spec.seed)
    beta = np.asarray(spec.beta if spec.beta is not None else np.arange(1, spec.features + 1), dtype=np.float64)
    x = rng.normal(size=(spec.n, spec.features))
    p = sigmoid(x @ beta + spec.intercept)
    y = rng.binomial(1, p).astype(np.int64)
    return _split("logistic", spec, x, y, ("0", "1"))


def softmax(spec: SoftmaxData) -> Dataset:
    """Multi-class logistic data: X ~ N(0, 1); each class k has a score X w_k with w_k ~ N(0, scale^2);
    the label is drawn from the softmax of the scores (the lecture's softmax regression model)."""
    rng = np.random.default_rng(spec.seed)
    weights = rng.normal(scale=spec.scale, size=(spec.features, spec.classes))
    x = rng.normal(size=(spec.n, spec.features))
    p = softmax_rows(x @ weights)
    u = rng.random(size=(spec.n, 1))
    y = (u > np.cumsum(p, axis=1)).sum(axis=1)  # inverse-CDF draw, one per row
    y = np.minimum(y, spec.classes - 1).astype(np.int64)
    return _split("softmax", spec, x, y, _ids(spec.classes))


def circles(spec: CirclesData) -> Dataset:
    """A small circle (class 1) inside a large one (class 0): no straight line separates them."""
    from sklearn.datasets import make_circles

    x, y = make_circles(n_samples=spec.n, noise=spec.noise, factor=0.5, random_state=spec.seed)
    return _split("circles", spec, x, y, ("outer", "inner"), PLANE)


def moons(spec: MoonsData) -> Dataset:
    """Two interleaved half-moons."""
    from sklearn.datasets import make_moons

    x, y = make_moons(n_samples=spec.n, noise=spec.noise, random_state=spec.seed)
    return _split("moons", spec, x, y, ("upper", "lower"), PLANE)


def xor(spec: XorData) -> Dataset:
    """Points in the square [-1, 1]^2, kept a little off the axes; class 1 where x1 and x2 share a
    sign (quadrants I and III). Gaussian noise of standard deviation ``noise`` then blurs them."""
    rng = np.random.default_rng(spec.seed)
    pad = 0.05
    magnitude = rng.uniform(pad, 1.0, size=(spec.n, 2))
    signs = rng.choice((-1.0, 1.0), size=(spec.n, 2))
    clean = magnitude * signs
    y = (clean[:, 0] * clean[:, 1] > 0).astype(np.int64)
    x = clean + rng.normal(scale=spec.noise, size=clean.shape) if spec.noise > 0 else clean
    return _split("xor", spec, x, y, ("different sign", "same sign"), PLANE)


def gaussian(spec: GaussianData) -> Dataset:
    """One round Gaussian cloud per class, the centres evenly spaced on a circle of radius 2;
    each cloud's standard deviation is ``0.5 + noise``."""
    from sklearn.datasets import make_blobs

    angles = 2 * np.pi * np.arange(spec.classes) / spec.classes + np.pi / 4
    centres = 2.0 * np.column_stack([np.cos(angles), np.sin(angles)])
    x, y = make_blobs(
        n_samples=spec.n, centers=centres, cluster_std=0.5 + spec.noise, random_state=spec.seed
    )
    return _split("gaussian", spec, x, y, _ids(spec.classes), PLANE)


def spiral(spec: SpiralData) -> Dataset:
    """``classes`` interleaved spiral arms; each point moves by Gaussian noise of std ``noise``."""
    rng = np.random.default_rng(spec.seed)
    per_class = np.full(spec.classes, spec.n // spec.classes)
    per_class[: spec.n % spec.classes] += 1
    parts, labels = [], []
    for k, count in enumerate(per_class):
        t = np.linspace(0.0, 1.0, count, endpoint=False) + 0.5 / max(count, 1)
        radius = t
        angle = 1.75 * 2 * np.pi * t + 2 * np.pi * k / spec.classes
        arm = np.column_stack([radius * np.sin(angle), radius * np.cos(angle)])
        parts.append(arm + rng.normal(scale=spec.noise, size=arm.shape))
        labels.append(np.full(count, k, dtype=np.int64))
    x, y = np.concatenate(parts), np.concatenate(labels)
    order = rng.permutation(len(y))
    return _split("spiral", spec, x[order], y[order], _ids(spec.classes), PLANE)


#: The plane behind the ``regression`` set: target = 2 x1 - x2 + 0.5 (+ noise).
REGRESSION_PLANE = (2.0, -1.0, 0.5)


def regression(spec: RegressionData) -> Dataset:
    """A tilted plane over [-1, 1]^2 plus Gaussian noise of std ``noise``; targets are floats."""
    rng = np.random.default_rng(spec.seed)
    w1, w2, b = REGRESSION_PLANE
    x = rng.uniform(-1.0, 1.0, size=(spec.n, 2))
    y = w1 * x[:, 0] + w2 * x[:, 1] + b + rng.normal(scale=spec.noise, size=spec.n)
    return _split("regression", spec, x, y, None, PLANE)
