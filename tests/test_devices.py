"""``train.devices``: the Keras engine mirrored on several devices (engine/devices.py).

This machine has no GPU, so the mirrored path runs on logical CPU devices. They can be set only
once per process, before TensorFlow's first op, so each mirrored run here is a fresh process.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from nnplay.engine.devices import mirrored_devices
from nnplay.engine.errors import DeviceError, SpecError
from nnplay.engine.spec import validate_preset
from tests.hostile import preset_text, run_cli

SIGMOID = '[{ type = "dense", units = 1, activation = "sigmoid" }]'


def raw_preset(**train) -> dict:
    return {
        "preset": {"title": "devices"},
        "data": {"source": "logistic", "n": 200},
        "model": {"loss": "binary_crossentropy", "layers": [{"type": "dense", "units": 1, "activation": "sigmoid"}]},
        "train": {"engine": "keras", **train},
    }


@pytest.mark.parametrize("value", [0, -1, 65, True, "two", 1.5])
def test_a_device_count_that_is_no_count_is_refused_by_name(value):
    with pytest.raises(SpecError) as caught:
        validate_preset(raw_preset(devices=value))
    assert caught.value.problems[0].field == "train.devices"


def test_all_is_the_default_and_one_or_more_are_kept():
    assert validate_preset(raw_preset()).train.devices == "all"
    assert validate_preset(raw_preset(devices=3)).train.devices == 3


def test_the_numpy_engine_refuses_several_devices_but_takes_all_and_one():
    with pytest.raises(SpecError, match="one CPU core") as caught:
        validate_preset(raw_preset(engine="numpy", devices=2))
    assert caught.value.problems[0].field == "train.devices"
    for value in ("all", 1):
        validate_preset(raw_preset(engine="numpy", devices=value))


def test_a_batch_smaller_than_the_devices_is_refused():
    """Every device takes a share of each batch; one with no rows would break the step."""
    with pytest.raises(SpecError, match="at least 4 rows per batch") as caught:
        validate_preset(raw_preset(devices=4, batch_size=2))
    assert caught.value.problems[0].field == "train.devices"
    validate_preset(raw_preset(devices=4, batch_size=4))


@pytest.mark.parametrize(("requested", "gpus", "devices"), [
    ("all", 0, ()), ("all", 1, ()), ("all", 3, ("/gpu:0", "/gpu:1", "/gpu:2")),
    (1, 4, ()), (2, 4, ("/gpu:0", "/gpu:1")), (2, 0, ("/cpu:0", "/cpu:1")),
])
def test_which_devices_mirror(requested, gpus, devices):
    assert mirrored_devices(requested, gpus) == devices


def test_more_devices_than_gpus_says_how_many_there_are():
    with pytest.raises(DeviceError, match=r"more GPUs than this machine has \(2\)") as caught:
        mirrored_devices(3, 2)
    assert caught.value.problems[0].field == "train.devices"


def test_devices_zero_on_the_command_line_is_one_line(tmp_path, monkeypatch):
    (tmp_path / "p.toml").write_text(preset_text('source = "logistic"\nn = 200', SIGMOID, "binary_crossentropy"))
    monkeypatch.chdir(tmp_path)
    outcome = run_cli(["train", "p.toml", "--devices", "0"], tmp_path)
    assert outcome.code == 2 and "--devices" in outcome.err


# --------------------------------------------------------------------------------------------
# Real mirrored runs, each in its own process

RUN = textwrap.dedent("""
    import json, sys
    import numpy as np
    from nnplay.engine.spec import validate_preset
    from nnplay.engine.keras_net import KerasTrainer
    devices = json.loads(sys.argv[1])
    if sys.argv[2] == "started":  # TensorFlow already runs its devices when the trainer comes
        from nnplay.engine.tf_quiet import keras
        keras()
    preset = validate_preset({
        "preset": {"title": "mirrored"}, "data": {"source": "logistic", "n": 200},
        "model": {"loss": "categorical_crossentropy", "layers": [
            {"type": "dense", "units": 8, "activation": "relu"},
            {"type": "dense", "units": 2, "activation": "softmax"}]},
        "train": {"engine": "keras", "devices": devices, "batch_size": 16, "epochs": 4, "shuffle": True,
                  "validation_split": 0.2, "optimizer": {"name": "adam", "learning_rate": 0.01}},
    })
    rng = np.random.default_rng(0)
    x = rng.normal(size=(160, 2)).astype(np.float32)
    y = np.eye(2, dtype=np.float32)[(x[:, 0] + x[:, 1] > 0).astype(int)]
    try:
        trainer = KerasTrainer(preset, 2)
    except Exception as error:
        print(json.dumps({"error": f"{type(error).__name__}: {error}"}))
        sys.exit(0)
    result = trainer.fit(x, y)
    print(json.dumps({"replicas": result.replicas, "history": result.history,
                      "predict": trainer.predict(x[:5]).tolist()}))
""")


def mirrored_run(devices, started: bool = False) -> dict:
    done = subprocess.run([sys.executable, "-c", RUN, json.dumps(devices), "started" if started else "fresh"],
                          capture_output=True, text=True, timeout=600, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_two_logical_cpu_devices_trace_the_one_device_curve():
    one, two = mirrored_run(1), mirrored_run(2)
    assert (one["replicas"], two["replicas"]) == (1, 2)
    assert set(two["history"]) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    for key, values in one["history"].items():
        np.testing.assert_allclose(two["history"][key], values, rtol=1e-4, atol=1e-6, err_msg=key)
    np.testing.assert_allclose(two["predict"], one["predict"], atol=1e-5)


@pytest.mark.slow
def test_asking_for_devices_after_tensorflow_started_names_the_field():
    outcome = mirrored_run(2, started=True)
    assert outcome["error"].startswith("DeviceError: train.devices: 2 CPU devices must be set before TensorFlow starts")
