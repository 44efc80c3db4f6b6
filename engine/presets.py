"""Finding, reading and writing preset TOML files.

Bundled presets live in the ``presets`` package (installed with nnplay); their id is the file name
without ``.toml`` (``01-logistic-gd``). Anything else is read from a path.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import tomli_w

from nnplay.engine.atomic import atomic_write
from nnplay.engine.errors import Problem, SpecError
from nnplay.engine.spec import Preset, validate_preset
from nnplay.engine.user_paths import new_file_target, user_path


@dataclass(frozen=True)
class PresetEntry:
    """A bundled preset as the picker lists it."""

    id: str
    title: str
    path: Path


def bundled_dir() -> Path:
    return Path(str(resources.files("nnplay.presets")))


def bundled_presets() -> list[PresetEntry]:
    """Every bundled preset in lecture order (their ids sort that way)."""
    entries = []
    for path in sorted(bundled_dir().glob("*.toml")):
        entries.append(PresetEntry(path.stem, load_preset(path).preset.title, path))
    return entries


def default_preset_id() -> str:
    return sorted(bundled_dir().glob("*.toml"))[0].stem


def resolve(ref: str | os.PathLike[str]) -> Path:
    """A bundled id (``05-hidden-layer``, or just ``05``) or a path, as a path to a TOML file."""
    text = os.fspath(ref)
    candidate = user_path(text, "preset", SpecError)
    if candidate.suffix == ".toml" or os.sep in text or candidate.exists():
        if not candidate.is_file():
            raise SpecError(f"no such preset file (got {text!r})", field="preset")
        return candidate
    stems = sorted(p.stem for p in bundled_dir().glob("*.toml"))
    matches = [s for s in stems if s == text] or [s for s in stems if s.startswith(text)]
    if len(matches) != 1:
        hint = "ambiguous" if matches else "no bundled preset or file"
        raise SpecError(f"{hint} {text!r}; `nnplay presets` lists the bundled ids", field="preset")
    return bundled_dir() / f"{matches[0]}.toml"


def read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(Problem(str(path), f"not valid TOML: {exc}")) from None
    except UnicodeDecodeError as exc:  # TOML is UTF-8 text; a model file or a Latin-1 file is not
        raise SpecError(Problem(str(path), f"not a UTF-8 text file (byte {exc.object[exc.start]:#04x} at offset {exc.start}); "
                                           "a preset is TOML text")) from None
    except RecursionError:  # tomllib recurses once per level of nested arrays or tables
        raise SpecError(Problem(str(path), "not a preset: its arrays or tables nest too deeply")) from None
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits, which int() refuses to read
        raise SpecError(Problem(str(path), f"not valid TOML: {str(exc).split(';')[0]}")) from None
    except OSError as exc:
        raise SpecError(Problem(str(path), f"cannot read: {exc.strerror or exc}")) from None


def load_preset(ref: str | os.PathLike[str]) -> Preset:
    """Read and validate a preset; :class:`SpecError` names the file or the field that is wrong."""
    return validate_preset(read_toml(resolve(ref)))


def preset_toml(preset: Preset) -> str:
    """The preset as TOML text that :func:`load_preset` reads back to an equal preset."""
    return tomli_w.dumps(preset.to_dict(), multiline_strings=True)


def check_preset_target(path: str | os.PathLike[str], *, overwrite: bool = False, field: str = "path") -> Path:
    """The path a preset may be written to, or :class:`SpecError` naming ``field`` (before any work)."""
    return new_file_target(path, ".toml", "a preset file", field, SpecError, overwrite=overwrite)


def save_preset(preset: Preset, path: str | os.PathLike[str], *, overwrite: bool = False) -> Path:
    """Write ``preset`` as TOML at ``path`` (atomically); an existing file is kept unless ``overwrite``."""
    target = check_preset_target(path, overwrite=overwrite)
    text = preset_toml(preset)
    try:
        atomic_write(target, lambda handle: handle.write(text), text=True)
    except OSError as exc:
        raise SpecError(f"cannot write {str(target)!r}: {exc.strerror or exc}", field="path") from None
    return target
