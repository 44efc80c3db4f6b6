"""Every backward step against central finite differences, in float64."""

from __future__ import annotations

import numpy as np
import pytest

from nnplay.engine.numpy_net import activations, losses
from nnplay.engine.numpy_net.layers import Dense, Dropout
from nnplay.engine.numpy_net.model import Sequential
from nnplay.engine.numpy_net.regularizers import L1L2

RNG = np.random.default_rng(0)
H = 1e-6


def numeric_gradient(f, x: np.ndarray) -> np.ndarray:
    """Central differences of the scalar f() with respect to every entry of x (changed in place)."""
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + H
        up = f()
        x[i] = old - H
        down = f()
        x[i] = old
        grad[i] = (up - down) / (2 * H)
    return grad


@pytest.mark.parametrize("name", ["linear", "sigmoid", "tanh", "relu", "softmax"])
def test_activation_backward_matches_finite_differences(name):
    act = activations.get(name)
    z = RNG.normal(size=(5, 4))
    z[np.abs(z) < 1e-3] = 0.5  # keep relu away from its kink
    weights = RNG.normal(size=z.shape)  # L = sum(weights * g(z)) makes dL/da = weights
    numeric = numeric_gradient(lambda: float(np.sum(weights * act.forward(z))), z)
    analytic = act.backward(z, act.forward(z), weights)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-8)


def _targets(name: str, n: int, units: int) -> np.ndarray:
    ids = RNG.integers(0, units, size=n)
    if name == "sparse_categorical_crossentropy":
        return ids
    if name == "binary_crossentropy":
        return RNG.integers(0, 2, size=(n, units)).astype(float)
    if name == "mean_squared_error":
        return RNG.normal(size=(n, units))
    return np.eye(units)[ids]


@pytest.mark.parametrize(
    "name", ["binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy", "mean_squared_error"]
)
def test_loss_gradient_wrt_outputs(name):
    loss = losses.get(name)
    units = 3
    y = _targets(name, 6, units)
    if name == "mean_squared_error":
        p = RNG.normal(size=(6, units))
    elif name == "binary_crossentropy":
        p = RNG.uniform(0.05, 0.95, size=(6, units))
    else:
        p = activations.softmax(RNG.normal(size=(6, units)))
    numeric = numeric_gradient(lambda: loss(y, p), p)
    if name in ("categorical_crossentropy", "sparse_categorical_crossentropy"):
        # Keras renormalises p before the log; the finite difference sees that, the
        # analytic gradient does not need to (it is applied only to softmax outputs, which sum
        # to one). Compare along directions that keep the row sums fixed.
        numeric = numeric - numeric.mean(axis=1, keepdims=True)
        analytic = loss.gradient(y, p)
        analytic = analytic - analytic.mean(axis=1, keepdims=True)
    else:
        analytic = loss.gradient(y, p)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-4, atol=1e-8)


@pytest.mark.parametrize("name,activation", [
    ("binary_crossentropy", "sigmoid"),
    ("categorical_crossentropy", "softmax"),
    ("sparse_categorical_crossentropy", "softmax"),
])
def test_cross_entropy_from_logits_value_and_gradient(name, activation):
    loss = losses.get(name)
    z = RNG.normal(size=(7, 3)) * 2
    y = _targets(name, 7, 3)
    act = activations.get(activation)
    # The logits form is the same number as the probability form (away from the clipping).
    assert loss.from_logits(y, z) == pytest.approx(loss(y, act.forward(z)), rel=1e-9)
    numeric = numeric_gradient(lambda: loss.from_logits(y, z), z)
    np.testing.assert_allclose(loss.logits_gradient(y, act.forward(z)), numeric, rtol=1e-5, atol=1e-9)


@pytest.mark.parametrize("l1,l2", [(0.01, 0.0), (0.0, 0.02), (0.03, 0.04)])
def test_penalty_gradient(l1, l2):
    penalty = L1L2(l1, l2)
    w = RNG.normal(size=(4, 3))
    grad = np.zeros_like(w)
    penalty.add_gradient(w, grad)
    np.testing.assert_allclose(grad, numeric_gradient(lambda: penalty.penalty(w), w), rtol=1e-5, atol=1e-9)
    assert penalty.penalty(w) == pytest.approx(l1 * np.abs(w).sum() + l2 * (w**2).sum())


@pytest.mark.parametrize("activation", ["linear", "sigmoid", "tanh", "relu"])
@pytest.mark.parametrize("use_bias", [True, False])
def test_dense_layer_gradients(activation, use_bias):
    x = RNG.normal(size=(5, 3))
    layer = Dense("d", RNG.normal(size=(3, 2)), RNG.normal(size=2) if use_bias else None, activation)
    upstream = RNG.normal(size=(5, 2))

    def scalar():
        return float(np.sum(upstream * layer.forward(x)))

    layer.forward(x)
    grad_x = layer.backward(upstream)
    np.testing.assert_allclose(layer.grad_kernel, numeric_gradient(scalar, layer.kernel), rtol=1e-5, atol=1e-8)
    if use_bias:
        np.testing.assert_allclose(layer.grad_bias, numeric_gradient(scalar, layer.bias), rtol=1e-5, atol=1e-8)
    np.testing.assert_allclose(grad_x, numeric_gradient(scalar, x), rtol=1e-5, atol=1e-8)


def test_dropout_gradient_uses_the_same_mask():
    layer = Dropout("drop", 0.4, np.random.default_rng(1))
    x = RNG.normal(size=(6, 5))
    upstream = RNG.normal(size=x.shape)
    out = layer.forward(x, training=True)
    mask = layer.mask
    grad = layer.backward(upstream)
    np.testing.assert_allclose(out, x * mask)
    np.testing.assert_allclose(grad, upstream * mask)


@pytest.mark.parametrize("loss_name,out_units,out_act", [
    ("binary_crossentropy", 1, "sigmoid"),
    ("categorical_crossentropy", 3, "softmax"),
    ("sparse_categorical_crossentropy", 3, "softmax"),
    ("mean_squared_error", 2, "linear"),
])
def test_whole_network_gradient_with_penalties(loss_name, out_units, out_act):
    """Two hidden layers, L1 and L2 on kernels and biases: backprop equals finite differences."""
    layers = [
        Dense("h1", RNG.normal(size=(3, 4)) * 0.5, RNG.normal(size=4) * 0.1, "tanh", L1L2(0.01, 0.02), L1L2(0.0, 0.03)),
        Dense("h2", RNG.normal(size=(4, 3)) * 0.5, RNG.normal(size=3) * 0.1, "sigmoid", L1L2(0.0, 0.01)),
        Dense("out", RNG.normal(size=(3, out_units)) * 0.5, None, out_act, L1L2(0.02, 0.0)),
    ]
    model = Sequential(layers, losses.get(loss_name))
    x = RNG.normal(size=(8, 3))
    y = _targets(loss_name, 8, out_units)
    if loss_name == "binary_crossentropy":
        y = y[:, :1]

    def total_loss():
        return model.data_loss(y, model.forward(x)) + model.penalty()

    model.backward(y, model.forward(x))
    for param, grad in zip(model.parameters, model.gradients, strict=True):
        np.testing.assert_allclose(grad, numeric_gradient(total_loss, param), rtol=1e-4, atol=1e-8)
