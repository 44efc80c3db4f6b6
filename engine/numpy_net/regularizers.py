"""Weight penalties P(W), added to the loss as Keras adds them.

L1: lambda_1 * sum |w|, whose slope is lambda_1 * sign(w).
L2: lambda_2 * sum w^2, whose slope is 2 * lambda_2 * w (Keras has no 1/2 in front).
Both at once is the lecture's "elastic net, but not quite".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class L1L2:
    l1: float = 0.0
    l2: float = 0.0

    def penalty(self, w: np.ndarray) -> float:
        total = 0.0
        if self.l1:
            total += self.l1 * float(np.sum(np.abs(w)))
        if self.l2:
            total += self.l2 * float(np.sum(w * w))
        return total

    def terms(self, w: np.ndarray) -> np.ndarray:
        """Each weight's share of the penalty (their sum is :meth:`penalty`)."""
        return self.l1 * np.abs(w) + self.l2 * w * w

    def add_gradient(self, w: np.ndarray, grad: np.ndarray) -> None:
        """grad += dP/dw, in place."""
        if self.l1:
            grad += self.l1 * np.sign(w)
        if self.l2:
            grad += (2 * self.l2) * w
