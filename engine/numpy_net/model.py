"""A stack of layers with one loss: forward propagation, backward propagation, one descent step.

This is the lecture's ``optimize(X, y, alpha, beta_hat)`` grown up: forward to get p-hat and the
loss, backward to get the gradient, then let the optimizer step down it.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from nnplay.engine.numpy_net import losses
from nnplay.engine.numpy_net.layers import Dense, Dropout
from nnplay.engine.numpy_net.regularizers import L1L2
from nnplay.engine.spec import DenseLayer, Preset, Regularizer
from nnplay.engine.weight_layout import WeightLayout


def _penalty(spec: Regularizer | None) -> L1L2 | None:
    return L1L2(spec.l1, spec.l2) if spec is not None and spec.active else None


class Sequential:
    def __init__(self, layers: list[Dense | Dropout], loss: losses.Loss) -> None:
        self.layers = layers
        self.loss = loss
        self.output = next(layer for layer in reversed(layers) if isinstance(layer, Dense))
        # Cross-entropy on a sigmoid/softmax output is computed from its logits (as Keras does).
        self.fused = loss.from_logits_activation == self.output.activation.name
        self.dense = [layer for layer in layers if isinstance(layer, Dense)]
        self.penalised = any(layer.penalised for layer in self.dense)
        self._pack()

    def _pack(self) -> None:
        """Every parameter becomes a view into one flat array, every gradient into another, so
        that the optimizer steps them all with one pass of whole-array operations (a dozen NumPy
        calls per step, not a dozen per weight array). The layers still see their own W and b."""
        params = self.parameters
        dtype = np.result_type(*params) if params else np.float32
        size = sum(p.size for p in params)
        weights, gradients = np.empty(size, dtype), np.zeros(size, dtype)
        start = 0
        for layer in self.dense:
            start = layer.bind(weights, gradients, start)
        #: The optimizer's view of the model: all parameters, and all gradients, as one array each.
        self.flat_parameters, self.flat_gradients = [weights], [gradients]

    @classmethod
    def from_preset(cls, preset: Preset, weights: list[np.ndarray], rng: np.random.Generator) -> Sequential:
        """The preset's model, starting from ``weights`` (Keras order: kernel, bias, kernel, ...)."""
        dense = iter(WeightLayout.of(preset.model).split(weights))
        layers: list[Dense | Dropout] = []
        for spec, name in zip(preset.model.layers, preset.model.layer_names(), strict=True):
            if isinstance(spec, DenseLayer):
                kernel, bias = next(dense)  # copied into the model's own flat array by _pack
                layers.append(Dense(name, kernel, bias, spec.activation,
                                    _penalty(spec.kernel_regularizer), _penalty(spec.bias_regularizer)))
            else:
                layers.append(Dropout(name, spec.rate, rng))
        return cls(layers, losses.get(preset.model.loss))

    # -- parameters ------------------------------------------------------------------------

    @property
    def parameters(self) -> list[np.ndarray]:
        return [p for layer in self.layers for p in layer.parameters]

    @property
    def gradients(self) -> list[np.ndarray]:
        return [g for layer in self.layers for g in layer.gradients]

    def get_weights(self) -> list[np.ndarray]:
        return [p.copy() for p in self.parameters]

    def set_weights(self, weights: list[np.ndarray]) -> None:
        params = self.parameters
        if len(weights) != len(params):
            raise ValueError(f"expected {len(params)} weight arrays, got {len(weights)}")
        for p, w in zip(params, weights, strict=True):
            if p.shape != np.shape(w):
                raise ValueError(f"weight shape {np.shape(w)} does not match {p.shape}")
            p[...] = w

    # -- forward ---------------------------------------------------------------------------

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        for layer in self.layers:
            x = layer.forward(x, training)
        return x

    def penalty(self) -> float:
        return sum(layer.penalty() for layer in self.dense) if self.penalised else 0.0

    def data_loss(self, y: np.ndarray, p: np.ndarray) -> float:
        """The loss of outputs p (just computed by :meth:`forward`) against targets y."""
        return float(self.data_losses(y, p, self.output.z))

    def data_losses(self, y: np.ndarray, p: np.ndarray, z: np.ndarray) -> np.ndarray:
        """The loss of outputs p, or of a stack of them (models, rows, units), whose output layer's
        logits were z: cross-entropy on a sigmoid/softmax is computed from z, as Keras does."""
        return self.loss.means_from_logits(y, z) if self.fused else self.loss.means(y, p)

    def predict(self, x: np.ndarray, batch_size: int = 1024) -> np.ndarray:
        if not len(x):
            return x[:, :0]
        return np.concatenate([self.forward(x[i:i + batch_size]) for i in range(0, len(x), batch_size)])

    # -- backward --------------------------------------------------------------------------

    def backward(self, y: np.ndarray, p: np.ndarray) -> None:
        """Fill every layer's gradients of the loss (penalties included), from the output back."""
        last = len(self.layers) - 1
        grad: np.ndarray | None
        if self.fused:
            grad = self.output.backward(grad_z=self.loss.logits_gradient(y, p), need_input_grad=last > 0)
        else:
            grad = self.output.backward(self.loss.gradient(y, p), need_input_grad=last > 0)
        for i in range(last - 1, -1, -1):  # the first layer needs no gradient for its input
            grad = self.layers[i].backward(grad, need_input_grad=i > 0)
        if self.penalised:
            for layer in self.dense:
                layer.add_penalty_gradients()

    def train_step(self, x: np.ndarray, y: np.ndarray, optimizer,
                   watch: Callable[[list[np.ndarray]], None] | None = None) -> tuple[float, np.ndarray]:
        """Forward, backward, descend. Returns the batch loss (before the step) and the outputs.
        ``watch`` is shown the gradients before the optimizer uses (and overwrites) them. A loss that
        overflows is returned, not warned about: the trainer runs this under
        :func:`~nnplay.engine.numpy_net.trainer.divergence_is_an_outcome`."""
        p = self.forward(x, training=True)
        loss = self.data_loss(y, p) + self.penalty()
        if math.isfinite(loss):
            self.backward(y, p)
            if watch is not None:
                watch(self.gradients)
            optimizer.apply(self.flat_parameters, self.flat_gradients)
        return loss, p
