"""Optimizers that update the parameters in place, with Keras 3's formulas.

SGD:      w <- w - lr * g
Momentum: m <- mu * m - lr * g;  w <- w + m
Adam:     m <- m + (1 - b1)(g - m);  v <- v + (1 - b2)(g^2 - v)
          w <- w - lr * sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + eps)

Adam allocates nothing per step: for the lecture's 9-million-parameter net every temporary array
would cost another 36 MB of memory traffic. It walks each parameter in blocks of 64K numbers with
one small scratch array, so the intermediate results stay in the processor's cache and only w, g,
m and v travel to and from memory.
"""

from __future__ import annotations

import math

import numpy as np

from nnplay.engine.spec import SGD, Adam


class SGDOptimizer:
    def __init__(self, spec: SGD, parameters: list[np.ndarray]) -> None:
        self.learning_rate = spec.learning_rate
        self.momentum = spec.momentum
        self.velocity = [np.zeros_like(p) for p in parameters] if spec.momentum else None

    def apply(self, parameters: list[np.ndarray], gradients: list[np.ndarray]) -> None:
        lr = self.learning_rate
        if self.velocity is None:
            for w, g in zip(parameters, gradients, strict=True):
                g *= lr  # the gradient buffer is refilled by the next backward step
                w -= g
            return
        for w, g, m in zip(parameters, gradients, self.velocity, strict=True):
            m *= self.momentum
            g *= lr
            m -= g
            w += m


class AdamOptimizer:
    BLOCK = 1 << 16  # numbers per block: 256 KB of float32 scratch, small enough to stay in cache

    def __init__(self, spec: Adam, parameters: list[np.ndarray]) -> None:
        self.learning_rate = spec.learning_rate
        self.beta_1, self.beta_2, self.epsilon = spec.beta_1, spec.beta_2, spec.epsilon
        self.m = [np.zeros_like(p) for p in parameters]
        self.v = [np.zeros_like(p) for p in parameters]
        largest = max((p.size for p in parameters), default=0)
        self.scratch = np.empty(min(largest, self.BLOCK), dtype=parameters[0].dtype if parameters else np.float32)
        self.iterations = 0

    def apply(self, parameters: list[np.ndarray], gradients: list[np.ndarray]) -> None:
        self.iterations += 1
        t = self.iterations
        alpha = self.learning_rate * math.sqrt(1 - self.beta_2**t) / (1 - self.beta_1**t)
        for w, g, m, v in zip(parameters, gradients, self.m, self.v, strict=True):
            w, g, m, v = w.reshape(-1), g.reshape(-1), m.reshape(-1), v.reshape(-1)  # views
            for start in range(0, w.size, self.BLOCK):
                block = slice(start, start + self.BLOCK)
                self._step(w[block], g[block], m[block], v[block], alpha)

    def _step(self, w: np.ndarray, g: np.ndarray, m: np.ndarray, v: np.ndarray, alpha: float) -> None:
        s = self.scratch[: w.size]
        np.subtract(g, m, out=s)
        s *= 1 - self.beta_1
        m += s  # m <- m + (1 - b1)(g - m)
        np.multiply(g, g, out=s)
        s -= v
        s *= 1 - self.beta_2
        v += s  # v <- v + (1 - b2)(g^2 - v)
        np.sqrt(v, out=s)
        s += self.epsilon
        np.divide(m, s, out=s)
        s *= alpha
        w -= s  # w <- w - alpha m / (sqrt(v) + eps)


def make_optimizer(spec: SGD | Adam, parameters: list[np.ndarray]) -> SGDOptimizer | AdamOptimizer:
    return AdamOptimizer(spec, parameters) if isinstance(spec, Adam) else SGDOptimizer(spec, parameters)
