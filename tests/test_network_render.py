"""The Network and Weights views' drawing: small arrays in, the expected cells and colours out."""

from __future__ import annotations

import numpy as np
from rich.color import Color

from nnplay.engine import formula
from nnplay.engine.weight_stats import LayerHistogram
from nnplay.tui.widgets.colormap import BLUE, ORANGE
from nnplay.tui.widgets.framepace import FramePacer
from nnplay.tui.widgets.network.colors import signed_style
from nnplay.tui.widgets.network.units import map_size, tiles_per_row, weight_bars
from nnplay.tui.widgets.network.weights import histogram_rows, matrix_text, sparkline


def test_signed_colours_are_tf_playground_s():
    assert signed_style(-2.0, 1.0).color == Color.from_rgb(*ORANGE)
    assert signed_style(3.0, 1.0).color == Color.from_rgb(*BLUE)
    faint, strong = signed_style(0.1, 1.0).color, signed_style(0.9, 1.0).color
    assert faint != strong and faint.triplet.red > strong.triplet.red  # paler (towards grey) when small


def test_weight_bars_heights_and_signs():
    cells = weight_bars(np.array([-1.0, 0.5, 0.0]), scale=1.0, width=5)
    assert "".join(c.text for c in cells) == "█▄▁  "
    assert cells[0].style.color == Color.from_rgb(*ORANGE) and cells[1].style.color.triplet.blue > 150
    many = weight_bars(np.linspace(-1, 1, 30), scale=1.0, width=8)
    text = "".join(c.text for c in many)
    assert len(text) == 8 and text.endswith("…")


def test_layout_sizes():
    assert tiles_per_row(37) == 4 and tiles_per_row(57) == 6 and tiles_per_row(3) == 1
    assert map_size(37) == 32 and map_size(57) == 48 and map_size(200) == 48 and map_size(10) == 16


def test_histogram_rows_draw_now_in_colour_and_the_start_grey_behind():
    edges = np.linspace(-1, 1, 4)  # three bins: negative, about zero, positive
    hist = LayerHistogram("d", edges, start=np.array([0, 8, 0]), now=np.array([4, 2, 8]))
    rows = histogram_rows(hist, rows=3)  # heights in eighths of a cell: now 12, 6, 24; start 0, 24, 0
    top, middle, bottom = (line.plain for line in rows)
    assert (top, middle, bottom) == (" ██", "▄██", "█▆█")

    def style(row: int, col: int):
        return next(span.style for span in rows[row].spans if span.start <= col < span.end)

    assert str(style(0, 1)) == "grey30"  # only the start reaches the top of the middle bin
    assert style(2, 1).bgcolor == Color.parse("grey30")  # now below the start: the start shows behind
    assert style(0, 2).color == Color.from_rgb(*BLUE) and style(1, 0).color == Color.from_rgb(*ORANGE)


def test_sparkline_spans_min_to_max():
    assert sparkline([1.0, 2.0, 3.0], 10) == "▁▅█"
    assert sparkline(list(range(20)), 5) == "▁▃▅▆█"
    assert sparkline([], 5) == ""


def test_matrix_text_lays_out_the_augmented_matrix():
    matrix = formula.Augmented("W⁽¹⁾", ("1", "x1"), np.array([[0.5, -1.0]]).repeat(2, axis=0))
    text = matrix_text(matrix, ["h1", "h2"])
    lines = text.plain.splitlines()
    assert lines[0] == "W⁽¹⁾ 2×2 (first row: the biases)"
    assert lines[1] == "        h1     h2"  # right-aligned over the numbers
    assert lines[2] == "1     0.50  -1.00"
    negative = next(span.style for span in text.spans if text.plain[span.start:span.end].strip() == "-1.00")
    assert negative.color == Color.from_rgb(*ORANGE)


def test_frame_pacer_waits_for_a_costly_frame_to_be_paid_off(monkeypatch):
    from nnplay.tui.widgets import framepace as pace

    clock = {"wall": 100.0, "cpu": 10.0}
    monkeypatch.setattr(pace.time, "monotonic", lambda: clock["wall"])
    monkeypatch.setattr(pace.time, "thread_time", lambda: clock["cpu"])
    pacer = FramePacer(fps=10, share=0.05)
    assert pacer.due()
    pacer.start()
    clock["wall"] += 0.02
    clock["cpu"] += 0.02  # a 20 ms frame: the next may come 0.4 s after it began
    pacer.drawn()
    clock["wall"] += 0.3
    assert not pacer.due() and pacer.skipped == 1
    clock["wall"] += 0.11
    assert pacer.due()


def test_frame_pacer_on_the_whole_thread_waits_for_all_the_ui_work_since_the_last_frame(monkeypatch):
    from nnplay.tui.widgets import framepace as pace

    clock = {"wall": 100.0, "cpu": 10.0}
    monkeypatch.setattr(pace.time, "monotonic", lambda: clock["wall"])
    monkeypatch.setattr(pace.time, "thread_time", lambda: clock["cpu"])
    pacer = FramePacer(fps=10, share=0.08, whole_thread=True)
    assert pacer.due()
    pacer.start()
    clock["wall"] += 0.2
    assert pacer.due()  # 0.2 s since the frame began and no UI work: the rate alone decides
    clock["cpu"] += 0.04  # other drawing took 40 ms of the UI thread: wait until 0.5 s after the frame
    assert not pacer.due()
    clock["wall"] += 0.31
    assert pacer.due()
    pacer.start()
    clock["cpu"] += 1.0  # the UI thread stays busy: the frame still comes after max_wait
    clock["wall"] += 0.49
    assert not pacer.due()
    clock["wall"] += 0.02
    assert pacer.due()
