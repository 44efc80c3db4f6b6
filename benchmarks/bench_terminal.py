"""Speed as a student sees it: the real ``nnplay`` in a real terminal (tmux), timed from outside.

1. First paint: from launching ``nnplay`` in a fresh tmux window (120x40) to the model summary
   on screen (``Trainable params`` in the pane), median of several launches.
2. A run: preset 12 (circles) at 400 epochs (about a second headless), played at max speed.
   Timed from sending ``t`` to ``completed`` on screen, with the Loss view, the Boundary view and
   the Network view in front, against the same run headless in this process
   (:func:`nnplay.engine.run.prepare` + :func:`~nnplay.engine.run.run`, as ``nnplay train`` does it,
   data loading included as in the app). The four are interleaved round by round, so that other
   load on the machine hits them alike, and the best of each is compared. Goal: at most +15 %.

What reaches the screen is read from the bytes the app writes to the terminal (tmux's
``pipe-pane`` into a file this process polls every few milliseconds): polling ``capture-pane``
would spawn a tmux client per look and steal the CPU the app is being timed on.

Run: ``python -m benchmarks terminal`` (needs tmux).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SIZE = (120, 40)
EPOCHS = 400
VIEWS = {"Loss": 0, "Boundary": 1, "Network": 2}  # presses of ] from the Loss view
MAX_SPEED_PRESSES = 4  # + from the default 10 epochs/s: 20, 50, 100, max
POLL = 0.003  # seconds between looks at the terminal's output


def _tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True, check=True).stdout


class Terminal:
    """``nnplay ARGS`` in a detached tmux session, its output copied to a file as it is written."""

    def __init__(self, args: list[str], folder: Path, name: str) -> None:
        self.name = name
        self.log = folder / f"{name}.out"
        self.log.write_bytes(b"")
        nnplay = str(Path(sys.executable).with_name("nnplay"))
        # The app sees the Python path this process has (tmux starts it from its server's environment).
        env = {"COLORTERM": "truecolor", **{k: v for k, v in os.environ.items() if k == "PYTHONPATH"}}
        self.started = time.monotonic()
        _tmux("new-session", "-d", "-s", name, "-x", str(SIZE[0]), "-y", str(SIZE[1]),
              *(arg for key, value in env.items() for arg in ("-e", f"{key}={value}")),
              "sh", "-c", f"sleep 0.05; exec {nnplay} {' '.join(args)}")
        _tmux("pipe-pane", "-t", name, f"cat >> {self.log}")
        self.pid = int(_tmux("display-message", "-p", "-t", name, "#{pane_pid}"))

    def cpu(self) -> float:
        """The app's CPU seconds so far (all its threads; waiting for a core is not counted)."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def offset(self) -> int:
        return self.log.stat().st_size

    def wait_for(self, text: str, after: int = 0, timeout: float = 60.0) -> float:
        """Poll the output written since byte ``after`` until ``text`` is in it; the time then."""
        needle = text.encode()
        deadline = time.monotonic() + timeout
        with self.log.open("rb") as out:
            out.seek(after)
            seen = b""
            while True:
                now = time.monotonic()
                seen = seen[-len(needle):] + out.read()
                if needle in seen:
                    return now
                if now > deadline:
                    raise TimeoutError(f"{text!r} never showed in {self.name}: {self.screen()[-800:]}")
                time.sleep(POLL)

    def keys(self, *keys: str) -> None:
        _tmux("send-keys", "-t", self.name, *keys)

    def screen(self) -> str:
        return _tmux("capture-pane", "-p", "-t", self.name)

    def close(self) -> None:
        subprocess.run(["tmux", "kill-session", "-t", self.name], capture_output=True)


def first_paint(folder: Path, launches: int = 5) -> list[tuple[float, float]]:
    """Wall and CPU seconds from launching nnplay (default preset) to its model summary on screen."""
    times = []
    for i in range(launches):
        term = Terminal([], folder, f"nnplay-paint-{os.getpid()}-{i}")
        try:
            # The shell's 50 ms sleep lets pipe-pane attach before nnplay writes its first byte.
            times.append((term.wait_for("Trainable params") - term.started - 0.05, term.cpu()))
        finally:
            term.close()
    return times


def terminal_run(preset: Path, folder: Path, view: str) -> tuple[float, float]:
    """Wall and CPU seconds from sending ``t`` to ``completed`` on screen, with ``view`` in front."""
    term = Terminal([str(preset)], folder, f"nnplay-run-{os.getpid()}-{view}")
    try:
        term.wait_for("training rows")  # the data preview loaded (scikit-learn imported)
        time.sleep(1.5)  # the views draw the untrained model; what loads after the first screen, loads
        term.keys(*["+"] * MAX_SPEED_PRESSES, *["]"] * VIEWS[view])
        term.wait_for("max speed")
        time.sleep(0.5)
        mark = term.offset()
        start, cpu = time.monotonic(), term.cpu()
        term.keys("t")
        return term.wait_for("completed", after=mark) - start, term.cpu() - cpu
    finally:
        term.close()


def headless_run(preset) -> tuple[float, float]:
    from nnplay.engine.run import prepare, run

    start, cpu = time.monotonic(), time.process_time()
    run(prepare(preset))
    return time.monotonic() - start, time.process_time() - cpu


def main(rounds: int = 3) -> None:
    if shutil.which("tmux") is None:
        print("tmux is not installed: nothing measured")
        return
    from nnplay.engine.presets import load_preset, save_preset

    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        paint = first_paint(folder)
        wall, cpu = [w for w, _ in paint], [c for _, c in paint]
        print(f"first paint in tmux {SIZE[0]}x{SIZE[1]} (launch -> model summary on screen): "
              f"median {statistics.median(wall) * 1000:.0f} ms wall (min {min(wall) * 1000:.0f}, "
              f"max {max(wall) * 1000:.0f}), median {statistics.median(cpu) * 1000:.0f} ms CPU, {len(paint)} launches")

        preset = load_preset("12").with_changes("train.epochs", EPOCHS)
        path = save_preset(preset, folder / "circles-400.toml")
        headless_run(preset)  # warm the imports once
        times: dict[str, list[tuple[float, float]]] = {"headless": [], **{view: [] for view in VIEWS}}
        for _ in range(rounds):
            times["headless"].append(headless_run(preset))
            for view in VIEWS:
                times[view].append(terminal_run(path, folder, view))
        # The best of each: the run least disturbed by whatever else the machine was doing.
        base, base_cpu = (min(t[k] for t in times["headless"]) for k in (0, 1))
        print(f"preset 12, {EPOCHS} epochs at max speed, t -> 'completed' on screen, best of {rounds} "
              f"(wall; CPU seconds of the process, which a busy machine disturbs less):")
        print(f"  headless (prepare + run in-process): {base:.3f} s, CPU {base_cpu:.3f} s  ({_all(times['headless'])})")
        for view in VIEWS:
            best, cpu = (min(t[k] for t in times[view]) for k in (0, 1))
            print(f"  terminal, {view:8s} view in front: {best:.3f} s {100 * (best - base) / base:+5.1f} %, "
                  f"CPU {cpu:.3f} s {100 * (cpu - base_cpu) / base_cpu:+5.1f} %  ({_all(times[view])})")


def _all(runs: list[tuple[float, float]]) -> str:
    return ", ".join(f"{wall:.3f}" for wall, _ in runs)


if __name__ == "__main__":
    main()
