"""Looking inside the network: layer outputs, the plane, the grid, and the feature inputs.

The pictures must show the model's own numbers: the grid's output equals the trainer's prediction
(NumPy) and the Keras model's own call on the grid (slow), each unit's map equals that unit's
activations, and a grid point's pixel is where the plane says it is.
"""

from __future__ import annotations

import csv

import numpy as np
import pytest

from nnplay.engine.data import load_data
from nnplay.engine.errors import DataError, SpecError
from nnplay.engine.features import INPUT_NAMES, expand
from nnplay.engine.numpy_net.trainer import NumpyTrainer
from nnplay.engine.presets import load_preset
from nnplay.engine.probe import (
    Plane,
    dense_positions,
    grid_outputs,
    image_shape,
    layer_outputs,
    layer_weights,
    output_field,
    plane_for,
    reduce,
)
from nnplay.engine.run import prepare, run
from nnplay.engine.spec import validate_preset
from nnplay.engine.summary import summarize
from nnplay.engine.targets import predicted_classes
from tests.builders import data_spec


def preset_with(ref: str, **changes):
    preset = load_preset(ref)
    for path, value in changes.items():
        preset = preset.with_changes(path, value)
    return preset


def short_run(preset, epochs: int = 5):
    return run(prepare(preset.with_changes("train.epochs", epochs)))


# --------------------------------------------------------------------------------------------
# Layer outputs and the grid


def test_the_last_layer_output_is_the_trainers_prediction_with_dropout_off():
    preset = preset_with("09-dropout", **{"train.epochs": 3})
    report = run(prepare(preset))
    prepared = prepare(preset)
    outputs = layer_outputs(preset.model, report.trainer.get_weights(), prepared.x_test)
    assert len(outputs) == len(preset.model.layers)
    np.testing.assert_allclose(outputs[-1], report.trainer.predict(prepared.x_test), rtol=1e-5, atol=1e-6)


def test_each_unit_map_is_that_units_activations_on_the_grid_points():
    report = short_run(load_preset("12-playground-circles"))
    weights = report.trainer.get_weights()
    plane = plane_for(prepare(report.preset).dataset, 30, 20)
    maps = grid_outputs(report.preset.model, weights, plane)
    kernel, bias = layer_weights(report.preset.model, weights)[0]
    points = plane.points()
    for unit in (0, 5, 15):
        relu = np.maximum(points @ kernel[:, unit] + bias[unit], 0)  # the unit's own formula
        np.testing.assert_allclose(maps.unit(0, unit).ravel(), relu, rtol=1e-5, atol=1e-6)
    assert maps.output.shape == (2, 20, 30)
    np.testing.assert_allclose(maps.output.reshape(2, -1).T, report.trainer.predict(points), rtol=1e-5, atol=1e-6)
    assert dense_positions(report.preset.model) == [0, 1]


def test_class_regions_are_the_models_predicted_classes():
    report = short_run(load_preset("05-hidden-layer"))
    plane = plane_for(prepare(report.preset).dataset, 24, 16)
    maps = grid_outputs(report.preset.model, report.trainer.get_weights(), plane)
    field = output_field(maps.output, is_regression=False)
    assert field.kind == "binary"
    predicted = predicted_classes(report.trainer.predict(plane.points())).reshape(16, 24)
    np.testing.assert_array_equal(field.classes, predicted)
    assert 0 < field.classes.mean() < 1  # a boundary crosses the picture


def test_output_fields_for_one_sigmoid_several_classes_and_a_regression():
    p = np.array([[[0.2, 0.7]]])
    one = output_field(p, is_regression=False)
    assert one.kind == "binary" and one.classes.tolist() == [[0, 1]]
    softmax = np.array([[[0.1]], [[0.3]], [[0.6]]])
    three = output_field(softmax, is_regression=False)
    assert three.kind == "classes" and three.classes.tolist() == [[2]] and three.value.tolist() == [[0.6]]
    reg = output_field(np.array([[[3.5, -1.0]]]), is_regression=True)
    assert reg.kind == "regression" and reg.classes is None and reg.value.tolist() == [[3.5, -1.0]]


@pytest.mark.slow
def test_the_grid_equals_the_keras_models_own_outputs_after_a_keras_run():
    preset = load_preset("12-playground-circles").with_changes("train.engine", "keras")
    report = short_run(preset, epochs=2)
    assert report.engine == "keras"
    plane = plane_for(prepare(preset).dataset, 120, 60)
    points = plane.points().astype(np.float32)
    maps = grid_outputs(preset.model, report.trainer.get_weights(), plane)
    model = report.trainer.model
    np.testing.assert_allclose(maps.output.reshape(2, -1).T, np.asarray(model(points)), rtol=1e-4, atol=1e-5)
    import keras

    hidden = keras.Model(model.inputs[0], model.layers[0].output)
    np.testing.assert_allclose(maps.layers[0].reshape(16, -1).T, np.asarray(hidden(points)), rtol=1e-4, atol=1e-5)


# --------------------------------------------------------------------------------------------
# The plane


def test_the_plane_covers_the_data_with_a_margin_and_pixels_round_trip():
    ds = load_data(data_spec(source="moons", n=200))
    plane = plane_for(ds, 40, 30, margin=0.1)
    both = np.concatenate([ds.x_train, ds.x_test])
    (x0, x1), (y0, y1) = plane.x_range, plane.y_range
    span = both.max(axis=0) - both.min(axis=0)
    assert (x0, y0) == pytest.approx(tuple(both.min(axis=0) - 0.1 * span))
    assert (x1, y1) == pytest.approx(tuple(both.max(axis=0) + 0.1 * span))
    points = plane.plane_points()
    assert points.shape == (1200, 2)
    assert points[0, 0] < points[1, 0] and points[0, 1] > points[40, 1]  # left to right, top to bottom
    rows, cols = plane.pixels(points)
    np.testing.assert_array_equal(rows, np.repeat(np.arange(30), 40))
    np.testing.assert_array_equal(cols, np.tile(np.arange(40), 30))
    assert plane.description == "x1 across, x2 up"


def test_more_than_two_features_get_the_pca_plane():
    ds = load_data(data_spec(source="iris"))
    plane = plane_for(ds, 20, 10)
    assert plane.kind == "pca" and plane.points().shape == (200, 4)
    np.testing.assert_allclose(plane.project(plane.points()), plane.plane_points(), atol=1e-9)
    np.testing.assert_allclose(plane.axes @ plane.axes.T, np.eye(2), atol=1e-9)
    assert "PCA plane of the 4 inputs" in plane.description and 0.5 < plane.explained <= 1.0
    # The first axis is the direction of largest variance: its spread beats the second's.
    uv = plane.project(ds.x_train)
    assert uv[:, 0].var() > uv[:, 1].var()


def test_image_shapes_are_known_from_the_spec():
    assert image_shape(data_spec(source="digits")) == (8, 8, 1)
    assert image_shape(data_spec(source="malaria", image_size=10)) == (10, 10, 3)
    assert image_shape(data_spec(source="circles")) is None


def test_reduce_takes_block_averages_and_averages_what_is_left_at_the_edges():
    grid = np.arange(20.0).reshape(4, 5)
    small = reduce(grid, 2)
    assert small.shape == (2, 3)
    assert small[0, 0] == pytest.approx((0 + 1 + 5 + 6) / 4)
    assert small[1, 2] == pytest.approx((14 + 19) / 2)
    np.testing.assert_array_equal(reduce(grid, 1), grid)


# --------------------------------------------------------------------------------------------
# Feature inputs


def test_each_feature_input_is_computed_from_x1_and_x2():
    x = np.array([[1.0, 2.0], [-0.5, 3.0]])
    out = expand(x, INPUT_NAMES)
    x1, x2 = x[:, 0], x[:, 1]
    np.testing.assert_allclose(out, np.column_stack([x1, x2, x1**2, x2**2, x1 * x2, np.sin(x1), np.sin(x2)]))
    assert expand(x, None) is x


@pytest.mark.parametrize(("inputs", "message"), [
    (["x1", "x1"], "each input once"),
    (["x3"], r"unknown value; choose one of .* \(got 'x3'\)"),
    ([], "at least one input"),
])
def test_bad_feature_inputs_name_the_field(inputs, message):
    with pytest.raises(SpecError, match=message) as info:
        data_spec(source="circles", inputs=inputs)
    assert info.value.problems[0].field.startswith("data.inputs")


def _preset_data(data: dict, units: int, activation: str, loss: str):
    """Inputs are checked against the source's width across tables, so a whole preset is validated."""
    layer = {"type": "dense", "units": units, "activation": activation}
    return validate_preset({"preset": {"title": "t"}, "data": data, "model": {"loss": loss, "layers": [layer]}}).data


def test_feature_inputs_need_two_source_features():
    with pytest.raises(SpecError, match="two features; 'logistic' has 3") as info:
        _preset_data({"source": "logistic", "features": 3, "inputs": ["x1"]}, 1, "sigmoid", "binary_crossentropy")
    assert info.value.problems[0].field == "data.inputs"
    with pytest.raises(SpecError, match="'iris' has 4"):
        _preset_data({"source": "iris", "inputs": ["x1"]}, 3, "softmax", "categorical_crossentropy")


def test_a_csv_with_three_columns_cannot_take_feature_inputs(tmp_path):
    path = tmp_path / "t.csv"
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["a", "b", "c", "y"])
        writer.writerows([[i, i * 2, i % 3, i % 2] for i in range(20)])
    with pytest.raises(DataError, match="two features") as info:
        load_data(data_spec(source="csv", path=str(path), label_column="y", inputs=["x1^2"]))
    assert info.value.problems[0].field == "data.inputs"


def test_the_rows_the_plane_and_the_summary_follow_the_inputs():
    inputs = ["x1", "x2", "x1^2", "x2^2"]
    ds = load_data(data_spec(source="circles", n=200, inputs=inputs))
    source = load_data(data_spec(source="circles", n=200))
    assert ds.feature_names == tuple(inputs) and ds.n_features == 4
    np.testing.assert_array_equal(ds.plane_train, source.x_train)
    np.testing.assert_allclose(ds.x_train, expand(source.x_train, tuple(inputs)))
    plane = plane_for(ds, 10, 8)
    assert plane.points().shape == (80, 4) and "the network sees x1, x2, x1^2, x2^2" in plane.description
    np.testing.assert_allclose(plane.points()[:, 2], plane.plane_points()[:, 0] ** 2)
    preset = preset_with("12-playground-circles", **{"data.inputs": inputs})
    assert preset.n_features() == 4
    assert summarize(preset.model, preset.n_features()).layers[0].params == 4 * 16 + 16


def test_one_sigmoid_unit_solves_circles_once_x1_and_x2_are_squared():
    raw = {
        "preset": {"title": "one unit"},
        "data": {"source": "circles", "n": 400, "noise": 0.05},
        "model": {"loss": "binary_crossentropy", "layers": [{"type": "dense", "units": 1, "activation": "sigmoid"}]},
        "train": {"optimizer": {"name": "adam", "learning_rate": 0.1}, "epochs": 60, "batch_size": 32},
    }
    flat = run(prepare(validate_preset(raw)))
    raw["data"]["inputs"] = ["x1^2", "x2^2"]
    squared = run(prepare(validate_preset(raw)))
    assert flat.test["accuracy"] < 0.7 < 0.95 < squared.test["accuracy"]
    trainer = squared.trainer
    assert isinstance(trainer, NumpyTrainer)
    # Its boundary on the x1, x2 plane is a closed curve: the centre is one class, the corners the other.
    plane = plane_for(prepare(squared.preset).dataset, 21, 21)
    field = output_field(grid_outputs(squared.preset.model, trainer.get_weights(), plane).output, is_regression=False)
    assert field.classes[10, 10] == 1 and {field.classes[0, 0], field.classes[0, 20], field.classes[20, 0]} == {0}


def test_a_plane_is_a_plain_value():
    plane = Plane((0.0, 1.0), (0.0, 2.0), 4, 2)
    xs, ys = plane.coordinates()
    np.testing.assert_allclose(xs, [0.125, 0.375, 0.625, 0.875])
    np.testing.assert_allclose(ys, [1.5, 0.5])
    assert plane.resized(8, 4).cols == 8
