"""``nnplay compare PRESET...``: train several presets headless and set their runs side by side."""

from __future__ import annotations

import argparse

from nnplay.engine.spec_names import ENGINES
from nnplay.exit_codes import EXIT_OK


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("compare", help="train several presets headless and compare their runs")
    parser.add_argument("presets", nargs="+", metavar="PRESET")
    parser.add_argument("--engine", choices=ENGINES, help="train every preset with this engine")
    parser.add_argument("--json", action="store_true", help="a JSON list, one row of figures per preset")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from nnplay import progress
    from nnplay.engine.run import prepare
    from nnplay.engine.runs import RunStore
    from nnplay.overrides import load_with_overrides

    presets = [load_with_overrides(ref, args) for ref in args.presets]  # every one checked before any trains
    store = RunStore(limit=len(presets))
    records = [store.add(progress.train(prepare(preset), progress=not args.json)) for preset in presets]
    if args.json:
        from nnplay.json_output import print_json

        print_json([{"preset": ref, **record.to_json()} for ref, record in zip(args.presets, records, strict=True)])
        return EXIT_OK
    from rich.console import Console

    from nnplay.tui.render import runs_table

    Console().print(runs_table(records))
    return EXIT_OK
