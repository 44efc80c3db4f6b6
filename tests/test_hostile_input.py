"""Hostile input: whatever a user hands nnplay ends in exit 0, 2 or 3, as tests/hostile.py states.

A corpus of hand-written cases, one per family of input that once ended in a traceback or in
``internal error``; then property-based tests that generate presets, CSV tables and image folders.
The generated tests assert only the contract (exit code, one line that names where, no traceback,
no warning, standard JSON, inputs unchanged), never a particular message.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nnplay.tui.render import CONFUSION_CORNER
from tests.hostile import png_claiming, preset_text, run_cli, snapshot, strict_json, tiny_png
from tests.strategies import csv_tables, image_folders, preset_texts

#: A few dozen examples each keeps the file to about a minute; NNPLAY_HYPOTHESIS_SCALE=20 hunts harder.
SCALE = int(os.environ.get("NNPLAY_HYPOTHESIS_SCALE", "1"))
#: No deadline (a case that trains takes what it takes on a busy machine), no example database in
#: the work tree; the tmp_path_factory and monkeypatch fixtures are safe to share between examples.
GENERATED = settings(
    deadline=None, database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)

LOGISTIC = 'source = "logistic"\nn = 200'
SIGMOID = '[{ type = "dense", units = 1, activation = "sigmoid" }]'
GOOD = preset_text(LOGISTIC, SIGMOID, "binary_crossentropy")


@pytest.fixture(autouse=True)
def private_cache(tmp_path_factory, monkeypatch):
    """Image sets are cached under XDG_CACHE_HOME: keep the tests' copies out of the user's."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))


# --------------------------------------------------------------------------------------------
# The corpus: (files to write, argv, the exit code, words the one error line must hold)


def csv_preset(rows: list[str], loss: str = "sparse_categorical_crossentropy", units: int = 2, task: str = "") -> dict:
    task_line = f'\ntask = "{task}"' if task else ""
    data = f'source = "csv"\npath = "t.csv"\nlabel_column = "y"{task_line}'
    layers = f'[{{ type = "dense", units = {units}, activation = "{"linear" if task else "softmax"}" }}]'
    return {"t.csv": "\n".join(rows) + "\n", "p.toml": preset_text(data, layers, loss)}


def folder_preset(**files) -> dict:
    data = 'source = "folder"\npath = "imgs"\nimage_size = 4\ntest_size = 0.0'
    return {"p.toml": preset_text(data, SIGMOID, "binary_crossentropy"), **files}


def two_classes(extra: dict | None = None) -> dict:
    files = {f"imgs/{name}/{i}.png": "png" for name in ("a", "b") for i in range(3)}
    return folder_preset(**files, **(extra or {}))


SEARCHABLE = preset_text(LOGISTIC, SIGMOID, "binary_crossentropy", "epochs = 2\nvalidation_split = 0.25") + (
    '[search]\ntrials = 2\n[search.space]\n"train.optimizer.learning_rate" = { low = 0.01, high = 0.1 }\n')
#: A journal holding one study, "s", made to minimise (directions [1]): what Optuna writes first.
JOURNAL_MINIMISING = '{"op_code":0,"worker_id":"w","study_name":"s","directions":[1]}\n'


def search_case(storage: str, files: dict | None = None, *flags: str) -> tuple[dict, list[str]]:
    return {"p.toml": SEARCHABLE, **(files or {})}, ["search", "p.toml", "--storage", storage, "--json", *flags]


LONG_NAME = "x" * 300 + ".toml"
CORPUS: dict[str, tuple[dict, list[str], int, tuple[str, ...]]] = {
    "preset_not_utf8": ({"p.toml": b'[preset]\ntitle = "caf\xe9"\n'}, ["check", "p.toml"], 2, ("p.toml", "UTF-8")),
    "preset_is_binary": ({"p.toml": bytes(range(256))}, ["check", "p.toml"], 2, ("p.toml",)),
    "preset_utf16": ({"p.toml": GOOD.encode("utf-16")}, ["train", "p.toml"], 2, ("p.toml",)),
    "model_file_upper_case": ({"MODEL.H5": b"\x89HDF\r\n\x1a\n" + bytes(200)}, ["summary", "MODEL.H5"], 2, ("MODEL.H5",)),
    "model_file_that_is_text": ({"MODEL.H5": GOOD}, ["summary", "MODEL.H5"], 2, ("MODEL.H5", "HDF5")),
    "deep_arrays": ({"p.toml": "a = " + "[" * 5000 + "]" * 5000 + "\n"}, ["check", "p.toml"], 2, ("p.toml", "deep")),
    "deep_tables": ({"p.toml": "a = " + "{ b = " * 3000 + "1" + " }" * 3000 + "\n"}, ["check", "p.toml"], 2, ("p.toml",)),
    "deep_but_parseable": ({"p.toml": GOOD + "x = " + "[" * 200 + "]" * 200 + "\n"}, ["check", "p.toml"], 2, ("x",)),
    "name_too_long": ({}, ["check", LONG_NAME], 2, ("preset", "longer")),
    "path_too_long": ({}, ["train", "a/" * 3000 + "p.toml"], 2, ("preset",)),
    "nul_in_preset_path": ({}, ["check", "p\0.toml"], 2, ("preset", "NUL")),
    "nul_in_export_path": ({"p.toml": GOOD}, ["train", "p.toml", "--export", "m\0.h5"], 2, ("--export", "NUL")),
    "long_export_name": ({"p.toml": GOOD}, ["train", "p.toml", "--export", "m" * 300 + ".h5"], 2, ("--export",)),
    "nul_in_data_path": ({"p.toml": GOOD.replace(LOGISTIC, 'source = "csv"\npath = "t\\u0000.csv"\nlabel_column = "y"')},
                         ["data", "p.toml"], 2, ("data.path", "NUL")),
    "long_data_path": ({"p.toml": GOOD.replace(LOGISTIC, f'source = "folder"\npath = "{"d" * 400}"')},
                       ["data", "p.toml"], 2, ("data.path",)),
    "nul_in_malaria_data_dir": ({"p.toml": GOOD.replace(LOGISTIC, 'source = "malaria"\ndata_dir = "x\\u0000y"')},
                                ["data", "p.toml"], 2, ("data.data_dir", "NUL")),
    "csv_overflows_float32": (csv_preset(["a,b,y", "1e39,1,0", "2,1,1", "3,1,0"]), ["data", "p.toml"], 2, ("1e39", "float32")),
    "csv_negative_overflow": (csv_preset(["a,y", *[f"{-3.5e38 if i == 5 else i},{i % 2}" for i in range(10)]]),
                              ["train", "p.toml", "--json"], 2, ("line 7", "float32")),
    "csv_target_overflows": (csv_preset(["a,y", "1,2", "2,1e40", "3,4"], "mean_squared_error", 1, "regression"),
                             ["data", "p.toml"], 2, ("data.label_column", "float32")),
    "csv_near_float32_limit": ({**csv_preset(["a,y", "3.4e38,0", "3.4e38,1", "-3.4e38,0", "3.3e38,1"]),
                                "p.toml": csv_preset([])["p.toml"].replace("[data]\n", "[data]\nstandardize = true\n")},
                               ["data", "p.toml"], 0, ()),
    "csv_endless_device": ({"p.toml": csv_preset([])["p.toml"].replace('"t.csv"', '"/dev/zero"')}, ["data", "p.toml"], 2,
                           ("/dev/zero", "regular file")),
    "int_of_5000_digits": ({"p.toml": GOOD.replace("n = 200", "n = " + "9" * 5000)}, ["check", "p.toml"], 2, ("p.toml", "TOML")),
    "csv_nan_cell": (csv_preset(["a,y", "nan,0", "1,1", "2,0"]), ["data", "p.toml"], 2, ("'nan', not finite",)),
    "csv_not_utf8": ({**csv_preset([]), "t.csv": b"a,y\n\xff\xfe,1\n"}, ["data", "p.toml"], 2, ("data.path", "UTF-8")),
    "csv_label_column_huge": (csv_preset(["a," + "y" * 5000, "1,2"]), ["data", "p.toml"], 2, ("data.label_column",)),
    "image_bomb": (two_classes({"imgs/a/bomb.png": png_claiming(30_000, 30_000)}), ["data", "p.toml"], 2, ("bomb.png", "pixels")),
    "image_bomb_below_twice": (two_classes({"imgs/a/big.png": png_claiming(10_000, 10_000)}), ["data", "p.toml"], 2,
                               ("big.png", "pixels")),
    "image_bomb_among_many": (  # 64 images or more are decoded by worker threads
        folder_preset(**{f"imgs/{c}/{i}.png": "png" for c in "ab" for i in range(40)},
                      **{"imgs/b/big.png": png_claiming(10_000, 10_000)}),
        ["data", "p.toml"], 2, ("big.png", "pixels"),
    ),
    "image_truncated": (two_classes({"imgs/b/cut.png": png_claiming(8, 8)[:40]}), ["data", "p.toml"], 2, ("cut.png",)),
    "class_is_dangling_link": (two_classes({"imgs/c": ("link", "nowhere")}), ["data", "p.toml"], 2, ("imgs/c", "does not exist")),
    "class_folder_of_text": (two_classes({"imgs/c/readme.txt": "hello"}), ["data", "p.toml"], 2, ("imgs/c", "no images")),
    "file_where_a_class_folder_goes": (two_classes({"imgs/notes.png": "png"}), ["data", "p.toml"], 0, ()),
    "link_loop": (two_classes({"imgs/c": ("link", "c")}), ["data", "p.toml"], 2, ("imgs/c",)),
    "flag_not_a_number": ({"p.toml": GOOD}, ["train", "p.toml", "--epochs", "1e3"], 2, ("--epochs",)),
    "flag_huge": ({"p.toml": GOOD}, ["train", "p.toml", "--epochs", "9" * 40], 2, ("--epochs",)),
    "flag_unknown": ({"p.toml": GOOD}, ["train", "p.toml", "--bogus"], 2, ("--bogus",)),
    "seed_negative": ({"p.toml": GOOD}, ["train", "p.toml", "--seed", "-1"], 2, ("--seed",)),
    "devices_zero": ({"p.toml": GOOD.replace("epochs = 2", "epochs = 2\ndevices = 0")}, ["train", "p.toml"], 2,
                     ("train.devices", "(got 0)")),
    "devices_flag_zero": ({"p.toml": GOOD}, ["train", "p.toml", "--devices", "0"], 2, ("--devices", "(got 0)")),
    "storage_url_malformed": (*search_case("postgresql://me@db.example:port/studies"), 2, ("--storage", "not a database URL")),
    "storage_url_unknown_scheme": (*search_case("redis://localhost:6379"), 2, ("--storage", "redis://")),
    "storage_unreachable": (*search_case("postgresql://nnplay@127.0.0.1:9/studies"), 2, ("--storage", "cannot open")),
    "storage_is_a_folder": (*search_case("studies", {"studies/notes.txt": "mine"}), 2, ("--storage", "folder")),
    "storage_folder_missing": (*search_case("nowhere/s.journal"), 2, ("--storage", "nowhere")),
    "journal_that_is_text": (*search_case("s.journal", {"s.journal": "my notes\n"}), 2, ("s.journal", "not an Optuna journal")),
    "journal_that_is_sqlite": (*search_case("s.journal", {"s.journal": b"SQLite format 3\0" + bytes(100)}), 2,
                               ("s.journal", "sqlite:///")),
    "study_with_another_direction": (*search_case("s.journal", {"s.journal": JOURNAL_MINIMISING}, "--study", "s"), 2,
                                     ("--study", "minimize")),
    "workers_zero": (*search_case("s.journal", None, "--workers", "0"), 2, ("--workers", "1 .. 64")),
    "study_name_blank": (*search_case("s.journal", None, "--study", " "), 2, ("--study", "not a study name")),
    "workers_without_storage": ({"p.toml": SEARCHABLE}, ["search", "p.toml", "--workers", "2"], 2, ("--workers", "--storage")),
    "pasted_megabyte_title": ({"p.toml": GOOD.replace('title = "t"', f'title = "{"t" * 1_000_000}"')}, ["check", "p.toml"], 2,
                              ("preset.title",)),
}


def write_files(folder: Path, files: dict) -> None:
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if content == "png":
            tiny_png(path, value=40 if "/a/" in name else 200)
        elif isinstance(content, tuple):  # ("link", target)
            path.symlink_to(content[1])
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_hostile_corpus(name, tmp_path, monkeypatch):
    files, argv, code, words = CORPUS[name]
    write_files(tmp_path, files)
    monkeypatch.chdir(tmp_path)
    outcome = run_cli(argv, tmp_path)
    assert outcome.code == code, outcome.err
    for word in words:
        assert word in outcome.err, outcome.err


def test_rich_markup_in_class_labels_shows_literally(tmp_path, monkeypatch):
    labels = ["[bold red]x", "[/]", "[link=http://x]y"]
    rows = ["a,b,y", *[f"{i % 7},{(i * 3) % 5},{labels[i % 3]}" for i in range(60)]]
    files = csv_preset(rows, units=3)
    write_files(tmp_path, files)
    monkeypatch.chdir(tmp_path)
    shown = run_cli(["data", "p.toml"], tmp_path)
    trained = run_cli(["train", "p.toml", "--epochs", "2"], tmp_path)
    described = strict_json(run_cli(["data", "p.toml", "--json"], tmp_path).out)
    assert shown.code == trained.code == 0
    for label in labels:
        assert label in shown.out
        assert re.search(rf"^\s*{re.escape(label)}\s+\d", trained.out, re.M)  # the confusion matrix's row
    assert [c["name"] for c in described["classes"]] == sorted(labels)


def test_json_is_standard_and_small_with_thousands_of_classes(tmp_path, monkeypatch):
    k = 1500
    files = csv_preset(["a,y", *[f"{i},c{i % k:05d}" for i in range(2 * k)]], units=k)  # every class twice
    files["p.toml"] = files["p.toml"].replace("epochs = 2", "epochs = 1").replace("[data]\n", "[data]\ntest_size = 0.5\n")
    write_files(tmp_path, files)
    monkeypatch.chdir(tmp_path)
    data = run_cli(["data", "p.toml", "--json"], tmp_path)
    train = run_cli(["train", "p.toml", "--json"], tmp_path)
    assert data.code == 0 and train.code in (0, 3), train.err
    described, report = strict_json(data.out), strict_json(train.out)
    assert len(described["classes"]) == 50 and described["classes_left_out"] == k - 50
    assert len(report["classes"]) == 50 and report["classes_left_out"] == k - 50
    assert len(report["confusion_matrix"]) == 50 and all(len(row) == 50 for row in report["confusion_matrix"])
    assert len(data.out) + len(train.out) < 200_000


def test_diverged_run_json_has_null_where_numbers_overflowed(tmp_path, monkeypatch):
    text = GOOD.replace('"binary_crossentropy"', '"mean_squared_error"').replace('"sigmoid"', '"linear"')
    text = text.replace("epochs = 2", 'epochs = 40\nbatch_size = "full"\noptimizer = { name = "sgd", learning_rate = 90.0 }')
    write_files(tmp_path, {"p.toml": text})
    monkeypatch.chdir(tmp_path)
    outcome = run_cli(["train", "p.toml", "--json"], tmp_path)
    assert outcome.code == 3
    report = strict_json(outcome.out)
    assert report["status"] == "diverged"
    # The last finite weights still score an infinite test loss: null in JSON, never `Infinity`.
    assert report["test"]["loss"] is None and 0 <= report["test"]["accuracy"] <= 1


# --------------------------------------------------------------------------------------------
# The data cache: an entry damaged, cut short or left by another version is built again from the
# user's images; the run goes on (exit 0) and nothing the user had changes


def cut_short(entry: Path) -> None:
    data = (entry / "x.npy").read_bytes()
    (entry / "x.npy").write_bytes(data[: len(data) // 2])


def other_format(entry: Path) -> None:
    meta = json.loads((entry / "meta.json").read_text(encoding="utf-8"))
    (entry / "meta.json").write_text(json.dumps({**meta, "format": meta["format"] + 1}), encoding="utf-8")


def other_npy_version(entry: Path) -> None:
    data = bytearray((entry / "x.npy").read_bytes())
    data[6] = 9  # the .npy header's major version
    (entry / "x.npy").write_bytes(bytes(data))


def meta_is_binary(entry: Path) -> None:
    (entry / "meta.json").write_bytes(bytes(range(256)))


def pixels_are_a_folder(entry: Path) -> None:
    (entry / "x.npy").unlink()
    (entry / "x.npy").mkdir()


def cache_folder_is_a_file(entry: Path) -> None:
    root = entry.parent
    for path in sorted(root.rglob("*"), reverse=True):
        path.rmdir() if path.is_dir() and not path.is_symlink() else path.unlink()
    root.rmdir()
    root.write_text("not a folder")


CACHE_DAMAGE = [cut_short, other_format, other_npy_version, meta_is_binary, pixels_are_a_folder, cache_folder_is_a_file]


@pytest.mark.parametrize("damage", CACHE_DAMAGE, ids=lambda f: f.__name__)
def test_a_damaged_data_cache_is_rebuilt_never_a_traceback(damage, tmp_path, monkeypatch):
    from nnplay.engine.data import cache

    write_files(tmp_path, two_classes())
    monkeypatch.chdir(tmp_path)
    assert run_cli(["data", "p.toml"], tmp_path).code == 0
    [entry] = [p for p in cache.cache_dir().glob("folder-*") if p.is_dir()]
    damage(entry)
    trained = run_cli(["train", "p.toml", "--json"], tmp_path)  # run_cli: the user's files unchanged
    assert trained.code == 0, trained.err
    assert strict_json(trained.out)["status"] == "completed"
    if damage is not cache_folder_is_a_file:
        assert cache.open_entry(entry, json.loads((entry / "meta.json").read_text())["key"]) is not None


# --------------------------------------------------------------------------------------------
# Through a real process: what reaches the terminal, warnings and all


def terminal(tmp_path: Path, *argv: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONWARNINGS": "default"}  # as a user's shell would show them
    return subprocess.run([sys.executable, "-m", "nnplay", *argv], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120, env=env)


def test_a_journal_a_worker_left_mid_record_is_mended_keeping_every_record(tmp_path, monkeypatch):
    """A worker killed while appending leaves a record without its newline; Optuna would append the next
    record behind it and then refuse the whole journal. The next worker cuts only that half record,
    under the journal's lock: every complete record stays byte for byte, and the study reads on."""
    import optuna

    write_files(tmp_path, {"p.toml": SEARCHABLE})
    monkeypatch.chdir(tmp_path)
    assert run_cli(["search", "p.toml", "--storage", "s.journal", "--trials", "2", "--json"]).code == 0
    records = (tmp_path / "s.journal").read_bytes()
    half = b'{"op_code":4,"worker_id":"killed","study_id":0,"datetime_start":"2026-'
    (tmp_path / "s.journal").write_bytes(records + half)
    done = terminal(tmp_path, "search", "p.toml", "--storage", "s.journal", "--trials", "3", "--json")
    assert done.returncode == 0 and done.stderr == "", done.stderr
    after = (tmp_path / "s.journal").read_bytes()
    assert after.startswith(records) and half not in after
    study = optuna.load_study(study_name="p", storage=optuna.storages.JournalStorage(
        optuna.storages.journal.JournalFileBackend(str(tmp_path / "s.journal"))))
    assert [t.state.is_finished() for t in study.get_trials()] == [True] * 3
    assert len(strict_json(done.stdout)["trials"]) == 3


def test_a_diverging_run_prints_no_python_warning(tmp_path):
    text = GOOD.replace('"binary_crossentropy"', '"mean_squared_error"').replace('"sigmoid"', '"linear"')
    text = text.replace("epochs = 2", 'epochs = 40\nbatch_size = "full"\noptimizer = { name = "sgd", learning_rate = 90.0 }')
    write_files(tmp_path, {"p.toml": text})
    done = terminal(tmp_path, "train", "p.toml", "--json")
    assert done.returncode == 3
    assert "Warning" not in done.stderr and done.stderr == "", done.stderr
    strict_json(done.stdout)


@pytest.mark.parametrize("name", ["preset_not_utf8", "deep_arrays", "csv_overflows_float32", "image_bomb",
                                  "journal_that_is_text"])
def test_hostile_input_in_a_real_process_is_one_line(name, tmp_path):
    files, argv, code, words = CORPUS[name]
    write_files(tmp_path, files)
    before = snapshot(tmp_path)
    done = terminal(tmp_path, *argv)
    assert done.returncode == code
    assert len(done.stderr.splitlines()) == 1 and done.stderr.startswith("nnplay: error: "), done.stderr
    assert all(word in done.stderr for word in words)
    assert snapshot(tmp_path) == before


def test_a_label_an_ascii_terminal_cannot_show_is_escaped_not_a_crash(tmp_path):
    write_files(tmp_path, csv_preset(["a,y", *[f"{i},{'café' if i % 2 else 'tea'}" for i in range(10)]]))
    done = subprocess.run([sys.executable, "-m", "nnplay", "data", "p.toml"], cwd=tmp_path, capture_output=True,
                          timeout=120, env={**os.environ, "PYTHONIOENCODING": "ascii"})
    assert done.returncode == 0, done.stderr
    assert b"caf\\xe9" in done.stdout and done.stderr == b""


@pytest.mark.slow
def test_a_real_model_named_in_upper_case_is_summarised(tmp_path, monkeypatch):
    write_files(tmp_path, {"p.toml": GOOD})
    monkeypatch.chdir(tmp_path)
    assert run_cli(["train", "p.toml", "--export", "MODEL.H5"]).code == 0
    outcome = run_cli(["summary", "MODEL.H5", "--json"], tmp_path)
    assert outcome.code == 0 and json.loads(outcome.out)["total_params"] == 3


# --------------------------------------------------------------------------------------------
# Property-based: generated presets, CSV tables and image folders


@settings(GENERATED, max_examples=30 * SCALE)
@given(text=preset_texts())
def test_generated_presets_check_and_summarise(text, tmp_path_factory, monkeypatch):
    folder = tmp_path_factory.mktemp("preset")
    (folder / "p.toml").write_bytes(text)
    monkeypatch.chdir(folder)
    for argv in (["check", "p.toml"], ["summary", "p.toml", "--json"]):
        run_cli(argv, folder)


@settings(GENERATED, max_examples=30 * SCALE)
@given(
    reference=st.text(max_size=300),
    flags=st.lists(
        st.tuples(st.sampled_from(["--epochs", "--seed", "--engine"]),
                  st.one_of(st.text(max_size=20), st.integers(-(2**70), 2**70).map(str), st.sampled_from(["numpy", "1", "-1"]))),
        max_size=3,
    ),
)
def test_generated_arguments(reference, flags, tmp_path_factory, monkeypatch):
    """Any preset reference to `check`, any flag values to `train` (the preset itself is good)."""
    folder = tmp_path_factory.mktemp("args")
    (folder / "p.toml").write_text(GOOD.replace("n = 200", "n = 40"), encoding="utf-8")
    monkeypatch.chdir(folder)
    run_cli(["check", reference], folder)
    argv = ["train", "p.toml", "--json"]
    for flag, value in flags:
        argv += [flag, "2" if flag == "--epochs" and accepted_epochs(value) else value]
    run_cli(argv, folder)


def accepted_epochs(value: str) -> bool:
    """Whether ``--epochs value`` would be accepted (then the test trains 2 epochs instead)."""
    try:
        return 1 <= int(value) <= 100_000  # argparse reads the flag with int() too
    except ValueError:
        return False


@settings(GENERATED, max_examples=15 * SCALE)
@given(text=preset_texts(small=True))
def test_generated_small_presets_train(text, tmp_path_factory, monkeypatch):
    folder = tmp_path_factory.mktemp("preset")
    (folder / "p.toml").write_bytes(text)
    monkeypatch.chdir(folder)
    run_cli(["train", "p.toml", "--json", "--engine", "numpy"], folder)


@settings(GENERATED, max_examples=25 * SCALE)
@given(table=csv_tables())
def test_generated_csv_tables(table, tmp_path_factory, monkeypatch):
    csv_bytes, preset = table
    folder = tmp_path_factory.mktemp("csv")
    (folder / "t.csv").write_bytes(csv_bytes)
    (folder / "p.toml").write_text(preset, encoding="utf-8")
    monkeypatch.chdir(folder)
    run_cli(["data", "p.toml", "--json"], folder)
    run_cli(["train", "p.toml", "--json", "--epochs", "2"], folder)


@settings(GENERATED, max_examples=15 * SCALE)
@given(layout=image_folders())
def test_generated_image_folders(layout, tmp_path_factory, monkeypatch):
    folder = tmp_path_factory.mktemp("images")
    layout(folder / "imgs")
    data = 'source = "folder"\npath = "imgs"\nimage_size = 4\ntest_size = 0.0'
    (folder / "p.toml").write_text(preset_text(data, SIGMOID, "binary_crossentropy"), encoding="utf-8")
    monkeypatch.chdir(folder)
    run_cli(["data", "p.toml"], folder)


@settings(GENERATED, max_examples=20 * SCALE)
@given(text=preset_texts(small=True, schema_families=True))
def test_generated_presets_of_the_schema_families(text, tmp_path_factory, monkeypatch):
    """Non-finite floats, seeds beyond scikit-learn's range, sizes memory cannot hold, splits that
    leave no training rows: the schema refuses them (exit 2) before any data is made."""
    folder = tmp_path_factory.mktemp("preset")
    (folder / "p.toml").write_bytes(text)
    monkeypatch.chdir(folder)
    run_cli(["data", "p.toml", "--json"], folder)
    run_cli(["train", "p.toml", "--json", "--engine", "numpy"], folder)


# --------------------------------------------------------------------------------------------
# The TUI shows what the user wrote, never reads it as markup


async def test_the_tui_shows_markup_in_labels_titles_and_values_literally(tmp_path):
    from textual.geometry import Region
    from textual.widgets import Input

    from nnplay.tui.app import make_app
    from nnplay.tui.widgets.fields import Field, ProblemList
    from nnplay.tui.widgets.results import ResultsPanel
    from tests.tui_helpers import wait_for

    def painted(widget) -> str:
        return "\n".join(strip.text for strip in widget.render_lines(Region(0, 0, *widget.size)))

    labels = ["[bold red]x", "[/]", "[link=http://x]y"]
    files = csv_preset(["a,b,y", *[f"{i % 7},{(i * 3) % 5},{labels[i % 3]}" for i in range(60)]], units=3)
    files["p.toml"] = files["p.toml"].replace('title = "t"', 'title = "[/] [b]title"')
    files["p.toml"] = files["p.toml"].replace('"t.csv"', f'"{tmp_path / "t.csv"}"')
    write_files(tmp_path, files)
    app = make_app(str(tmp_path / "p.toml"))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert app.sub_title == "[/] [b]title"
        await pilot.press("t")
        await wait_for(pilot, lambda: app.report is not None)
        await pilot.press("6")  # the Results tab (a run marks it, the panel stays where it was)
        await pilot.pause(0.2)
        results = painted(app.query_one(ResultsPanel))
        assert CONFUSION_CORNER in results
        assert all(re.search(rf"^\s*{re.escape(label)}\s+\d", results, re.M) for label in labels), results
        await pilot.press("4")  # the Training tab
        epochs = next(f for f in app.query(Field) if f.path == "train.epochs").control
        assert isinstance(epochs, Input)
        epochs.focus()
        epochs.value = "[/]"
        await pilot.pause(0.3)
        problems = next(p for p in app.query(ProblemList) if "train" in p.prefixes)
        assert "(got '[/]')" in painted(problems)
