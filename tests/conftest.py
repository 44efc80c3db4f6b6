"""Shared test set-up.

The playground plays a run at a pace people can watch (``DEFAULT_SPEED`` epochs a second). Tests that
train in the app want the result, not the show, so each app built in a test starts at full speed;
a test of the pace itself opts out with ``@pytest.mark.paced``.

Every run a test trains is recorded (the run store, TensorBoard files): into the test's own temporary
folder, never the user's data folder (``NNPLAY_RUNS_DB`` and ``XDG_DATA_HOME``, which subprocesses
inherit too).
"""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _apps_train_at_full_speed(request, monkeypatch):
    if request.node.get_closest_marker("paced") is None:
        import nnplay.tui.app

        monkeypatch.setattr(nnplay.tui.app, "DEFAULT_SPEED", None)


@pytest.fixture(autouse=True)
def _runs_recorded_in_tmp(tmp_path_factory, monkeypatch):
    data = tmp_path_factory.mktemp("data-home")
    monkeypatch.setenv("XDG_DATA_HOME", str(data))
    monkeypatch.setenv("NNPLAY_RUNS_DB", str(data / "nnplay" / "runs.sqlite3"))
