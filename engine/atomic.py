"""Writing a file so that its readers see the old file or the whole new one, never half of one.

Every file nnplay writes (a saved preset, an exported model, a cached data set) goes through
here: the bytes go to a temporary file beside the target, which is renamed over the target only
once it is complete. The temporary file is created with mode 0666, so the kernel applies the
user's umask exactly as for a file any other program writes; replacing an existing file keeps that
file's permissions.
"""

from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, Any


def _create_beside(target: Path, suffix: str) -> Path:
    """A new, empty file in ``target``'s folder, named so that a listing hides it (``.name.x1y2.tmp``)."""
    while True:
        tmp = target.with_name(f".{target.stem[:64]}.{secrets.token_hex(4)}.tmp{suffix}")  # short: fits NAME_MAX
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        os.close(fd)
        return tmp


@contextmanager
def replacing(path: str | os.PathLike[str], *, suffix: str = "") -> Iterator[Path]:
    """Yield a temporary path beside ``path`` to write; on a clean exit it replaces ``path``.

    ``suffix`` ends the temporary name, for writers that choose a format by it (Keras's ``.h5``).
    On an error the temporary file is removed and ``path`` is left as it was. Raises ``OSError``
    when the folder cannot take a new file.
    """
    target = Path(path)
    tmp = _create_beside(target, suffix)
    try:
        yield tmp
        with suppress(FileNotFoundError):  # an existing file keeps its mode
            os.chmod(tmp, stat.S_IMODE(target.stat().st_mode))
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def atomic_write(path: str | os.PathLike[str], writer: Callable[[IO[Any]], object], *, text: bool = False) -> Path:
    """Call ``writer`` with an open file (binary, or UTF-8 text when ``text``), then put it at ``path``."""
    with replacing(path) as tmp, open(tmp, "w" if text else "wb", encoding="utf-8" if text else None) as handle:
        writer(handle)
    return Path(path)
