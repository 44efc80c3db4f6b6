"""Half-block rendering: small arrays in, the expected cells and colours out."""

from __future__ import annotations

import numpy as np
import pytest
from rich.color import ColorType

from nnplay.engine.probe import OutputField, Plane
from nnplay.tui.widgets.boundary import CLASS_SHADES, map_indexes, picture
from nnplay.tui.widgets.colormap import (
    BLUE,
    GREY,
    HALF,
    ORANGE,
    SHADES,
    HalfBlocks,
    Palette,
    class_shades,
    darker,
    diverging,
    heatmap_strips,
    hue,
    point_colors,
    quantize,
)

RED, GREEN, BLACK = (255, 0, 0), (0, 255, 0), (0, 0, 0)


def cells(strip):
    """``[(text, foreground rgb, background rgb), ...]`` of a strip's segments."""
    return [(seg.text, seg.style.color.triplet, seg.style.bgcolor.triplet) for seg in strip]


def test_each_cell_shows_its_upper_pixel_as_foreground_and_its_lower_as_background():
    blocks = HalfBlocks(Palette((RED, GREEN, BLACK)))
    [strip] = blocks.strips(np.array([[0, 1, 2], [2, 2, 0]]))
    assert strip.cell_length == 3
    assert cells(strip) == [(HALF, RED, BLACK), (HALF, GREEN, BLACK), (HALF, BLACK, RED)]


def test_equal_neighbours_merge_into_one_segment():
    blocks = HalfBlocks(Palette((RED, GREEN)))
    image = np.array([[0, 0, 0, 1], [1, 1, 1, 1], [0, 1, 1, 1], [0, 0, 0, 0]])
    first, second = blocks.strips(image)
    assert cells(first) == [(HALF * 3, RED, GREEN), (HALF, GREEN, GREEN)]
    assert cells(second) == [(HALF, RED, RED), (HALF * 3, GREEN, RED)]


def test_an_odd_last_pixel_row_fills_its_whole_cell():
    [strip] = HalfBlocks(Palette((RED, GREEN))).strips(np.array([[1, 0]]))
    assert cells(strip) == [(HALF, GREEN, GREEN), (HALF, RED, RED)]


def test_without_true_colour_the_palette_uses_the_256_standard_colours():
    strip = HalfBlocks(Palette((ORANGE, BLUE)), truecolor=False).strips(np.array([[0], [1]]))[0]
    style = next(iter(strip)).style
    assert style.color.type == ColorType.EIGHT_BIT and style.bgcolor.type == ColorType.EIGHT_BIT
    fg = style.color.get_truecolor()
    assert fg.red > fg.blue  # still orange
    true = HalfBlocks(Palette((ORANGE, BLUE))).strips(np.array([[0], [1]]))[0]
    assert next(iter(true)).style.color.type == ColorType.TRUECOLOR


def test_quantize_spreads_a_range_over_the_shades_and_clips():
    assert quantize(np.array([-1.0, 0.0, 1.0, 5.0, -9.0, np.nan]), -1, 1, 31).tolist() == [0, 15, 30, 30, 0, 15]


def test_the_diverging_scale_runs_orange_grey_blue():
    strong = diverging(fade=False).colors
    assert len(strong) == SHADES and strong[0] == ORANGE and strong[15] == GREY and strong[-1] == BLUE
    faded = diverging().colors
    assert all(f >= s for f, s in zip(faded[0], ORANGE, strict=True))  # lighter than the points' colour


def test_heatmap_strips_turn_values_into_coloured_cells():
    values = np.array([[-1.0, 1.0], [1.0, -1.0]])
    [strip] = heatmap_strips(values, truecolor=True)
    palette = diverging().colors
    assert cells(strip) == [(HALF, palette[0], palette[-1]), (HALF, palette[-1], palette[0])]


def test_class_shades_go_from_grey_to_each_classes_hue():
    shades = class_shades(3, 4, fade=False).colors
    assert len(shades) == 12
    assert shades[0] == GREY and shades[3] == hue(0) and shades[7] == hue(1) and shades[11] == hue(2)
    assert point_colors(2).colors == (hue(0), hue(1), darker(hue(0)), darker(hue(1)))
    # over the 256-colour fallback's full-strength map, points are darker than their own region
    strong = point_colors(2, over_strong_map=True).colors
    assert all(sum(point) < sum(hue(i % 2)) / 1.9 for i, point in enumerate(strong))


# --------------------------------------------------------------------------------------------
# The boundary picture


def binary_field(p):
    p = np.asarray(p, dtype=float)
    return OutputField("binary", p, (p > 0.5).astype(np.int64), 2)


def test_binary_map_is_p_on_the_diverging_scale_and_discretized_it_is_the_class():
    field = binary_field([[0.0, 0.5, 1.0]])
    assert map_indexes(field, discretize=False).tolist() == [[0, 15, 30]]
    assert map_indexes(field, discretize=True).tolist() == [[0, 0, 30]]


def test_several_classes_take_their_hue_lighter_where_unsure():
    value = np.array([[1 / 3, 1.0]])
    field = OutputField("classes", value, np.array([[2, 1]]), 3)
    assert map_indexes(field, discretize=False).tolist() == [[2 * CLASS_SHADES, CLASS_SHADES + CLASS_SHADES - 1]]
    assert map_indexes(field, discretize=True).tolist() == [[3 * CLASS_SHADES - 1, 2 * CLASS_SHADES - 1]]


def test_regression_spans_the_given_range():
    field = OutputField("regression", np.array([[0.0, 5.0, 10.0]]), None, None)
    assert map_indexes(field, discretize=False, value_range=(0.0, 10.0)).tolist() == [[0, 15, 30]]


def test_points_are_drawn_in_their_class_colour_over_the_map_and_test_points_darker():
    plane = Plane((0.0, 3.0), (0.0, 2.0), 3, 2)
    field = binary_field([[0.5, 0.5, 0.5], [0.5, 0.5, 0.5]])
    train = (np.array([[0.5, 1.5]]), np.array([1]), False)  # top left pixel
    test = (np.array([[2.5, 0.5]]), np.array([0]), True)  # bottom right pixel
    pic = picture(field, plane, [train, test])
    start = SHADES
    assert pic.image.tolist() == [[start + 1, 15, 15], [15, 15, start + 2]]
    assert pic.palette.colors[start + 1] == BLUE and pic.palette.colors[start + 2] == darker(ORANGE)


@pytest.mark.parametrize("truecolor", [True, False])
def test_the_fallback_map_keeps_strong_colours(truecolor):
    plane = Plane((0.0, 1.0), (0.0, 1.0), 1, 1)
    pic = picture(binary_field([[0.0]]), plane, [], truecolor=truecolor)
    assert (pic.palette.colors[0] == ORANGE) is (not truecolor)
