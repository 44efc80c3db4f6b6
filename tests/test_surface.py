"""The loss surface against the engine's own loss, point by point, and against gradient descent."""

from __future__ import annotations

import numpy as np
import pytest

from nnplay.engine.numpy_net.trainer import NumpyTrainer
from nnplay.engine.presets import load_preset
from nnplay.engine.run import prepare, run
from nnplay.engine.spec import validate_preset
from nnplay.engine.surface import LossSurface, true_beta, weight_refs
from nnplay.engine.training import validation_split


def hidden_preset(loss="categorical_crossentropy", units=3, output="softmax"):
    penalties = {"kernel_regularizer": {"l1": 0.01, "l2": 0.02}, "bias_regularizer": {"l2": 0.03}}
    return validate_preset({
        "preset": {"title": "slice"},
        "data": {"source": "softmax", "classes": 3, "n": 300, "seed": 4} if units == 3 else
                {"source": "regression", "n": 300, "seed": 4},
        "model": {"loss": loss, "layers": [
            {"type": "dense", "units": 4, "activation": "tanh", **penalties},
            {"type": "dropout", "rate": 0.3},
            {"type": "dense", "units": units, "activation": output, "kernel_regularizer": {"l1": 0.005}}]},
        "train": {"optimizer": {"name": "sgd", "learning_rate": 0.1}, "batch_size": 50, "epochs": 3,
                  "validation_split": 0.2, "dtype": "float64"},
    })


def engine_loss(trainer, preset, prepared, weights):
    """The engine's own loss (penalties included) on the training rows, with ``weights`` set."""
    trainer.set_weights(weights)
    x, y, _, _ = validation_split(prepared.x_train, prepared.y_train, preset.train.validation_split)
    return trainer.evaluate(x, y)["loss"]


@pytest.mark.parametrize("loss, units, output", [
    ("categorical_crossentropy", 3, "softmax"),
    ("sparse_categorical_crossentropy", 3, "softmax"),
    ("mean_squared_error", 1, "linear"),
])
def test_every_grid_point_is_the_engines_loss(loss, units, output):
    """Slices through a kernel entry, a bias and a later layer's kernel: each point of the stack is
    the loss the engine computes with those two weights set, penalties included."""
    preset = hidden_preset(loss, units, output)
    prepared = prepare(preset)
    trainer = NumpyTrainer(preset, prepared.dataset.n_features)
    trainer.fit(prepared.x_train, prepared.y_train)
    weights = trainer.get_weights()
    surface = LossSurface(preset, prepared.x_train, prepared.y_train)
    refs = {ref.name: ref for ref in surface.refs}
    assert surface.sliced and len(refs) == sum(w.size for w in weights)
    rng = np.random.default_rng(0)
    for u_name, v_name in [("dense.kernel[1,2]", "dense.bias[3]"), ("dense.bias[0]", "dense_1.kernel[2,0]")]:
        u, v = refs[u_name], refs[v_name]
        us, vs = u.of(weights) + rng.normal(size=4), v.of(weights) + rng.normal(size=4)
        got = surface.losses(weights, u, v, us, vs)
        for a, b, value in zip(us, vs, got, strict=True):
            moved = [w.copy() for w in weights]
            moved[u.tensor][u.index], moved[v.tensor][v.index] = a, b
            assert value == pytest.approx(engine_loss(trainer, preset, prepared, moved), rel=1e-10)


def test_two_weight_model_surface_and_the_descent_on_it():
    """Preset 1: the plane is the whole model; gradient descent ends next to the surface's minimum,
    the true beta is the data's, and the surface is the engine's loss at the trained weights."""
    preset = load_preset("01-logistic-gd").with_changes("train.epochs", 400)
    prepared = prepare(preset)
    report = run(prepared)
    trained = report.trainer.get_weights()
    surface = LossSurface(preset, prepared.x_train, prepared.y_train)
    u, v = surface.refs
    assert (u.name, v.name) == ("β1", "β2") and not surface.sliced
    truth = true_beta(preset, 2)
    assert truth == (1.0, 2.0)
    start = NumpyTrainer(preset, 2).get_weights()
    grid = surface.compute(start, u, v, include=[truth], size=(60, 30))
    u0, u1, v0, v1 = grid.extent
    for point in (truth, grid.minimum, (u.of(start), v.of(start))):
        assert u0 < point[0] < u1 and v0 < point[1] < v1  # all framed
    assert grid.loss.shape == (30, 60) and grid.minimum_loss <= grid.loss.min() + 1e-12
    np.testing.assert_allclose(grid.minimum, [u.of(trained), v.of(trained)], atol=0.01)
    here = surface.losses(start, u, v, np.array([u.of(trained)]), np.array([v.of(trained)]))[0]
    assert here == pytest.approx(engine_loss(report.trainer, preset, prepared, trained), rel=1e-6)


def test_names_and_true_beta():
    preset = hidden_preset()
    names = [ref.name for ref in weight_refs(preset, 2)]
    assert names[:3] == ["dense.kernel[0,0]", "dense.kernel[0,1]", "dense.kernel[0,2]"]
    assert "dense.bias[3]" in names
    assert names[-4:] == ["dense_1.kernel[3,2]", "dense_1.bias[0]", "dense_1.bias[1]", "dense_1.bias[2]"]
    assert true_beta(preset, 2) is None
    assert true_beta(load_preset("02-logistic-sgd"), 2) == (1.0, 2.0)


def step_turns(preset):
    """Cosines between successive steps of the weights (1: straight on, -1: back the way it came)."""
    from nnplay.engine.training import StepTaken

    prepared = prepare(preset)
    events = []
    NumpyTrainer(preset, 2).fit(prepared.x_train, prepared.y_train, on_event=events.append, watch_steps=True)
    steps = [e for e in events if isinstance(e, StepTaken)]
    path = np.array([steps[0].before[0].ravel()] + [s.after[0].ravel() for s in steps])
    moves = np.diff(path, axis=0)
    return np.sum(moves[1:] * moves[:-1], axis=1) / (np.linalg.norm(moves[1:], axis=1) * np.linalg.norm(moves[:-1], axis=1))


def test_full_batch_descent_is_smooth_and_small_batches_jitter():
    """The lecture's contrast, on the path the view draws: gradient descent on the whole training
    set turns gently at every step; SGD on batches of 10 keeps changing direction."""
    smooth = step_turns(load_preset("01-logistic-gd").with_changes("train.epochs", 30))
    jittery = step_turns(load_preset("02-logistic-sgd").with_changes("train.batch_size", 10).with_changes("train.epochs", 2))
    assert smooth.min() > 0.95
    assert np.mean(jittery < 0.5) > 0.3
