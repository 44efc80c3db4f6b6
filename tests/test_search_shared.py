"""A search shared across processes: one Optuna study in a journal file or on a real PostgreSQL server.

The workers are real processes (``nnplay search --workers N``, or ``nnplay search`` started twice);
the PostgreSQL server is a real one the tests start on localhost (tests/postgres_server.py). What a
shared study promises: every worker's trials land in the one study, none repeats another's draw, the
study ends with the trials asked for, the pruner reads the other workers' reports, the leaderboard is
the whole study's, Optuna's own CLI reads it, and a worker killed in the middle of a trial leaves a
readable study whose trial ends FAIL.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import numpy as np
import optuna
import pytest

from nnplay.cli import main
from nnplay.engine.run import prepare
from nnplay.engine.search import run_search
from nnplay.engine.spec import validate_preset
from nnplay.engine.study_storage import StudyOptions, fail_stale_trials, open_storage, parse_storage
from tests.postgres_server import postgres_server, server_binaries
from tests.test_search import SMALL

SHARED = SMALL.replace("trials = 4", "trials = 9\npruning = { startup_trials = 2, warmup_epochs = 1 }")
SLOW_TRIAL = SMALL.replace("epochs = 6", "epochs = 100000")  # a trial that is still training when it is killed


@pytest.fixture(scope="session")
def postgres_url():
    binaries = server_binaries()
    if isinstance(binaries, str):
        pytest.skip(binaries)
    with postgres_server(binaries) as url:
        yield url


@pytest.fixture(params=["journal", "postgres"])
def storage(request, tmp_path) -> str:
    """A fresh place for a study: a journal file in tmp_path, or a new database on the test server."""
    if request.param == "journal":
        return str(tmp_path / "search.journal")
    url = request.getfixturevalue("postgres_url")
    name = f"t{os.getpid()}_{time.monotonic_ns()}"
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return url.rsplit("/", 1)[0] + "/" + name


def write(folder: Path, text: str = SHARED) -> str:
    path = folder / "search.toml"
    path.write_text(text)
    return str(path)


def nnplay(*argv: str, cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "nnplay", *argv], cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def finished(process: subprocess.Popen[str], timeout: float = 300) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out, err


def load(storage: str, name: str = "search", heartbeat: float = 10) -> optuna.Study:
    return optuna.load_study(study_name=name, storage=open_storage(parse_storage(storage), heartbeat))


# --------------------------------------------------------------------------------------------
# Several workers, one study


@pytest.mark.slow
@pytest.mark.parametrize("workers", [2, 3])
def test_workers_share_one_study(storage, workers, tmp_path):
    code, out, err = finished(nnplay("search", write(tmp_path), "--storage", storage, "--workers", str(workers),
                                     "--trials", "9", "--json", cwd=tmp_path))
    assert code == 0, err
    result = json.loads(out)
    study = load(storage)
    trials = study.get_trials()
    # --trials is the study's total, every worker's counted (two workers asking in the same instant may add one)
    assert 9 <= len(trials) < 9 + workers
    assert all(t.state.is_finished() for t in trials)
    assert len({t.user_attrs["worker"] for t in trials}) >= 2, "the trials came from more than one process"
    draws = [tuple(sorted(t.params.items())) for t in trials]
    assert len(set(draws)) == len(draws), "each worker draws with a seed of its own"
    # the leaderboard printed at the end is the whole study's
    assert sorted(t["number"] for t in result["trials"]) == [t.number for t in trials]
    assert result["study"] == "search" and result["best"]["number"] == study.best_trial.number
    assert np.float32(result["best"]["value"]) == np.float32(study.best_value)  # --json prints float32 figures at their shortest


@pytest.mark.slow
def test_workers_started_by_hand_join_the_same_study(storage, tmp_path):
    """What a user does on two machines: the same command twice, at the same time, no --workers. The
    trials are long enough (no pruning, 1500 epochs) that the first process cannot finish all eight
    before the second one has started, however slowly a busy machine starts it."""
    preset = write(tmp_path, SMALL.replace("epochs = 6", "epochs = 1500"))
    processes = [nnplay("search", preset, "--storage", storage, "--study", "by-hand", "--trials", "8", "--json",
                        cwd=tmp_path) for _ in range(2)]
    results = [finished(p) for p in processes]
    assert [code for code, _, _ in results] == [0, 0], [err for _, _, err in results]
    trials = load(storage, "by-hand").get_trials()
    assert 8 <= len(trials) <= 9 and all(t.state.is_finished() for t in trials)
    assert len({t.user_attrs["worker"] for t in trials}) == 2
    assert len({tuple(sorted(t.params.items())) for t in trials}) == len(trials)
    last = [json.loads(out)["trials"] for _, out, _ in results]
    assert any(len(board) == len(trials) for board in last), "the worker that ends last shows every trial"


def test_the_pruner_reads_the_other_workers_reports(tmp_path):
    """Another process has finished three trials that scored a perfect 1.0 at every epoch; this worker's
    pruner compares with them, so its own trials are pruned from the first one after the warm-up epoch,
    although it has no finished trial of its own (its pruner's start-up is 2 trials)."""
    journal = str(tmp_path / "s.journal")
    preset = validate_preset(tomllib.loads(SHARED))
    run_search(prepare(preset), trials=1, study=StudyOptions(journal, "shared"))  # makes the study, one trial
    other = load(journal, "shared")  # as another process sees it
    drawn = other.trials[0]
    for _ in range(3):
        other.add_trial(optuna.trial.create_trial(params=drawn.params, distributions=drawn.distributions, value=1.0,
                                                  intermediate_values=dict.fromkeys(range(6), 1.0)))
    result = run_search(prepare(preset), trials=6, study=StudyOptions(journal, "shared"))
    mine = [t for t in result.trials if t.number >= 4]
    assert [t.status for t in mine] == ["pruned", "pruned"] and all(t.epochs == 2 for t in mine)
    assert len(result.trials) == 6  # the leaderboard holds the other process's trials too


def test_optuna_cli_reads_the_study(tmp_path):
    journal = str(tmp_path / "s.journal")
    assert main(["search", write(tmp_path), "--storage", journal, "--trials", "3", "--json"]) == 0
    optuna_cli = Path(sys.executable).with_name("optuna")
    done = subprocess.run([str(optuna_cli), "trials", "--study-name", "search", "--storage", journal, "-f", "json"],
                          capture_output=True, text=True, check=True)
    trials = json.loads(done.stdout)
    assert [t["number"] for t in trials] == [0, 1, 2]
    best = subprocess.run([str(optuna_cli), "best-trial", "--study-name", "search", "--storage", journal, "-f", "json"],
                          capture_output=True, text=True, check=True)
    assert json.loads(best.stdout)["value"] == max(t["value"] for t in trials if t["state"] == "COMPLETE")


def test_without_storage_the_search_stays_in_memory_and_repeats(tmp_path, capsys):
    preset = write(tmp_path)
    assert main(["search", preset, "--trials", "3", "--json"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert main(["search", preset, "--trials", "3", "--json"]) == 0
    second = json.loads(capsys.readouterr().out)
    assert [t["params"] for t in first["trials"]] == [t["params"] for t in second["trials"]]
    assert first["study"] is None and sorted(p.name for p in tmp_path.iterdir()) == ["search.toml"]


def test_a_study_keeps_growing_to_the_new_total(tmp_path):
    """--trials is the study's total: a second run on a study of 3 trials adds 2 to reach 5."""
    journal = str(tmp_path / "s.journal")
    for total in (3, 5, 5):
        assert main(["search", write(tmp_path), "--storage", journal, "--trials", str(total), "--json"]) == 0
    assert len(load(journal).get_trials()) == 5


# --------------------------------------------------------------------------------------------
# A worker killed in the middle of a trial


def _running_trial(storage: str, name: str, process: subprocess.Popen[str], timeout: float = 120) -> optuna.trial.FrozenTrial:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        try:
            running = load(storage, name).get_trials(states=(optuna.trial.TrialState.RUNNING,))
        except KeyError:  # the study is not there yet
            running = []
        running = [t for t in running if "worker" in t.user_attrs]  # asked, and its worker named (the next record)
        if running:
            return running[0]
        time.sleep(0.2)
    raise AssertionError("no trial started")


@pytest.mark.slow
def test_a_killed_worker_s_trial_ends_failed(storage, tmp_path):
    """The heartbeat: a worker killed mid-trial stops beating; after the grace period (3 beats) the
    next worker to look marks its trial FAIL; the study stays readable throughout."""
    worker = nnplay("search", write(tmp_path, SLOW_TRIAL), "--storage", storage, "--study", "s", "--heartbeat", "1",
                    "--trials", "3", cwd=tmp_path)
    trial = _running_trial(storage, "s", worker)
    time.sleep(1.5)  # a beat or two recorded
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    study = load(storage, "s")
    assert study.get_trials()[trial.number].state == optuna.trial.TrialState.RUNNING  # readable; not yet stale
    time.sleep(3.5)  # past the grace of 3 beats of 1 s
    fail_stale_trials(load(storage, "s", heartbeat=1))  # what every worker does before asking for a trial
    failed = load(storage, "s").get_trials()[trial.number]
    assert failed.state == optuna.trial.TrialState.FAIL
    # and nnplay's leaderboard says what happened to it
    assert main(["search", write(tmp_path, SMALL.replace("trials = 4", "trials = 2")), "--storage", storage,
                 "--study", "s", "--trials", "2", "--json"]) in (0, 3)


@pytest.mark.slow
def test_workers_carry_on_when_one_is_killed(tmp_path):
    """--workers: the parent sees a worker die and marks its running trial FAIL at once; the others
    finish the study."""
    journal = str(tmp_path / "s.journal")
    preset = write(tmp_path, SHARED.replace("epochs = 6", "epochs = 60"))
    parent = nnplay("search", preset, "--storage", journal, "--workers", "2", "--trials", "6", "--json", cwd=tmp_path)
    trial = _running_trial(journal, "search", parent)
    os.kill(int(trial.user_attrs["worker"].rsplit(":", 1)[1]), signal.SIGKILL)
    code, out, err = finished(parent)
    assert code == 0, err
    board = {t["number"]: t for t in json.loads(out)["trials"]}
    assert board[trial.number]["status"] == "failed"
    assert "stopped before the trial ended" in board[trial.number]["message"]
    assert sum(t["status"] != "failed" for t in board.values()) >= 4
    assert all(t.state.is_finished() for t in load(journal).get_trials())


def test_a_worker_searching_another_space_may_not_join(tmp_path, capsys):
    """Optuna refuses a parameter drawn from two ranges in one study (a ValueError in the middle of a
    trial); nnplay refuses the worker before it asks, naming the range that differs."""
    journal = str(tmp_path / "s.journal")
    assert main(["search", write(tmp_path), "--storage", journal, "--trials", "1", "--json"]) == 0
    wider = SHARED.replace('{ choices = [16, 64] }', '{ choices = [16, 32, 64] }')
    assert main(["search", write(tmp_path, wider), "--storage", journal, "--trials", "2", "--json"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith("nnplay: error: --study: the study 'search' searches train.batch_size"), err
    assert len(load(journal).get_trials()) == 1
