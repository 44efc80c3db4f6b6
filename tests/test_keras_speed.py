"""When the Keras engine may run many batches per call into TensorFlow (``steps_per_execution``):
only when nobody acts on single batches. The curves are the same either way (tests/test_keras_engine.py
trains its twins both ways: unwatched, and with an event listener)."""

from __future__ import annotations

from nnplay.engine.callbacks import Callback, CallbackList
from nnplay.engine.keras_net import every_batch
from nnplay.engine.pace import Pace


class EpochsOnly(Callback):
    def on_epoch_end(self, epoch, logs):
        pass


class Batches(Callback):
    def on_train_batch_end(self, batch, logs):
        pass


class Steps(Callback):
    def on_step(self, step):
        pass


class Progress(Batches):
    every_batch = False  # a progress bar is as happy with every 64th batch


def test_nobody_watching_single_batches_lets_keras_group_them():
    assert not every_batch(None, None, False)
    assert not every_batch(CallbackList([EpochsOnly(), Progress()]), None, False)


def test_a_pace_a_step_watcher_or_a_batch_listener_gets_every_batch():
    assert every_batch(None, Pace(), False)
    assert every_batch(None, None, True)
    assert every_batch(CallbackList([EpochsOnly(), Batches()]), None, False)
    assert every_batch(CallbackList([Steps()]), None, False)
    assert every_batch(lambda event: None, None, False)  # a plain function may count batches
