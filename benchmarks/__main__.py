"""Run every ``benchmarks/bench_*.py`` (or only those named on the command line) by its ``main()``."""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time

import benchmarks


def discover() -> list[str]:
    """The short names (``engines`` for ``bench_engines.py``) of the benchmark modules, sorted."""
    return sorted(
        info.name.removeprefix("bench_")
        for info in pkgutil.iter_modules(benchmarks.__path__)
        if info.name.startswith("bench_")
    )


def main(argv: list[str] | None = None) -> int:
    names = discover()
    wanted = [name.removeprefix("bench_").removesuffix(".py") for name in (argv if argv is not None else sys.argv[1:])]
    unknown = [name for name in wanted if name not in names]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(names)}", file=sys.stderr)
        return 2
    for name in wanted or names:
        module = importlib.import_module(f"benchmarks.bench_{name}")
        entry = getattr(module, "main", None)
        if entry is None:
            print(f"benchmarks/bench_{name}.py has no main(); skipped", file=sys.stderr)
            continue
        print(f"\n## bench_{name}\n", flush=True)
        started = time.perf_counter()
        entry()
        print(f"\n(bench_{name}: {time.perf_counter() - started:.1f} s)", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
