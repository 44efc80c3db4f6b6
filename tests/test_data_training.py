"""Every source trains headless through engine.run, and the 2-D sets are learnable.

A 16-unit ReLU hidden layer is enough for circles, xor, moons and well-separated Gaussian clouds:
each should pass 0.8 test accuracy with the NumPy engine.
"""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from nnplay.engine.run import prepare, run
from nnplay.engine.spec import validate_preset


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def mlp_preset(data, classes=2, hidden=16, epochs=60, learning_rate=0.01, loss=None):
    if classes is None:  # regression
        loss, out = loss or "mean_squared_error", {"type": "dense", "units": 1}
    elif classes == 2:
        loss, out = loss or "binary_crossentropy", {"type": "dense", "units": 1, "activation": "sigmoid"}
    else:
        loss, out = loss or "categorical_crossentropy", {"type": "dense", "units": classes, "activation": "softmax"}
    return validate_preset({
        "preset": {"title": "data training test"},
        "data": data,
        "model": {"loss": loss, "layers": [{"type": "dense", "units": hidden, "activation": "relu"}, out]},
        "train": {
            "engine": "numpy", "optimizer": {"name": "adam", "learning_rate": learning_rate},
            "batch_size": 32, "epochs": epochs, "seed": 0,
        },
    })


@pytest.mark.parametrize("source", ["circles", "xor", "moons", "gaussian"])
def test_a_16_unit_relu_mlp_learns_the_plane_sets(source):
    report = run(prepare(mlp_preset({"source": source, "n": 600, "noise": 0.1, "seed": 7})))
    assert report.test["accuracy"] > 0.8, report.test


def test_the_spiral_needs_more_but_is_learnable():
    preset = mlp_preset({"source": "spiral", "n": 600, "noise": 0.05, "seed": 7}, hidden=64, epochs=200, learning_rate=0.02)
    assert run(prepare(preset)).test["accuracy"] > 0.8


def test_a_linear_model_fails_on_circles_where_the_mlp_succeeds():
    """The point of the playground: no straight line separates the rings."""
    data = {"source": "circles", "n": 600, "noise": 0.1, "seed": 7}
    linear = validate_preset({
        "preset": {"title": "logistic regression"}, "data": data,
        "model": {"loss": "binary_crossentropy", "layers": [{"type": "dense", "units": 1, "activation": "sigmoid"}]},
        "train": {"optimizer": {"name": "adam", "learning_rate": 0.01}, "epochs": 60, "batch_size": 32},
    })
    assert run(prepare(linear)).test["accuracy"] < 0.7


@pytest.mark.parametrize(
    ("data", "classes"),
    [
        ({"source": "logistic"}, 2),
        ({"source": "softmax", "classes": 3}, 3),
        ({"source": "spiral", "classes": 3}, 3),
        ({"source": "gaussian", "classes": 4}, 4),
        ({"source": "regression"}, None),
        ({"source": "breast_cancer", "standardize": True}, 2),
        ({"source": "digits", "standardize": True}, 10),
        ({"source": "iris", "standardize": True}, 3),
        ({"source": "wine", "standardize": True}, 3),
    ],
    ids=lambda v: v["source"] if isinstance(v, dict) else str(v),
)
def test_every_built_in_source_trains_headless(data, classes):
    report = run(prepare(mlp_preset(data, classes=classes, epochs=15)))
    assert report.fit.status == "completed" and report.fit.epochs_run == 15
    losses = report.fit.history["loss"]
    assert np.isfinite(losses).all() and losses[-1] < losses[0]
    assert np.isfinite(report.test["loss"])
    if classes is not None:
        assert report.confusion.shape == (classes, classes)
        assert report.confusion.sum() == len(report.preset and prepare_rows(report))


def prepare_rows(report) -> np.ndarray:
    """The test rows the report scored (its confusion matrix counts each once)."""
    return prepare(report.preset).x_test


def test_bundled_sets_reach_sensible_accuracy():
    for source, classes, floor in (("iris", 3, 0.85), ("wine", 3, 0.85), ("breast_cancer", 2, 0.9), ("digits", 10, 0.85)):
        report = run(prepare(mlp_preset({"source": source, "standardize": True}, classes=classes, epochs=40)))
        assert report.test["accuracy"] > floor, (source, report.test)


def test_a_regression_plane_is_fitted():
    report = run(prepare(mlp_preset({"source": "regression", "noise": 0.1}, classes=None, epochs=60)))
    assert report.test["loss"] < 0.05  # noise variance is 0.01


def test_folder_images_train_headless(tmp_path):
    rng = np.random.default_rng(0)
    for k, name in enumerate(("dark", "light")):
        (tmp_path / "imgs" / name).mkdir(parents=True)
        for i in range(30):
            pixels = np.clip(rng.normal(80 + 100 * k, 30, size=(12, 12, 3)), 0, 255).astype(np.uint8)
            Image.fromarray(pixels).save(tmp_path / "imgs" / name / f"{i}.png")
    folder = {"source": "folder", "path": str(tmp_path / "imgs"), "image_size": 8, "standardize": True}
    preset = mlp_preset(folder, epochs=20)
    report = run(prepare(preset))
    assert report.class_names == ("dark", "light")
    assert report.test["accuracy"] > 0.8


def test_csv_trains_headless(tmp_path):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(300, 3))
    y = np.where(x[:, 0] - x[:, 2] > 0, "yes", "no")
    lines = ["a,b,c,label"] + [f"{r[0]},{r[1]},{r[2]},{lab}" for r, lab in zip(x, y, strict=True)]
    (tmp_path / "t.csv").write_text("\n".join(lines) + "\n")
    preset = mlp_preset({"source": "csv", "path": str(tmp_path / "t.csv"), "label_column": "label"}, epochs=40)
    report = run(prepare(preset))
    assert report.class_names == ("no", "yes") and report.test["accuracy"] > 0.85


def test_more_classes_than_output_units_is_a_data_error_naming_the_layer(tmp_path):
    from nnplay.engine.errors import DataError

    rows = ["a,b,label"] + [f"{i},{i % 7},{'xyz'[i % 3]}" for i in range(30)]
    (tmp_path / "three.csv").write_text("\n".join(rows) + "\n")
    data = {"source": "csv", "path": str(tmp_path / "three.csv"), "label_column": "label"}
    for preset in (mlp_preset(data, classes=2), mlp_preset(data, classes=2, loss="binary_crossentropy")):
        with pytest.raises(DataError, match="3 classes") as info:
            prepare(preset)
        assert info.value.problems[0].field == "model.layers[1].units"
    for units in (2, 5):  # too few and too many: a 5-wide one-hot of 3 classes is refused too
        wrong = mlp_preset(data, classes=3).with_changes("model.layers[1].units", units)
        with pytest.raises(DataError, match=rf"needs 3 units \(got {units}\)"):
            prepare(wrong)
