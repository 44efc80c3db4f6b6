"""The built-in data sources: shapes, dtypes, seeds, class balance, splitting and the summary."""

from __future__ import annotations

import json

import numpy as np
import pytest

from nnplay.engine.data import LOADERS, Dataset, describe, load_data, split
from nnplay.engine.data.synthetic import REGRESSION_PLANE
from nnplay.engine.errors import DataError
from nnplay.engine.spec import DATA_SOURCES
from tests.builders import data_spec

SYNTHETIC = ["logistic", "softmax", "circles", "xor", "gaussian", "spiral", "moons", "regression"]
BUNDLED = {  # source: (rows, features, classes)
    "breast_cancer": (569, 30, 2),
    "digits": (1797, 64, 10),
    "iris": (150, 4, 3),
    "wine": (178, 13, 3),
}


def test_every_source_of_the_spec_is_registered():
    assert set(LOADERS) == set(DATA_SOURCES)


@pytest.mark.parametrize("source", SYNTHETIC)
def test_synthetic_sets_have_the_promised_shape_and_types(source):
    ds = load_data(data_spec(source=source, n=500, test_size=0.2))
    assert isinstance(ds, Dataset)
    assert ds.x_train.dtype == np.float32 and ds.x_test.dtype == np.float32
    assert ds.x_train.shape[0] + ds.x_test.shape[0] == 500
    assert ds.x_test.shape[0] == 100
    assert ds.x_train.shape[1] == ds.n_features == len(ds.feature_names)
    assert ds.x_train.flags["C_CONTIGUOUS"]
    if source == "regression":
        assert ds.class_names is None and ds.is_regression
        assert ds.y_train.dtype == np.float32
    else:
        assert ds.y_train.dtype == np.int64
        assert set(np.unique(ds.y_train)) == set(range(ds.n_classes))
    assert np.isfinite(ds.x_train).all() and np.isfinite(ds.x_test).all()


@pytest.mark.parametrize("source", SYNTHETIC)
def test_same_seed_same_rows_other_seed_other_rows(source):
    a = load_data(data_spec(source=source, seed=3))
    b = load_data(data_spec(source=source, seed=3))
    c = load_data(data_spec(source=source, seed=4))
    np.testing.assert_array_equal(a.x_train, b.x_train)
    np.testing.assert_array_equal(a.y_test, b.y_test)
    assert not np.array_equal(a.x_train, c.x_train)


@pytest.mark.parametrize("source", ["circles", "moons", "gaussian", "spiral"])
def test_the_plane_sets_are_balanced(source):
    ds = load_data(data_spec(source=source, n=600))
    summary = describe(ds)
    assert summary.balance == pytest.approx(1.0, abs=0.01)


def test_xor_is_close_to_balanced_and_labels_follow_the_quadrants():
    ds = load_data(data_spec(source="xor", n=2000, noise=0.0))
    assert describe(ds).balance > 0.85
    x = np.concatenate([ds.x_train, ds.x_test])
    y = np.concatenate([ds.y_train, ds.y_test])
    np.testing.assert_array_equal(y, (x[:, 0] * x[:, 1] > 0).astype(np.int64))


@pytest.mark.parametrize("classes", [2, 3, 5])
def test_class_count_follows_the_spec(classes):
    for source in ("gaussian", "spiral", "softmax"):
        ds = load_data(data_spec(source=source, classes=classes, n=500))
        assert ds.n_classes == classes
        assert set(np.unique(np.concatenate([ds.y_train, ds.y_test]))) == set(range(classes))


def test_noise_spreads_the_circles():
    clean = load_data(data_spec(source="circles", noise=0.0, test_size=0.0))
    radius = np.hypot(clean.x_train[:, 0], clean.x_train[:, 1])
    np.testing.assert_allclose(radius[clean.y_train == 0], 1.0, atol=1e-5)
    np.testing.assert_allclose(radius[clean.y_train == 1], 0.5, atol=1e-5)
    noisy = load_data(data_spec(source="circles", noise=0.2, test_size=0.0))
    assert np.hypot(noisy.x_train[:, 0], noisy.x_train[:, 1]).std() > radius.std()


def test_regression_targets_lie_on_the_plane():
    ds = load_data(data_spec(source="regression", noise=0.0, n=200))
    w1, w2, b = REGRESSION_PLANE
    np.testing.assert_allclose(ds.y_train, w1 * ds.x_train[:, 0] + w2 * ds.x_train[:, 1] + b, atol=1e-5)


def test_softmax_labels_follow_the_linear_scores():
    """With a large scale the most probable class wins nearly always: a linear model fits it."""
    from sklearn.linear_model import LogisticRegression

    ds = load_data(data_spec(source="softmax", n=3000, classes=4, scale=10.0))
    model = LogisticRegression(max_iter=2000).fit(ds.x_train, ds.y_train)
    assert model.score(ds.x_test, ds.y_test) > 0.85


def test_logistic_matches_the_lecture_model():
    """The lecture's beta = [1, 2]: a logistic regression recovers it."""
    from sklearn.linear_model import LogisticRegression

    ds = load_data(data_spec(source="logistic", n=20000, test_size=0.0))
    model = LogisticRegression(C=1e6, max_iter=1000).fit(ds.x_train, ds.y_train)
    np.testing.assert_allclose(model.coef_[0], [1.0, 2.0], atol=0.1)
    assert abs(model.intercept_[0]) < 0.1


@pytest.mark.parametrize("source", sorted(BUNDLED))
def test_bundled_sets_load_offline_with_their_names(source):
    rows, features, classes = BUNDLED[source]
    ds = load_data(data_spec(source=source, test_size=0.25))
    assert len(ds.x_train) + len(ds.x_test) == rows
    assert ds.n_features == features == data_spec(source=source).n_features()
    assert ds.n_classes == classes == data_spec(source=source).n_classes()
    assert ds.x_train.dtype == np.float32 and ds.y_train.dtype == np.int64
    assert all(isinstance(name, str) and name for name in ds.class_names)
    assert len(ds.feature_names) == features


def test_bundled_class_names_come_from_the_data_set():
    assert load_data(data_spec(source="iris")).class_names == ("setosa", "versicolor", "virginica")
    assert load_data(data_spec(source="breast_cancer")).class_names == ("malignant", "benign")
    assert load_data(data_spec(source="digits")).class_names == tuple("0123456789")


def test_split_is_stratified():
    ds = load_data(data_spec(source="wine", test_size=0.3))
    train_share = np.bincount(ds.y_train) / len(ds.y_train)
    test_share = np.bincount(ds.y_test) / len(ds.y_test)
    np.testing.assert_allclose(train_share, test_share, atol=0.03)


def test_standardize_uses_the_training_rows_only():
    raw = load_data(data_spec(source="wine", seed=1))
    std = load_data(data_spec(source="wine", seed=1, standardize=True))
    np.testing.assert_allclose(std.x_train.mean(axis=0), 0.0, atol=1e-4)
    np.testing.assert_allclose(std.x_train.std(axis=0), 1.0, atol=1e-3)
    mean, scale = raw.x_train.mean(axis=0), raw.x_train.std(axis=0)
    np.testing.assert_allclose(std.x_test, (raw.x_test - mean) / scale, rtol=1e-4, atol=1e-4)
    assert np.abs(std.x_test.mean(axis=0)).max() > 1e-3  # test rows are not centred on their own


def test_split_keeps_integer_ids_and_float32_and_never_changes_its_input():
    x = np.arange(40, dtype=np.float64).reshape(20, 2)
    before = x.copy()
    y = np.array([0, 1] * 10)
    ds = split("toy", x, y, test_size=0.0, seed=0, standardize=True, class_names=("a", "b"))
    np.testing.assert_array_equal(x, before)
    assert ds.x_train.dtype == np.float32 and ds.y_train.dtype == np.int64
    assert len(ds.x_test) == 0 and ds.x_test.shape[1] == 2


def test_split_scales_uint8_pixels_after_the_split():
    x = np.full((10, 4), 255, dtype=np.uint8)
    ds = split("px", x, np.array([0, 1] * 5), test_size=0.2, seed=0, class_names=("a", "b"), scale=1 / 255)
    assert ds.x_train.dtype == np.float32
    np.testing.assert_allclose(ds.x_train, 1.0)
    np.testing.assert_allclose(ds.x_test, 1.0)


def test_split_refuses_a_single_class():
    with pytest.raises(DataError, match="single class"):
        split("one", np.zeros((10, 2)), np.zeros(10), test_size=0.2, seed=0, class_names=("a",))


def test_unknown_source_is_a_data_error():
    class Spec:
        source = "nope"

    with pytest.raises(DataError, match="unknown source 'nope'"):
        load_data(Spec())


def test_describe_counts_classes_and_ranges():
    ds = load_data(data_spec(source="iris", test_size=0.2))
    s = describe(ds)
    assert (s.rows_train, s.rows_test, s.rows, s.features, s.n_classes) == (120, 30, 150, 4, 3)
    assert [c.name for c in s.classes] == ["setosa", "versicolor", "virginica"]
    assert [c.total for c in s.classes] == [50, 50, 50]
    assert sum(c.test for c in s.classes) == 30
    assert s.balance == 1.0
    assert s.value_min == pytest.approx(0.1) and s.value_max == pytest.approx(7.9)
    payload = json.loads(json.dumps(s.to_json()))
    assert payload["rows"] == 150 and payload["classes"][0]["total"] == 50
    assert any("setosa" in line for line in s.lines()) and "setosa" in s.to_text()


def test_describe_a_regression_reports_the_target_range():
    s = describe(load_data(data_spec(source="regression", noise=0.0)))
    assert s.task == "regression" and s.classes == () and s.balance is None and s.n_classes is None
    assert -2.5 <= s.target_min < s.target_max <= 3.5  # 2 x1 - x2 + 0.5 over the square [-1, 1]^2
    assert s.to_json()["target_max"] == pytest.approx(s.target_max)
