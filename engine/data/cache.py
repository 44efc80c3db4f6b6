"""Prepared arrays kept on disk so that a second load of a slow source is quick.

Files live in the ``data`` folder of nnplay's cache folder, as ``platformdirs`` names it (on Linux
``$XDG_CACHE_HOME/nnplay/data``, or ``~/.cache/nnplay/data`` when that is unset), as uncompressed
``.npz``: reading back 2,500 images of 100x100x3 pixels is one 75 MB read. Each file
stores the key it was made for, so a stale or foreign file is ignored rather than trusted. The
cache is only an optimisation: a folder that cannot be written, or a file that cannot be read,
means the data is prepared again, never an error.
"""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import numpy as np
import platformdirs

from nnplay.engine.atomic import atomic_write

#: Bump when the way arrays are prepared changes, so old files stop matching.
FORMAT = 1
#: Files kept per stem (``malaria``, ``folder``); the least recently written go first.
KEEP = 6


def cache_dir() -> Path:
    return Path(platformdirs.user_cache_dir("nnplay")) / "data"


def cache_path(stem: str, key: str) -> Path:
    """Where the arrays for ``key`` live; ``stem`` keeps the name readable."""
    digest = hashlib.sha1(f"{FORMAT}|{key}".encode()).hexdigest()[:12]
    return cache_dir() / f"{stem}-{digest}.npz"


def load(stem: str, key: str) -> dict[str, np.ndarray] | None:
    """The arrays saved under ``key``, or ``None`` when there are none (or they are unreadable)."""
    path = cache_path(stem, key)
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as stored:
            if str(stored["__key__"]) != f"{FORMAT}|{key}":
                return None
            return {name: stored[name] for name in stored.files if name != "__key__"}
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError):
        return None


def save(stem: str, key: str, **arrays: np.ndarray) -> Path | None:
    """Store ``arrays`` under ``key`` (atomically: a reader never sees half a file)."""
    path = cache_path(stem, key)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, lambda handle: np.savez(handle, __key__=np.asarray(f"{FORMAT}|{key}"), **arrays))
        _prune(path.parent, stem)
    except OSError:
        return None
    return path


def _prune(folder: Path, stem: str) -> None:
    """Drop the oldest files of ``stem`` beyond :data:`KEEP` (a 100x100 malaria set is 75 MB)."""
    files = sorted(folder.glob(f"{stem}-*.npz"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
    for old in files[KEEP:]:
        old.unlink(missing_ok=True)
