"""Each unit's picture is that unit's activations: against a direct NumPy pass and against Keras."""

from __future__ import annotations

import numpy as np
import pytest

from nnplay.engine.data import load_data
from nnplay.engine.numpy_net.initializers import initial_weights
from nnplay.engine.presets import load_preset
from nnplay.engine.probe import image_shape, plane_for, reduce
from nnplay.engine.spec import validate_preset
from nnplay.engine.unit_maps import (
    for_display,
    kernel_images,
    network_pictures,
    sample_rows,
)


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def _trained_weights(preset, n_features, scale=3.0):
    """Starting weights made larger and biased, so every unit's map has structure to compare."""
    rng = np.random.default_rng(1)
    return [w * scale + rng.normal(scale=0.5, size=w.shape).astype(w.dtype) for w in initial_weights(preset, n_features)]


def test_each_tile_of_the_2_4_2_net_is_its_unit_over_the_plane():
    preset = load_preset("05-hidden-layer")
    data = load_data(preset.data)
    weights = _trained_weights(preset, 2)
    plane = plane_for(data, 24, 24)
    pictures = network_pictures(preset.model, weights, data, preset.data, plane=plane, size=24)
    inputs, hidden, output = pictures.rows
    assert pictures.description == "x1 across, x2 up"
    # Direct NumPy, written the lecture's way: [1:X]W(1), sigma, [1:H]W(2), softmax.
    grid = plane.points().astype(np.float64)
    w1 = np.vstack([weights[1], weights[0]])
    w2 = np.vstack([weights[3], weights[2]])
    h = _sigmoid(np.column_stack([np.ones(len(grid)), grid]) @ w1)
    z = np.column_stack([np.ones(len(grid)), h]) @ w2
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    for j in range(4):
        np.testing.assert_allclose(hidden.raw[j], h[:, j].reshape(24, 24), rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(hidden.maps[j], 2 * h[:, j].reshape(24, 24) - 1, rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(hidden.thumbnail(j, 8), reduce(hidden.maps[j], 3))
        np.testing.assert_array_equal(hidden.kernel[:, j], weights[0][:, j])
    np.testing.assert_allclose(output.raw[1], p[:, 1].reshape(24, 24), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(inputs.raw[0], grid[:, 0].reshape(24, 24))
    assert inputs.unit_names == ("x1", "x2")
    # a thumbnail pixel is the mean of its 3x3 block of the large map
    assert hidden.thumbnail(2, 8)[1, 2] == pytest.approx(hidden.maps[2][3:6, 6:9].mean())


def test_wide_layers_show_their_first_units_and_count_the_rest():
    preset = load_preset("12-playground-circles")
    data = load_data(preset.data)
    pictures = network_pictures(preset.model, initial_weights(preset, 2), data, preset.data, max_units=5, size=16)
    hidden = pictures.rows[1]
    assert (hidden.units, hidden.shown) == (16, 5)
    assert hidden.maps.shape == (5, 16, 16) and hidden.kernel.shape == (2, 5)
    assert hidden.raw.min() >= 0  # ReLU
    assert np.abs(hidden.maps).max() == pytest.approx(1.0)  # ReLU maps are scaled by their largest value


def test_wide_tables_are_drawn_on_their_pca_plane():
    preset = validate_preset({
        "preset": {"title": "iris"}, "data": {"source": "iris", "standardize": True},
        "model": {"loss": "sparse_categorical_crossentropy", "layers": [
            {"type": "dense", "units": 3, "activation": "tanh"},
            {"type": "dense", "units": 3, "activation": "softmax"}]},
    })
    data = load_data(preset.data)
    weights = _trained_weights(preset, 4)
    plane = plane_for(data, 16, 16)
    pictures = network_pictures(preset.model, weights, data, preset.data, plane=plane, size=16)
    assert pictures.description.startswith("PCA plane of the 4 inputs")
    hidden = pictures.rows[1]
    expected = np.tanh(plane.points() @ weights[0] + weights[1])
    np.testing.assert_allclose(hidden.raw[0], expected[:, 0].reshape(16, 16), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(hidden.maps, hidden.raw)  # tanh is already in [-1, 1]


def _digits_preset():
    return validate_preset({
        "preset": {"title": "digits"}, "data": {"source": "digits"},
        "model": {"loss": "sparse_categorical_crossentropy", "layers": [
            {"type": "dense", "units": 6, "activation": "relu"},
            {"type": "dropout", "rate": 0.2},
            {"type": "dense", "units": 10, "activation": "softmax"}]},
    })


def test_image_data_first_layer_units_are_their_kernel_as_an_image():
    preset = _digits_preset()
    data = load_data(preset.data)
    assert image_shape(preset.data) == (8, 8, 1)
    weights = _trained_weights(preset, 64)
    pictures = network_pictures(preset.model, weights, data, preset.data, size=40)
    first, second = pictures.rows
    assert first.kind == "kernel" and first.maps.shape == (6, 40, 40)
    for j in range(6):
        image = weights[0][:, j].reshape(8, 8)
        np.testing.assert_allclose(first.raw[j][::5, ::5], image, rtol=1e-6)  # each pixel repeated 5x5
        np.testing.assert_allclose(first.thumbnail(j, 8), first.raw[j][::5, ::5] / np.abs(image).max(), rtol=1e-5)
    # deeper units: their outputs on 64 test images, class by class
    picked = sample_rows(data.y_test)
    assert second.kind == "samples" and second.raw.shape == (10, 8, 8)
    assert list(data.y_test[picked]) == sorted(data.y_test[picked])
    hidden = np.maximum(data.x_test[picked] @ weights[0] + weights[1], 0)
    z = hidden @ weights[2] + weights[3]
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(second.raw[3].ravel(), p[:, 3], rtol=1e-4, atol=1e-6)


def test_colour_kernel_images_average_the_channels_and_keep_the_image_shape():
    kernel = np.arange(18 * 4, dtype=np.float64).reshape(18, 4)  # a 2x3 RGB image per unit
    images = kernel_images(kernel, (2, 3, 3))
    assert images.shape == (4, 2, 3)
    np.testing.assert_allclose(images[1, 0, 2], kernel[[6, 7, 8], 1].mean())  # pixel (0, 2): values 6, 7, 8


def test_for_display_scales():
    np.testing.assert_allclose(for_display(np.array([[[0.0, 0.5, 1.0]]]), "sigmoid"), [[[-1, 0, 1]]])
    np.testing.assert_allclose(for_display(np.array([[[0.0, 2.0, 4.0]]]), "relu"), [[[0, 0.5, 1]]])
    np.testing.assert_allclose(for_display(np.zeros((1, 1, 3)), "relu"), np.zeros((1, 1, 3)))


@pytest.mark.slow
def test_tiles_match_the_keras_model_s_own_layer_outputs():
    import keras

    from nnplay.engine.run import prepare, run

    preset = load_preset("12-playground-circles").with_changes("train.engine", "keras").with_changes("train.epochs", 2)
    report = run(prepare(preset))
    data = load_data(preset.data)
    plane = plane_for(data, 16, 16)
    pictures = network_pictures(preset.model, report.trainer.get_weights(), data, preset.data, plane=plane,
                                max_units=16, size=16)
    model = report.trainer.model
    probe = keras.Model(model.inputs, [layer.output for layer in model.layers])
    outputs = probe(plane.points().astype(np.float32))
    hidden, output = np.asarray(outputs[0]), np.asarray(outputs[1])
    for j in range(16):
        np.testing.assert_allclose(pictures.rows[1].raw[j], hidden[:, j].reshape(16, 16), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(pictures.rows[2].raw[1], output[:, 1].reshape(16, 16), rtol=1e-4, atol=1e-5)


def test_feature_inputs_get_a_tile_each_on_the_x1_x2_plane():
    preset = load_preset("12-playground-circles").with_changes("data.inputs", ["x1", "x2", "x1^2", "x2^2"])
    data = load_data(preset.data)
    plane = plane_for(data, 16, 16)
    pictures = network_pictures(preset.model, initial_weights(preset, 4), data, preset.data, plane=plane, size=16)
    inputs = pictures.rows[0]
    assert inputs.unit_names == ("x1", "x2", "x1^2", "x2^2")
    uv = plane.plane_points()
    np.testing.assert_allclose(inputs.raw[2], (uv[:, 0] ** 2).reshape(16, 16), rtol=1e-6)
    np.testing.assert_allclose(inputs.raw[3], (uv[:, 1] ** 2).reshape(16, 16), rtol=1e-6)
    assert pictures.rows[1].kernel.shape[0] == 4  # the hidden units see the four inputs
