"""Looking inside a model: every layer's output, over the data's rows or over a plane of points.

This is what the views that show the network draw from. Everything is computed with NumPy from a
flat list of weights in Keras's order (``[kernel_0, bias_0, kernel_1, ...]``; a dense layer without
bias gives only its kernel), so it works the same for both engines and never calls Keras:

* :func:`layer_outputs`: each layer's output for rows ``x`` (after its activation; dropout passes
  its input through, as it does at prediction time).
* :class:`Plane` and :func:`plane_for`: a grid of points over the data's input plane, as TensorFlow
  Playground draws it. A data set with two features is drawn in those two (``x1``, ``x2``); with
  feature inputs (``[data] inputs``) the plane is still ``x1``, ``x2`` and each grid point is
  expanded to the inputs the network sees. A data set with more than two features is drawn in its
  **PCA plane**: the two directions along which the training rows vary most, through their mean;
  a grid point ``(u, v)`` stands for the input ``mean + u * axis_1 + v * axis_2``.
* :func:`grid_outputs`: one forward pass over the plane's points that keeps every layer, so one
  pass feeds the big map and every unit's thumbnail; :func:`reduce` block-averages a map into a
  thumbnail (TF Playground's ``reduceMatrix``).
* :func:`output_field`: what the output means on the plane: p(class 1) for two classes, the
  winning class and its probability for more, the predicted value for a regression.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from nnplay.engine.data.source import chunks
from nnplay.engine.features import expand
from nnplay.engine.numpy_net import activations
from nnplay.engine.spec import DenseLayer, ModelSpec
from nnplay.engine.weight_layout import WeightLayout

# --------------------------------------------------------------------------------------------
# Every layer's output


def layer_outputs(model: ModelSpec, weights: Sequence[np.ndarray], x: np.ndarray) -> list[np.ndarray]:
    """Each layer's output for rows ``x``, one array ``(n, units)`` per layer of ``model.layers``.

    The last entry is the model's prediction (the same numbers as ``Trainer.predict``).
    """
    a = np.asarray(x, dtype=np.asarray(weights[0]).dtype)
    dense = iter(layer_weights(model, weights))
    outputs = []
    for layer in model.layers:
        if isinstance(layer, DenseLayer):
            kernel, bias = next(dense)
            z = a @ kernel  # z = X W + b
            if bias is not None:
                z = z + bias
            a = activations.get(layer.activation).forward(z)  # a = g(z)
        outputs.append(a)  # dropout: the identity at prediction time
    return outputs


def dense_positions(model: ModelSpec) -> list[int]:
    """Indexes into ``model.layers`` (and :func:`layer_outputs`) of the dense layers."""
    return [i for i, layer in enumerate(model.layers) if isinstance(layer, DenseLayer)]


def layer_weights(model: ModelSpec, weights: Sequence[np.ndarray]) -> list[tuple[np.ndarray, np.ndarray | None]]:
    """``(kernel, bias or None)`` for each dense layer, from the flat Keras-order list."""
    return WeightLayout.of(model).split(weights)


# --------------------------------------------------------------------------------------------
# The plane the pictures are drawn on

PlaneKind = Literal["features", "pca"]


@dataclass(frozen=True, eq=False)
class Plane:
    """A ``cols`` x ``rows`` grid of pixels over the rectangle ``x_range`` x ``y_range`` of a 2-D
    plane. Pixel ``(row, col)`` is the point at the centre of its cell; row 0 is the top (largest
    second coordinate), as a picture is drawn.

    ``kind`` says what the two axes are: ``"features"``, the data's two columns (``axis_names``
    ``x1``, ``x2``), or ``"pca"``, the first two principal axes of the training inputs, with
    ``origin`` their mean and ``axes`` the two unit directions (rows of a ``(2, d)`` array).
    ``inputs`` names the feature inputs computed from the two columns (``None``: none).
    """

    x_range: tuple[float, float]
    y_range: tuple[float, float]
    cols: int
    rows: int
    kind: PlaneKind = "features"
    axis_names: tuple[str, str] = ("x1", "x2")
    inputs: tuple[str, ...] | None = None
    origin: np.ndarray | None = None
    axes: np.ndarray | None = None
    explained: float | None = None  # PCA: the share of the inputs' variance the plane shows

    @property
    def description(self) -> str:
        """One line that says what the picture's axes are."""
        if self.kind == "pca":
            share = f", {self.explained:.0%} of their variance" if self.explained is not None else ""
            return f"PCA plane of the {self.origin.shape[0]} inputs (PC1 across, PC2 up{share})"
        if self.inputs is not None:
            return f"x1 across, x2 up; the network sees {', '.join(self.inputs)}"
        return f"{self.axis_names[0]} across, {self.axis_names[1]} up"

    def resized(self, cols: int, rows: int) -> Plane:
        """The same rectangle at another resolution."""
        from dataclasses import replace

        return replace(self, cols=cols, rows=rows)

    def coordinates(self) -> tuple[np.ndarray, np.ndarray]:
        """The pixel centres: ``(cols,)`` first coordinates left to right, ``(rows,)`` second
        coordinates top to bottom."""
        (x0, x1), (y0, y1) = self.x_range, self.y_range
        dx, dy = (x1 - x0) / self.cols, (y1 - y0) / self.rows
        return x0 + dx * (np.arange(self.cols) + 0.5), y1 - dy * (np.arange(self.rows) + 0.5)

    def plane_points(self) -> np.ndarray:
        """``(rows * cols, 2)`` plane coordinates, row by row from the top left."""
        xs, ys = self.coordinates()
        gx, gy = np.meshgrid(xs, ys)
        return np.column_stack([gx.ravel(), gy.ravel()])

    def to_inputs(self, uv: np.ndarray) -> np.ndarray:
        """Plane coordinates ``(n, 2)`` as the model's inputs ``(n, features)``."""
        if self.kind == "pca":
            return self.origin + uv @ self.axes
        return expand(uv, self.inputs)

    def points(self) -> np.ndarray:
        """The grid's model inputs, ``(rows * cols, features)``: what :func:`grid_outputs` feeds."""
        return self.to_inputs(self.plane_points())

    def project(self, rows: np.ndarray) -> np.ndarray:
        """Data rows (in the plane's source columns, or the full inputs for a PCA plane) as plane
        coordinates ``(n, 2)``."""
        rows = np.asarray(rows, dtype=np.float64)
        if self.kind == "pca":
            return (rows - self.origin) @ self.axes.T
        return rows[:, :2]

    def pixels(self, uv: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(row, col)`` pixel indexes of plane coordinates, clipped to the grid."""
        (x0, x1), (y0, y1) = self.x_range, self.y_range
        col = np.floor((uv[:, 0] - x0) / (x1 - x0) * self.cols).astype(np.int64)
        row = np.floor((y1 - uv[:, 1]) / (y1 - y0) * self.rows).astype(np.int64)
        return np.clip(row, 0, self.rows - 1), np.clip(col, 0, self.cols - 1)


def _padded(low: float, high: float, margin: float) -> tuple[float, float]:
    span = max(high - low, 1e-6)
    return float(low - margin * span), float(high + margin * span)


def _pca(x: np.ndarray, max_rows: int = 2000) -> tuple[np.ndarray, np.ndarray, float]:
    """Mean, the two leading principal axes ``(2, d)`` and the variance share they explain."""
    sample = np.asarray(x[:max_rows], dtype=np.float64)
    mean = sample.mean(axis=0)
    _, s, vt = np.linalg.svd(sample - mean, full_matrices=False)
    axes = np.zeros((2, sample.shape[1]))
    axes[: min(2, len(vt))] = vt[:2]
    total = float(np.sum(s * s))
    return mean, axes, float(np.sum(s[:2] ** 2) / total) if total > 0 else 1.0


def plane_for(dataset, cols: int, rows: int, margin: float = 0.1) -> Plane:
    """The plane that covers ``dataset``'s training and test rows with ``margin`` (a share of each
    side's span) around them, at ``cols`` x ``rows`` pixels."""
    train, test = dataset.plane_train, dataset.plane_test
    if train.shape[1] == 2:
        rows_2d = np.concatenate([train, test]) if len(test) else train
        inputs = dataset.feature_names if dataset.source_columns is not None else None
        names = ("x1", "x2") if inputs is not None else tuple(dataset.feature_names[:2])
        return Plane(
            _padded(float(rows_2d[:, 0].min()), float(rows_2d[:, 0].max()), margin),
            _padded(float(rows_2d[:, 1].min()), float(rows_2d[:, 1].max()), margin),
            cols, rows, "features", names, inputs,
        )
    if train.shape[1] < 2:
        values = train[:, 0]
        return Plane(_padded(float(values.min()), float(values.max()), margin), (-1.0, 1.0), cols, rows,
                     "features", (dataset.feature_names[0], ""), None)
    mean, axes, explained = _pca(train)
    # A block at a time: image rows may be streamed from disk, too many to hold as float64.
    uv = np.concatenate([(block.astype(np.float64) - mean) @ axes.T for block in chunks(train)])
    return Plane(
        _padded(float(uv[:, 0].min()), float(uv[:, 0].max()), margin),
        _padded(float(uv[:, 1].min()), float(uv[:, 1].max()), margin),
        cols, rows, "pca", ("PC1", "PC2"), None, mean, axes, explained,
    )


def image_shape(data_spec) -> tuple[int, int, int] | None:
    """``(height, width, channels)`` of an image data set's rows, ``None`` for other data."""
    if data_spec.source == "digits":
        return (8, 8, 1)
    size = getattr(data_spec, "image_size", None)
    if size is None:
        return None
    return (size, size, 3 if data_spec.color_mode == "rgb" else 1)


# --------------------------------------------------------------------------------------------
# One pass over the grid


@dataclass(frozen=True, eq=False)
class GridMaps:
    """Every layer's output over a plane: ``layers[i]`` is ``(units, rows, cols)`` for layer ``i``
    of the model (so ``layers[i][j]`` is unit ``j``'s map); the last is the model's output."""

    plane: Plane
    layers: list[np.ndarray] = field(default_factory=list)

    @property
    def output(self) -> np.ndarray:
        return self.layers[-1]

    def unit(self, layer: int, unit: int) -> np.ndarray:
        return self.layers[layer][unit]


def grid_outputs(model: ModelSpec, weights: Sequence[np.ndarray], plane: Plane) -> GridMaps:
    """One forward pass over ``plane``'s points that keeps every layer's output as maps."""
    outputs = layer_outputs(model, weights, plane.points())
    shape = (plane.rows, plane.cols)
    return GridMaps(plane, [np.moveaxis(out.reshape(*shape, -1), -1, 0) for out in outputs])


def reduce(grid: np.ndarray, k: int) -> np.ndarray:
    """The ``k`` x ``k`` block averages of a 2-D map (edge blocks average what is left)."""
    if k <= 1:
        return grid
    rows = np.arange(0, grid.shape[0], k)
    cols = np.arange(0, grid.shape[1], k)
    sums = np.add.reduceat(np.add.reduceat(grid, rows, axis=0), cols, axis=1)
    counts = np.outer(np.diff(np.append(rows, grid.shape[0])), np.diff(np.append(cols, grid.shape[1])))
    return sums / counts


# --------------------------------------------------------------------------------------------
# What the output means on the plane

FieldKind = Literal["binary", "classes", "regression"]


@dataclass(frozen=True, eq=False)
class OutputField:
    """The model's answer at each pixel, ``(rows, cols)`` arrays.

    ``binary``: ``value`` is p(class 1); ``classes``: ``value`` is the winning class's probability
    and ``classes`` its id; ``regression``: ``value`` is the prediction (the first output unit).
    ``classes`` is the predicted class for both classifier kinds (``predicted_classes``'s rule).
    """

    kind: FieldKind
    value: np.ndarray
    classes: np.ndarray | None
    n_classes: int | None


def output_field(output: np.ndarray, *, is_regression: bool) -> OutputField:
    """Read an output map ``(units, rows, cols)`` (``GridMaps.output``)."""
    if is_regression:
        return OutputField("regression", output[0], None, None)
    if output.shape[0] == 1:
        p = output[0]
        return OutputField("binary", p, (p > 0.5).astype(np.int64), 2)
    winner = np.argmax(output, axis=0)
    if output.shape[0] == 2:
        return OutputField("binary", output[1], winner, 2)
    return OutputField("classes", np.max(output, axis=0), winner, output.shape[0])
