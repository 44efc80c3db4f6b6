"""Your own data: image folders and CSV tables, and every way they can be wrong."""

from __future__ import annotations

import csv

import numpy as np
import pytest
from PIL import Image

from nnplay.engine.data import describe, load_data
from nnplay.engine.errors import DataError
from tests.builders import data_spec


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    """Prepared arrays go to a cache of the test's own, never the user's."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))




def make_folder(root, classes=("Parasitized", "Uninfected"), per_class=12, size=(20, 16), mode="RGB"):
    """Class sub-folders of small PNGs; class k is filled with grey level 40 + 150 k (plus a gradient)."""
    for k, name in enumerate(classes):
        folder = root / name
        folder.mkdir(parents=True)
        for i in range(per_class):
            level = 40 + 150 * k
            pixels = np.full((size[1], size[0], 3), level, dtype=np.uint8)
            pixels[:, :, 0] = np.linspace(level, min(level + 60, 255), size[0]).astype(np.uint8)
            pixels[0, 0, 1] = i  # every file differs
            image = Image.fromarray(pixels)
            image.convert(mode).save(folder / f"cell_{i:03d}.png")
    return root


# --------------------------------------------------------------------------------------------
# folder


def test_folder_loads_resized_scaled_flattened_rows(tmp_path):
    root = make_folder(tmp_path / "cells", per_class=10)
    ds = load_data(data_spec(source="folder", path=str(root), image_size=8, test_size=0.2))
    assert ds.class_names == ("Parasitized", "Uninfected")
    assert ds.x_train.shape == (16, 8 * 8 * 3) and ds.x_test.shape == (4, 8 * 8 * 3)
    assert ds.x_train.dtype == np.float32 and ds.y_train.dtype == np.int64
    assert ds.x_train.min() >= 0.0 and ds.x_train.max() <= 1.0
    assert np.bincount(ds.y_test).tolist() == [2, 2]  # stratified
    # the green channel of class 0 sits at grey level 40, that of class 1 at 190
    green = np.asarray(ds.x_train).reshape(-1, 8, 8, 3)[:, 4, 4, 1]
    np.testing.assert_allclose(green[ds.y_train == 0], 40 / 255, atol=1 / 255)
    np.testing.assert_allclose(green[ds.y_train == 1], 190 / 255, atol=1 / 255)
    assert ds.n_features == len(ds.feature_names) == data_spec(source="folder", path="x", image_size=8).n_features()


def test_folder_grayscale_has_one_channel_and_reads_any_mode(tmp_path):
    root = make_folder(tmp_path / "gray", per_class=6, mode="L")
    Image.new("RGBA", (9, 9), (10, 200, 30, 128)).save(root / "Uninfected" / "extra.png")
    ds = load_data(data_spec(source="folder", path=str(root), image_size=5, color_mode="grayscale", test_size=0.0))
    assert ds.x_train.shape == (13, 25)


def test_folder_ignores_files_that_are_not_images(tmp_path):
    root = make_folder(tmp_path / "cells", per_class=5)
    (root / "Parasitized" / "Thumbs.db").write_bytes(b"\x00\x01")  # the NIH download has these
    (root / "README.txt").write_text("notes")
    ds = load_data(data_spec(source="folder", path=str(root), image_size=4, test_size=0.0))
    assert len(ds.x_train) == 10


def test_folder_limit_draws_a_seeded_sample_from_every_class(tmp_path):
    root = make_folder(tmp_path / "cells", per_class=30)
    spec = data_spec(source="folder", path=str(root), image_size=4, limit=20, seed=5, test_size=0.0)
    a, b = load_data(spec), load_data(spec)
    assert len(a.x_train) == 20 and set(a.y_train.tolist()) == {0, 1}
    np.testing.assert_array_equal(a.x_train, b.x_train)


def test_folder_second_load_comes_from_the_cache_and_notices_changes(tmp_path):
    from nnplay.engine.data import cache

    root = make_folder(tmp_path / "cells", per_class=5)
    spec = data_spec(source="folder", path=str(root), image_size=4, test_size=0.0)
    first = load_data(spec)
    stored = [p for p in cache.cache_dir().glob("folder-*") if p.is_dir()]
    assert len(stored) == 1 and str(cache.cache_dir()).startswith(str(tmp_path))
    second = load_data(spec)
    np.testing.assert_array_equal(first.x_train, second.x_train)
    Image.new("RGB", (4, 4), (255, 255, 255)).save(root / "Uninfected" / "new.png")
    third = load_data(spec)
    assert len(third.x_train) == 11


@pytest.mark.parametrize(
    ("arrange", "expected"),
    [
        (lambda root: None, "no such folder"),
        (lambda root: root.mkdir(), "the folder is empty"),
        (lambda root: (root.mkdir(), (root / "a.png").write_bytes(b"")), "no class sub-folders"),
        (lambda root: (make_folder(root, classes=("Parasitized",))), "only one class folder"),
    ],
    ids=["missing", "empty", "flat", "one-class"],
)
def test_folder_problems_name_the_folder(tmp_path, arrange, expected):
    root = tmp_path / "cells"
    arrange(root)
    with pytest.raises(DataError, match=expected) as info:
        load_data(data_spec(source="folder", path=str(root)))
    assert str(root) in str(info.value)
    assert "\n" not in str(info.value)


def test_a_class_folder_without_images_is_named(tmp_path):
    root = make_folder(tmp_path / "cells", per_class=3)
    (root / "Empty").mkdir()
    (root / "Empty" / "notes.txt").write_text("no pictures here")
    with pytest.raises(DataError, match="class folder has no images") as info:
        load_data(data_spec(source="folder", path=str(root)))
    assert str(root / "Empty") in str(info.value)


def test_an_unreadable_image_is_named(tmp_path):
    root = make_folder(tmp_path / "cells", per_class=3)
    broken = root / "Uninfected" / "broken.png"
    broken.write_bytes(b"this is not a png")
    with pytest.raises(DataError, match="cannot read this image") as info:
        load_data(data_spec(source="folder", path=str(root)))
    assert str(broken) in str(info.value) and info.value.problems[0].field == "data.path"


def test_a_file_instead_of_a_folder_is_named(tmp_path):
    path = tmp_path / "cells.zip"
    path.write_bytes(b"PK")
    with pytest.raises(DataError, match="is a file") as info:
        load_data(data_spec(source="folder", path=str(path)))
    assert str(path) in str(info.value)


# --------------------------------------------------------------------------------------------
# csv


def write_csv(path, header, rows, delimiter=","):
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_csv_of_the_lecture_data_agrees_with_sklearn_logistic_regression(tmp_path):
    """The lecture's logistic data written to CSV and read back gives the same fit as the arrays."""
    from sklearn.linear_model import LogisticRegression

    lecture = load_data(data_spec(source="logistic", n=1000, test_size=0.0, seed=42))
    x, y = lecture.x_train, lecture.y_train
    rows = [[*map(repr, row), int(label)] for row, label in zip(x.tolist(), y, strict=True)]
    path = write_csv(tmp_path / "lecture.csv", ["x1", "x2", "y"], rows)
    ds = load_data(data_spec(source="csv", path=str(path), label_column="y", test_size=0.0))
    assert ds.feature_names == ("x1", "x2") and ds.class_names == ("0", "1")
    np.testing.assert_array_equal(ds.x_train, x)
    np.testing.assert_array_equal(ds.y_train, y)
    from_csv = LogisticRegression(C=1e6, max_iter=1000).fit(ds.x_train, ds.y_train)
    from_arrays = LogisticRegression(C=1e6, max_iter=1000).fit(x, y)
    np.testing.assert_allclose(from_csv.coef_, from_arrays.coef_, rtol=1e-6)
    np.testing.assert_allclose(from_csv.coef_[0], [1.0, 2.0], atol=0.35)  # the lecture's beta


def test_csv_text_labels_become_sorted_class_names_and_any_column_may_be_the_label(tmp_path):
    rows = [[species, f"{i * 0.5}", f"{i % 3}"] for i, species in enumerate(["b", "a", "c"] * 10)]
    path = write_csv(tmp_path / "t.csv", ["species", "length", "count"], rows, delimiter=";")
    ds = load_data(data_spec(source="csv", path=str(path), label_column="species", test_size=0.2))
    assert ds.class_names == ("a", "b", "c") and ds.feature_names == ("length", "count")
    s = describe(ds)
    assert [c.total for c in s.classes] == [10, 10, 10]


def test_csv_numeric_labels_are_ordered_by_value(tmp_path):
    rows = [[i, label] for i, label in enumerate(["10", "2", "2.0", "10"] * 5)]
    path = write_csv(tmp_path / "t.csv", ["x", "grade"], rows, delimiter="\t")
    ds = load_data(data_spec(source="csv", path=str(path), label_column="grade", test_size=0.0))
    assert ds.class_names == ("2", "10")
    assert ds.y_train.tolist()[:4] == [1, 0, 0, 1]


def test_csv_regression_keeps_float_targets(tmp_path):
    rows = [[i, 2 * i, 0.5 * i + 1] for i in range(30)]
    path = write_csv(tmp_path / "r.csv", ["a", "b", "target"], rows)
    ds = load_data(data_spec(source="csv", path=str(path), label_column="target", task="regression", test_size=0.2))
    assert ds.is_regression and ds.class_names is None and ds.y_train.dtype == np.float32
    np.testing.assert_allclose(ds.y_train, 0.5 * ds.x_train[:, 0] + 1)


def test_csv_missing_file_is_named(tmp_path):
    path = tmp_path / "nowhere.csv"
    with pytest.raises(DataError, match="no such file") as info:
        load_data(data_spec(source="csv", path=str(path), label_column="y"))
    assert str(path) in str(info.value)


def test_csv_missing_label_column_names_it_and_lists_the_columns(tmp_path):
    path = write_csv(tmp_path / "t.csv", ["x1", "x2", "label"], [[1, 2, 0], [3, 4, 1]])
    with pytest.raises(DataError, match="no column 'y'") as info:
        load_data(data_spec(source="csv", path=str(path), label_column="y"))
    assert "'label'" in str(info.value) and info.value.problems[0].field == "data.label_column"


def test_csv_non_numeric_features_are_all_named(tmp_path):
    rows = [[1.0, "Oslo", 2.0, "red", 0], [2.0, "Rome", 3.0, "blue", 1]] * 5
    path = write_csv(tmp_path / "t.csv", ["size", "city", "weight", "colour", "y"], rows)
    with pytest.raises(DataError, match="not numeric") as info:
        load_data(data_spec(source="csv", path=str(path), label_column="y"))
    message = str(info.value)
    assert "'city'" in message and "'colour'" in message and "'size'" not in message
    assert "'Oslo'" in message and str(path) in message


def test_csv_empty_cells_are_not_numbers(tmp_path):
    path = write_csv(tmp_path / "t.csv", ["a", "y"], [[1, 0], ["", 1], [3, 0], [4, 1]])
    with pytest.raises(DataError, match="'a' \\(line 3"):
        load_data(data_spec(source="csv", path=str(path), label_column="y"))


def test_csv_single_class_is_refused(tmp_path):
    path = write_csv(tmp_path / "t.csv", ["a", "y"], [[i, "yes"] for i in range(10)])
    with pytest.raises(DataError, match="single class") as info:
        load_data(data_spec(source="csv", path=str(path), label_column="y"))
    assert "'y'" in str(info.value)


def test_csv_regression_needs_numeric_targets(tmp_path):
    path = write_csv(tmp_path / "t.csv", ["a", "y"], [[i, "tall"] for i in range(10)])
    with pytest.raises(DataError, match="must be numeric for task"):
        load_data(data_spec(source="csv", path=str(path), label_column="y", task="regression"))


@pytest.mark.parametrize(
    ("content", "expected"),
    [("", "the file is empty"), ("a,y\n", "no data rows"), ("a,y\n1,0\n2\n", "line 3 has 1 values")],
    ids=["empty", "header-only", "ragged"],
)
def test_csv_malformed_files_are_named(tmp_path, content, expected):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    with pytest.raises(DataError, match=expected) as info:
        load_data(data_spec(source="csv", path=str(path), label_column="y"))
    assert str(path) in str(info.value)


# The cache's own rules (bounded, damaged entries rebuilt, shared by processes): test_data_cache.py
