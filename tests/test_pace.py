"""The pace control: pause, step a batch or an epoch, speed, stop while held; never other numbers.

Each run trains in a thread of its own, as in the app, while the test drives its pace.
"""

from __future__ import annotations

import itertools
import threading
import time

import numpy as np
import pytest

from nnplay.engine.numpy_net.trainer import NumpyTrainer
from nnplay.engine.pace import Pace
from nnplay.engine.run import prepare
from nnplay.engine.spec import validate_preset
from nnplay.engine.training import BatchEnd, EpochEnd, StepTaken, TrainEnd, validation_split


def preset_of(engine="numpy", *, batch_size=100, epochs=6, shuffle=True, optimizer=None):
    return validate_preset({
        "preset": {"title": "pace"},
        "data": {"source": "logistic", "n": 500, "beta": [1.0, 2.0], "seed": 5},
        "model": {"loss": "binary_crossentropy",
                  "layers": [{"type": "dense", "units": 1, "activation": "sigmoid", "use_bias": False}]},
        "train": {"engine": engine, "optimizer": optimizer or {"name": "sgd", "learning_rate": 0.5},
                  "batch_size": batch_size, "epochs": epochs, "shuffle": shuffle, "validation_split": 0.2},
    })


def training_rows(preset, prepared):
    x, y, _, _ = validation_split(prepared.x_train, prepared.y_train, preset.train.validation_split)
    return x.astype(np.float64), y.astype(np.float64)


def make_trainer(preset):
    if preset.train.engine == "keras":
        from nnplay.engine.keras_net import KerasTrainer

        return KerasTrainer(preset, 2)
    return NumpyTrainer(preset, 2)


class Background:
    """``trainer.fit`` in a thread, recording its events."""

    def __init__(self, preset, *, pace=None, cancel=None, watch_steps=False):
        self.prepared = prepare(preset)
        self.trainer = make_trainer(preset)
        self.initial = self.trainer.get_weights()
        self.events: list = []
        self.result = None
        self.cancel = cancel or threading.Event()
        self.thread = threading.Thread(target=self._fit, args=(pace, watch_steps), daemon=True)
        self.thread.start()

    def _fit(self, pace, watch_steps):
        self.result = self.trainer.fit(self.prepared.x_train, self.prepared.y_train, on_event=self.events.append,
                                       cancel=self.cancel, pace=pace, watch_steps=watch_steps)

    def of(self, kind):
        return [e for e in self.events if isinstance(e, kind)]

    def join(self, timeout=60.0):
        self.thread.join(timeout)
        assert not self.thread.is_alive(), "the run did not end"
        return self.result


def held_at(pace: Pace, epoch: int, step: int, timeout: float = 60.0) -> None:
    """Wait until the run is held before batch ``step`` of ``epoch`` (both 0-based)."""
    deadline = time.monotonic() + timeout
    while (pace.state.epoch, pace.state.step) != (epoch, step):
        assert time.monotonic() < deadline, f"not held at {(epoch, step)}: {pace.state}"
        time.sleep(0.005)


def assert_same_run(a, b):
    assert a.result.history == b.result.history
    for wa, wb in zip(a.trainer.get_weights(), b.trainer.get_weights(), strict=True):
        np.testing.assert_array_equal(wa, wb)


def drive_and_compare(engine):
    """Pause, step batches and epochs, change speeds, resume: the run is the unpaced one."""
    preset = preset_of(engine)  # 320 training rows: 4 batches an epoch
    plain = Background(preset)
    plain.join()
    pace = Pace(50.0, paused=True)
    paced = Background(preset, pace=pace)
    held_at(pace, 0, 0)
    assert paced.events and not paced.of(BatchEnd)  # begun, nothing trained yet
    pace.step_batch()
    held_at(pace, 0, 1)
    pace.step_epoch()
    held_at(pace, 1, 0)
    pace.set_speed(None)
    pace.step_epoch()
    held_at(pace, 2, 0)
    pace.set_speed(200.0)
    pace.resume()
    paced.join()
    assert paced.result.status == "completed"
    assert_same_run(plain, paced)


def step_exactly(engine):
    """One batch, then one epoch: the events, the history and the weights show exactly that."""
    preset = preset_of(engine)
    pace = Pace(paused=True)
    run = Background(preset, pace=pace, watch_steps=True)
    held_at(pace, 0, 0)
    pace.step_batch()
    held_at(pace, 0, 1)
    batches, steps = run.of(BatchEnd), run.of(StepTaken)
    assert [(b.epoch, b.step) for b in batches] == [(0, 1)]
    assert len(steps) == 1 and not run.of(EpochEnd)
    for before, after, now, start in zip(steps[0].before, steps[0].after, run.trainer.get_weights(), run.initial, strict=True):
        np.testing.assert_array_equal(before, start)  # the step began at the initial weights
        np.testing.assert_allclose(after, now)  # and the model holds the weights after it
        assert not np.allclose(after, start)
    pace.step_epoch()  # the rest of epoch 0 (three batches), no further
    held_at(pace, 1, 0)
    assert [(b.epoch, b.step) for b in run.of(BatchEnd)] == [(0, 1), (0, 2), (0, 3), (0, 4)]
    assert len(run.of(EpochEnd)) == 1
    pace.step_epoch()  # a whole epoch from its start
    held_at(pace, 2, 0)
    assert len(run.of(BatchEnd)) == 8 and [e.epoch for e in run.of(EpochEnd)] == [0, 1]
    np.testing.assert_allclose(run.of(StepTaken)[-1].after[0], run.trainer.get_weights()[0])
    pace.step_epoch()
    pace.step_epoch()  # asked twice before the first is done: two epochs
    held_at(pace, 4, 0)
    assert [e.epoch for e in run.of(EpochEnd)] == [0, 1, 2, 3]
    pace.step_batch()
    pace.step_batch()
    held_at(pace, 4, 2)
    run.cancel.set()
    pace.wake()
    result = run.join()
    assert (result.status, result.epochs_run) == ("cancelled", 4)
    assert len(run.of(BatchEnd)) == 18


def stop_while_held(engine, where):
    """A held run ends as soon as it is stopped, with no batch after the stop."""
    preset = preset_of(engine)
    pace = Pace(paused=True)
    run = Background(preset, pace=pace)
    held_at(pace, 0, 0)
    for _ in range(where):
        pace.step_batch()
    held_at(pace, 0, where)
    weights = run.trainer.get_weights()
    stopped = time.monotonic()
    run.cancel.set()  # no wake(): the run must notice the event by itself
    result = run.join(timeout=5.0)
    assert time.monotonic() - stopped < 1.0
    assert result.status == "cancelled"
    assert len(run.of(BatchEnd)) == where
    assert isinstance(run.events[-1], TrainEnd)
    for before, after in zip(weights, run.trainer.get_weights(), strict=True):
        np.testing.assert_array_equal(before, after)


# --------------------------------------------------------------------------------------------
# NumPy engine


def test_paced_run_equals_unpaced_numpy():
    drive_and_compare("numpy")


def test_step_one_batch_then_one_epoch_numpy():
    step_exactly("numpy")


@pytest.mark.parametrize("where", [0, 2])
def test_stop_while_held_ends_the_run_numpy(where):
    stop_while_held("numpy", where)


def test_speed_spreads_epochs_over_time():
    """20 epochs at 40 epochs per second take at least half a second; without a limit, far less."""
    preset = preset_of(batch_size="full", epochs=20, shuffle=False)
    started = time.monotonic()
    Background(preset, pace=Pace(40.0)).join()
    assert time.monotonic() - started >= 0.45


def test_pausing_a_playing_run_holds_it_and_reports_the_hold():
    preset = preset_of(epochs=10_000)
    holds = []
    pace = Pace(100.0)
    pace.on_hold = holds.append
    run = Background(preset, pace=pace)
    while len(run.of(BatchEnd)) < 3:
        time.sleep(0.005)
    pace.pause()
    deadline = time.monotonic() + 10
    while pace.state.epoch is None:
        assert time.monotonic() < deadline
        time.sleep(0.005)
    count = len(run.of(BatchEnd))
    time.sleep(0.2)
    assert len(run.of(BatchEnd)) == count  # held: nothing more trains
    assert True in holds and False in holds  # told of the pause and of the clock's waits
    run.cancel.set()
    pace.wake()
    assert run.join().status == "cancelled"


def test_numpy_exposes_the_gradient_the_optimizer_used():
    """For plain SGD, beta_{t+1} = beta_t - alpha * gradient, and the gradient is X'(p - y) / n."""
    preset = preset_of(batch_size="full", epochs=3, shuffle=False)
    prepared = prepare(preset)
    events = []
    NumpyTrainer(preset, 2).fit(prepared.x_train, prepared.y_train, on_event=events.append, watch_steps=True)
    steps = [e for e in events if isinstance(e, StepTaken)]
    assert [s.step for s in steps] == [1, 1, 1] and steps[0].learning_rate == 0.5
    x, y = training_rows(preset, prepared)
    for s in steps:
        beta = s.before[0].astype(np.float64)
        p = 1 / (1 + np.exp(-x @ beta))
        np.testing.assert_allclose(s.gradient[0], x.T @ (p - y) / len(x), rtol=1e-4, atol=1e-6)
        np.testing.assert_allclose(s.after[0], s.before[0] - 0.5 * s.gradient[0], rtol=1e-6)
    for earlier, later in itertools.pairwise(steps):
        np.testing.assert_array_equal(earlier.after[0], later.before[0])


def test_no_step_events_unless_asked():
    preset = preset_of(epochs=2)
    prepared = prepare(preset)
    events = []
    NumpyTrainer(preset, 2).fit(prepared.x_train, prepared.y_train, on_event=events.append)
    assert not any(isinstance(e, StepTaken) for e in events)


def test_speed_must_be_positive():
    with pytest.raises(ValueError, match="speed"):
        Pace(0)


# --------------------------------------------------------------------------------------------
# Keras engine (slow: each test builds and traces a model)


@pytest.mark.slow
def test_paced_run_equals_unpaced_keras():
    drive_and_compare("keras")


@pytest.mark.slow
def test_step_one_batch_then_one_epoch_keras():
    step_exactly("keras")


@pytest.mark.slow
@pytest.mark.parametrize("where", [0, 2])
def test_stop_while_held_ends_the_run_keras(where):
    stop_while_held("keras", where)


@pytest.mark.slow
def test_keras_step_is_minus_alpha_times_gradient():
    preset = preset_of("keras", batch_size="full", epochs=3, shuffle=False)
    prepared = prepare(preset)
    events = []
    trainer = make_trainer(preset)
    trainer.fit(prepared.x_train, prepared.y_train, on_event=events.append, watch_steps=True)
    steps = [e for e in events if isinstance(e, StepTaken)]
    assert len(steps) == 3
    x, y = training_rows(preset, prepared)
    beta = steps[0].before[0].astype(np.float64)
    p = 1 / (1 + np.exp(-x @ beta))
    np.testing.assert_allclose(steps[0].gradient[0], x.T @ (p - y) / len(x), rtol=1e-3, atol=1e-5)
    np.testing.assert_allclose(steps[-1].after[0], trainer.get_weights()[0])
