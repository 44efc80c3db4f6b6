"""The one object that knows Keras's weight order: kernel, bias, kernel, ... (no bias where use_bias is off)."""

from __future__ import annotations

import numpy as np
import pytest

from nnplay.engine.numpy_net.initializers import initial_weights
from nnplay.engine.spec import validate_preset
from nnplay.engine.weight_layout import WeightLayout
from tests.tui_helpers import HIDDEN


def _preset(layers: str):
    import tomllib

    raw = tomllib.loads(HIDDEN)
    raw["model"]["layers"] = tomllib.loads(f"layers = {layers}")["layers"]
    return validate_preset(raw)


MIXED = """[
  { type = "dense", units = 3, activation = "relu", use_bias = false },
  { type = "dropout", rate = 0.5 },
  { type = "dense", units = 2, activation = "softmax" },
]"""


def test_a_layer_without_bias_gives_only_its_kernel_and_dropout_gives_nothing():
    preset = _preset(MIXED)
    layout = WeightLayout.of(preset.model, 2)
    assert layout.size == 3
    assert [(s.position, s.kernel, s.bias) for s in layout.slots] == [(0, 0, None), (2, 1, 2)]
    assert layout.shapes == [(2, 3), (3, 2), (2,)]
    weights = initial_weights(preset, 2)
    assert [w.shape for w in weights] == layout.shapes
    pairs = layout.split(weights)
    assert pairs[0][1] is None and pairs[1][0] is weights[1] and pairs[1][1] is weights[2]
    assert all(a is b for a, b in zip(layout.join(pairs), weights, strict=True))
    assert [(slot.kernel, part) for slot, part in layout.owners()] == [(0, "kernel"), (1, "kernel"), (1, "bias")]


def test_a_list_of_the_wrong_length_is_refused():
    layout = WeightLayout.of(_preset(MIXED).model, 2)
    with pytest.raises(ValueError, match="2 weight arrays"):
        layout.split([np.zeros((2, 3)), np.zeros((3, 2))])
    with pytest.raises(ValueError, match="input width"):
        _ = WeightLayout.of(_preset(MIXED).model).shapes
