"""A picture per unit: what every unit of the network computes, as the Network view draws it.

For data drawn on a plane (two features, feature inputs, or the PCA plane of wider tables, see
:func:`nnplay.engine.probe.plane_for`) each unit's picture is its activation over that plane, all of
them from one forward pass over the grid (:func:`nnplay.engine.probe.grid_outputs`), as TensorFlow
Playground draws its neuron thumbnails. The inputs get pictures too: each input feature over the
same plane.

For image data the first layer's units are drawn as the image their incoming weights form: unit
``j``'s kernel column reshaped to the input image (channels averaged), i.e. the pattern of pixels that
excites it most. A deeper unit has no image of its own; its picture is its output on a fixed set of
sample images laid out in a square, the first class's images in the top half and the other's below,
so a unit that tells the classes apart shows two differently coloured halves.

Pictures are scaled into [-1, 1] for the colour map (:func:`for_display`): sigmoid and softmax
outputs (probabilities) as 2a - 1, so 0.5 is grey; tanh as it is; ReLU and linear outputs, and
weights, divided by their largest |value|. The raw numbers stay in :attr:`UnitPictures.raw`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from nnplay.engine.probe import (
    Plane,
    dense_positions,
    grid_outputs,
    image_shape,
    layer_outputs,
    layer_weights,
    reduce,
)
from nnplay.engine.spec import ModelSpec

PictureKind = Literal["plane", "kernel", "samples"]
SIZE = 40  # pixels a side of the full-size picture; thumbnails are block averages of it


def for_display(values: np.ndarray, activation: str) -> np.ndarray:
    """Maps (``(..., rows, cols)``, one per unit along the first axis) scaled into [-1, 1]."""
    values = np.asarray(values, dtype=np.float64)
    if activation in ("sigmoid", "softmax"):
        return 2.0 * values - 1.0
    if activation == "tanh":
        return values
    axes = tuple(range(1, values.ndim))
    top = np.abs(values).max(axis=axes, keepdims=True)
    return np.divide(values, top, out=np.zeros_like(values), where=top > 0)


def kernel_images(kernel: np.ndarray, shape: tuple[int, int, int]) -> np.ndarray:
    """``(units, height, width)``: each kernel column reshaped to the input image, channels
    averaged (the flattening is row-major with the channels last, as the data are)."""
    units = kernel.shape[1]
    return np.asarray(kernel, dtype=np.float64).T.reshape(units, *shape).mean(axis=-1)


def fit_square(picture: np.ndarray, size: int) -> np.ndarray:
    """A 2-D picture brought to about ``size`` pixels a side: block-averaged when larger,
    repeated pixel by pixel when smaller."""
    longest = max(picture.shape)
    if longest > size:
        return reduce(picture, -(-longest // size))
    factor = max(1, size // longest)
    return np.kron(picture, np.ones((factor, factor))) if factor > 1 else picture


def sample_rows(y: np.ndarray, side: int = 8) -> np.ndarray:
    """Indexes of ``side * side`` rows, the same share of each class in turn (class 0 first)."""
    classes = np.unique(y)
    per_class = np.array_split(np.arange(side * side), len(classes))
    picked = []
    for cls, slots in zip(classes, per_class, strict=True):
        rows = np.flatnonzero(y == cls)
        picked.extend(rows[np.arange(len(slots)) % max(len(rows), 1)] if len(rows) else [])
    return np.asarray(picked[: side * side], dtype=np.int64)


@dataclass(frozen=True, eq=False)
class UnitPictures:
    """One row of the Network view: a layer's (or the inputs') pictures, one per shown unit."""

    name: str
    activation: str  # "input" for the inputs' row
    units: int  # how many units the layer has (``maps`` may hold fewer)
    kind: PictureKind
    maps: np.ndarray  # (shown, rows, cols) scaled into [-1, 1]
    raw: np.ndarray  # the same maps, unscaled
    kernel: np.ndarray | None  # (fan_in, shown) incoming weights of the shown units
    bias: np.ndarray | None  # (shown,)
    unit_names: tuple[str, ...] = ()

    @property
    def shown(self) -> int:
        return int(self.maps.shape[0])

    def thumbnail(self, unit: int, side: int) -> np.ndarray:
        """Unit ``unit``'s picture block-averaged to about ``side`` pixels a side."""
        picture = self.maps[unit]
        return reduce(picture, max(1, -(-max(picture.shape) // side)))


@dataclass(frozen=True, eq=False)
class NetworkPictures:
    description: str  # what the pictures' axes are, in words
    rows: list[UnitPictures]  # the inputs first, then one per dense layer


def network_pictures(
    model: ModelSpec,
    weights: Sequence[np.ndarray],
    dataset,
    data_spec,
    *,
    plane: Plane | None = None,
    max_units: int = 16,
    size: int = SIZE,
) -> NetworkPictures:
    """Every shown unit's picture for these weights (at most ``max_units`` per layer).

    ``plane`` is the plane to draw on (default: :func:`~nnplay.engine.probe.plane_for` the data at
    ``size`` x ``size``); pass the same plane each frame so that the PCA is computed once.
    """
    names = model.layer_names()
    positions = dense_positions(model)
    params = layer_weights(model, weights)
    shape = image_shape(data_spec)
    rows: list[UnitPictures] = []

    def layer_row(index: int, kind: PictureKind, raw: np.ndarray, display: np.ndarray) -> UnitPictures:
        position = positions[index]
        kernel, bias = params[index]
        shown = raw.shape[0]
        return UnitPictures(
            names[position], model.layers[position].activation, int(kernel.shape[1]), kind, display, raw,
            np.asarray(kernel)[:, :shown], None if bias is None else np.asarray(bias)[:shown],
        )

    if shape is not None:
        kernel = np.asarray(params[0][0])[:, :max_units]
        raw = np.stack([fit_square(image, size) for image in kernel_images(kernel, shape)])
        rows.append(layer_row(0, "kernel", raw, for_display(raw, "linear")))
        picked = sample_rows(dataset.y_test if len(dataset.y_test) else dataset.y_train)
        x = dataset.x_test if len(dataset.y_test) else dataset.x_train
        side = int(np.sqrt(len(picked)))
        outputs = layer_outputs(model, weights, x[picked[: side * side]])
        for index in range(1, len(positions)):
            out = outputs[positions[index]][:, :max_units]  # (images, units)
            raw = out.T.reshape(-1, side, side)
            rows.append(layer_row(index, "samples", raw, for_display(raw, model.layers[positions[index]].activation)))
        description = (f"first layer: the {shape[0]}×{shape[1]} image each unit's weights form; "
                       f"deeper: each unit's output on {side * side} test images ({_class_order(dataset)})")
        return NetworkPictures(description, rows)

    from nnplay.engine.probe import plane_for

    plane = plane or plane_for(dataset, size, size)
    maps = grid_outputs(model, weights, plane)
    inputs = plane.points().T.reshape(-1, plane.rows, plane.cols)[:max_units]
    feature_names = tuple(dataset.feature_names[: inputs.shape[0]])
    rows.append(UnitPictures("inputs", "input", dataset.n_features, "plane", for_display(inputs, "linear"),
                             inputs, None, None, feature_names))
    for index, position in enumerate(positions):
        raw = maps.layers[position][:max_units]
        rows.append(layer_row(index, "plane", raw, for_display(raw, model.layers[position].activation)))
    return NetworkPictures(plane.description, rows)


def _class_order(dataset) -> str:
    names = dataset.class_names or ()
    if len(names) == 2:
        return f"{names[0]} above, {names[1]} below"
    return f"row by row in class order, {names[0]} first, {names[-1]} last" if names else "in data order"
