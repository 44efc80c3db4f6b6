"""Every file nnplay writes goes through one atomic writer: whole or absent, with a normal mode."""

from __future__ import annotations

import os
import stat

import numpy as np
import pytest

from nnplay.engine.atomic import atomic_write, replacing
from nnplay.engine.data import cache
from nnplay.engine.presets import load_preset, save_preset


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def plain_file_mode(folder) -> int:
    """The mode any program's new file gets here: 0666 less the umask."""
    probe = folder / "probe.txt"
    probe.write_text("x")
    return mode(probe)


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_saved_preset_and_cached_arrays_get_the_mode_of_a_plain_file(umask, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    old = os.umask(umask)
    try:
        expected = plain_file_mode(tmp_path)
        saved = save_preset(load_preset("01"), tmp_path / "mine.toml")


        def build(folder):
            cache.write_rows(folder / "x.npy", [np.zeros(3, np.uint8)], 3, 1)
            cache.save_labels(folder, np.zeros(1, np.int64))
            return {}

        entry = cache.cached("folder", "key", build)
    finally:
        os.umask(old)
    assert expected == 0o666 & ~umask
    assert mode(saved) == mode(entry.path / "x.npy") == mode(entry.path / "y.npy") == expected


def test_replacing_a_file_keeps_its_mode_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "notes.toml"
    target.write_text("old")
    target.chmod(0o640)
    atomic_write(target, lambda handle: handle.write("new"), text=True)
    assert target.read_text() == "new" and mode(target) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["notes.toml"]


def test_a_failing_writer_leaves_the_old_file_whole(tmp_path):
    target = tmp_path / "data.bin"
    target.write_bytes(b"old")

    def half_then_fail(handle):
        handle.write(b"half")
        raise RuntimeError("disk full, say")

    with pytest.raises(RuntimeError):
        atomic_write(target, half_then_fail)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["data.bin"]


def test_the_temporary_file_carries_the_suffix_a_writer_needs(tmp_path):
    with replacing(tmp_path / "model.h5", suffix=".h5") as tmp:
        assert tmp.parent == tmp_path and tmp.name.endswith(".h5") and tmp.name.startswith(".")
        tmp.write_bytes(b"hdf5")
    assert (tmp_path / "model.h5").read_bytes() == b"hdf5"


def test_a_long_file_name_still_fits_beside_itself(tmp_path):
    target = tmp_path / ("n" * 250 + ".toml")  # 255 bytes: the longest name most file systems take
    atomic_write(target, lambda handle: handle.write("x"), text=True)
    assert target.read_text() == "x"


def test_cache_folder_follows_xdg_cache_home_through_platformdirs(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.cache_dir() == tmp_path / "xdg" / "nnplay" / "data"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache.cache_dir() == tmp_path / "home" / ".cache" / "nnplay" / "data"
