"""What the playground looks like: the main screen at two sizes, the preset picker, the results.

Regenerate after an intended change with ``pytest tests/test_tui_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

import pytest

from nnplay.tui.app import make_app
from tests.tui_helpers import wait_for, write_preset


@pytest.fixture
def preset_path(tmp_path):
    return write_preset(tmp_path)


async def _data_shown(pilot) -> None:
    await wait_for(pilot, lambda: pilot.app.dataset is not None)
    await pilot.pause(0.2)


class TestMainScreen:
    def test_main_screen_120x40(self, snap_compare, preset_path):
        assert snap_compare(make_app(preset_path), terminal_size=(120, 40), run_before=_data_shown)

    def test_main_screen_80x24(self, snap_compare, preset_path):
        assert snap_compare(make_app(preset_path), terminal_size=(80, 24), run_before=_data_shown)

    def test_layers_tab_80x24(self, snap_compare, preset_path):
        async def layers(pilot) -> None:
            await _data_shown(pilot)
            await pilot.press("2")

        assert snap_compare(make_app(preset_path), terminal_size=(80, 24), run_before=layers)


class TestPresetPicker:
    def test_picker(self, snap_compare, preset_path):
        async def open_picker(pilot) -> None:
            await _data_shown(pilot)
            await pilot.press("p")
            await pilot.pause(0.2)

        assert snap_compare(make_app(preset_path), terminal_size=(120, 40), run_before=open_picker)


class TestResults:
    def test_results_after_a_run(self, snap_compare, preset_path):
        async def train(pilot) -> None:
            await _data_shown(pilot)
            await pilot.press("plus", "plus", "plus", "plus", "t")  # at max speed: no ETA is ever estimated
            await wait_for(pilot, lambda: pilot.app.report is not None)
            pilot.app.clear_notifications()
            await pilot.press("6")  # a run marks the Results tab; the student opens it
            await pilot.pause(0.3)

        assert snap_compare(make_app(preset_path), terminal_size=(120, 40), run_before=train)


class TestBoundary:
    """The untrained model's map of preset 12 (circles), in true colour as most terminals show it."""

    @pytest.fixture(autouse=True)
    def truecolor(self, monkeypatch):
        monkeypatch.setenv("COLORTERM", "truecolor")

    @staticmethod
    async def _boundary(pilot, keys: str = "") -> None:
        await _data_shown(pilot)
        pilot.app.query_one("#views").active = "view-boundary"
        await pilot.pause(0.2)
        for key in keys:
            await pilot.press(key)
        await pilot.pause(0.2)

    def test_boundary_120x40(self, snap_compare):
        assert snap_compare(make_app("12-playground-circles"), terminal_size=(120, 40), run_before=self._boundary)

    def test_boundary_80x24(self, snap_compare):
        assert snap_compare(make_app("12-playground-circles"), terminal_size=(80, 24), run_before=self._boundary)

    def test_boundary_discretized_with_test_points_120x40(self, snap_compare):
        async def keys(pilot) -> None:
            await self._boundary(pilot, "dx")

        assert snap_compare(make_app("12-playground-circles"), terminal_size=(120, 40), run_before=keys)


class TestNetworkViews:
    """The Network and Weights tabs after a short run of the 2-4-2 test preset, in true colour."""

    @pytest.fixture(autouse=True)
    def truecolor(self, monkeypatch):
        monkeypatch.setenv("COLORTERM", "truecolor")

    @staticmethod
    def _after_run(view: str):
        async def run_before(pilot) -> None:
            from textual.widgets import TabbedContent

            from nnplay.tui.widgets.network.units import NetworkView

            await _data_shown(pilot)
            await pilot.press("t")
            await wait_for(pilot, lambda: pilot.app.report is not None)
            pilot.app.clear_notifications()
            pilot.app.query_one("#views", TabbedContent).active = view
            network = pilot.app.query_one(NetworkView)
            if view == "view-network":
                await wait_for(pilot, lambda: network.drawn_epoch == 4)
            await pilot.pause(0.4)

        return run_before

    @pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
    def test_network_view(self, snap_compare, preset_path, size):
        assert snap_compare(make_app(preset_path), terminal_size=size, run_before=self._after_run("view-network"))

    @pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
    def test_weights_view(self, snap_compare, preset_path, size):
        assert snap_compare(make_app(preset_path), terminal_size=size, run_before=self._after_run("view-weights"))


class TestSurface:
    """Preset 1 trained (at max speed, so no ETA is estimated): the descent drawn on the loss surface."""

    @pytest.fixture(autouse=True)
    def truecolor(self, monkeypatch):
        monkeypatch.setenv("COLORTERM", "truecolor")

    @staticmethod
    async def _trained(pilot) -> None:
        from nnplay.tui.widgets.surface.pane import SurfacePane

        await _data_shown(pilot)
        pilot.app.query_one("#views").active = "view-surface"
        await pilot.press("plus", "plus", "plus", "plus", "t")
        await wait_for(pilot, lambda: pilot.app.report is not None)
        pane = pilot.app.query_one(SurfacePane)
        await pilot.pause(0.3)
        await wait_for(pilot, lambda: pane.surface is not None and not pane._computing)
        pilot.app.clear_notifications()
        await pilot.pause(0.3)

    def test_surface_120x40(self, snap_compare):
        assert snap_compare(make_app("01-logistic-gd"), terminal_size=(120, 40), run_before=self._trained)

    def test_surface_80x24(self, snap_compare):
        assert snap_compare(make_app("01-logistic-gd"), terminal_size=(80, 24), run_before=self._trained)
