"""``nnplay data PRESET``: load a preset's data and describe it (rows, features, classes, ranges)."""

from __future__ import annotations

import argparse

from nnplay.exit_codes import EXIT_OK


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("data", help="load a preset's data and describe it")
    parser.add_argument("preset", metavar="PRESET")
    parser.add_argument("--json", action="store_true")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from nnplay.engine.data import describe, load_data
    from nnplay.engine.presets import load_preset

    described = describe(load_data(load_preset(args.preset).data))
    if args.json:
        from nnplay.json_output import print_json

        print_json(described.to_json())
        return EXIT_OK
    print(described.to_text())  # plain text: a class or column name is never read as markup
    return EXIT_OK
