"""Starting weights, shared by both engines so that one seed gives one starting point.

Keras's defaults: glorot-uniform kernels, W ~ U(-limit, limit) with limit = sqrt(6 / (fan_in + fan_out)),
and zero biases. The Keras engine receives these very arrays, so both engines trace the same curve.
"""

from __future__ import annotations

import numpy as np

from nnplay.engine.spec import Preset
from nnplay.engine.weight_layout import WeightLayout


def glorot_uniform(fan_in: int, fan_out: int, rng: np.random.Generator, dtype: str = "float32") -> np.ndarray:
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=(fan_in, fan_out)).astype(dtype)


def initial_weights(preset: Preset, n_features: int) -> list[np.ndarray]:
    """``[kernel_0, bias_0, kernel_1, ...]`` in Keras's order (no bias entry where use_bias is off)."""
    rng = np.random.default_rng(preset.train.seed)
    dtype = preset.train.dtype
    layout = WeightLayout.of(preset.model, n_features)
    return layout.join([(glorot_uniform(slot.fan_in, slot.units, rng, dtype),
                         None if slot.bias is None else np.zeros(slot.units, dtype=dtype)) for slot in layout.slots])
