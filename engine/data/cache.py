"""Decoded data kept on disk, read back as a memory map: a source is decoded once, then streamed.

Where: the ``data`` folder of nnplay's cache folder, as ``platformdirs`` names it (on Linux
``$XDG_CACHE_HOME/nnplay/data``, or ``~/.cache/nnplay/data`` when that is unset). Each entry is a
folder ``<stem>-<digest>`` holding

* ``x.npy``: the features, one row per example (``uint8`` pixels for images), written with
  ``np.lib.format.open_memmap`` and read with ``np.load(..., mmap_mode="r")``: a run reads only the
  rows of its current batch, so its private memory does not grow with the number of rows (the
  operating system keeps the file's pages as a cache it can drop);
* ``y.npy``: the labels; ``meta.json``: the key the entry was made for, the format version, and
  what the loader wants back (class names).

The digest is taken from the key: everything that produced the rows (the source, the folder and
its files' sizes and times, the image size, the colour mode, the limit) and :data:`FORMAT`. A
changed source therefore gets a new entry; a stale or foreign one is never trusted, because the
key and format stored inside are compared too, and the arrays' shapes and sizes are checked.

Writing is atomic and safe for concurrent processes: the builder holds a lock file beside the
entry (so a second process waits and then reads the first one's entry instead of decoding again),
writes into a hidden temporary folder beside it, flushes every file to disk, and renames the folder
into place. A reader thus sees a whole entry or none. An entry cut short, from another version or
otherwise unreadable is removed and built again. Only files inside the cache folder are ever
written or removed.

When the cache folder cannot be written, the entry is built in a temporary folder for this process
alone (removed when it exits), so a read-only home costs time, never the run.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import platformdirs

#: Bump when the way entries are written or rows prepared changes, so old entries stop matching.
FORMAT = 2
#: Entries kept per stem (``malaria``, ``folder``); the least recently used go first.
KEEP = 6
#: A temporary folder older than this is a leftover of a killed build, safe to remove.
STALE_SECONDS = 24 * 3600


def cache_dir() -> Path:
    return Path(platformdirs.user_cache_dir("nnplay")) / "data"


def entry_path(stem: str, key: str, folder: Path | None = None) -> Path:
    """Where the entry for ``key`` lives; ``stem`` keeps the name readable."""
    digest = hashlib.sha1(f"{FORMAT}|{key}".encode()).hexdigest()[:12]
    return (folder or cache_dir()) / f"{stem}-{digest}"


@dataclass(frozen=True)
class Entry:
    """One cache entry, opened: ``x`` is a read-only memory map, ``y`` the labels in memory."""

    path: Path
    x: np.ndarray
    y: np.ndarray
    meta: dict[str, Any]

    @property
    def nbytes(self) -> int:
        return int(self.x.nbytes + self.y.nbytes)


def open_entry(path: Path, key: str) -> Entry | None:
    """The entry at ``path`` when it is whole and made for ``key`` by this format; else ``None``."""
    try:
        meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
        if not isinstance(meta, dict) or meta.get("format") != FORMAT or meta.get("key") != key:
            return None
        # A file cut short fails here: NumPy refuses to map more bytes than the file holds.
        x = np.load(path / "x.npy", mmap_mode="r", allow_pickle=False)
        y = np.load(path / "y.npy", allow_pickle=False)
    except (OSError, ValueError, EOFError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    if x.ndim != 2 or y.ndim != 1 or len(x) != len(y) or list(x.shape) != meta.get("shape"):
        return None
    if str(x.dtype) != meta.get("dtype"):
        return None
    with contextlib.suppress(OSError):
        os.utime(path)  # most recently used: the last to be pruned
    return Entry(path, x, y, meta)


Builder = Callable[[Path], dict[str, Any]]


def cached(stem: str, key: str, build: Builder) -> Entry:
    """The entry for ``key``, built by ``build(folder)`` when there is none (or none whole).

    ``build`` writes ``x.npy`` and ``y.npy`` into the empty ``folder`` it is given (see
    :func:`write_rows`) and returns what ``meta.json`` should hold besides the key.
    """
    final = entry_path(stem, key)
    entry = open_entry(final, key)
    if entry is not None:
        return entry
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        lock = _lock(final)
    except OSError:
        return _private_entry(stem, key, build)
    with lock:
        entry = open_entry(final, key)  # another process may have built it while we waited
        if entry is None:
            _build_into(final, key, build)
            with contextlib.suppress(OSError):
                _prune(final.parent, stem)
            entry = open_entry(final, key)
    if entry is None:  # written whole, yet unreadable: a disk that lies; build our own copy
        return _private_entry(stem, key, build)
    return entry


@contextlib.contextmanager
def _locked(handle) -> Iterator[None]:
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        handle.close()


def _lock(final: Path):
    """An exclusive lock on ``<entry>.lock`` (held until the context ends, or the process dies)."""
    return _locked(open(final.with_name(final.name + ".lock"), "a+b"))


def _build_into(final: Path, key: str, build: Builder) -> None:
    """Build in a hidden folder beside ``final``, flush it to disk, and rename it into place.
    Raises :class:`DataError` when the disk refuses (full, read-only): one line, the folder named."""
    try:
        _write_entry(final, key, build)
    except OSError as exc:
        from nnplay.engine.errors import DataError

        raise DataError(
            f"could not write the decoded data to {final.parent} ({exc.strerror or exc}); free some room there "
            f"or point XDG_CACHE_HOME at another folder", field="data",
        ) from None


def _write_entry(final: Path, key: str, build: Builder) -> None:
    tmp = Path(tempfile.mkdtemp(dir=final.parent, prefix=f".{final.name}."))
    try:
        extra = build(tmp)
        x = np.load(tmp / "x.npy", mmap_mode="r", allow_pickle=False)
        meta = {**extra, "key": key, "format": FORMAT, "shape": list(x.shape), "dtype": str(x.dtype)}
        del x
        (tmp / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
        for name in ("x.npy", "y.npy", "meta.json"):
            _fsync(tmp / name)
        _fsync(tmp)
        _discard(final)  # a stale or damaged entry of the same name
        os.rename(tmp, final)
        _fsync(final.parent)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _discard(path: Path) -> None:
    """Remove an entry folder (first renamed aside, so no reader meets it half removed)."""
    if not path.exists():
        return
    aside = path.with_name(f".{path.name}.old.{os.getpid()}")
    try:
        os.rename(path, aside)
    except OSError:
        return
    shutil.rmtree(aside, ignore_errors=True)


def _private_entry(stem: str, key: str, build: Builder) -> Entry:
    """Build the entry in a folder of this process's own, removed at exit."""
    folder = Path(tempfile.mkdtemp(prefix="nnplay-data-"))
    atexit.register(shutil.rmtree, folder, True)
    final = entry_path(stem, key, folder)
    _build_into(final, key, build)
    entry = open_entry(final, key)
    if entry is None:
        raise OSError(f"could not read back the decoded data in {folder}")
    return entry


def _prune(folder: Path, stem: str) -> None:
    """Keep the :data:`KEEP` most recently used entries of ``stem``; drop leftovers of killed
    builds and the single-file caches of format 1."""
    entries = [p for p in folder.glob(f"{stem}-*") if p.is_dir()]
    entries.sort(key=lambda p: p.stat().st_mtime_ns, reverse=True)
    for old in entries[KEEP:]:
        _discard(old)
    for legacy in folder.glob(f"{stem}-*.npz"):
        legacy.unlink(missing_ok=True)
    now = time.time()
    for leftover in folder.glob(f".{stem}-*"):
        with contextlib.suppress(OSError):
            if leftover.is_dir() and now - leftover.stat().st_mtime > STALE_SECONDS:
                shutil.rmtree(leftover, ignore_errors=True)


def check_room(rows: int, n_features: int, field: str, itemsize: int = 1) -> None:
    """Refuse (:class:`DataError` on ``field``) to decode ``rows`` rows when the cache's disk
    lacks the room for them, before any time is spent decoding."""
    need = rows * n_features * itemsize
    folder = cache_dir()
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        return
    if need > free:
        from nnplay.engine.errors import DataError
        from nnplay.engine.memory import human_bytes

        raise DataError(
            f"decoded, {rows:,} rows of {n_features:,} values take {human_bytes(need)} of disk in {cache_dir()}, "
            f"more than the {human_bytes(free)} free; lower it, or the image size (got {rows})", field=field,
        )


def write_rows(path: Path, rows: Iterable[np.ndarray], n_features: int, capacity: int,
               dtype=np.uint8) -> int:
    """Write ``rows`` (each flattened to ``n_features`` values) into the ``.npy`` file ``path``,
    straight to disk through a memory map; returns how many there were.

    ``capacity`` is the expected count: when more come, the file is grown (copied into one twice
    as big); when fewer, it is cut to size (copied into one that fits), a block at a time.
    """
    capacity = max(1, capacity)
    out = np.lib.format.open_memmap(path, mode="w+", dtype=dtype, shape=(capacity, n_features))
    count = 0
    for row in rows:
        if count == capacity:
            capacity *= 2
            out = _resized(path, out, count, capacity)
        out[count] = np.asarray(row).reshape(-1)
        count += 1
    if count != capacity:
        out = _resized(path, out, count, count)
    out.flush()
    del out
    return count


def _resized(path: Path, old: np.ndarray, count: int, capacity: int) -> np.ndarray:
    grown = path.with_name(path.name + ".resize")
    new = np.lib.format.open_memmap(grown, mode="w+", dtype=old.dtype, shape=(capacity, old.shape[1]))
    step = max(1, (1 << 24) // max(old.shape[1], 1))
    for start in range(0, count, step):
        stop = min(start + step, count)
        new[start:stop] = old[start:stop]
    new.flush()
    del old
    os.replace(grown, path)
    return new


def save_labels(folder: Path, y: np.ndarray) -> None:
    np.save(folder / "y.npy", np.asarray(y), allow_pickle=False)
