"""Paths a user typed (a preset, a CSV, an image folder, an export file), checked before use.

The operating system refuses some names outright: one with a NUL character (Python raises
``ValueError: embedded null byte``) and one longer than the file system allows (``ENAMETOOLONG``).
:func:`user_path` turns both into the usual one-line error that names the field and the path, so no
later ``exists()`` or ``open()`` meets them as an unexpected exception.
"""

from __future__ import annotations

import errno
import os
import re
from pathlib import Path

from nnplay.engine.errors import NnplayError, clip


def user_path(text: str | os.PathLike[str], field: str, error: type[NnplayError] = NnplayError) -> Path:
    """``text`` as a path with ``~`` expanded, or ``error`` naming ``field`` when no file can have that name."""
    raw = os.fspath(text)
    if "\0" in raw:
        raise error(f"a path cannot contain a NUL character (got {clip(repr(raw))})", field=field)
    path = Path(raw).expanduser()
    try:
        os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ENAMETOOLONG:
            raise error(f"the name is longer than the file system allows (got {clip(repr(raw))})", field=field) from None
    return path


def new_file_target(
    text: str | os.PathLike[str], suffix: str, what: str, field: str, error: type[NnplayError] = NnplayError,
    *, overwrite: bool = False,
) -> Path:
    """Where a file the user named may be written (checked before any work): it must end in ``suffix``,
    its folder must exist, and an existing file is kept unless ``overwrite``."""
    target = user_path(text, field, error)
    if target.suffix != suffix:
        raise error(f"{what} must end in {suffix} (got {str(target)!r})", field=field)
    if target.exists() and not overwrite:
        raise error(f"{str(target)!r} exists; choose another name or allow overwriting", field=field)
    if not target.parent.is_dir():
        raise error(f"folder {str(target.parent)!r} does not exist", field=field)
    return target


def slug(title: str) -> str:
    """A title as a file name's stem: lower case, runs of other characters as one dash, 48 at most."""
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:48] or "preset"
