"""The contract every input must meet, and small writers of hostile files.

:func:`run_cli` runs the real CLI in-process and checks what a user of any input may rely on:

- the exit code is 0 (handled), 2 (bad input) or 3 (the run diverged), never 1;
- on 2, standard error is exactly one line, ``nnplay: error: WHERE: ...``, where WHERE is a field
  path (``model.layers[0].units``), a flag (``--epochs``) or a file, and the line is short;
- no traceback, no ``internal error`` and no Python warning (with a source path, or in the
  CLI's one-line form: a warning the inputs can cause is fixed where it arises);
- ``--json`` output is standard JSON (no bare ``NaN`` or ``Infinity``);
- every file under the folder the inputs live in is byte for byte what it was, and no file appeared.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

from nnplay.cli import main
from nnplay.engine.errors import LINE_LIMIT

ERROR_LINE = re.compile(r"^nnplay: error: (?P<where>[^\s:][^:]*?): \S")
WHERE = re.compile(
    r"^(--?\S+"  # a flag, or what argparse took for one
    r"|[A-Za-z_][\w-]*(?:\.[\w-]+|\[\d+\])*"  # a field path as the preset spells it
    r"|.*[/.].*)$"  # a file
)
SOURCE_WARNING = re.compile(r"\.py:\d+: \w*Warning")


@dataclass(frozen=True)
class Outcome:
    code: int
    out: str
    err: str


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (links as their target's text), by relative path."""
    files: dict[str, bytes] = {}
    for path in sorted(folder.rglob("*")):
        key = str(path.relative_to(folder))
        if path.is_symlink():
            files[key] = b"-> " + os.fsencode(os.readlink(path))
        elif path.is_file():
            files[key] = path.read_bytes()
    return files


def strict_json(text: str):
    def refuse(constant: str):
        raise AssertionError(f"--json printed the non-standard constant {constant}")

    return json.loads(text, parse_constant=refuse)


def check_outcome(argv: list[str], code: int, out: str, err: str) -> None:
    assert code in (0, 2, 3), f"{argv}: exit {code}\n{err[-2000:]}"
    assert "Traceback" not in err and "internal error" not in err, err[-2000:]
    assert not SOURCE_WARNING.search(err), err[-2000:]
    assert "nnplay: warning" not in err, err[-2000:]  # the CLI's one-line form: still a warning to fix at its source
    if code == 2:
        lines = err.splitlines()
        assert len(lines) == 1, f"{argv}: {len(lines)} lines on stderr:\n{err[-2000:]}"
        line = lines[0]
        assert len(line) <= len("nnplay: error: ") + LINE_LIMIT, line
        match = ERROR_LINE.match(line)
        assert match and WHERE.match(match["where"]), f"names no field, flag or file: {line}"
    elif "--json" in argv:
        strict_json(out)
    if code == 3:
        assert argv[0] == "train", argv


def run_cli(argv: list[str], folder: Path | None = None) -> Outcome:
    """Run ``nnplay ARGV`` in-process and check the contract (``folder`` holds the inputs)."""
    before = snapshot(folder) if folder is not None else None
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    check_outcome(argv, code, out.getvalue(), err.getvalue())
    if before is not None:
        assert snapshot(folder) == before, f"{argv} changed or added files under {folder}"
    return Outcome(code, out.getvalue(), err.getvalue())


# --------------------------------------------------------------------------------------------
# Writers


def preset_text(data: str, layers: str, loss: str, train: str = "epochs = 2") -> str:
    return f'[preset]\ntitle = "t"\n[data]\n{data}\n[model]\nloss = "{loss}"\nlayers = {layers}\n[train]\n{train}\n'


def png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width`` x ``height`` pixels, with one row of data behind it."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit grayscale
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


def tiny_png(path: Path, size: int = 6, value: int = 128, mode: str = "RGB") -> Path:
    from PIL import Image

    Image.new(mode, (size, size), value if mode in ("L", "P", "I") else (value,) * len(mode)).save(path, format="PNG")
    return path
