"""Each rule and each registry is written once, so every way in gives the same answer.

The rule "the output layer fits the classes" decides both when the spec alone tells the class count
(iris) and when only loading does (a CSV file): the same refusal, word for word. The data sources
are one list in the schema that the union, the name list and the loaders' table all come from.
"""

from __future__ import annotations

import typing
from pathlib import Path

import pytest

from nnplay.cli import main
from nnplay.engine.data import LOADERS, get_loader
from nnplay.engine.errors import DataError, SpecError
from nnplay.engine.run import prepare
from nnplay.engine.spec import DATA_MODELS, DATA_SOURCES, DataSpec, validate_preset

FIVE_SOFTMAX = """
[preset]
title = "five outputs for three classes"

[data]
{data}

[model]
loss = "categorical_crossentropy"
layers = [
  {{ type = "dense", units = 8, activation = "relu" }},
  {{ type = "dense", units = {units}, activation = "softmax" }},
]

[train]
epochs = 1
"""


def three_class_csv(folder: Path) -> Path:
    path = folder / "three.csv"
    rows = ["a,b,species"] + [f"{i},{(i * 7) % 5},{'xyz'[i % 3]}" for i in range(30)]
    path.write_text("\n".join(rows) + "\n")
    return path


def refusal(tmp_path: Path, capsys, data: str, units: int = 5) -> str:
    path = tmp_path / "p.toml"
    path.write_text(FIVE_SOFTMAX.format(data=data, units=units))
    assert main(["train", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    return err


@pytest.mark.parametrize("units", [2, 5])
def test_iris_and_a_three_class_csv_get_the_same_refusal(units, tmp_path, capsys):
    csv = three_class_csv(tmp_path)
    from_spec = refusal(tmp_path, capsys, 'source = "iris"', units)
    from_data = refusal(tmp_path, capsys, f'source = "csv"\npath = "{csv}"\nlabel_column = "species"', units)
    assert from_spec == from_data == (
        f"nnplay: error: model.layers[1].units: the data has 3 classes, so the output layer needs 3 units (got {units})\n"
    )


def test_iris_is_refused_by_check_and_the_csv_by_loading(tmp_path):
    """The spec can only know iris's classes; the same function decides the CSV once it is read."""
    csv = three_class_csv(tmp_path)
    model = {"loss": "categorical_crossentropy", "layers": [{"type": "dense", "units": 5, "activation": "softmax"}]}
    with pytest.raises(SpecError) as by_spec:
        validate_preset({"preset": {"title": "t"}, "data": {"source": "iris"}, "model": model})
    preset = validate_preset({
        "preset": {"title": "t"}, "model": model,
        "data": {"source": "csv", "path": str(csv), "label_column": "species"},
    })
    with pytest.raises(DataError) as by_data:
        prepare(preset)
    assert by_spec.value.problems == by_data.value.problems


def test_mean_squared_error_on_classes_obeys_the_same_rule(tmp_path):
    """The rule is about targets, not the loss: a 3-class set never trains on 5-wide one-hot rows."""
    model = {"loss": "mean_squared_error", "layers": [{"type": "dense", "units": 5}]}
    with pytest.raises(SpecError, match=r"needs 3 units \(got 5\)"):
        validate_preset({"preset": {"title": "t"}, "data": {"source": "wine"}, "model": model})


def test_a_regression_set_needs_one_output_unit():
    model = {"loss": "mean_squared_error", "layers": [{"type": "dense", "units": 2}]}
    with pytest.raises(SpecError) as info:
        validate_preset({"preset": {"title": "t"}, "data": {"source": "regression"}, "model": model})
    assert str(info.value) == (
        "model.layers[0].units: the data has one number to predict per row, so the output layer needs 1 unit (got 2)"
    )


def test_two_classes_take_one_sigmoid_unit_or_two_softmax_units():
    for loss, units, activation in (("binary_crossentropy", 1, "sigmoid"), ("categorical_crossentropy", 2, "softmax")):
        model = {"loss": loss, "layers": [{"type": "dense", "units": units, "activation": activation}]}
        validate_preset({"preset": {"title": "t"}, "data": {"source": "breast_cancer"}, "model": model})


def test_the_data_sources_are_one_list():
    union_members = typing.get_args(typing.get_args(DataSpec)[0])
    assert union_members == DATA_MODELS
    assert list(LOADERS) == list(DATA_SOURCES)
    assert len(set(DATA_SOURCES)) == len(DATA_SOURCES)  # no source claimed by two models
    for source in DATA_SOURCES:
        if source != "malaria":  # its module needs tensorflow-datasets; test_data_malaria covers it
            assert callable(get_loader(source))



def test_one_path_syntax_reads_writes_and_names_fields():
    from nnplay.engine.spec_paths import get_path, join_path, set_path, split_path

    raw = {"model": {"layers": [{"units": 4}, {"units": 2, "name": "out"}]}}
    assert split_path("model.layers[1].units") == ["model", "layers", 1, "units"]
    assert join_path(split_path("model.layers[1].units")) == "model.layers[1].units"
    assert get_path(raw, "model.layers[1].units") == 2 and get_path(raw, "model.layers[5].units", "none") == "none"
    set_path(raw, "model.layers[0].units", 8)
    set_path(raw, "model.layers[1].name", None)  # None removes the key
    set_path(raw, "train.optimizer.name", "adam")  # missing tables are made on the way
    assert raw == {"model": {"layers": [{"units": 8}, {"units": 2}]}, "train": {"optimizer": {"name": "adam"}}}
