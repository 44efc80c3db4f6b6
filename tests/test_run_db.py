"""The run store: every run kept in SQLite, safe with several writers, kills, old files and foreign ones."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from nnplay.cli import main
from nnplay.engine.errors import NnplayError
from nnplay.engine.presets import load_preset
from nnplay.engine.run import prepare, run
from nnplay.engine.run_db import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION, RunDB, RunStoreError, default_path
from nnplay.engine.run_keeping import RunKeeper, open_stored_run, stored_runs, stored_weights

ROOT = Path(__file__).resolve().parent.parent


def trained(ref: str = "01", epochs: int = 3, **changes):
    preset = load_preset(ref).with_changes("train.epochs", epochs)
    for path, value in changes.items():
        preset = preset.with_changes(path.replace("__", "."), value)
    return run(prepare(preset))


def test_default_store_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.delenv("NNPLAY_RUNS_DB")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert default_path() == tmp_path / "nnplay" / "runs.sqlite3"
    monkeypatch.setenv("NNPLAY_RUNS_DB", str(tmp_path / "mine.db"))
    assert default_path() == tmp_path / "mine.db"


def test_a_cli_run_is_kept_whole(capsys):
    assert main(["train", "01", "--epochs", "4", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    db = RunDB()
    [stored] = stored_runs(db)
    row, record = stored.row, stored.record
    assert out["run_id"] == row.id == record.number
    assert row.source == "train" and row.engine == "numpy" and row.seed == 0 and row.data_seed == 42
    assert row.history.keys() == out["history"].keys() and row.epochs == 4 and row.status == "completed"
    for key, values in row.history.items():  # --json prints float32 figures at their shortest
        np.testing.assert_array_equal(np.float32(values), np.float32(out["history"][key]))
    assert record.test_loss == pytest.approx(out["test"]["loss"]) and record.test_accuracy == out["test"]["accuracy"]
    assert record.train_loss == pytest.approx(out["history"]["loss"][-1])
    assert row.started <= row.ended and row.started.endswith("Z")
    assert record.preset == load_preset("01").with_changes("train.epochs", 4)  # the preset as TOML, read back equal
    weights = stored_weights(db, row.id)
    np.testing.assert_allclose(weights[0].ravel(), np.array(out["weights"][0]["kernel"]).ravel())
    assert Path(row.logdir, "train").is_dir()
    with sqlite3.connect(db.path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_no_record_keeps_nothing(tmp_path, capsys):
    assert main(["train", "01", "--epochs", "2", "--no-record", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["run_id"] is None
    assert not default_path().exists()


def test_runs_db_and_logdir_flags(tmp_path, capsys):
    db, logs = tmp_path / "mine.sqlite3", tmp_path / "logs"
    assert main(["train", "01", "--epochs", "2", "--runs-db", str(db), "--logdir", str(logs), "--json"]) == 0
    [row] = RunDB(db).list()
    assert Path(row.logdir).parent == logs and not default_path().exists()


def test_compare_records_each_run_and_takes_stored_ones(capsys):
    assert main(["train", "01", "--epochs", "2", "--json"]) == 0
    first = json.loads(capsys.readouterr().out)["run_id"]
    assert main(["compare", f"run:{first}", "02", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["run_id"] for r in rows] == [first, first + 1]
    assert rows[0]["epochs"] == 2 and rows[1]["changes"]  # the second is labelled against the stored first
    assert [row.source for row in RunDB().list()] == ["train", "compare"]


def test_compare_names_an_unknown_run(capsys):
    assert main(["compare", "run:99", "01"]) == 2
    assert "no run 99" in capsys.readouterr().err


def test_search_records_every_trial(tmp_path, capsys):
    from tests.test_search import write

    assert main(["search", write(tmp_path), "--trials", "3", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    rows = RunDB().list()
    assert [row.source for row in rows] == ["search"] * 3
    complete = [t for t in out["trials"] if t["status"] == "complete"]
    assert {round(r.figures["test_accuracy"], 6) for r in rows} >= {round(t["test"]["accuracy"], 6) for t in complete}


def test_runs_list_show_rm(capsys):
    for _ in range(2):
        assert main(["train", "01", "--epochs", "2", "--json"]) == 0
    capsys.readouterr()
    assert main(["runs", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [r["id"] for r in listed] == [1, 2] and listed[1]["changes"] == []
    assert main(["runs"]) == 0
    assert "2 runs in" in capsys.readouterr().out
    assert main(["runs", "show", "run:2"]) == 0
    shown = capsys.readouterr().out
    assert shown.startswith("run 2: 1. Logistic regression") and "[train]" in shown and "TensorBoard:" in shown
    logdir = Path(listed[0]["logdir"])
    assert main(["runs", "rm", "1"]) == 0
    assert not logdir.exists() and [row.id for row in RunDB().list()] == [2]
    assert main(["runs", "show", "1"]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_opening_a_stored_run_gives_its_preset_weights_and_scores():
    report = trained("12", epochs=5)
    keeper = RunKeeper()
    run_id = keeper.record(report, source="app")
    opened = open_stored_run(keeper.db, run_id)
    assert opened.preset == report.preset
    assert opened.report.test["loss"] == pytest.approx(report.test["loss"], rel=1e-5)


# --------------------------------------------------------------------------------------------
# Several writers, kills


_WRITER = textwrap.dedent("""
    import sys
    from nnplay.engine.presets import load_preset
    from nnplay.engine.run import prepare, run
    from nnplay.engine.run_keeping import RunKeeper
    report = run(prepare(load_preset("01").with_changes("train.epochs", 2)))
    keeper = RunKeeper.from_flags(sys.argv[1], logdir=sys.argv[2])
    count = int(sys.argv[3])
    print("ready", flush=True)
    i = 0
    while count == 0 or i < count:
        keeper.record(report, source="train")
        i += 1
""")


def _writer(db: Path, count: int) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", _WRITER, str(db), str(db.parent / "logs"), str(count)],
                            stdout=subprocess.PIPE, text=True, cwd=ROOT)


def _check_whole(db: Path) -> list:
    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    store = RunDB(db)
    rows = store.list()
    for row in rows:
        assert row.epochs == 2 and len(row.history["loss"]) == 2 and row.figures["test_loss"] is not None
        assert [w.shape for w in stored_weights(store, row.id)] == [(2, 1)]  # preset 01: two weights, no bias
    return rows


def test_two_processes_recording_at_once_lose_nothing(tmp_path):
    db = tmp_path / "runs.sqlite3"
    writers = [_writer(db, 15) for _ in range(2)]
    for writer in writers:
        assert writer.wait(timeout=120) == 0
    rows = _check_whole(db)
    assert len(rows) == 30 and [row.id for row in rows] == list(range(1, 31))


def test_a_process_killed_while_recording_leaves_the_store_readable(tmp_path):
    db = tmp_path / "runs.sqlite3"
    writer = _writer(db, 0)  # records until killed
    assert writer.stdout.readline() == "ready\n"
    deadline = time.monotonic() + 60
    while (not db.exists() or len(RunDB(db).list()) < 5) and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait()
    rows = _check_whole(db)
    assert len(rows) >= 5
    RunKeeper.from_flags(str(db)).record(trained(epochs=2), source="train")  # and it takes the next run
    assert len(RunDB(db).list()) == len(rows) + 1


def test_a_cli_run_killed_mid_training_leaves_the_store_as_it_was(tmp_path):
    db = tmp_path / "runs.sqlite3"
    assert main(["train", "01", "--epochs", "2", "--runs-db", str(db), "--json"]) == 0
    child = subprocess.Popen([sys.executable, "-m", "nnplay", "train", "02", "--epochs", "100000", "--runs-db", str(db),
                              "--logdir", str(tmp_path / "logs"), "--json"], cwd=ROOT, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not list((tmp_path / "logs").glob("*/train/events.*")) and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert [row.epochs for row in _check_whole(db)] == [2]


# --------------------------------------------------------------------------------------------
# Old, foreign and corrupt files


def _v1_file(path: Path) -> None:
    """A run store as the first schema wrote it, by hand (not through the migrations)."""
    with sqlite3.connect(path) as connection:
        connection.execute("""CREATE TABLE runs (
            id INTEGER PRIMARY KEY AUTOINCREMENT, started TEXT NOT NULL, ended TEXT NOT NULL, title TEXT NOT NULL,
            engine TEXT NOT NULL, preset_toml TEXT NOT NULL, seed INTEGER, data_seed INTEGER, status TEXT NOT NULL,
            message TEXT NOT NULL, epochs INTEGER NOT NULL, best_epoch INTEGER, seconds REAL NOT NULL,
            history TEXT NOT NULL, train_loss REAL, train_accuracy REAL, val_loss REAL, val_accuracy REAL,
            test_loss REAL, test_accuracy REAL, weights BLOB)""")
        from nnplay.engine.presets import preset_toml

        connection.execute(
            "INSERT INTO runs (started, ended, title, engine, preset_toml, seed, data_seed, status, message, epochs, "
            "seconds, history, train_loss, test_loss) VALUES ('2025-01-02T03:04:05Z', '2025-01-02T03:04:06Z', "
            "'1. Logistic regression by gradient descent', 'numpy', ?, 0, 42, 'completed', 'completed 1 epochs', 1, "
            "0.5, '{\"loss\": [0.7]}', 0.7, 0.69)", (preset_toml(load_preset("01")),))
        connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        connection.execute("PRAGMA user_version = 1")


def test_an_old_schema_file_migrates_and_keeps_its_runs(tmp_path, capsys):
    db = tmp_path / "old.sqlite3"
    _v1_file(db)
    assert len(MIGRATIONS) > 1
    [old] = RunDB(db).list()
    assert old.history == {"loss": [0.7]} and old.source == "train" and old.logdir is None
    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert main(["train", "01", "--epochs", "2", "--runs-db", str(db), "--json"]) == 0
    capsys.readouterr()
    assert [row.id for row in RunDB(db).list()] == [1, 2]
    assert main(["runs", "--runs-db", str(db), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["test_loss"] == 0.69


def _foreign_sqlite(path: Path) -> None:
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE notes (text TEXT)")
        connection.execute("INSERT INTO notes VALUES ('mine')")


def _newer(path: Path) -> None:
    _v1_file(path)
    with sqlite3.connect(path) as connection:
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")


@pytest.mark.parametrize(("make", "words"), [
    (lambda p: p.write_bytes(b"these are my notes, not a database\n" * 40), "is not an SQLite file"),
    (lambda p: p.write_bytes(b"SQLite format 3\x00" + os.urandom(4000)), "not a readable SQLite database"),
    (_foreign_sqlite, "not nnplay's runs"),
    (_newer, "newer nnplay"),
], ids=["text", "corrupt", "foreign-sqlite", "newer"])
def test_a_foreign_or_corrupt_file_is_one_line_and_stays_byte_identical(tmp_path, capsys, make, words):
    db = tmp_path / "runs.sqlite3"
    make(db)
    before = db.read_bytes()
    assert main(["train", "01", "--epochs", "2", "--runs-db", str(db)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(db) in err and words in err
    assert main(["runs", "--runs-db", str(db)]) == 2
    assert capsys.readouterr().err.count("\n") == 1
    with pytest.raises(NnplayError):
        RunDB(db).open()
    assert db.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["runs.sqlite3"]  # no -wal, no -journal left beside it


def test_a_folder_in_the_way_is_one_line(tmp_path, capsys):
    (tmp_path / "runs.sqlite3").mkdir()
    assert main(["runs", "--runs-db", str(tmp_path / "runs.sqlite3")]) == 2
    assert "is a folder" in capsys.readouterr().err


def test_store_errors_are_nnplay_errors():
    assert issubclass(RunStoreError, NnplayError)


# --------------------------------------------------------------------------------------------
# runs export -> predict


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["numpy", "keras"])
def test_runs_export_gives_an_h5_that_predict_scores_as_the_run_did(tmp_path, capsys, engine):
    assert main(["train", "05", "--epochs", "3", "--engine", engine, "--json"]) == 0
    trained_run = json.loads(capsys.readouterr().out)
    model = tmp_path / "run.h5"
    assert main(["runs", "export", str(trained_run["run_id"]), str(model)]) == 0
    capsys.readouterr()
    assert main(["predict", str(model), "05", "--json"]) == 0
    scored = json.loads(capsys.readouterr().out)
    assert scored["test"]["loss"] == pytest.approx(trained_run["test"]["loss"], rel=1e-5)
    assert scored["test"]["accuracy"] == pytest.approx(trained_run["test"]["accuracy"])
    assert main(["runs", "export", str(trained_run["run_id"]), str(model)]) == 2  # exists: --force to replace


def test_reading_never_creates_the_store_and_flags_go_before_or_after_the_action(tmp_path, capsys):
    db = tmp_path / "runs.sqlite3"
    assert main(["runs", "--runs-db", str(db)]) == 0 and "no runs kept yet" in capsys.readouterr().out
    assert main(["runs", "show", "1", "--runs-db", str(db)]) == 2
    assert main(["runs", "export", "1", str(tmp_path / "a.h5"), "--runs-db", str(db)]) == 2
    assert main(["runs", "rm", "1", "--runs-db", str(db)]) == 2
    assert capsys.readouterr().err.count("no run 1 in") == 3 and not db.exists()
    assert main(["train", "01", "--epochs", "2", "--runs-db", str(db), "--json"]) == 0
    capsys.readouterr()
    for argv in (["runs", "--runs-db", str(db), "--json", "show", "1"], ["runs", "show", "1", "--runs-db", str(db), "--json"]):
        assert main(argv) == 0
        assert json.loads(capsys.readouterr().out)["id"] == 1


def test_a_title_in_square_brackets_is_listed_as_written(tmp_path, capsys):
    preset = tmp_path / "p.toml"
    preset.write_text((ROOT / "presets" / "01-logistic-gd.toml").read_text().replace(
        'title = "1. Logistic regression by gradient descent"', 'title = "[/] [b]mine"'))
    assert main(["train", str(preset), "--epochs", "2", "--json"]) == 0
    capsys.readouterr()
    assert main(["runs"]) == 0
    assert "[/] [b]mine" in capsys.readouterr().out
