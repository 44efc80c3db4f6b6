"""The malaria source, through tensorflow-datasets' own mock data (never the network)."""

from __future__ import annotations

import time

import numpy as np
import pytest

from nnplay.engine.data import load_data
from nnplay.engine.data.malaria_tfds import PATH_LIMIT, cache_key
from nnplay.engine.errors import DataError, clip
from nnplay.engine.spec import validate_preset

tfds = pytest.importorskip("tensorflow_datasets")

@pytest.fixture(autouse=True)
def private_dirs(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("TFDS_DATA_DIR", raising=False)


def malaria_spec(**data):
    raw = {
        "preset": {"title": "malaria test"},
        "data": {"source": "malaria", **data},
        "model": {"loss": "binary_crossentropy", "layers": [{"type": "dense", "units": 1, "activation": "sigmoid"}]},
    }
    return validate_preset(raw).data


@pytest.mark.slow  # the mock data goes through TensorFlow, which takes seconds to import
def test_mock_malaria_is_resized_scaled_flattened_and_cached(tmp_path):
    from nnplay.engine.data import cache

    spec = malaria_spec(limit=40, image_size=10, data_dir=str(tmp_path / "tfds"), test_size=0.25)
    with tfds.testing.mock_data(num_examples=60):  # random images of random sizes, as tfds makes them
        ds = load_data(spec)
    assert ds.class_names == ("parasitized", "uninfected")
    assert ds.x_train.shape == (30, 10 * 10 * 3) and ds.x_test.shape == (10, 300)
    assert ds.x_train.dtype == np.float32 and ds.y_train.dtype == np.int64
    assert ds.x_train.min() >= 0.0 and ds.x_train.max() <= 1.0 and ds.x_train.max() > 0.5
    assert set(np.unique(np.concatenate([ds.y_train, ds.y_test]))) <= {0, 1}
    assert ds.n_features == spec.n_features()
    [stored] = [p for p in cache.cache_dir().glob("malaria-*") if p.is_dir()]
    assert stored.is_relative_to(tmp_path)
    # Outside the mock the data dir is empty, so only the cache can answer, and fast.
    start = time.perf_counter()
    again = load_data(spec)
    assert time.perf_counter() - start < 1.0
    np.testing.assert_array_equal(again.x_train, ds.x_train)
    np.testing.assert_array_equal(again.y_test, ds.y_test)


def test_cache_is_keyed_on_limit_size_and_colour():
    keys = {
        cache_key(malaria_spec(limit=40, image_size=10)),
        cache_key(malaria_spec(limit=41, image_size=10)),
        cache_key(malaria_spec(limit=40, image_size=12)),
        cache_key(malaria_spec(limit=40, image_size=10, color_mode="grayscale")),
        cache_key(malaria_spec(limit=40, image_size=10, data_dir="/elsewhere")),
    }
    assert len(keys) == 5


@pytest.mark.slow
def test_mock_malaria_in_grayscale(tmp_path):
    spec = malaria_spec(limit=12, image_size=6, color_mode="grayscale", data_dir=str(tmp_path / "tfds"))
    with tfds.testing.mock_data(num_examples=12):
        ds = load_data(spec)
    assert ds.n_features == 36 and len(ds.x_train) + len(ds.x_test) == 12


@pytest.fixture
def unreachable_host(monkeypatch):
    """Point the download probe at a local port nobody listens on: the offline path, on any machine,
    without sending a packet beyond this one."""
    import socket

    import nnplay.engine.data.malaria_tfds as malaria_tfds

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setattr(malaria_tfds, "DOWNLOAD_HOST", ("127.0.0.1", port))


def test_without_network_the_user_is_told_what_to_do_quickly(tmp_path, unreachable_host):
    where = tmp_path / "empty"
    start = time.perf_counter()
    with pytest.raises(DataError) as info:
        load_data(malaria_spec(data_dir=str(where), limit=50))
    assert time.perf_counter() - start < 30
    message = str(info.value)
    assert "\n" not in message
    assert clip(str(where), PATH_LIMIT) in message and "cannot be reached" in message
    assert 'source = "folder"' in message and "cell_images" in message


def test_tfds_data_dir_is_honoured(tmp_path, monkeypatch, unreachable_host):
    monkeypatch.setenv("TFDS_DATA_DIR", str(tmp_path / "from-env"))
    with pytest.raises(DataError, match="from-env"):
        load_data(malaria_spec(limit=50))


@pytest.mark.slow  # the mock data goes through TensorFlow
def test_limit_all_takes_the_whole_split_streamed_from_the_cache(tmp_path):
    from nnplay.engine.data import cache
    from nnplay.engine.data.source import StreamedSource

    spec = malaria_spec(limit="all", image_size=8, data_dir=str(tmp_path / "tfds"), test_size=0.2)
    assert spec.n_rows() is None  # only loading can tell
    with tfds.testing.mock_data(num_examples=37):  # a split size the loader cannot know up front
        ds = load_data(spec)
    assert len(ds.x_train) + len(ds.x_test) == 37
    assert isinstance(ds.x_train, StreamedSource)
    [stored] = [p for p in cache.cache_dir().glob("malaria-*") if p.is_dir()]
    pixels = np.load(stored / "x.npy", mmap_mode="r")
    assert pixels.dtype == np.uint8 and pixels.shape == (37, 8 * 8 * 3)
    assert cache_key(spec) != cache_key(malaria_spec(limit=37, image_size=8, data_dir=str(tmp_path / "tfds")))


def test_limit_is_a_number_or_all():
    from nnplay.engine.errors import SpecError

    assert malaria_spec(limit="all").row_limit() is None
    assert malaria_spec(limit=300).n_rows() == 300
    with pytest.raises(SpecError, match=r"data\.limit"):
        malaria_spec(limit="most")
