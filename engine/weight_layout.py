"""Keras's weight order, known in one place.

``model.get_weights()`` of a Sequential of Dense (and Dropout) layers is one flat list:
``[kernel_0, bias_0, kernel_1, bias_1, ...]``, where a dense layer without bias gives only its kernel
and a dropout layer gives nothing. Both engines, the export, the restore and every view that draws
weights read and write that list; :class:`WeightLayout` says where each dense layer's arrays sit,
splits the list into per-layer ``(kernel, bias or None)`` pairs and joins them back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from nnplay.engine.spec import DenseLayer, ModelSpec

T = TypeVar("T")


@dataclass(frozen=True)
class Slot:
    """One dense layer's place: its index in ``model.layers``, and its arrays' indexes in the flat list."""

    position: int  # index into model.layers (dropout layers count)
    kernel: int
    bias: int | None  # None: the layer has no bias
    fan_in: int | None  # inputs to the layer (None: the model's input width is not known)
    units: int


@dataclass(frozen=True)
class WeightLayout:
    slots: tuple[Slot, ...]  # one per dense layer, in order
    size: int  # arrays in the flat list

    @classmethod
    def of(cls, model: ModelSpec, n_features: int | None = None) -> WeightLayout:
        """The layout of ``model``'s weights; ``n_features`` (the input width) gives the shapes too."""
        slots: list[Slot] = []
        index, fan_in = 0, n_features
        for position, layer in enumerate(model.layers):
            if not isinstance(layer, DenseLayer):
                continue
            bias = index + 1 if layer.use_bias else None
            slots.append(Slot(position, index, bias, fan_in, layer.units))
            index += 2 if layer.use_bias else 1
            fan_in = layer.units
        return cls(tuple(slots), index)

    @property
    def shapes(self) -> list[tuple[int, ...]]:
        """Every array's shape, in Keras order (the input width must be known)."""
        shapes: list[tuple[int, ...]] = []
        for slot in self.slots:
            if slot.fan_in is None:
                raise ValueError("the layout was built without the input width")
            shapes.append((slot.fan_in, slot.units))
            if slot.bias is not None:
                shapes.append((slot.units,))
        return shapes

    def split(self, weights: Sequence[T]) -> list[tuple[T, T | None]]:
        """``(kernel, bias or None)`` for each dense layer, from the flat Keras-order list."""
        if len(weights) != self.size:
            raise ValueError(f"{len(weights)} weight arrays for a model that has {self.size}")
        return [(weights[s.kernel], None if s.bias is None else weights[s.bias]) for s in self.slots]

    def join(self, pairs: Sequence[tuple[T, T | None]]) -> list[T]:
        """The flat Keras-order list from one ``(kernel, bias or None)`` pair per dense layer."""
        flat: list[T] = []
        for slot, (kernel, bias) in zip(self.slots, pairs, strict=True):
            flat.append(kernel)
            if slot.bias is not None:
                if bias is None:
                    raise ValueError(f"dense layer {slot.position} has a bias but none was given")
                flat.append(bias)
        return flat

    def owners(self) -> list[tuple[Slot, str]]:
        """For each array of the flat list, in order: its layer's slot and ``"kernel"`` or ``"bias"``."""
        owners: list[tuple[Slot, str]] = []
        for slot in self.slots:
            owners.append((slot, "kernel"))
            if slot.bias is not None:
                owners.append((slot, "bias"))
        return owners
