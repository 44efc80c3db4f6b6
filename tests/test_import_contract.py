"""The import contract: who may import what, and what each entry point costs to start.

One parametrised test holds every rule. Two kinds of rule:

- *Written* rules read the source with :mod:`ast` (every ``import``, at any depth, in every module),
  so a new module that breaks a rule fails here even if no test imports it: the engine is a library
  that never imports a UI (Textual, rich, plotext, ``nnplay.tui``), and TensorFlow is imported only
  by the Keras engine, the Keras export, the module that quiets TensorFlow, and the malaria loader.
- *Run* rules start a fresh interpreter, do what a user does (``nnplay --help``, open the TUI, import
  the engine) and list the heavy modules that got loaded, which must be none: lazy imports only
  count when the code path that runs them stays cold.

(import-linter would state the written rules, but its graph builder walks the folder of a top-level
package, and nnplay maps ``engine/``, ``tui/`` and ``presets/`` under ``nnplay`` from beside it.)
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: Repository folder -> the package it installs as.
PACKAGES = {"nnplay": "nnplay", "engine": "nnplay.engine", "tui": "nnplay.tui", "presets": "nnplay.presets"}

UI = ("textual", "textual_plotext", "plotext", "rich", "nnplay.tui")
TENSORFLOW = ("tensorflow", "keras", "tensorflow_datasets", "tf_keras")
TENSORFLOW_HOMES = {
    "nnplay.engine.keras_net",  # the Keras engine
    "nnplay.engine.export",  # writing and reading .h5 files
    "nnplay.engine.tf_quiet",  # imports TensorFlow with its start-up noise muted
    "nnplay.engine.data.malaria_tfds",  # the lecture's images through tensorflow-datasets
}
OPTUNA = ("optuna",)  # the search library: slow to import, needed only while a search runs
OPTUNA_HOMES = {
    "nnplay.engine.search",  # the search loop
    "nnplay.engine.study_storage",  # a shared study's storage
    "nnplay.engine.study_journal",  # the journal file several workers share
}


def modules() -> Iterator[tuple[str, Path]]:
    """Every module of the installed package, by its import name, with its source file."""
    for folder, package in PACKAGES.items():
        for path in sorted((ROOT / folder).rglob("*.py")):
            parts = path.relative_to(ROOT / folder).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            yield ".".join((package, *parts)), path


def imported_names(name: str, path: Path) -> set[str]:
    """The absolute names of every module ``path`` imports, at any depth (lazy imports included)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)  # `from pkg import module`
    return found


def within(name: str, roots: tuple[str, ...]) -> bool:
    return any(name == root or name.startswith(f"{root}.") for root in roots)


def breaches(allowed: Callable[[str], bool], forbidden: tuple[str, ...]) -> list[str]:
    return [
        f"{name} imports {target}"
        for name, path in modules()
        if not allowed(name)
        for target in sorted(imported_names(name, path))
        if within(target, forbidden)
    ]


def printed(script: str) -> list[str]:
    """Run ``script`` in a fresh interpreter; the JSON list it printed last."""
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def loaded_after(code: str, heavy: tuple[str, ...]) -> list[str]:
    """Run ``code`` in a fresh interpreter; the modules of ``heavy`` it left loaded."""
    report = f"import json, sys\nprint(json.dumps(sorted(m for m in {heavy!r} if m in sys.modules)))\n"
    return printed(f"{textwrap.dedent(code)}\n{report}")


ENGINE_MODULES = sorted(name for name, _ in modules() if within(name, ("nnplay.engine",)))

CLI_COMMANDS = """
from contextlib import redirect_stdout
import io
from nnplay.cli import main
for args in (["--help"], ["--version"], ["presets"], ["summary", "01"], ["search", "--help"], ["check", "14"]):
    with redirect_stdout(io.StringIO()):
        main(args)
"""

HELP_ONLY = """
import contextlib, io, json, sys
before = set(sys.modules)
from nnplay.cli import build_parser, main
with contextlib.redirect_stdout(io.StringIO()):
    for argv in (["--help"], *([name, "--help"] for name in build_parser().command_names)):
        assert main(argv) == 0, argv
loaded = set(sys.modules) - before
foreign = {name.partition(".")[0] for name in loaded} - set(sys.stdlib_module_names) - {"nnplay"}
engine = {name for name in loaded if name.startswith("nnplay.engine.")} - {"nnplay.engine.spec_names"}
print(json.dumps(sorted(foreign | engine)))
"""


def help_loads() -> list[str]:
    """What ``nnplay --help`` and every ``nnplay COMMAND --help`` load beyond the standard library and
    nnplay's own entry (the CLI, its command modules, the spec's names)."""
    return printed(HELP_ONLY)


FIRST_PAINT = """
import asyncio
from nnplay.tui.app import make_app

async def first_paint():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.5)

asyncio.run(first_paint())
"""


@dataclass(frozen=True)
class Rule:
    name: str
    check: Callable[[], list[str]]  # the breaches; empty when the rule holds


CONTRACT = [
    Rule("the engine never imports a UI", lambda: breaches(lambda name: not within(name, ("nnplay.engine",)), UI)),
    Rule("TensorFlow is imported by its four homes only", lambda: breaches(TENSORFLOW_HOMES.__contains__, TENSORFLOW)),
    Rule("optuna is imported by the search engine and its storages only",
         lambda: breaches(OPTUNA_HOMES.__contains__, OPTUNA)),
    Rule("nnplay --help, --version, presets and summary load neither TensorFlow, Textual nor optuna",
         lambda: loaded_after(CLI_COMMANDS, (*TENSORFLOW, "textual", *OPTUNA))),
    Rule("nnplay --help and every command's --help load the standard library only, no engine", help_loads),
    Rule("importing every engine module loads no TensorFlow",
         lambda: loaded_after("\n".join(f"import {name}" for name in ENGINE_MODULES), TENSORFLOW)),
    Rule("nnplay.engine.data and nnplay.engine.run load no loader's library",
         lambda: loaded_after("import nnplay.engine.data, nnplay.engine.run", (*TENSORFLOW, "PIL", "sklearn"))),
    Rule("importing the TUI loads neither TensorFlow nor scikit-learn",
         lambda: loaded_after("import nnplay.tui.app", (*TENSORFLOW, "sklearn"))),
    Rule("importing the TUI loads no plotext (its plots load it when they first draw, after the first screen)",
         lambda: loaded_after("import nnplay.tui.app", ("plotext", "textual_plotext"))),
    Rule("the TUI's first paint loads neither TensorFlow nor optuna", lambda: loaded_after(FIRST_PAINT, (*TENSORFLOW, *OPTUNA))),
]


@pytest.mark.parametrize("rule", CONTRACT, ids=[rule.name for rule in CONTRACT])
def test_import_contract(rule: Rule) -> None:
    assert rule.check() == []


def test_the_written_rules_see_lazy_and_relative_imports(tmp_path):
    """The reader behind the written rules finds imports inside functions and relative ones."""
    source = tmp_path / "probe.py"
    source.write_text("from . import sibling\nfrom ..data import table\ndef later():\n    import tensorflow as tf\n")
    found = imported_names("nnplay.engine.x.probe", source)
    assert {"nnplay.engine.x.sibling", "nnplay.engine.data.table", "tensorflow"} <= found
    assert "nnplay.engine.keras_net" in dict(modules()) and "nnplay.tui.app" in dict(modules())
