"""Activation functions g(z) and their backward step dL/dz = dL/da * g'(z).

Each activation is a pair of pure functions: ``forward(z) -> a`` and ``backward(z, a, grad_a) ->
grad_z``. ``backward`` is given both z and a = g(z) so that each one can use whichever makes its
derivative simplest (the sigmoid's is a(1 - a), as the lecture shows).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Activation:
    name: str
    forward: Callable[[np.ndarray], np.ndarray]
    backward: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]


def sigmoid(z: np.ndarray) -> np.ndarray:
    # 1 / (1 + e^-z), written so that neither branch overflows for large |z|.
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(z.dtype, copy=False)


def softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _softmax_backward(z: np.ndarray, a: np.ndarray, grad_a: np.ndarray) -> np.ndarray:
    # The Jacobian of softmax is diag(a) - a a'; times a vector: a * (grad - <grad, a>).
    return a * (grad_a - np.sum(grad_a * a, axis=-1, keepdims=True))


_REGISTRY = {
    "linear": Activation("linear", lambda z: z, lambda z, a, g: g),
    "sigmoid": Activation("sigmoid", sigmoid, lambda z, a, g: g * a * (1 - a)),
    "tanh": Activation("tanh", np.tanh, lambda z, a, g: g * (1 - a * a)),
    "relu": Activation("relu", lambda z: np.maximum(z, 0), lambda z, a, g: g * (z > 0)),
    "softmax": Activation("softmax", softmax, _softmax_backward),
}


def get(name: str) -> Activation:
    """The activation called ``name`` (the names of :data:`nnplay.engine.spec.ACTIVATIONS`)."""
    return _REGISTRY[name]
