"""Your own table: the ``csv`` source.

The first line names the columns. ``label_column`` holds the answer (a class for
``task = "classification"``, a number for ``"regression"``); every other column is a feature and
must be numeric. Commas, semicolons and tabs all work as separators.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from nnplay.engine.data import cache
from nnplay.engine.data.dataset import Dataset, split, split_streamed
from nnplay.engine.errors import DataError, clip
from nnplay.engine.spec import CsvData
from nnplay.engine.user_paths import user_path

WHERE = "data.path"
#: A CSV file at least this large is decoded once into the data cache (float32, see
#: :mod:`nnplay.engine.data.cache`) and its rows streamed from there: later loads skip the parsing
#: and a run holds one batch, not the table. (The first load still parses the whole file.)
STREAM_BYTES = 64 * 2**20


def _open_table(path: Path) -> tuple[list[str], list[list[str]]]:
    if not path.exists():
        raise DataError(f"{path}: no such file", field=WHERE)
    if path.is_dir():
        raise DataError(f"{path}: is a folder; give a .csv file (or use source = \"folder\" for images)", field=WHERE)
    if not path.is_file():  # a device such as /dev/zero never ends; a pipe is read once and gone
        raise DataError(f"{path}: not a regular file; give a .csv file", field=WHERE)
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            sample = handle.read(64 * 1024)
            handle.seek(0)
            try:
                dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
            except csv.Error:
                dialect = csv.excel
            rows = [row for row in csv.reader(handle, dialect) if any(cell.strip() for cell in row)]
    except UnicodeDecodeError:
        raise DataError(f"{path}: not a text file (expected UTF-8 CSV)", field=WHERE) from None
    except (OSError, csv.Error) as exc:
        raise DataError(f"{path}: cannot read ({exc})", field=WHERE) from None
    if not rows:
        raise DataError(f"{path}: the file is empty; the first line must name the columns", field=WHERE)
    header = [name.strip() for name in rows[0]]
    body = rows[1:]
    if not body:
        raise DataError(f"{path}: has a header but no data rows", field=WHERE)
    for number, row in enumerate(body, start=2):
        if len(row) != len(header):
            raise DataError(
                f"{path}: line {number} has {len(row)} values but the header names {len(header)} columns", field=WHERE
            )
    return header, body


#: Both engines compute in float32 by default; a value beyond its range would become infinity.
FLOAT32_MAX = float(np.finfo(np.float32).max)


def _numeric(values: list[str]) -> tuple[np.ndarray | None, int | None]:
    """The column as float64, or ``None`` and the index of the first value that is not a number
    (or one float32 cannot hold: NaN, infinity, or beyond +-3.4e38)."""
    out = np.empty(len(values), dtype=np.float64)
    for i, value in enumerate(values):
        try:
            out[i] = float(value)
        except ValueError:
            return None, i
    unusable = ~(np.abs(out) <= FLOAT32_MAX)  # also true for NaN
    if unusable.any():
        return None, int(np.flatnonzero(unusable)[0])
    return out, None


def _shown(value: str) -> str:
    """A cell that :func:`_numeric` refused, quoted, with the reason when it is a number after all."""
    try:
        number = float(value)
    except ValueError:
        return repr(clip(value, 40))
    reason = "beyond float32's +-3.4e38" if np.isfinite(number) else "not finite"
    return f"{clip(value, 40)!r}, {reason}"


def _class_ids(values: list[str]) -> tuple[np.ndarray, tuple[str, ...]]:
    """Label values to class ids 0..k-1: numeric labels in numeric order, others in text order."""
    cleaned = [value.strip() for value in values]
    numbers, _ = _numeric(cleaned)
    if numbers is not None:
        uniques, ids = np.unique(numbers, return_inverse=True)
        names = tuple(f"{value:g}" for value in uniques)
    else:
        uniques, ids = np.unique(np.asarray(cleaned, dtype=str), return_inverse=True)
        names = tuple(str(value) for value in uniques)
    return ids.astype(np.int64), names


def read_table(spec: CsvData) -> tuple[np.ndarray, np.ndarray, tuple[str, ...], tuple[str, ...] | None]:
    """Features ``(n, f)`` float32, labels, feature names and class names (``None``: regression)."""
    path = user_path(spec.path, WHERE, DataError)
    header, body = _open_table(path)
    if spec.label_column not in header:
        raise DataError(
            f"{path}: no column {spec.label_column!r}; the columns are {', '.join(map(repr, header))}",
            field="data.label_column",
        )
    label_at = header.index(spec.label_column)
    columns = list(zip(*body, strict=True))
    feature_at = [i for i in range(len(header)) if i != label_at]
    if not feature_at:
        raise DataError(f"{path}: has only the label column {spec.label_column!r}; add feature columns", field=WHERE)
    features, bad = [], []
    for i in feature_at:
        column, row = _numeric([value.strip() for value in columns[i]])
        if column is None:
            bad.append(f"{clip(header[i], 40)!r} (line {row + 2}: {_shown(columns[i][row].strip())})")
        else:
            features.append(column)
    if bad:
        raise DataError(
            f"{path}: feature columns must be numeric; not numeric: {', '.join(bad)}"
            f" (drop them or make one the label_column)",
            field=WHERE,
        )
    x = np.column_stack(features).astype(np.float32)
    feature_names = tuple(header[i] for i in feature_at)
    labels = list(columns[label_at])
    if spec.task == "regression":
        y, row = _numeric([value.strip() for value in labels])
        if y is None:
            raise DataError(
                f"{path}: label column {spec.label_column!r} must be numeric for task = \"regression\" "
                f"(line {row + 2}: {_shown(labels[row].strip())})",
                field="data.label_column",
            )
        return x, y.astype(np.float32), feature_names, None
    ids, class_names = _class_ids(labels)
    if len(class_names) < 2:
        raise DataError(
            f"{path}: label column {spec.label_column!r} has a single class ({class_names[0]!r});"
            " a classifier needs at least two",
            field="data.label_column",
        )
    return x, ids, feature_names, class_names


def table(spec: CsvData) -> Dataset:
    """The table split into training and test rows; a large file (:data:`STREAM_BYTES` or more)
    is decoded once into the data cache and streamed from there, like images."""
    path = user_path(spec.path, WHERE, DataError)
    if _size(path) >= STREAM_BYTES:
        return _streamed(spec, path)
    x, y, feature_names, class_names = read_table(spec)
    return split(
        Path(spec.path).stem, x, y, test_size=spec.test_size, seed=spec.seed, standardize=spec.standardize,
        feature_names=feature_names, class_names=class_names,
    )


def _size(path: Path) -> int:
    try:
        return path.stat().st_size if path.is_file() else 0
    except OSError:
        return 0  # read_table names the problem


def _streamed(spec: CsvData, path: Path) -> Dataset:
    stat = path.stat()
    key = f"csv|{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{spec.label_column}|{spec.task}"

    def build(folder: Path) -> dict:
        x, y, feature_names, class_names = read_table(spec)
        cache.check_room(len(x), x.shape[1], WHERE, itemsize=4)
        np.save(folder / "x.npy", x, allow_pickle=False)
        cache.save_labels(folder, y)
        return {"feature_names": list(feature_names), "class_names": None if class_names is None else list(class_names)}

    entry = cache.cached("csv", key, build)
    names = entry.meta["class_names"]
    return split_streamed(
        path.stem, entry.x, entry.y, test_size=spec.test_size, seed=spec.seed, standardize=spec.standardize,
        feature_names=tuple(entry.meta["feature_names"]), class_names=None if names is None else tuple(names),
    )
