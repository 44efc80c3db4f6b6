"""The session's runs: what changed between two presets, in field terms, and each run's figures."""

from __future__ import annotations

import json
import math

import pytest

from nnplay.engine.run import prepare, run
from nnplay.engine.runs import RunStore, change_labels
from nnplay.engine.spec import validate_preset


def preset_dict(**changes):
    """A small valid preset's dict (the lecture's hidden layer with dropout), with top-level
    sections changed: ``train={...}`` merges into the train table, a ``data`` with a source replaces it."""
    raw = {
        "preset": {"title": "base"},
        "data": {"source": "logistic", "n": 300, "beta": [1.0, 2.0], "test_size": 0.2, "seed": 42},
        "model": {"loss": "categorical_crossentropy", "layers": [
            {"type": "dense", "units": 4, "activation": "relu"},
            {"type": "dropout", "rate": 0.2},
            {"type": "dense", "units": 2, "activation": "softmax"},
        ]},
        "train": {"engine": "numpy", "optimizer": {"name": "sgd", "learning_rate": 0.1}, "batch_size": 50,
                  "epochs": 4, "validation_split": 0.2, "seed": 0},
    }
    for section, value in changes.items():
        raw[section] = value if "source" in value else {**raw[section], **value}
    return validate_preset(raw).to_dict()  # through the schema, so defaults are filled in as in the app


def layers(*specs):
    return {"layers": list(specs)}


HIDDEN = {"type": "dense", "units": 4, "activation": "relu"}
OUT = {"type": "dense", "units": 2, "activation": "softmax"}


class TestChangeLabels:
    def test_identical_presets_change_nothing(self):
        assert change_labels(preset_dict(), preset_dict()) == ()

    def test_title_and_notes_are_not_changes(self):
        assert change_labels(preset_dict(), preset_dict(preset={"title": "other", "notes": "x"})) == ()

    def test_dropout_removed_reads_old_to_zero(self):
        assert change_labels(preset_dict(), preset_dict(model=layers(HIDDEN, OUT))) == ("dropout 0.2 → 0",)

    def test_dropout_rate_changed_and_added(self):
        wider_dropout = preset_dict(model=layers(HIDDEN, {"type": "dropout", "rate": 0.5}, OUT))
        assert change_labels(preset_dict(), wider_dropout) == ("dropout 0.2 → 0.5",)
        assert change_labels(preset_dict(model=layers(HIDDEN, OUT)), preset_dict()) == ("dropout 0.2",)

    def test_a_penalty_switched_on_shows_its_value_and_off_shows_zero(self):
        with_l2 = preset_dict(model=layers({**HIDDEN, "kernel_regularizer": {"l2": 0.01}}, {"type": "dropout", "rate": 0.2}, OUT))
        assert change_labels(preset_dict(), with_l2) == ("l2 0.01",)
        assert change_labels(with_l2, preset_dict()) == ("l2 0.01 → 0",)

    def test_engine_names_the_new_engine(self):
        assert change_labels(preset_dict(), preset_dict(train={"engine": "keras"})) == ("engine keras",)

    def test_learning_rate_old_to_new(self):
        faster = preset_dict(train={"optimizer": {"name": "sgd", "learning_rate": 0.5}})
        assert change_labels(preset_dict(), faster) == ("learning_rate 0.1 → 0.5",)

    def test_switching_optimizer_names_it_and_compares_only_shared_fields(self):
        adam = preset_dict(train={"optimizer": {"name": "adam", "learning_rate": 0.01}})
        assert change_labels(preset_dict(), adam) == ("optimizer adam", "learning_rate 0.1 → 0.01")

    def test_switching_data_source_skips_the_old_sources_own_fields(self):
        circles = preset_dict(data={"source": "circles", "n": 300, "noise": 0.1, "test_size": 0.2, "seed": 42})
        assert change_labels(preset_dict(), circles) == ("source circles",)

    def test_a_field_changed_in_two_places_says_where(self):
        both = preset_dict(data={"seed": 7}, train={"seed": 3})
        assert change_labels(preset_dict(), both) == ("data seed 42 → 7", "train seed 0 → 3")

    def test_units_per_layer_and_a_layer_added(self):
        wider = preset_dict(model=layers({**HIDDEN, "units": 16}, {"type": "dropout", "rate": 0.2}, OUT))
        assert change_labels(preset_dict(), wider) == ("units 4 → 16",)
        deeper = preset_dict(model=layers(HIDDEN, {"type": "dropout", "rate": 0.2}, {**HIDDEN, "units": 8}, OUT))
        assert change_labels(preset_dict(), deeper) == ("layers 4-2 → 4-8-2",)

    def test_early_stopping_on_and_patience(self):
        stopping = preset_dict(train={"early_stopping": {"monitor": "val_loss", "patience": 5}})
        assert change_labels(preset_dict(), stopping) == ("early_stopping on",)
        assert change_labels(stopping, preset_dict()) == ("early_stopping off",)
        patient = preset_dict(train={"early_stopping": {"monitor": "val_loss", "patience": 9}})
        assert change_labels(stopping, patient) == ("patience 5 → 9",)

    def test_switches_and_full_batch(self):
        assert change_labels(preset_dict(), preset_dict(train={"shuffle": False})) == ("shuffle off",)
        assert change_labels(preset_dict(), preset_dict(train={"batch_size": "full"})) == ("batch_size full",)
        assert change_labels(preset_dict(train={"batch_size": "full"}), preset_dict()) == ("batch_size full → 50",)

    def test_several_changes_in_spec_order(self):
        changed = preset_dict(model=layers({**HIDDEN, "activation": "tanh"}, OUT), train={"epochs": 9})
        assert change_labels(preset_dict(), changed) == ("activation tanh", "dropout 0.2 → 0", "epochs 4 → 9")


class TestRunStore:
    @pytest.fixture(scope="class")
    def two_runs(self):
        store = RunStore()
        first = validate_preset(preset_dict())
        second = first.with_changes("model.layers[1].rate", 0.0)
        reports = [run(prepare(p)) for p in (first, second)]
        return store, reports, [store.add(r) for r in reports]

    def test_each_record_says_what_changed_from_the_one_before(self, two_runs):
        _, _, (one, two) = two_runs
        assert one.changes == () and one.number == 1
        assert two.changes == ("dropout 0.2 → 0",) and two.number == 2

    def test_figures_are_the_engines(self, two_runs):
        _, (report, _), (record, _) = two_runs
        history = report.fit.history
        assert record.engine == "numpy" and record.epochs == 4 and record.status == "completed"
        assert record.stop_reason == "completed"
        assert record.train_loss == history["loss"][-1] and record.val_accuracy == history["val_accuracy"][-1]
        assert record.test_loss == report.test["loss"] and record.test_accuracy == report.test["accuracy"]
        assert record.history == history and record.seconds == report.fit.fit_seconds

    def test_early_stopping_keeps_the_restored_epochs_figures(self):
        preset = validate_preset(preset_dict(train={"epochs": 300, "early_stopping": {
            "monitor": "val_loss", "patience": 2, "restore_best_weights": True}}))
        report = run(prepare(preset))
        assert report.fit.status == "early_stopped" and report.fit.best_epoch is not None
        record = RunStore().add(report)
        best = report.fit.best_epoch
        assert record.best_epoch == best and record.stop_reason == f"early stop, best {best + 1}"
        assert record.val_loss == report.fit.history["val_loss"][best] == min(report.fit.history["val_loss"])
        assert record.to_json()["best_epoch"] == best + 1

    def test_keeps_the_last_eight_and_clear_keeps_counting(self, two_runs):
        _, (report, _), _ = two_runs
        store = RunStore()
        for _ in range(10):
            store.add(report)
        assert len(store) == 8 and [r.number for r in store] == list(range(3, 11))
        store.clear()
        assert len(store) == 0 and store.changes_for(report.preset) == ()
        assert store.add(report).number == 11

    def test_json_row_is_standard_json_with_null_for_non_finite(self, two_runs):
        _, _, (record, _) = two_runs
        diverged = type(record)(**{**record.__dict__, "train_loss": math.nan, "val_loss": math.inf})
        row = diverged.to_json()
        text = json.dumps(row, allow_nan=False)  # raises on NaN or Infinity
        assert json.loads(text)["train_loss"] is None and row["val_loss"] is None
        assert row["test_accuracy"] == record.test_accuracy


def test_change_labels_name_layers_as_keras_and_the_summary_do():
    """A named layer does not shift the default names of the unnamed ones (``layer_names``'s rule)."""
    named = {**HIDDEN, "name": "first"}
    before = preset_dict(model=layers(named, HIDDEN, HIDDEN, OUT))
    after = preset_dict(model=layers(named, {**HIDDEN, "units": 8}, {**HIDDEN, "units": 8}, OUT))
    assert change_labels(before, after) == ("dense units 4 → 8", "dense_1 units 4 → 8")
