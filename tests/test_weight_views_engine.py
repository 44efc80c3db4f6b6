"""The numbers behind the Weights view: the lecture's formula, the matrices, the weight statistics."""

from __future__ import annotations

import numpy as np
import pytest

from nnplay.engine import formula
from nnplay.engine.numpy_net.initializers import initial_weights
from nnplay.engine.presets import load_preset
from nnplay.engine.run import prepare, run
from nnplay.engine.weight_stats import (
    DenseWeights,
    WeightHistory,
    dense_weights,
    histogram,
    layer_stats,
    sample,
    symmetric_edges,
)


def test_symbolic_formula_is_the_lecture_s():
    assert formula.symbolic(load_preset("05-hidden-layer").model) == "p̂ = softmax{[1:σ([1:X]W⁽¹⁾)]W⁽²⁾}"
    assert formula.symbolic(load_preset("01-logistic-gd").model) == "p̂ = σ(XW⁽¹⁾)"
    assert formula.symbolic(load_preset("04-softmax").model) == "p̂ = softmax(XW⁽¹⁾)"
    assert formula.symbolic(load_preset("12-playground-circles").model) == "p̂ = softmax{[1:ReLU([1:X]W⁽¹⁾)]W⁽²⁾}"


def test_preset_1_formula_carries_the_run_s_beta_hat_near_the_true_beta():
    report = run(prepare(load_preset("01-logistic-gd")))
    layers = dense_weights(report.preset.model, report.trainer.get_weights())
    beta_hat = layers[0].kernel.ravel()
    np.testing.assert_allclose(beta_hat, [1.0, 2.0], atol=0.25)  # test_presets.py's tolerance
    written = formula.with_numbers(layers, ("x1", "x2"))
    assert written == f"p̂ = σ({beta_hat[0]:.2f}·x1 + {beta_hat[1]:.2f}·x2)"
    assert formula.true_coefficients(report.preset.data) == formula.TrueCoefficients((1.0, 2.0), 0.0)


def test_preset_4_two_softmax_units_are_the_sigmoid_of_their_difference():
    report = run(prepare(load_preset("04-softmax")))
    layers = dense_weights(report.preset.model, report.trainer.get_weights())
    difference = layers[0].kernel[:, 1] - layers[0].kernel[:, 0]
    np.testing.assert_allclose(difference, [1.0, 2.0], atol=0.3)  # test_presets.py's tolerance
    assert formula.with_numbers(layers) == f"p̂₂ = σ({difference[0]:.2f}·x1 + {difference[1]:.2f}·x2)"
    # and it is the same probability: softmax's second column equals the sigmoid of the difference
    x = np.array([[0.3, -1.2], [2.0, 0.5]])
    z = x @ layers[0].kernel
    softmax = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(softmax[:, 1], 1 / (1 + np.exp(-(x @ difference))), rtol=1e-5)


def test_with_numbers_writes_bias_and_signs_and_refuses_wider_models():
    unit = DenseWeights("d", "linear", np.array([[0.5], [-1.25]]), np.array([-0.3]))
    assert formula.with_numbers([unit]) == "ŷ = -0.30 + 0.50·x1 - 1.25·x2"
    three = DenseWeights("d", "softmax", np.zeros((2, 3)), None)
    assert formula.with_numbers([three]) is None
    hidden = DenseWeights("d", "sigmoid", np.zeros((2, 4)), np.zeros(4))
    assert formula.with_numbers([hidden, unit]) is None


def test_augmented_matrix_puts_the_biases_on_top_as_the_lecture_does():
    preset = load_preset("05-hidden-layer")
    weights = initial_weights(preset, 2)
    weights[1] = np.arange(4, dtype=np.float32)  # recognisable biases
    first, second = dense_weights(preset.model, weights)
    matrix = formula.augmented(first, 1, ("x1", "x2"))
    assert matrix.name == "W⁽¹⁾" and matrix.rows == ("1", "x1", "x2")
    np.testing.assert_array_equal(matrix.values[0], [0, 1, 2, 3])
    np.testing.assert_array_equal(matrix.values[1:], weights[0])
    assert formula.augmented(second, 2).rows == ("1", "h1", "h2", "h3", "h4")
    assert formula.is_small(preset.model, 2)
    assert not formula.is_small(load_preset("12-playground-circles").model, 2)


def test_true_coefficients_only_for_the_logistic_source():
    assert formula.true_coefficients(load_preset("12-playground-circles").data) is None
    raw = load_preset("01-logistic-gd").to_dict()
    raw["data"].pop("beta")
    raw["data"]["features"] = 3
    from nnplay.engine.spec import validate_preset

    assert formula.true_coefficients(validate_preset(raw).data).beta == (1.0, 2.0, 3.0)


def test_layer_stats_and_histogram_against_numpy():
    rng = np.random.default_rng(0)
    kernel = rng.normal(size=(30, 20))
    stats = layer_stats(DenseWeights("d", "relu", kernel, None))
    assert stats.count == 600 and stats.every == 1
    assert stats.mean_abs == pytest.approx(np.abs(kernel).mean())
    assert stats.std == pytest.approx(kernel.std())
    assert (stats.low, stats.high) == (kernel.min(), kernel.max())
    edges = symmetric_edges([kernel], bins=5)
    assert edges[0] == -edges[-1] == -np.abs(kernel).max()
    counts = histogram(kernel.ravel(), edges)
    assert counts.sum() == kernel.size
    np.testing.assert_array_equal(counts, np.histogram(kernel, bins=edges)[0])


def test_a_huge_kernel_is_measured_on_a_strided_sample():
    kernel = np.linspace(-1, 1, 1_000_000, dtype=np.float32).reshape(1000, 1000)
    values, every = sample(kernel, limit=100_000)
    assert every == 10 and values.size == 100_000
    stats = layer_stats(DenseWeights("d", "relu", kernel, None))
    assert stats.count == 1_000_000 and stats.every == 5
    assert stats.mean_abs == pytest.approx(0.5, abs=1e-3)


def test_history_keeps_the_start_and_one_row_per_epoch():
    preset = load_preset("12-playground-circles")
    start = initial_weights(preset, 2)
    history = WeightHistory(preset.model)
    history.update(start, -1)
    grown = [w * 2 for w in start]
    history.update(grown, 0)
    history.update(grown, 0)  # a second snapshot of the same epoch replaces the row
    history.update([w * 3 for w in start], 1)
    assert history.epochs == [-1, 0, 1]
    first_mean = np.abs(start[0]).mean()
    np.testing.assert_allclose(history.trend(0), [first_mean, 2 * first_mean, 3 * first_mean], rtol=1e-6)
    hist = history.histograms(bins=7)[0]
    assert hist.start.sum() == hist.now.sum() == start[0].size
    assert hist.edges[-1] == pytest.approx(3 * np.abs(start[0]).max())
    # the start's weights crowd the middle bins of the wider, current range
    assert hist.start[[0, -1]].sum() == 0 and hist.now[[0, -1]].sum() > 0
