"""The loss surface: the exact training loss over a plane of two weights, and where it is lowest.

For the lecture's one-neuron models (presets 1-3: beta1, beta2 and no bias) the plane holds every
weight the model has, and an optimiser's path is a walk on it. For a larger model the plane is a
slice through two weights of the student's choosing, every other weight held at its current value.

The loss is the one training minimises: the preset's loss with its penalties, averaged over the
training rows as Keras averages it. The whole grid is evaluated at once: the layers before the
first moved weight run once, and from there each grid point is one model of a stack (NumPy
broadcasts the stack through the remaining layers); a moved kernel entry w_ij only shifts the
logit z_j by (w - w_ij) x_i, so no kernel is ever copied per grid point.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from nnplay.engine.numpy_net.layers import Dense
from nnplay.engine.numpy_net.model import Sequential
from nnplay.engine.spec import LogisticData, Preset
from nnplay.engine.training import validation_split
from nnplay.engine.weight_layout import WeightLayout

GRID = (120, 60)  # grid points along the first and the second weight
STACK_NUMBERS = 1 << 18  # numbers per layer output in one piece of a stack: small enough to stay in cache


@dataclass(frozen=True)
class WeightRef:
    """One number among a model's weights: which array (Keras order) and where in it."""

    tensor: int
    index: tuple[int, ...]
    name: str

    def of(self, weights: Sequence[np.ndarray]) -> float:
        return float(np.asarray(weights[self.tensor])[self.index])


def weight_refs(preset: Preset, n_features: int) -> list[WeightRef]:
    """Every trainable number of the preset's model, named as a student reads it: beta1, beta2 ...
    for a single unit without bias (the lecture's logistic regression), else ``dense.kernel[0,1]``,
    ``dense.bias[1]``."""
    if is_regression_unit(preset):
        return [WeightRef(0, (i, 0), f"β{i + 1}") for i in range(n_features)]
    names = preset.model.layer_names()
    refs: list[WeightRef] = []
    for slot in WeightLayout.of(preset.model, n_features).slots:
        name = names[slot.position]
        refs += [WeightRef(slot.kernel, (i, j), f"{name}.kernel[{i},{j}]")
                 for i in range(slot.fan_in or 0) for j in range(slot.units)]
        if slot.bias is not None:
            refs += [WeightRef(slot.bias, (j,), f"{name}.bias[{j}]") for j in range(slot.units)]
    return refs


def is_regression_unit(preset: Preset) -> bool:
    """A single dense unit without bias: the lecture's p = g(X beta), whose weights are beta."""
    dense = preset.model.dense_layers
    return len(dense) == 1 and dense[0].units == 1 and not dense[0].use_bias


def true_beta(preset: Preset, n_features: int) -> tuple[float, ...] | None:
    """The coefficients the data were drawn with, when the model is the very model that drew them
    (logistic data without intercept, one sigmoid unit without bias); else ``None``."""
    data = preset.data
    if not (isinstance(data, LogisticData) and data.intercept == 0 and is_regression_unit(preset)):
        return None
    if preset.model.output_activation != "sigmoid" or data.features != n_features:
        return None
    return tuple(data.beta) if data.beta is not None else tuple(float(i) for i in range(1, n_features + 1))


@dataclass(frozen=True)
class Surface:
    """The loss on a grid: ``loss[r, c]`` is at ``u = us[c]``, ``v = vs[r]`` (both increasing)."""

    u: WeightRef
    v: WeightRef
    us: np.ndarray
    vs: np.ndarray
    loss: np.ndarray
    minimum: tuple[float, float]  # the grid's lowest point, refined between grid lines
    minimum_loss: float
    sliced: bool  # other weights were held at their values (a slice of a larger model)

    @property
    def extent(self) -> tuple[float, float, float, float]:
        return float(self.us[0]), float(self.us[-1]), float(self.vs[0]), float(self.vs[-1])


class LossSurface:
    """Evaluates the training loss of a preset's model with two of its weights moved."""

    def __init__(self, preset: Preset, x_train: np.ndarray, y_train: np.ndarray) -> None:
        """``x_train``/``y_train``: the encoded rows given to ``fit``; the validation rows are
        split off here exactly as the trainers split them."""
        x, y, _, _ = validation_split(np.asarray(x_train), np.asarray(y_train), preset.train.validation_split)
        self.preset = preset
        self.x = x.astype(np.float64)
        self.y = y.astype(np.float64) if np.issubdtype(y.dtype, np.floating) else y
        self.n_features = x.shape[1]
        self.refs = weight_refs(preset, self.n_features)

    @property
    def sliced(self) -> bool:
        return len(self.refs) > 2

    def model(self, weights: Sequence[np.ndarray]) -> Sequential:
        # Float64 whatever the preset trains in; dropout is off outside training, so no generator.
        return Sequential.from_preset(self.preset, [np.asarray(w, dtype=np.float64) for w in weights], None)  # type: ignore[arg-type]

    def losses(self, weights: Sequence[np.ndarray], u: WeightRef, v: WeightRef,
               u_values: np.ndarray, v_values: np.ndarray) -> np.ndarray:
        """The loss with weight ``u`` set to each of ``u_values`` and ``v`` to the matching
        ``v_values`` (arrays of one shape), every other weight as in ``weights``."""
        model = self.model(weights)
        u_values, v_values = np.broadcast_arrays(np.asarray(u_values, np.float64), np.asarray(v_values, np.float64))
        du, dv = (u_values - u.of(weights)).ravel(), (v_values - v.of(weights)).ravel()
        widest = max(layer.kernel.shape[1] for layer in model.layers if isinstance(layer, Dense))
        chunk = max(16, STACK_NUMBERS // (len(self.x) * widest))
        out = np.concatenate([
            self._stack(model, ((u, du[start:start + chunk]), (v, dv[start:start + chunk])))
            for start in range(0, len(du), chunk)
        ])
        return out.reshape(u_values.shape)

    def loss_at(self, weights: Sequence[np.ndarray]) -> float:
        """The training loss at ``weights`` themselves."""
        u, v = self.refs[0], self.refs[1]
        return float(self.losses(weights, u, v, np.array([u.of(weights)]), np.array([v.of(weights)]))[0])

    def _stack(self, model: Sequential, moves: tuple[tuple[WeightRef, np.ndarray], ...]) -> np.ndarray:
        """The loss of each model of the stack whose weights are ``model``'s plus the ``moves``."""
        size = len(moves[0][1])
        where = _tensor_owners(self.preset, model)
        a: np.ndarray = self.x
        z = a
        penalty = np.full(size, model.penalty())
        dense = [layer for layer in model.layers if isinstance(layer, Dense)]  # dropout is off here
        for layer in dense:
            # z = a W + b: one for all, or one per model once something moved (as one matrix product)
            z = (a.reshape(-1, a.shape[-1]) @ layer.kernel).reshape(a.shape[:-1] + layer.kernel.shape[1:])
            if layer.bias is not None:
                z += layer.bias
            for ref, delta in moves:
                owner, part = where[ref.tensor]
                if owner is not layer:
                    continue
                if z.ndim == 2:
                    z = np.repeat(z[None], size, axis=0)
                j = ref.index[-1]
                # Moving w_ij by d shifts z_j by d x_i; moving the bias b_j shifts it by d.
                z[..., j] += delta[:, None] * a[..., ref.index[0]] if part == "kernel" else delta[:, None]
                rule = layer.kernel_penalty if part == "kernel" else layer.bias_penalty
                if rule is not None:
                    start = float(getattr(layer, part)[ref.index])
                    penalty += rule.terms(start + delta) - rule.terms(np.float64(start))
            if layer is not dense[-1] or not model.fused:  # a fused loss reads the logits only
                a = layer.activation.forward(z)
        return model.data_losses(self.y, a, z) + penalty

    def compute(self, weights: Sequence[np.ndarray], u: WeightRef, v: WeightRef, *,
                size: tuple[int, int] = GRID, extent: tuple[float, float, float, float] | None = None,
                include: Sequence[tuple[float, float]] = ()) -> Surface:
        """The loss over a ``size`` grid. Without an ``extent`` the grid frames the current point,
        the ``include`` points (say the data's true beta) and the lowest point a coarse look finds,
        with the same scale on both axes (a terminal's half-block pixels are about square)."""
        here = (u.of(weights), v.of(weights))
        if extent is None:
            coarse = self._coarse_minimum(weights, u, v, [here, *include])
            extent = _frame([here, *include, coarse], size)
        u0, u1, v0, v1 = extent
        us, vs = np.linspace(u0, u1, size[0]), np.linspace(v0, v1, size[1])
        grid_u, grid_v = np.meshgrid(us, vs)
        loss = self.losses(weights, u, v, grid_u, grid_v)
        row, col = np.unravel_index(int(np.nanargmin(loss)), loss.shape)
        best = self._refine(weights, u, v, (us[col], vs[row]), (us[1] - us[0], vs[1] - vs[0]))
        best_loss = float(self.losses(weights, u, v, np.array([best[0]]), np.array([best[1]]))[0])
        return Surface(u, v, us, vs, loss, best, best_loss, self.sliced)

    def _coarse_minimum(self, weights, u, v, points) -> tuple[float, float]:
        points = np.asarray(points, dtype=np.float64)
        centre = points.mean(axis=0)
        half = max(3.0, 1.5 * float(np.ptp(points, axis=0).max()))
        us, vs = np.linspace(centre[0] - half, centre[0] + half, 31), np.linspace(centre[1] - half, centre[1] + half, 31)
        grid_u, grid_v = np.meshgrid(us, vs)
        loss = self.losses(weights, u, v, grid_u, grid_v)
        row, col = np.unravel_index(int(np.nanargmin(loss)), loss.shape)
        return float(us[col]), float(vs[row])

    def _refine(self, weights, u, v, best, cell, rounds: int = 3) -> tuple[float, float]:
        """Zoom in around the best grid point: 11x11 points over one cell each way, three times."""
        (bu, bv), (cu, cv) = best, cell
        for _ in range(rounds):
            us, vs = np.linspace(bu - cu, bu + cu, 11), np.linspace(bv - cv, bv + cv, 11)
            grid_u, grid_v = np.meshgrid(us, vs)
            loss = self.losses(weights, u, v, grid_u, grid_v)
            row, col = np.unravel_index(int(np.nanargmin(loss)), loss.shape)
            bu, bv, cu, cv = float(us[col]), float(vs[row]), cu / 5, cv / 5
        return bu, bv


def _tensor_owners(preset: Preset, model: Sequential) -> dict[int, tuple[Dense, str]]:
    """Which layer holds each weight array (Keras order) and as what: kernel or bias."""
    owners = WeightLayout.of(preset.model).owners()
    return {index: (model.layers[slot.position], part) for index, (slot, part) in enumerate(owners)}  # type: ignore[misc]


def _frame(points: Sequence[tuple[float, float]], size: tuple[int, int], pad: float = 0.3,
           least: float = 1.0) -> tuple[float, float, float, float]:
    """A box around ``points`` with a margin, at least ``least`` wide, scaled alike on both axes."""
    p = np.asarray(points, dtype=np.float64)
    low, high = p.min(axis=0), p.max(axis=0)
    span = np.maximum(high - low, least) * (1 + 2 * pad)
    per_point = max(span[0] / size[0], span[1] / size[1])  # one scale for both axes
    span = np.array([per_point * size[0], per_point * size[1]])
    centre = (low + high) / 2
    return (float(centre[0] - span[0] / 2), float(centre[0] + span[0] / 2),
            float(centre[1] - span[1] / 2), float(centre[1] + span[1] / 2))
