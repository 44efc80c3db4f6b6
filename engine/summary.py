"""The Keras-style model summary, computed from the spec alone (no data, no TensorFlow).

A dense layer of ``units`` outputs on ``fan_in`` inputs has ``fan_in * units`` kernel weights and
``units`` biases; dropout has none. For the lecture's 2-4-2 net that is (2*4 + 4) + (4*2 + 2) = 22.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # read through attributes only, so the schema's rules can use this module
    from nnplay.engine.spec import DenseLayer, ModelSpec


@dataclass(frozen=True)
class LayerRow:
    name: str
    type: str  # Keras's class name: "Dense", "Dropout"
    output_shape: tuple[int | None, ...]
    params: int

    @property
    def shape_text(self) -> str:
        return "(" + ", ".join("None" if d is None else str(d) for d in self.output_shape) + ")"


@dataclass(frozen=True)
class ModelSummary:
    name: str
    input_shape: tuple[int | None, ...]
    layers: tuple[LayerRow, ...]
    trainable_params: int
    non_trainable_params: int = 0

    @property
    def total_params(self) -> int:
        return self.trainable_params + self.non_trainable_params

    def to_json(self) -> dict:
        return {
            "layers": [
                {"name": r.name, "type": r.type, "output_shape": list(r.output_shape), "params": r.params}
                for r in self.layers
            ],
            "total_params": self.total_params,
            "trainable_params": self.trainable_params,
        }


def dense_params(fan_in: int, layer: DenseLayer) -> int:
    return fan_in * layer.units + (layer.units if layer.use_bias else 0)


def summarize(model: ModelSpec, n_features: int, name: str = "sequential") -> ModelSummary:
    """Layer by layer output shape and parameter count, as ``model.summary()`` shows them."""
    rows = []
    width = n_features
    total = 0
    for layer, layer_name in zip(model.layers, model.layer_names(), strict=True):
        if layer.type == "dense":
            params = dense_params(width, layer)
            width = layer.units
            rows.append(LayerRow(layer_name, "Dense", (None, width), params))
        else:
            params = 0
            rows.append(LayerRow(layer_name, "Dropout", (None, width), params))
        total += params
    return ModelSummary(name, (None, n_features), tuple(rows), total)
