"""Hypothesis strategies for hostile input: preset files, CSV tables, image folders.

Each strategy starts from something that could work (a preset whose loss fits its data, a numeric
table, a folder of two classes of images) and then spoils some of it: a value of the wrong type, a
number far outside the range, a key nobody defined, a removed key, bytes that are not UTF-8,
labels that look like rich markup, images that are truncated or claim enormous sizes. So the
generated cases cover runs that train, runs that diverge and every kind of refusal.

``small=True`` keeps sizes small enough to load and train in a test; ``schema_families=True``
adds what the schema itself must refuse (issue 9's families owned by helper 9a): non-finite floats
in unbounded fields, seeds beyond scikit-learn's 2**32 - 1, sizes no memory holds, and splits
that leave no training rows.
"""

from __future__ import annotations

import copy
import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import tomli_w
from hypothesis import strategies as st

from tests.hostile import png_claiming

SOURCES = {  # source: classes (None: regression; 0: the preset's `classes`)
    "logistic": 2, "softmax": 0, "circles": 2, "xor": 2, "moons": 2, "gaussian": 0, "spiral": 0,
    "regression": None, "iris": 3, "wine": 3, "breast_cancer": 2, "digits": 10,
}
ACTIVATIONS = ["linear", "sigmoid", "tanh", "relu", "softmax"]
MARKUP = ["[bold red]x", "[/]", "[link=file:///etc]y", "[", "]", "[[x]]", "\\[b]"]
HUGE_INTS = [2**31, 2**32, 2**63, 2**64 + 1, -(2**63), 10**30]


def _floats(nonfinite: bool) -> st.SearchStrategy[float]:
    return st.floats(allow_nan=nonfinite, allow_infinity=nonfinite)


def junk(small: bool, nonfinite: bool = True) -> st.SearchStrategy[Any]:
    """A value of any TOML type, mostly one the field does not take."""
    ints = st.integers(-3, 40) if small else st.one_of(st.integers(), st.sampled_from(HUGE_INTS))
    return st.one_of(
        ints,
        _floats(nonfinite),
        st.booleans(),
        st.text(max_size=12),
        st.sampled_from([*MARKUP, "", " ", "full", "1e400", "nan"]),
        st.lists(st.integers(-3, 5), max_size=3),
        st.dictionaries(st.sampled_from(["l1", "l2", "name", "x"]), st.integers(-1, 3), max_size=2),
        st.datetimes(),
    )


@st.composite
def coherent_preset(draw, small: bool) -> dict[str, Any]:
    """A preset that validates and trains (its loss and output layer fit the data)."""
    source = draw(st.sampled_from(sorted(SOURCES)))
    data: dict[str, Any] = {"source": source, "seed": draw(st.integers(0, 2**32 - 1))}
    classes = SOURCES[source]
    if source not in ("iris", "wine", "breast_cancer", "digits"):
        data["n"] = draw(st.integers(10, 300) if small else st.integers(10, 1_000_000))
        data["noise"] = draw(st.floats(0, 10))
    if source in ("logistic", "softmax"):
        features = draw(st.integers(1, 8) if small else st.integers(1, 10_000))
        data["features"] = features
        if source == "logistic" and features <= 50 and draw(st.booleans()):
            data["beta"] = draw(st.lists(st.floats(-50, 50), min_size=features, max_size=features))
            data["intercept"] = draw(st.floats(-50, 50))
        data.pop("noise")
    if classes == 0:
        classes = data["classes"] = draw(st.integers(2, 6) if small else st.integers(2, 100))
    # At most half of the rows go to test, and half of the rest to validation: a split that leaves
    # no training rows is one of the schema families (below), not what these cases are about.
    data["test_size"] = draw(st.sampled_from([0.0, 0.2, 0.5]) | st.floats(0, 0.5))
    data["standardize"] = draw(st.booleans())
    hidden = [
        {"type": "dense", "units": draw(st.integers(1, 16) if small else st.integers(1, 100_000)),
         "activation": draw(st.sampled_from(["sigmoid", "tanh", "relu", "linear"]))}
        for _ in range(draw(st.integers(0, 3)))
    ]
    if hidden and draw(st.booleans()):
        hidden.insert(1, {"type": "dropout", "rate": draw(st.floats(0, 0.9))})
    if classes is None:
        loss, output = "mean_squared_error", {"units": 1, "activation": "linear"}
    elif classes == 2 and draw(st.booleans()):
        loss, output = "binary_crossentropy", {"units": 1, "activation": "sigmoid"}
    else:
        loss = draw(st.sampled_from(["categorical_crossentropy", "sparse_categorical_crossentropy"]))
        output = {"units": classes, "activation": "softmax"}
    if draw(st.booleans()):
        output["kernel_regularizer"] = {"l2": draw(st.floats(0, 1))}
    optimizer = draw(st.sampled_from([
        {"name": "sgd", "learning_rate": draw(st.floats(1e-4, 100)), "momentum": draw(st.floats(0, 0.99))},
        {"name": "adam", "learning_rate": draw(st.floats(1e-4, 100))},
    ]))
    train = {
        "engine": "numpy",
        "epochs": draw(st.integers(1, 3) if small else st.integers(1, 100_000)),
        "batch_size": draw(st.sampled_from(["full", 1, 7, 32])),
        "optimizer": optimizer,
        "validation_split": draw(st.sampled_from([0.0, 0.25]) | st.floats(0, 0.5)),
        "seed": draw(st.integers(0, 2**31 - 1)),
        "dtype": draw(st.sampled_from(["float32", "float64"])),
    }
    if draw(st.booleans()):
        train["early_stopping"] = {"monitor": draw(st.sampled_from(["loss", "val_loss", "accuracy", "val_accuracy"])),
                                   "patience": draw(st.integers(0, 3))}
    return {
        "preset": {"title": draw(st.sampled_from(["t", *MARKUP]) | st.text(min_size=1, max_size=20))},
        "data": data,
        "model": {"loss": loss, "layers": [*hidden, {"type": "dense", **output}]},
        "train": train,
    }


def _places(node: Any, path: tuple = ()) -> list[tuple]:
    """Every key path and list index in a nested dict/list."""
    found = []
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else []
    for key, value in items:
        found.append((*path, key))
        found.extend(_places(value, (*path, key)))
    return found


def _value_for(path: tuple, small: bool, schema_families: bool) -> st.SearchStrategy[Any]:
    """A spoiled value for ``path``; without ``schema_families``, none of helper 9a's families."""
    if schema_families:
        return junk(small)
    key = path[-1]
    if key in ("intercept", "min_delta") or "beta" in path:  # unbounded floats: finite only
        return junk(small, nonfinite=False).filter(lambda v: not isinstance(v, float) or abs(v) < 1e3)
    if path[:2] == ("data", "seed"):
        return junk(small).filter(lambda v: not isinstance(v, int) or isinstance(v, bool) or 0 <= v < 2**32)
    if key in ("test_size", "validation_split"):  # a split that leaves no training rows is 9a's
        return junk(small).filter(lambda v: not isinstance(v, float) or v < 0.5 or v != v or v >= 1)
    return junk(small)


@st.composite
def spoiled_preset(draw, small: bool, schema_families: bool) -> dict[str, Any]:
    raw = copy.deepcopy(draw(coherent_preset(small)))
    for _ in range(draw(st.integers(0, 3))):
        places = _places(raw)
        path = draw(st.sampled_from(places))
        parent = raw
        for key in path[:-1]:
            parent = parent[key]
        action = draw(st.sampled_from(["set", "set", "delete", "unknown"]))
        if action == "delete":
            del parent[path[-1]]
        elif action == "unknown" and isinstance(parent, dict):
            parent[draw(st.sampled_from(["rows", "lr", "Units", "layers_", "x"]))] = draw(junk(small))
        else:
            parent[path[-1]] = draw(_value_for(path, small, schema_families))
    if schema_families:  # one family on the lecture's logistic model, so nothing else is refused first
        data, train = draw(st.sampled_from([
            ({"seed": draw(st.sampled_from(HUGE_INTS[1:4]))}, {}),
            ({"intercept": draw(st.sampled_from([float("inf"), float("nan"), 1e308]))}, {}),
            ({"beta": [float("nan"), 1.0]}, {}),
            ({"n": 1_000_000, "features": 10_000}, {}),
            ({"test_size": 0.99, "n": 10}, {}),
            ({"n": 10}, {"validation_split": 0.99}),
        ]))
        return {
            "preset": {"title": "family"},
            "data": {"source": "logistic", "n": 200, **data},
            "model": {"loss": "binary_crossentropy", "layers": [{"type": "dense", "units": 1, "activation": "sigmoid"}]},
            "train": {"epochs": 1, **train},
        }
    return raw


@st.composite
def preset_texts(draw, small: bool = False, schema_families: bool = False) -> bytes:
    """A preset file's bytes: a spoiled preset as TOML, sometimes with its text broken too."""
    raw = draw(spoiled_preset(small, schema_families))
    try:
        text = tomli_w.dumps(raw).encode("utf-8")
    except (TypeError, ValueError):  # not expressible in TOML (tomli_w refuses); write something else
        text = b'[preset]\ntitle = "t"\n'
    breakage = draw(st.sampled_from(["none", "none", "none", "truncate", "insert", "latin1"]))
    if breakage == "truncate":
        text = text[: draw(st.integers(0, len(text)))]
    elif breakage == "insert":
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from([b"=", b"[", b"]]", b"\n[data]\n", b'"', b"\x00", b"\xff", b"{"])) + text[at:]
    elif breakage == "latin1":
        text = text.replace(b'title = "', b'title = "caf\xe9 ', 1)
    return text


# --------------------------------------------------------------------------------------------
# CSV tables

CELLS = st.one_of(
    st.floats(-1e6, 1e6).map(repr),
    st.integers(-5, 5).map(str),
    st.floats().map(repr),  # any float, nan and inf included
    st.sampled_from(["1e39", "-1e39", "3.4e38", "-3.5e38", "1e400", "nan", "inf", "-inf", "", " ", "NaN", "0x10", "1_000"]),
    st.sampled_from(MARKUP),
    st.text(max_size=6),
)
NAMES = st.one_of(st.sampled_from(["a", "b", "y", "label", "x1", *MARKUP]), st.text(min_size=1, max_size=8))


@st.composite
def csv_tables(draw) -> tuple[bytes, str]:
    """A CSV file's bytes and a preset that reads it (the model's output fits the labels it sees):
    a numeric table with a label column, then up to three spoiled cells, names or bytes."""
    columns = draw(st.lists(NAMES, min_size=2, max_size=4))
    label = draw(NAMES) if draw(st.integers(0, 9)) == 9 else draw(st.sampled_from(columns))
    task = draw(st.sampled_from(["classification", "classification", "regression"]))
    n_rows = draw(st.integers(4, 30))
    classes = draw(st.lists(st.sampled_from(["0", "1", "2", *MARKUP[:3]]), min_size=2, max_size=4, unique=True))
    rows = [
        [draw(st.sampled_from(classes)) if name == label and task == "classification" else f"{draw(st.floats(-100, 100)):.3g}"
         for name in columns]
        for _ in range(n_rows)
    ]
    for at_row, at_column, cell in draw(st.lists(st.tuples(st.integers(0, 29), st.integers(0, 3), CELLS), max_size=3)):
        if at_row < len(rows) and at_column < len(columns):
            rows[at_row][at_column] = cell
    handle = io.StringIO()
    writer = csv.writer(handle, delimiter=draw(st.sampled_from([",", ";", "\t"])))
    writer.writerow(columns)
    writer.writerows(rows)
    data = handle.getvalue().encode("utf-8")
    if draw(st.integers(0, 19)) == 13:  # not 0: hypothesis favours small numbers
        data = data.replace(b"\n", b"\xff\n", 1)
    labels = {row[columns.index(label)].strip() for row in rows} if label in columns else set()
    if task == "regression":
        loss, output = "mean_squared_error", '{ type = "dense", units = 1, activation = "linear" }'
    else:
        units = max(2, len(labels))
        loss, output = "sparse_categorical_crossentropy", f'{{ type = "dense", units = {units}, activation = "softmax" }}'
    preset = {
        "preset": {"title": "csv"},
        "data": {"source": "csv", "path": "t.csv", "label_column": label, "task": task,
                 "test_size": draw(st.sampled_from([0.0, 0.25])), "standardize": draw(st.booleans())},
    }
    text = tomli_w.dumps(preset) + f'[model]\nloss = "{loss}"\nlayers = [{output}]\n[train]\nepochs = 2\n'
    return data, text


# --------------------------------------------------------------------------------------------
# Image folders

FILE_KINDS = ["png", "png", "png", "jpg", "noise", "truncated", "bomb", "text", "empty"]
ENTRY_NAMES = st.text(st.sampled_from("abcXYZ019 _-[]"), min_size=1, max_size=8)


def _write_image(path: Path, kind: str, size: int, value: int, mode: str) -> None:
    from PIL import Image

    if kind in ("png", "jpg"):
        fill = value if mode in ("L", "P", "1") else (value,) * len(mode)
        image = Image.new(mode, (size, size), fill)
        if kind == "jpg":
            image.convert("RGB").save(path.with_suffix(".jpg"), format="JPEG")
        else:
            image.save(path, format="PNG")
    elif kind == "noise":
        path.write_bytes(bytes((value * i) % 256 for i in range(size * 7)))
    elif kind == "truncated":
        path.write_bytes(png_claiming(size, size)[: 20 + size])
    elif kind == "bomb":
        path.write_bytes(png_claiming(40_000, 40_000))
    elif kind == "text":
        path.with_suffix(".txt").write_text("not an image")
    else:
        path.write_bytes(b"")


IMAGE = st.tuples(st.just("png") | st.just("jpg"), st.integers(1, 12), st.integers(0, 255),
                  st.sampled_from(["RGB", "L", "RGBA", "P", "1"]))
HOSTILE_FILE = st.tuples(st.sampled_from(FILE_KINDS), st.integers(1, 12), st.integers(0, 255), st.just("RGB"))


@st.composite
def image_folders(draw) -> Callable[[Path], None]:
    """A function that lays out a folder data set: two or three class folders of small images,
    then up to three spoilers: a hostile file in a class (noise, truncated, an image-bomb header,
    text, empty), or a stray entry beside the classes (a plain file, a link to nowhere, an empty
    folder, a folder of non-images)."""
    names = draw(st.lists(ENTRY_NAMES, min_size=2, max_size=5, unique_by=str.lower))
    classes = {name: draw(st.lists(IMAGE, min_size=1, max_size=3)) for name in names[:3]}
    strays = {name: draw(st.sampled_from(["file", "dangling", "empty", "text"])) for name in names[3:]}
    for _ in range(draw(st.integers(0, 2))):
        draw(st.sampled_from(sorted(classes))) and classes[draw(st.sampled_from(sorted(classes)))].append(draw(HOSTILE_FILE))

    def lay_out(root: Path) -> None:
        root.mkdir()
        for name, files in classes.items():
            (root / name).mkdir()
            for i, (kind, size, value, mode) in enumerate(files):
                _write_image(root / name / f"{i}.png", kind, size, value, mode)
        for name, kind in strays.items():
            entry = root / name
            if kind == "file":
                entry.write_text("stray")
            elif kind == "dangling":
                entry.symlink_to(root / "nowhere")
            else:
                entry.mkdir()
                if kind == "text":
                    (entry / "notes.txt").write_text("not an image")

    return lay_out
