"""Shared test set-up.

The playground plays a run at a pace people can watch (``DEFAULT_SPEED`` epochs a second). Tests that
train in the app want the result, not the show, so each app built in a test starts at full speed;
a test of the pace itself opts out with ``@pytest.mark.paced``.
"""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _apps_train_at_full_speed(request, monkeypatch):
    if request.node.get_closest_marker("paced") is None:
        import nnplay.tui.app

        monkeypatch.setattr(nnplay.tui.app, "DEFAULT_SPEED", None)
