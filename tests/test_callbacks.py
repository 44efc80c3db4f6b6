"""Training events reach listeners as Keras-style hooks, in Keras's order, with the run's own numbers."""

from __future__ import annotations

from nnplay.engine.callbacks import Callback, CallbackList
from nnplay.engine.presets import load_preset
from nnplay.engine.run import prepare, run


class Recorder(Callback):
    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def on_train_begin(self, params):
        self.calls.append(("train_begin", params.epochs, params.steps_per_epoch))

    def on_epoch_begin(self, epoch):
        self.calls.append(("epoch_begin", epoch))

    def on_train_batch_end(self, batch, logs):
        self.calls.append(("batch_end", batch, logs["loss"]))

    def on_epoch_end(self, epoch, logs):
        self.calls.append(("epoch_end", epoch, dict(logs)))

    def on_train_end(self, result):
        self.calls.append(("train_end", result.status))


def test_hooks_follow_keras_order_and_carry_the_history():
    preset = load_preset("02").with_changes("train.epochs", 3)
    recorder = Recorder()
    report = run(prepare(preset), on_event=CallbackList([recorder]))
    calls = recorder.calls
    begin = calls[0]
    assert begin[0] == "train_begin" and begin[1] == 3
    steps = begin[2]
    assert calls[-1] == ("train_end", "completed")
    assert [c[1] for c in calls if c[0] == "epoch_begin"] == [0, 1, 2]
    # every epoch: its begin, its batches 0..steps-1, then its end, in that order
    body = calls[1:-1]
    per_epoch = 1 + steps + 1
    assert len(body) == 3 * per_epoch
    for epoch in range(3):
        chunk = body[epoch * per_epoch:(epoch + 1) * per_epoch]
        assert chunk[0] == ("epoch_begin", epoch)
        assert [c[1] for c in chunk[1:-1]] == list(range(steps))
        assert chunk[-1][:2] == ("epoch_end", epoch)
    # the logs the hooks saw are the history the run returned
    losses = [c[2]["loss"] for c in calls if c[0] == "epoch_end"]
    assert losses == report.fit.history["loss"]
    # the last batch's running mean is the epoch's loss, as Keras logs it
    last_batches = [c[2] for c in body if c[0] == "batch_end" and c[1] == steps - 1]
    assert last_batches == losses
