"""The pace of the run on screen: playing at a speed, or paused (and where), with the speed ladder.

The app owns one :class:`~nnplay.engine.pace.Pace` for all its runs and hands it to each; this
widget shows its state and steps its speed up and down a fixed ladder. By default a run plays at
ten epochs a second: the lecture's 100-epoch first preset takes ten seconds, slow enough to watch.
"""

from __future__ import annotations

from textual.widgets import Static

from nnplay.engine.pace import Pace

SPEEDS: tuple[float | None, ...] = (0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, None)  # None: max
DEFAULT_SPEED = 10.0


def speed_text(speed: float | None) -> str:
    return "max speed" if speed is None else f"{speed:g} epoch/s" if speed == 1 else f"{speed:g} epochs/s"


class PaceStatus(Static):
    DEFAULT_CSS = """
    PaceStatus {
        width: 15;
        height: 1;
        margin-right: 1;
        text-wrap: nowrap;
    }
    """

    def __init__(self, pace: Pace, **kwargs) -> None:
        super().__init__("", **kwargs)
        self.pace = pace

    def on_mount(self) -> None:
        self.show()

    def faster(self) -> None:
        self._move(+1)

    def slower(self) -> None:
        self._move(-1)

    def _move(self, by: int) -> None:
        speed = self.pace.state.epochs_per_second
        at = SPEEDS.index(speed) if speed in SPEEDS else SPEEDS.index(DEFAULT_SPEED)
        self.pace.set_speed(SPEEDS[max(0, min(len(SPEEDS) - 1, at + by))])
        self.show()

    def show(self) -> None:
        state = self.pace.state
        text = "‖ paused" if state.paused else f"▶ {speed_text(state.epochs_per_second)}"
        self.update(text, layout=False)  # a fixed width: a repaint, no layout pass
