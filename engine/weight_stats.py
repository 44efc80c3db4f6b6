"""What a model's weights look like, layer by layer, and how they move while it trains.

A flat Keras-order weight list (``[kernel_0, bias_0, kernel_1, ...]``) is paired with the model's
dense layers (:func:`dense_weights`). For each layer's kernel this module measures the mean |w|, the
standard deviation and the range (:func:`layer_stats`) and counts a histogram on bins that are
symmetric about zero. :class:`WeightHistory` keeps the first snapshot of a run and one row of
statistics per epoch, so a view can draw the starting histogram beside the current one and the
trend of mean |w| as training goes.

A kernel with millions of weights (the malaria net's first layer has 9,000,000) is measured on an
evenly strided sample of at most :data:`SAMPLE_LIMIT` weights, so a snapshot costs a few
milliseconds however large the model; :attr:`LayerStats.every` says how sparse the sample was.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from nnplay.engine.probe import dense_positions, layer_weights
from nnplay.engine.spec import ModelSpec

SAMPLE_LIMIT = 200_000
BINS = 21


@dataclass(frozen=True)
class DenseWeights:
    """One dense layer's learned numbers: ``kernel`` is ``(fan_in, units)``, ``bias`` ``(units,)``."""

    name: str
    activation: str
    kernel: np.ndarray
    bias: np.ndarray | None

    @property
    def units(self) -> int:
        return int(self.kernel.shape[1])

    @property
    def fan_in(self) -> int:
        return int(self.kernel.shape[0])


def dense_weights(model: ModelSpec, weights: Sequence[np.ndarray]) -> list[DenseWeights]:
    """Pair a flat Keras-order weight list with the model's dense layers (dropout has none)."""
    names = model.layer_names()
    return [
        DenseWeights(names[position], model.layers[position].activation, np.asarray(kernel),
                     None if bias is None else np.asarray(bias))
        for position, (kernel, bias) in zip(dense_positions(model), layer_weights(model, weights), strict=True)
    ]


def sample(values: np.ndarray, limit: int = SAMPLE_LIMIT) -> tuple[np.ndarray, int]:
    """An evenly strided view of at most ``limit`` of ``values`` (flattened), and its stride."""
    flat = np.asarray(values).reshape(-1)
    every = max(1, math.ceil(flat.size / limit))
    return flat[::every], every


@dataclass(frozen=True)
class LayerStats:
    name: str
    count: int  # weights in the kernel
    mean_abs: float
    std: float
    low: float
    high: float
    every: int = 1  # measured on every ``every``-th weight (1: all of them)


def layer_stats(layer: DenseWeights) -> LayerStats:
    """Mean |w|, standard deviation and range of the layer's kernel."""
    values, every = sample(layer.kernel)
    values = values.astype(np.float64)
    return LayerStats(
        layer.name, int(layer.kernel.size), float(np.abs(values).mean()), float(values.std()),
        float(values.min()), float(values.max()), every,
    )


def symmetric_edges(arrays: Sequence[np.ndarray], bins: int = BINS) -> np.ndarray:
    """``bins`` equal bins over [-m, m], m the largest |w| in ``arrays`` (zero sits mid-bin when
    ``bins`` is odd, so the histogram's middle column is "about zero")."""
    limit = max((float(np.abs(a).max()) for a in arrays if a.size), default=0.0) or 1.0
    return np.linspace(-limit, limit, bins + 1)


def histogram(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """How many of ``values`` fall in each bin (values beyond the edges count in the end bins)."""
    clipped = np.clip(values, edges[0], edges[-1])
    counts, _ = np.histogram(clipped, bins=edges)
    return counts


@dataclass(frozen=True)
class LayerHistogram:
    name: str
    edges: np.ndarray
    start: np.ndarray  # counts of the run's first snapshot
    now: np.ndarray  # counts of the latest snapshot, on the same edges


@dataclass
class WeightHistory:
    """A run's weights over time: the first snapshot, the latest, and statistics per epoch."""

    model: ModelSpec
    start: list[np.ndarray] = field(default_factory=list)  # sampled kernels of the first snapshot
    latest: list[DenseWeights] = field(default_factory=list)
    epochs: list[int] = field(default_factory=list)  # epoch (0-based) of each row; -1: before training
    rows: list[list[LayerStats]] = field(default_factory=list)

    def update(self, weights: Sequence[np.ndarray], epoch: int = -1) -> None:
        """Record a snapshot taken after ``epoch`` (``-1``: the starting weights). A second
        snapshot of the same epoch replaces the first one's row."""
        layers = dense_weights(self.model, weights)
        if not self.start:
            self.start = [sample(layer.kernel)[0].copy() for layer in layers]
        self.latest = layers
        row = [layer_stats(layer) for layer in layers]
        if self.epochs and self.epochs[-1] == epoch:
            self.rows[-1] = row
        else:
            self.epochs.append(epoch)
            self.rows.append(row)

    @property
    def now(self) -> list[LayerStats]:
        return self.rows[-1] if self.rows else []

    @property
    def first(self) -> list[LayerStats]:
        return self.rows[0] if self.rows else []

    def trend(self, layer: int, key: str = "mean_abs") -> list[float]:
        """One number per recorded epoch for layer ``layer`` (``mean_abs``, ``std``, ...)."""
        return [getattr(row[layer], key) for row in self.rows]

    def histograms(self, bins: int = BINS) -> list[LayerHistogram]:
        """Each layer's start and current kernel histograms on shared, zero-centred bins."""
        out = []
        for start, layer in zip(self.start, self.latest, strict=True):
            now = sample(layer.kernel)[0]
            edges = symmetric_edges([start, now], bins)
            out.append(LayerHistogram(layer.name, edges, histogram(start, edges), histogram(now, edges)))
        return out
