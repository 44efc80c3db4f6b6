"""The on-disk data cache and the rows streamed from it: keyed right, whole or rebuilt, shared safely
between processes, read a batch at a time, and a run's private memory flat in the number of rows."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from nnplay.engine.data import cache, load_data
from nnplay.engine.data.source import ArraySource, StreamedSource, as_source, feature_stats
from tests.builders import data_spec


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def image_folder(root: Path, per_class: int, size: int = 12) -> Path:
    """Two class folders of small random PNGs (class b is brighter)."""
    rng = np.random.default_rng(per_class)
    for k, name in enumerate(("a", "b")):
        (root / name).mkdir(parents=True)
        for i in range(per_class):
            pixels = rng.integers(0, 156, (size, size, 3), dtype=np.uint8) + 100 * k
            Image.fromarray(pixels).save(root / name / f"{i:05d}.png")
    return root


def entries(stem: str = "folder") -> list[Path]:
    return sorted(p for p in cache.cache_dir().glob(f"{stem}-*") if p.is_dir())


def tiny_build(rows: int = 4, features: int = 3):
    def build(folder: Path) -> dict:
        cache.write_rows(folder / "x.npy", (np.full(features, i, np.uint8) for i in range(rows)), features, rows)
        cache.save_labels(folder, np.arange(rows) % 2)
        return {"class_names": ["a", "b"]}

    return build


# --------------------------------------------------------------------------------------------
# The cache itself


def test_an_entry_is_a_uint8_memory_map_with_its_labels():
    entry = cache.cached("folder", "k", tiny_build())
    assert isinstance(entry.x, np.memmap) and entry.x.dtype == np.uint8 and entry.x.shape == (4, 3)
    assert entry.y.tolist() == [0, 1, 0, 1] and entry.meta["class_names"] == ["a", "b"]
    assert not any(p.name.startswith(".") for p in cache.cache_dir().iterdir())  # no temporary left


def test_rows_beyond_or_below_the_expected_count_are_written_whole(tmp_path):
    for count, capacity in ((10, 3), (3, 10), (0, 5)):
        path = tmp_path / f"{count}-{capacity}.npy"
        written = cache.write_rows(path, (np.full(2, i, np.uint8) for i in range(count)), 2, capacity)
        assert written == count
        assert np.load(path).tolist() == [[i, i] for i in range(count)]


def test_the_cache_keeps_a_bounded_number_of_entries():
    past = time.time() - 1000
    for i in range(cache.KEEP + 3):
        entry = cache.cached("folder", f"key {i}", tiny_build())
        os.utime(entry.path, (past + i, past + i))  # distinct ages even where the clock is coarse
    assert len(entries()) == cache.KEEP
    assert cache.open_entry(cache.entry_path("folder", f"key {cache.KEEP + 2}"), f"key {cache.KEEP + 2}")
    assert cache.open_entry(cache.entry_path("folder", "key 0"), "key 0") is None


def cut_short(entry: Path) -> None:
    data = (entry / "x.npy").read_bytes()
    (entry / "x.npy").write_bytes(data[: len(data) - 5])


def other_version(entry: Path) -> None:
    meta = json.loads((entry / "meta.json").read_text())
    (entry / "meta.json").write_text(json.dumps({**meta, "format": cache.FORMAT - 1}))


def other_npy_version(entry: Path) -> None:
    data = bytearray((entry / "x.npy").read_bytes())
    data[6] = 9  # the .npy format's major version byte
    (entry / "x.npy").write_bytes(bytes(data))


def garbage_meta(entry: Path) -> None:
    (entry / "meta.json").write_bytes(b"\xff\x00 not json")


def other_key(entry: Path) -> None:
    meta = json.loads((entry / "meta.json").read_text())
    (entry / "meta.json").write_text(json.dumps({**meta, "key": "something else"}))


def labels_missing(entry: Path) -> None:
    (entry / "y.npy").unlink()


DAMAGE = [cut_short, other_version, other_npy_version, garbage_meta, other_key, labels_missing]


@pytest.mark.parametrize("damage", DAMAGE, ids=lambda f: f.__name__)
def test_a_damaged_or_foreign_entry_is_built_again(damage):
    first = cache.cached("folder", "k", tiny_build())
    damage(first.path)
    assert cache.open_entry(first.path, "k") is None
    again = cache.cached("folder", "k", tiny_build())
    assert again.x.tolist() == [[i] * 3 for i in range(4)] and len(entries()) == 1


def test_an_unwritable_cache_folder_costs_time_not_the_run(tmp_path, monkeypatch):
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache folder would go")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    entry = cache.cached("folder", "k", tiny_build())
    assert entry.x.shape == (4, 3) and not entry.path.is_relative_to(blocked)
    assert blocked.read_text() == "a file where the cache folder would go"


RACE = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    import numpy as np
    from nnplay.engine.data import cache

    def build(folder: Path) -> dict:
        Path(sys.argv[2]).touch()  # tells the test a build started
        rows = (np.full(1000, i % 256, np.uint8) for i in range(2000))
        def slow():
            for i, row in enumerate(rows):
                if i % 500 == 0:
                    time.sleep(0.2)
                yield row
        cache.write_rows(folder / "x.npy", slow(), 1000, 2000)
        cache.save_labels(folder, np.arange(2000) % 2)
        return {"class_names": ["a", "b"], "builder": sys.argv[1]}

    Path(sys.argv[3]).touch()
    while not Path(sys.argv[4]).exists():  # start together
        time.sleep(0.01)
    entry = cache.cached("folder", "shared", build)
    assert entry.x.shape == (2000, 1000) and int(entry.x[1999, 0]) == 1999 % 256 and len(entry.y) == 2000
    print(entry.meta["builder"], entry.path)
""")


def test_two_processes_asking_at_once_both_get_one_whole_entry(tmp_path):
    script = tmp_path / "race.py"
    script.write_text(RACE)
    go = tmp_path / "go"
    procs = [
        subprocess.Popen([sys.executable, str(script), name, str(tmp_path / f"built-{name}"),
                          str(tmp_path / f"ready-{name}"), str(go)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=os.environ.copy())
        for name in ("one", "two")
    ]
    deadline = time.time() + 60
    while not all((tmp_path / f"ready-{n}").exists() for n in ("one", "two")) and time.time() < deadline:
        time.sleep(0.05)
    go.touch()
    outs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), [err for _, err in outs]
    builders = {out.split()[0] for out, _ in outs}
    paths = {out.split()[1] for out, _ in outs}
    assert len(builders) == 1 and len(paths) == 1  # one decoded, the other read the winner's
    assert sum((tmp_path / f"built-{n}").exists() for n in ("one", "two")) == 1
    assert len(entries()) == 1


# --------------------------------------------------------------------------------------------
# Keyed by what produced it


def test_a_new_image_size_or_a_touched_file_makes_a_new_entry(tmp_path):
    root = image_folder(tmp_path / "imgs", per_class=4)
    spec = data_spec(source="folder", path=str(root), image_size=4, test_size=0.0)
    first = load_data(spec)
    assert len(entries()) == 1
    load_data(spec)
    assert len(entries()) == 1  # the same data: the same entry
    assert load_data(data_spec(source="folder", path=str(root), image_size=5, test_size=0.0)).n_features == 75
    assert len(entries()) == 2
    touched = root / "a" / "00000.png"
    Image.new("RGB", (12, 12), (255, 255, 255)).save(touched)
    stamp = time.time() + 5
    os.utime(touched, (stamp, stamp))
    changed = load_data(spec)
    assert len(entries()) == 3
    assert not np.array_equal(np.asarray(changed.x_train), np.asarray(first.x_train))


def test_a_folder_streams_the_rows_an_in_memory_split_would_give(tmp_path):
    from nnplay.engine.data.dataset import split

    root = image_folder(tmp_path / "imgs", per_class=15)
    spec = data_spec(source="folder", path=str(root), image_size=6, test_size=0.3, standardize=True)
    streamed = load_data(spec)
    assert isinstance(streamed.x_train, StreamedSource)
    [entry] = entries()
    pixels = np.load(entry / "x.npy")
    labels = np.load(entry / "y.npy")
    held = split("imgs", pixels, labels, test_size=0.3, seed=spec.seed, standardize=True,
                 class_names=("a", "b"), scale=1 / 255)
    np.testing.assert_array_equal(streamed.y_train, held.y_train)
    np.testing.assert_allclose(np.asarray(streamed.x_train), held.x_train, atol=2e-5)
    np.testing.assert_allclose(np.asarray(streamed.x_test), held.x_test, atol=2e-5)
    rows = np.array([5, 0, 3])
    np.testing.assert_array_equal(streamed.x_train[rows], np.asarray(streamed.x_train)[rows])
    assert streamed.x_train[2:5].shape == (3, 108)


def test_feature_statistics_take_one_streaming_pass():
    x = np.random.default_rng(1).normal(5, 3, (3001, 7)).astype(np.float32)
    mean, std = feature_stats(ArraySource(x))
    np.testing.assert_allclose(mean, x.mean(axis=0, dtype=np.float64), rtol=1e-10)
    np.testing.assert_allclose(std, x.std(axis=0, dtype=np.float64), rtol=1e-10)
    blocks = list(as_source(x).chunks(1000))
    assert [len(b) for b in blocks] == [1000, 1000, 1000, 1]


def test_both_engines_train_from_the_stream_as_from_memory(tmp_path):
    """The NumPy engine reads the same batches, in the same order, from disk as from memory."""
    from dataclasses import replace

    from nnplay.engine.run import prepare, run
    from nnplay.engine.spec import validate_preset

    root = image_folder(tmp_path / "imgs", per_class=20)
    preset = validate_preset({
        "preset": {"title": "streamed"},
        "data": {"source": "folder", "path": str(root), "image_size": 6, "test_size": 0.25, "standardize": True},
        "model": {"loss": "binary_crossentropy",
                  "layers": [{"type": "dense", "units": 4, "activation": "relu"},
                             {"type": "dense", "units": 1, "activation": "sigmoid"}]},
        "train": {"epochs": 3, "batch_size": 8, "validation_split": 0.2},
    })
    prepared = prepare(preset)
    assert isinstance(prepared.x_train, StreamedSource)
    in_memory = replace(prepared, x_train=np.asarray(prepared.x_train), x_test=np.asarray(prepared.x_test))
    streamed, held = run(prepared), run(in_memory)
    assert streamed.fit.history == held.fit.history
    assert streamed.test == pytest.approx(held.test, rel=1e-6)
    np.testing.assert_allclose(streamed.trainer.predict(prepared.x_test), held.trainer.predict(in_memory.x_test),
                               rtol=1e-6)


@pytest.mark.slow  # trains Keras
def test_keras_reads_the_stream_through_a_py_dataset_in_the_numpy_engines_order(tmp_path):
    from nnplay.engine.run import prepare, run
    from nnplay.engine.spec import validate_preset

    root = image_folder(tmp_path / "imgs", per_class=20)
    preset = validate_preset({
        "preset": {"title": "streamed"},
        "data": {"source": "folder", "path": str(root), "image_size": 6, "test_size": 0.25},
        "model": {"loss": "binary_crossentropy", "layers": [{"type": "dense", "units": 1, "activation": "sigmoid"}]},
        "train": {"epochs": 3, "batch_size": 8, "validation_split": 0.2, "shuffle": True},
    })
    prepared = prepare(preset)
    keras, numpy = run(prepared, engine="keras"), run(prepared, engine="numpy")
    # Streamed, Keras walks the NumPy engine's permutations: the twin curves agree even shuffled.
    np.testing.assert_allclose(keras.fit.history["loss"], numpy.fit.history["loss"], rtol=1e-4)
    np.testing.assert_allclose(keras.fit.history["val_loss"], numpy.fit.history["val_loss"], rtol=1e-4)
    assert keras.test["loss"] == pytest.approx(numpy.test["loss"], rel=1e-4)
    assert keras.trainer.predict(prepared.x_test).shape == (len(prepared.x_test), 1)


# --------------------------------------------------------------------------------------------
# Memory: flat in the number of rows


MEASURE = textwrap.dedent("""
    import sys
    from nnplay.engine.run import prepare, run
    from nnplay.engine.spec import validate_preset

    def rss_anon_kb() -> int:
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("RssAnon:"))

    preset = validate_preset({
        "preset": {"title": "memory"},
        "data": {"source": "folder", "path": sys.argv[1], "image_size": 40, "test_size": 0.2, "standardize": True},
        "model": {"loss": "binary_crossentropy", "layers": [{"type": "dense", "units": 8, "activation": "relu"},
                                                           {"type": "dense", "units": 1, "activation": "sigmoid"}]},
        "train": {"epochs": 2, "batch_size": 32, "validation_split": 0.1},
    })
    report = run(prepare(preset))
    assert report.fit.status == "completed"
    print(rss_anon_kb())
""")


@pytest.mark.slow  # decodes 2,200 images and runs four processes
def test_private_memory_does_not_grow_with_the_rows(tmp_path):
    script = tmp_path / "measure.py"
    script.write_text(MEASURE)

    def private_kb(per_class: int) -> int:
        root = image_folder(tmp_path / f"imgs{per_class}", per_class=per_class, size=8)
        run = [sys.executable, str(script), str(root)]
        subprocess.run(run, check=True, capture_output=True, env=os.environ.copy())  # decodes into the cache
        done = subprocess.run(run, check=True, capture_output=True, text=True, env=os.environ.copy())
        return int(done.stdout.split()[-1])

    small, large = private_kb(100), private_kb(1000)  # 200 and 2,000 images of 40x40x3
    # Held in memory as float32 the large set alone would be 2,000 x 4,800 x 4 B = 38 MB more.
    assert large - small < 6_000, (small, large)


def test_rows_the_disk_cannot_hold_are_refused_before_decoding():
    from nnplay.engine.errors import DataError

    with pytest.raises(DataError, match="of disk") as info:
        cache.check_room(10**9, 10**6, "data.limit")  # a petabyte
    assert info.value.one_line().startswith("data.limit") or "data.limit" in str(info.value)
    cache.check_room(10, 10, "data.limit")  # a hundred bytes: room enough


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_a_large_csv_is_decoded_once_and_streamed(task, tmp_path, monkeypatch):
    from nnplay.engine.data import table

    rng = np.random.default_rng(3)
    rows = ["a,b,c,y", *[f"{x:.6g},{z:.6g},{3e38 if i == 7 else i},{i % 3 if task == 'classification' else x + z}"
                         for i, (x, z) in enumerate(rng.normal(size=(90, 2)))]]
    path = tmp_path / "big.csv"
    path.write_text("\n".join(rows) + "\n")
    spec = data_spec(source="csv", path=str(path), label_column="y", task=task, test_size=0.25, standardize=True)
    held = load_data(spec)  # below the size: parsed into memory, as always
    monkeypatch.setattr(table, "STREAM_BYTES", 0)  # every file counts as large
    streamed = load_data(spec)
    assert isinstance(streamed.x_train, StreamedSource) and len(entries("csv")) == 1
    assert streamed.feature_names == held.feature_names and streamed.class_names == held.class_names
    np.testing.assert_array_equal(streamed.y_train, held.y_train)
    np.testing.assert_allclose(np.asarray(streamed.x_train), held.x_train, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(np.asarray(streamed.x_test), held.x_test, rtol=1e-5, atol=1e-6)
    assert np.isfinite(np.asarray(streamed.x_train)).all()  # 3e38 standardised without overflow
    path.write_text("\n".join(rows[:-1]) + "\n")
    assert len(load_data(spec).y_train) + len(load_data(spec).y_test) == 89 and len(entries("csv")) == 2
