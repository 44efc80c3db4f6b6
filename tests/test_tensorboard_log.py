"""TensorBoard event files, as Keras's callback writes them, read back by TensorBoard's own reader."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from nnplay.cli import main
from nnplay.engine.callbacks import CallbackList
from nnplay.engine.presets import load_preset
from nnplay.engine.run import prepare, run
from nnplay.engine.tensorboard_log import TensorBoardLog

ROOT = Path(__file__).resolve().parent.parent


def read_scalars(folder: Path) -> dict[str, list[tuple[int, float]]]:
    """Every scalar under ``folder`` as TensorBoard reads it: tag -> [(step, value)]."""
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    from tensorboard.util import tensor_util

    accumulator = EventAccumulator(str(folder), size_guidance={"tensors": 0})
    accumulator.Reload()
    out = {}
    for tag in accumulator.Tags()["tensors"]:
        events = accumulator.Tensors(tag)
        assert all(accumulator.SummaryMetadata(tag).plugin_data.plugin_name == "scalars" for _ in events)
        out[tag] = [(e.step, float(tensor_util.make_ndarray(e.tensor_proto))) for e in events]
    return out


def assert_matches_history(run_dir: Path, history: dict[str, list[float]], learning_rate: float) -> None:
    """``train/`` holds the history's own logs and the learning rate; ``validation/`` the ``val_`` ones."""
    train, validation = read_scalars(run_dir / "train"), read_scalars(run_dir / "validation")
    expected_train = {f"epoch_{k}": v for k, v in history.items() if not k.startswith("val_")}
    expected_val = {f"epoch_{k[4:]}": v for k, v in history.items() if k.startswith("val_")}
    assert set(train) == {*expected_train, "epoch_learning_rate"} and set(validation) == set(expected_val)
    for read, expected in ((train, expected_train), (validation, expected_val)):
        for tag, values in expected.items():
            assert [step for step, _ in read[tag]] == list(range(len(values)))
            np.testing.assert_array_equal([v for _, v in read[tag]], np.float32(values))  # Keras writes float32
    assert {v for _, v in train["epoch_learning_rate"]} == {np.float32(learning_rate)}


_NUMPY_RUN = textwrap.dedent("""
    import json, sys
    from nnplay.cli import main
    code = main(["train", "10", "--epochs", "12", "--logdir", sys.argv[1], "--json"])
    print(json.dumps({"code": code, "tensorflow": sorted(m for m in sys.modules if m.split(".")[0] == "tensorflow")}))
""")


def test_a_numpy_run_writes_what_keras_writes_without_tensorflow(tmp_path):
    logdir = tmp_path / "logs"
    done = subprocess.run([sys.executable, "-c", _NUMPY_RUN, str(logdir)], capture_output=True, text=True, cwd=ROOT,
                          timeout=120)
    lines = done.stdout.strip().splitlines()
    checked = json.loads(lines[-1])
    assert checked == {"code": 0, "tensorflow": []}, done.stderr
    report = json.loads("\n".join(lines[:-1]))
    [run_dir] = logdir.iterdir()
    assert run_dir.name.endswith("-10-early-stopping-on-the-validation-loss-numpy")
    assert sorted(p.name for p in run_dir.iterdir()) == ["train", "validation"]
    assert all(f.name.startswith("events.out.tfevents.") and f.name.endswith(".v2") for f in run_dir.glob("*/*"))
    assert_matches_history(run_dir, report["history"], load_preset("10").train.optimizer.learning_rate)


def test_the_callback_writes_each_epoch_as_it_ends(tmp_path):
    """Epochs reach the disk at most WRITE_SECONDS apart (every one here, with 0) and all by the end."""
    preset = load_preset("09").with_changes("train.epochs", 3)
    seen = []

    class Peek(TensorBoardLog):
        WRITE_SECONDS = 0.0

        def on_epoch_end(self, epoch, logs):
            super().on_epoch_end(epoch, logs)
            seen.append(len(read_scalars(self.run_dir / "train")["epoch_loss"]))  # on disk already

    log = Peek(tmp_path / "run", learning_rate=0.5)
    report = run(prepare(preset), on_event=CallbackList([log]))
    assert seen == [1, 2, 3]
    assert_matches_history(tmp_path / "run", report.fit.history, 0.5)
    held = TensorBoardLog(tmp_path / "held", learning_rate=0.5)  # the default holds a fast run's epochs back
    report = run(prepare(preset), on_event=CallbackList([held]))
    assert_matches_history(tmp_path / "held", report.fit.history, 0.5)  # all written at the run's end


def test_a_finished_history_writes_the_same_files(tmp_path):
    history = {"loss": [0.9, 0.5, 0.25], "accuracy": [0.5, 0.75, 1.0], "val_loss": [1.0, 0.6, 0.3],
               "val_accuracy": [0.4, 0.7, 0.9]}
    TensorBoardLog(tmp_path / "run", learning_rate=0.01).write_history(history)
    assert_matches_history(tmp_path / "run", history, 0.01)


def test_runs_go_beside_the_store_by_default(tmp_path, capsys):
    db = tmp_path / "store" / "runs.sqlite3"
    assert main(["train", "01", "--epochs", "2", "--runs-db", str(db), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    [run_dir] = (tmp_path / "store" / "tensorboard").iterdir()
    assert not (run_dir / "validation").exists()  # no validation rows, no validation folder (as Keras)
    assert read_scalars(run_dir / "train")["epoch_loss"] == [
        (i, pytest.approx(v, rel=1e-6)) for i, v in enumerate(report["history"]["loss"])]


@pytest.mark.slow
def test_a_keras_run_writes_the_same_files(tmp_path, capsys):
    assert main(["train", "10", "--epochs", "6", "--engine", "keras", "--logdir", str(tmp_path), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    [run_dir] = tmp_path.iterdir()
    assert run_dir.name.endswith("-keras")
    assert_matches_history(run_dir, report["history"], load_preset("10").train.optimizer.learning_rate)
