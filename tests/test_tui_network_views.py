"""The Network and Weights views, driven through the real app: what they show after a real run."""

from __future__ import annotations

import numpy as np
import pytest
from textual.strip import Strip
from textual.widgets import TabbedContent

from nnplay.engine.presets import load_preset, save_preset
from nnplay.engine.probe import reduce
from nnplay.tui.app import NnplayApp, make_app
from nnplay.tui.widgets.colormap import heatmap_strips
from nnplay.tui.widgets.network.units import (
    GAP,
    TILE,
    TILE_ROWS,
    NetworkView,
    tiles_per_row,
)
from nnplay.tui.widgets.network.weights import WeightsView
from tests.tui_helpers import wait_for


def cells(strip: Strip) -> list[tuple[str, object, object]]:
    """A strip cell by cell: (character, foreground, background), whatever the segment merging."""
    out = []
    for segment in strip:
        style = segment.style
        for char in segment.text:
            out.append((char, style.color if style else None, style.bgcolor if style else None))
    return out


def shown_text(widget) -> list[str]:
    return [widget.render_line(y).text.rstrip() for y in range(widget.size.height)]


async def trained(pilot, app: NnplayApp, view: str) -> None:
    await wait_for(pilot, lambda: app.dataset is not None, 60)
    await pilot.press("t")
    await wait_for(pilot, lambda: app.report is not None, 120)
    app.query_one("#views", TabbedContent).active = view
    await pilot.pause(0.5)


def tile(view: NetworkView, row: int, unit: int) -> list[Strip]:
    """The strips of unit ``unit``'s tile in picture row ``row`` (0: the inputs), as drawn."""
    top = view._top + row * (TILE_ROWS + 2) + 1
    left = unit * (TILE + GAP)
    return [view.render_line(top + y).crop(left, left + TILE) for y in range(TILE_ROWS)]


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


async def test_preset_1_weights_view_writes_the_formula_with_this_run_s_beta_hat(tmp_path):
    app = make_app("01-logistic-gd")
    async with app.run_test(size=(120, 40)) as pilot:
        await trained(pilot, app, "view-weights")
        beta_hat = app.report.trainer.get_weights()[0].ravel()
        np.testing.assert_allclose(beta_hat, [1.0, 2.0], atol=0.25)  # test_presets.py's tolerance
        text = "\n".join(shown_text(app.query_one(WeightsView)))
        assert "p̂ = σ(XW⁽¹⁾)" in text
        assert f"p̂ = σ({beta_hat[0]:.2f}·x1 + {beta_hat[1]:.2f}·x2)" in text
        assert "the data were drawn with β = [1, 2]" in text
        assert "after epoch 100" in text


async def test_preset_5_tiles_are_the_hidden_units_and_arrows_pick_one():
    app = make_app("05-hidden-layer")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.dataset is not None, 60)
        app.query_one("#views", TabbedContent).active = "view-network"
        view = app.query_one(NetworkView)
        await wait_for(pilot, lambda: view.pictures is not None)
        await pilot.pause(0.2)
        untrained = [cells(s) for s in tile(view, 1, 0)]
        await trained(pilot, app, "view-network")
        await wait_for(pilot, lambda: view.drawn_epoch == 49)
        w = app.report.trainer.get_weights()
        size = view.pictures.rows[1].maps.shape[-1]
        plane = view._plane.resized(size, size)
        hidden = _sigmoid(plane.points() @ w[0] + w[1])
        k = -(-size // TILE)
        for j in range(4):
            expected = heatmap_strips(reduce(2 * hidden[:, j].reshape(size, size) - 1, k))
            assert [cells(s) for s in tile(view, 1, j)] == [cells(s) for s in expected]
        assert [cells(s) for s in tile(view, 1, 0)] != untrained  # training moved the first unit
        text = shown_text(view)
        assert text[view._top + 1 * (TILE_ROWS + 2)] == "dense · 4 sigmoid"
        assert any(line.startswith("dense unit 1 ") for line in text)
        view.focus()
        await pilot.press("right", "right", "down")
        await pilot.pause(0.2)
        assert view.selected == (2, 1)
        text = shown_text(view)
        assert any(line.startswith("dense_1 unit 2 ") for line in text)
        # the large map is unit 2 of the output: p(class 1) over the plane, as 2p - 1
        z = np.column_stack([np.ones(len(hidden)), hidden]) @ np.vstack([w[3], w[2]])
        p1 = (np.exp(z) / np.exp(z).sum(axis=1, keepdims=True))[:, 1].reshape(size, size)
        np.testing.assert_allclose(view.pictures.rows[2].maps[1], 2 * p1 - 1, rtol=1e-4, atol=1e-5)
        await pilot.press("enter")
        await pilot.pause(0.2)
        assert not any(line.startswith("dense_1 unit 2 ") for line in shown_text(view))
        view.scroll_visible(animate=False)
        await pilot.click(NetworkView, offset=(1 + 2 * (TILE + GAP) + 3, view._top + (TILE_ROWS + 2) + 2))
        await pilot.pause(0.2)
        assert view.selected == (1, 2)


async def test_preset_12_wide_layer_and_weight_statistics(monkeypatch):
    from nnplay.tui.widgets.network import units

    monkeypatch.setattr(units, "HEAVY", 0)  # compute the pictures in a worker, as for a huge first layer
    app = make_app("12-playground-circles")
    async with app.run_test(size=(80, 24)) as pilot:
        await trained(pilot, app, "view-network")
        view = app.query_one(NetworkView)
        await wait_for(pilot, lambda: view.drawn_epoch == 59)
        per_row = tiles_per_row(view.content_size.width)
        text = shown_text(view)
        assert f"dense · 16 relu  +{16 - per_row} more" in text
        assert text[0].startswith("Network (epoch 60)")
        kernel = app.report.trainer.get_weights()[0]
        np.testing.assert_array_equal(view.pictures.rows[1].kernel, kernel[:, :per_row])
        app.query_one("#views", TabbedContent).active = "view-weights"
        await pilot.pause(0.5)
        weights = app.query_one(WeightsView)
        text = "\n".join(shown_text(weights))
        kernel = app.report.trainer.get_weights()[0]
        assert "p̂ = softmax{[1:ReLU([1:X]W⁽¹⁾)]W⁽²⁾}" in text
        assert "dense  32 weights" in text and "dense_1  32 weights" in text
        start = weights.history.first[0].mean_abs
        assert f"mean|w| {start:.3g} → {np.abs(kernel).mean():.3g}" in text


@pytest.mark.slow  # Keras, and tensorflow-datasets' mock malaria images
async def test_preset_11_malaria_first_layer_units_are_images(tmp_path, monkeypatch):
    tfds = pytest.importorskip("tensorflow_datasets")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("TFDS_DATA_DIR", raising=False)
    preset = load_preset("11-malaria")
    for path, value in (("data.limit", 40), ("data.image_size", 12), ("data.data_dir", str(tmp_path / "tfds")),
                        ("train.epochs", 2), ("train.early_stopping", None)):
        preset = preset.with_changes(path, value)
    path = save_preset(preset, tmp_path / "malaria.toml")
    with tfds.testing.mock_data(num_examples=40):
        app = make_app(str(path))
        async with app.run_test(size=(120, 40)) as pilot:
            await trained(pilot, app, "view-network")
            view = app.query_one(NetworkView)
            await wait_for(pilot, lambda: view.drawn_epoch == 1)
            text = shown_text(view)
            per_row = tiles_per_row(view.content_size.width)
            heads = [line for line in text if line.split(" · ")[0] in preset.model.layer_names()]
            assert heads[0].startswith(f"my_dense_layer · 300 relu  +{300 - per_row} more  (weights as")
            assert heads[1] == f"dense · 100 relu  +{100 - per_row} more  (on test images)"
            assert heads[3] == "dense_2 · 1 sigmoid  (on test images)"
            first = view.pictures.rows[0]
            assert first.kind == "kernel"
            kernel = app.report.trainer.get_weights()[0]
            image = kernel[:, 2].reshape(12, 12, 3).mean(axis=-1)  # what unit 3 looks for
            np.testing.assert_allclose(first.raw[2][:: first.raw.shape[-1] // 12, :: first.raw.shape[-1] // 12], image, rtol=1e-5)
            expected = heatmap_strips(first.thumbnail(2, TILE))
            assert [cells(s) for s in tile(view, 0, 2)] == [cells(s) for s in expected]
            # the large picture starts on the first unit's kernel image
            assert view.selected == (0, 0)
            assert any(line.startswith("my_dense_layer unit 1 ") for line in text)
