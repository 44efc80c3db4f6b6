"""Layers with a forward and a backward step, as the lecture writes them.

A layer remembers what its forward step saw, so that its backward step can apply the chain rule:
given dL/d(output) it fills the gradients of its own parameters and returns dL/d(input).
"""

from __future__ import annotations

import numpy as np

from nnplay.engine.numpy_net import activations
from nnplay.engine.numpy_net.regularizers import L1L2


class Dense:
    """a = g(X W + b): an affine map, then an activation."""

    def __init__(self, name: str, kernel: np.ndarray, bias: np.ndarray | None, activation: str,
                 kernel_penalty: L1L2 | None = None, bias_penalty: L1L2 | None = None) -> None:
        self.name = name
        self.kernel = kernel
        self.bias = bias
        self.activation = activations.get(activation)
        self.kernel_penalty = kernel_penalty
        self.bias_penalty = bias_penalty
        self.grad_kernel = np.zeros_like(kernel)
        self.grad_bias = None if bias is None else np.zeros_like(bias)

    @property
    def parameters(self) -> list[np.ndarray]:
        return [self.kernel] if self.bias is None else [self.kernel, self.bias]

    @property
    def gradients(self) -> list[np.ndarray]:
        return [self.grad_kernel] if self.grad_bias is None else [self.grad_kernel, self.grad_bias]

    @property
    def penalised(self) -> bool:
        return bool(self.kernel_penalty or (self.bias_penalty and self.bias is not None))

    def bind(self, weights: np.ndarray, gradients: np.ndarray, start: int) -> int:
        """Move the parameters into ``weights[start:]`` and their gradients into the same place
        of ``gradients`` (flat arrays the model holds); returns where the next layer's go."""
        def place(flat: np.ndarray, array: np.ndarray, at: int) -> np.ndarray:
            view = flat[at:at + array.size].reshape(array.shape)
            view[...] = array
            return view

        self.kernel, self.grad_kernel = place(weights, self.kernel, start), place(gradients, self.grad_kernel, start)
        start += self.kernel.size
        if self.bias is not None:
            self.bias, self.grad_bias = place(weights, self.bias, start), place(gradients, self.grad_bias, start)
            start += self.bias.size
        return start

    def logits(self, x: np.ndarray) -> np.ndarray:
        z = x @ self.kernel
        if self.bias is not None:
            z += self.bias
        return z

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        self.x = x
        self.z = self.logits(x)  # z = X W + b
        self.a = self.activation.forward(self.z)  # a = g(z)
        return self.a

    def backward(self, grad_a: np.ndarray | None = None, *, grad_z: np.ndarray | None = None,
                 need_input_grad: bool = True) -> np.ndarray | None:
        """Chain rule through the layer. Pass ``grad_z`` when the loss already gave dL/dz."""
        if grad_z is None:
            grad_z = self.activation.backward(self.z, self.a, grad_a)  # dL/dz = dL/da * g'(z)
        np.matmul(self.x.T, grad_z, out=self.grad_kernel)  # dL/dW = X' dL/dz
        if self.grad_bias is not None:
            grad_z.sum(axis=0, out=self.grad_bias)  # dL/db = column sums of dL/dz
        return grad_z @ self.kernel.T if need_input_grad else None  # dL/dX = dL/dz W'

    def penalty(self) -> float:
        total = 0.0
        if self.kernel_penalty:
            total += self.kernel_penalty.penalty(self.kernel)
        if self.bias_penalty and self.bias is not None:
            total += self.bias_penalty.penalty(self.bias)
        return total

    def add_penalty_gradients(self) -> None:
        if self.kernel_penalty:
            self.kernel_penalty.add_gradient(self.kernel, self.grad_kernel)
        if self.bias_penalty and self.bias is not None:
            self.bias_penalty.add_gradient(self.bias, self.grad_bias)


class Dropout:
    """Inverted dropout: at training time each unit is kept with probability 1 - rate and scaled
    by 1 / (1 - rate); at prediction time it passes through unchanged. The lecture scales by the
    keep probability at prediction time instead: the expected activation is the same either way."""

    def __init__(self, name: str, rate: float, rng: np.random.Generator) -> None:
        self.parameters: list[np.ndarray] = []  # nothing to learn
        self.gradients: list[np.ndarray] = []
        self.name = name
        self.rate = rate
        self.rng = rng
        self.mask: np.ndarray | None = None

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        if not training or self.rate == 0:
            self.mask = None
            return x
        keep = 1.0 - self.rate
        self.mask = (self.rng.random(x.shape, dtype=np.float32) < keep).astype(x.dtype) / x.dtype.type(keep)
        return x * self.mask

    def backward(self, grad_a: np.ndarray, *, need_input_grad: bool = True, **_: object) -> np.ndarray:
        return grad_a if self.mask is None else grad_a * self.mask

    def penalty(self) -> float:
        return 0.0

    def add_penalty_gradients(self) -> None:
        pass
