"""Prove the dependency floors: a fresh venv with every runtime dependency at the lowest version
pyproject.toml declares (``name>=X`` installed as ``name==X``), nnplay on top, then tests.

    python3 .ci/floors.py [VENV] [-- PYTEST ARGS]

VENV defaults to /tmp/nnplay-floors; PYTEST ARGS default to the fast tests that cover the CLI, one
Pilot test file and the malaria loader; run the slow Keras and mock-data tests by naming them after
``--``. The test tools are installed at whatever version fits the floors. Needs the package index
(pip's cache serves what it has). Not part of .ci/run: the lead runs it when a floor changes.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_TESTS = ["tests/test_cli.py", "tests/test_compare.py", "tests/test_import_contract.py", "tests/test_search.py",
                 "tests/test_tui_search.py", "tests/test_data_malaria.py", "-m", "not slow"]


#: Packages that declare a looser range than they work with, held back here (not nnplay's floors):
UPSTREAM_CEILINGS = [
    # tensorflow-metadata 1.21.0 needs protobuf >= 5.26 (runtime_version) but declares >= 4.25.2, and
    # TensorFlow 2.16 / 2.17 keep protobuf < 5: tensorflow-datasets then fails at import.
    "tensorflow-metadata<1.21",
]
#: The test tools, at whatever version fits the floors. tensorflow-datasets 4.9.2's mock_data (the
#: malaria tests' stand-in for a download) imports dill without declaring it.
TEST_TOOLS = ["pytest", "pytest-asyncio", "pytest-textual-snapshot", "hypothesis", "dill"]


def pinned_floors() -> list[str]:
    """``name==floor`` for every runtime dependency (each must declare a ``>=`` floor)."""
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    pins = []
    for spec in dependencies:
        match = re.fullmatch(r"\s*([A-Za-z0-9_.\-\[\]]+)\s*>=\s*([^,;\s]+)\s*", spec)
        if match is None:
            raise SystemExit(f"floors: {spec!r} declares no plain >= floor")
        pins.append(f"{match[1]}=={match[2]}")
    return pins


def main(argv: list[str]) -> int:
    venv_args, _, test_args = (argv[: argv.index("--")], None, argv[argv.index("--") + 1:]) if "--" in argv else (argv, None, [])
    venv = Path(venv_args[0] if venv_args else "/tmp/nnplay-floors")
    python = venv / "bin" / "python"
    pins = pinned_floors()
    print("floors:", " ".join(pins), flush=True)
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(python), "-m", "pip", "install", "--quiet"]
    subprocess.run([*pip, *pins, *UPSTREAM_CEILINGS, *TEST_TOOLS], check=True)
    subprocess.run([*pip, "--no-deps", "-e", str(ROOT)], check=True)
    versions = subprocess.run([str(python), "-m", "pip", "freeze"], check=True, capture_output=True, text=True).stdout
    wanted = {pin.split("==")[0].lower().replace("_", "-") for pin in pins}
    print("installed:", " ".join(line for line in versions.split() if line.split("==")[0].lower().replace("_", "-") in wanted))
    return subprocess.run([str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", *(test_args or DEFAULT_TESTS)],
                          cwd=ROOT).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
