"""Starting weights, shared by both engines so that one seed gives one starting point.

Keras's defaults: glorot-uniform kernels, W ~ U(-limit, limit) with limit = sqrt(6 / (fan_in + fan_out)),
and zero biases. The Keras engine receives these very arrays, so both engines trace the same curve.
"""

from __future__ import annotations

import numpy as np

from nnplay.engine.spec import DenseLayer, Preset


def glorot_uniform(fan_in: int, fan_out: int, rng: np.random.Generator, dtype: str = "float32") -> np.ndarray:
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=(fan_in, fan_out)).astype(dtype)


def initial_weights(preset: Preset, n_features: int) -> list[np.ndarray]:
    """``[kernel_0, bias_0, kernel_1, ...]`` in Keras's order (no bias entry where use_bias is off)."""
    rng = np.random.default_rng(preset.train.seed)
    dtype = preset.train.dtype
    weights: list[np.ndarray] = []
    fan_in = n_features
    for layer in preset.model.layers:
        if not isinstance(layer, DenseLayer):
            continue
        weights.append(glorot_uniform(fan_in, layer.units, rng, dtype))
        if layer.use_bias:
            weights.append(np.zeros(layer.units, dtype=dtype))
        fan_in = layer.units
    return weights
