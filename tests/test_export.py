"""Export to Keras .h5 from either engine, read it back, and keep TensorFlow out of start-up."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from nnplay.engine.errors import ExportError
from nnplay.engine.numpy_net.trainer import NumpyTrainer
from nnplay.engine.spec import validate_preset
from nnplay.engine.summary import summarize
from nnplay.engine.targets import encode_targets

export = pytest.importorskip("nnplay.engine.export")
keras_net = pytest.importorskip("nnplay.engine.keras_net")


LAYERS = [
    {"type": "dense", "units": 4, "activation": "sigmoid", "kernel_regularizer": {"l1": 0.001, "l2": 0.01}},
    {"type": "dropout", "rate": 0.2},
    {"type": "dense", "units": 2, "activation": "softmax", "name": "output"},
]


@pytest.fixture(scope="module")
def preset():
    return validate_preset({
        "preset": {"title": "export"},
        "data": {"source": "logistic", "n": 200},
        "model": {"loss": "categorical_crossentropy", "layers": LAYERS},
        "train": {"optimizer": {"name": "sgd", "learning_rate": 0.3, "momentum": 0.5}, "batch_size": 25,
                  "epochs": 3, "seed": 7},
    })


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(120, 2)).astype(np.float32)
    labels = (x @ np.array([1.0, 2.0]) + rng.normal(size=120) > 0).astype(int)
    return x, encode_targets(labels, "categorical_crossentropy", 2)


@pytest.fixture(scope="module")
def trained(preset, data):
    x, y = data
    trainers = {"numpy": NumpyTrainer(preset, 2), "keras": keras_net.KerasTrainer(preset, 2)}
    for trainer in trainers.values():
        trainer.fit(x, y)
    return trainers


def training_config(path):
    import h5py

    with h5py.File(path, "r") as handle:
        return json.loads(handle.attrs["training_config"])


@pytest.mark.parametrize("engine", ["numpy", "keras"])
def test_export_loads_with_plain_keras(engine, trained, data, tmp_path):
    import keras

    x, y = data
    trainer = trained[engine]
    path = export.export_h5(trainer, tmp_path / f"{engine}.h5")
    assert path == tmp_path / f"{engine}.h5" and path.is_file()
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left behind

    model = keras.models.load_model(path)  # no custom objects, safe mode on, compiled
    np.testing.assert_allclose(model.predict(x, verbose=0), trainer.predict(x), atol=1e-6)
    assert [layer.name for layer in model.layers] == ["dense", "dropout", "output"]
    for saved, held in zip(model.get_weights(), trainer.get_weights(), strict=True):
        np.testing.assert_array_equal(saved, held)
    assert model.loss.__name__ == "categorical_crossentropy"
    assert type(model.optimizer).__name__ == "SGD"
    assert float(model.optimizer.learning_rate) == pytest.approx(0.3)
    assert float(model.optimizer.momentum) == pytest.approx(0.5)
    assert model.evaluate(x, y, verbose=0, return_dict=True)["loss"] == pytest.approx(trainer.evaluate(x, y)["loss"], rel=1e-5)

    config = training_config(path)
    assert config["loss"] == "categorical_crossentropy"
    assert config["optimizer_config"]["class_name"] == "SGD"
    regularizer = model.layers[0].kernel_regularizer.get_config()
    assert regularizer == pytest.approx({"l1": 0.001, "l2": 0.01})


def test_adam_settings_travel(data, tmp_path):
    import keras

    preset = validate_preset({
        "preset": {"title": "adam"}, "data": {"source": "logistic"},
        "model": {"loss": "binary_crossentropy", "layers": [{"type": "dense", "units": 1, "activation": "sigmoid"}]},
        "train": {"optimizer": {"name": "adam", "learning_rate": 0.02, "beta_1": 0.8, "epsilon": 1e-6}},
    })
    path = export.export_h5(NumpyTrainer(preset, 2), tmp_path / "adam.h5")
    optimizer = keras.models.load_model(path).optimizer
    assert type(optimizer).__name__ == "Adam"
    assert (float(optimizer.learning_rate), optimizer.beta_1, optimizer.epsilon) == pytest.approx((0.02, 0.8, 1e-6))
    assert training_config(path)["loss"] == "binary_crossentropy"


def test_existing_file_is_kept_unless_forced(trained, tmp_path):
    path = tmp_path / "model.h5"
    path.write_bytes(b"precious")
    with pytest.raises(ExportError, match="exists; pass --force"):
        export.export_h5(trained["numpy"], path)
    assert path.read_bytes() == b"precious"
    export.export_h5(trained["numpy"], path, force=True)
    assert path.read_bytes()[:8] == b"\x89HDF\r\n\x1a\n"


@pytest.mark.parametrize("name, message", [
    ("model.keras", "must end in .h5"),
    ("model", "must end in .h5"),
    ("missing/model.h5", "does not exist"),
])
def test_bad_targets_name_the_path(trained, tmp_path, name, message):
    target = tmp_path / name
    with pytest.raises(ExportError, match=message) as caught:
        export.export_h5(trained["keras"], target)
    assert str(target) in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_export_and_saved_preset_get_the_same_mode(trained, preset, tmp_path):
    """Both go through the one atomic writer: 0666 less the umask, like any file the user writes."""
    import stat

    from nnplay.engine.presets import save_preset

    old = os.umask(0o027)
    try:
        exported = export.export_h5(trained["numpy"], tmp_path / "model.h5")
        saved = save_preset(preset, tmp_path / "preset.toml")
    finally:
        os.umask(old)
    modes = {stat.S_IMODE(path.stat().st_mode) for path in (exported, saved)}
    assert modes == {0o640}


def test_unwritable_folder_is_an_export_error(trained, tmp_path):
    # Tests may run as root, where chmod does not stop writes; a folder that is really a file does.
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with pytest.raises(ExportError, match="not-a-folder"):
        export.export_h5(trained["numpy"], blocker / "model.h5")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through a read-only folder")
def test_read_only_folder_is_an_export_error(trained, tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(ExportError, match="cannot write"):
            export.export_h5(trained["numpy"], folder / "model.h5")
    finally:
        folder.chmod(0o700)


def test_failed_save_leaves_old_file_and_no_temporary(trained, tmp_path, monkeypatch):
    """A crash in the middle of writing: the old file survives whole, the temporary is removed."""
    path = tmp_path / "model.h5"
    export.export_h5(trained["keras"], path)
    before = path.read_bytes()
    model = trained["keras"].model

    def broken_save(filepath, **kwargs):
        with open(filepath, "wb") as handle:
            handle.write(b"\x89HDF half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(model, "save", broken_save)
    with pytest.raises(ExportError, match="No space left"):
        export.export_h5(trained["keras"], path, force=True)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["model.h5"]


def test_summary_from_h5_matches_the_spec(trained, preset, tmp_path):
    path = export.export_h5(trained["numpy"], tmp_path / "model.h5")
    summary = export.summary_from_h5(path)
    expected = summarize(preset.model, 2)
    assert summary.layers == expected.layers
    assert summary.input_shape == (None, 2)
    assert summary.total_params == expected.total_params == 22


def test_summary_of_a_keras_saved_sequential(tmp_path):
    import keras

    model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(3, activation="relu"),
                              keras.layers.Dropout(0.5), keras.layers.Dense(1)], name="mine")
    model.save(tmp_path / "theirs.h5")
    summary = export.summary_from_h5(tmp_path / "theirs.h5")
    assert summary.name == "mine"
    assert [(row.type, row.output_shape, row.params) for row in summary.layers] == [
        ("Dense", (None, 3), 18), ("Dropout", (None, 3), 0), ("Dense", (None, 1), 4)]


def test_bad_files_give_one_line_errors(tmp_path):
    import h5py

    corrupt = tmp_path / "corrupt.h5"
    corrupt.write_bytes(b"this is not hdf5 at all")
    foreign = tmp_path / "foreign.h5"
    with h5py.File(foreign, "w") as handle:
        handle["data"] = np.arange(10)
    cases = {
        tmp_path / "absent.h5": "no such file",
        corrupt: "not an HDF5 file",
        foreign: "not a Keras model file",
        tmp_path: "is a folder",
    }
    for path, message in cases.items():
        with pytest.raises(ExportError, match=message) as caught:
            export.summary_from_h5(path)
        assert "\n" not in str(caught.value) and str(path) in str(caught.value)


def test_truncated_export_is_an_export_error(trained, tmp_path):
    path = export.export_h5(trained["keras"], tmp_path / "model.h5")
    cut = tmp_path / "cut.h5"
    cut.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(ExportError) as caught:
        export.summary_from_h5(cut)
    assert "\n" not in str(caught.value)


def test_non_dense_layers_are_refused(tmp_path):
    import keras

    model = keras.Sequential([keras.Input((4, 4, 1)), keras.layers.Flatten(), keras.layers.Dense(2)])
    model.save(tmp_path / "conv.h5")
    with pytest.raises(ExportError, match="Flatten layer"):
        export.summary_from_h5(tmp_path / "conv.h5")


def test_keras_import_is_quiet():
    """TensorFlow's start-up notices and the legacy-HDF5 warning never reach the terminal."""
    code = textwrap.dedent("""
        import tempfile, os, numpy as np
        from nnplay.engine.spec import validate_preset
        from nnplay.engine.keras_net import KerasTrainer
        from nnplay.engine.export import export_h5
        preset = validate_preset({"preset": {"title": "q"}, "data": {"source": "logistic"},
            "model": {"loss": "binary_crossentropy", "layers": [{"type": "dense", "units": 1, "activation": "sigmoid"}]},
            "train": {"epochs": 1}})
        trainer = KerasTrainer(preset, 2)
        trainer.fit(np.zeros((8, 2), "float32"), np.zeros((8, 1), "float32"))
        with tempfile.TemporaryDirectory() as folder:
            export_h5(trainer, os.path.join(folder, "m.h5"))
        print("done")
    """)
    env = {k: v for k, v in os.environ.items() if not k.startswith("TF_CPP")}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=180, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "done"
    assert done.stderr.strip() == ""
