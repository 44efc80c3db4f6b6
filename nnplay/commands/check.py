"""``nnplay check PRESET``: validate a preset without loading its data or training it."""

from __future__ import annotations

import argparse

from nnplay.exit_codes import EXIT_OK


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("check", help="validate a preset without training it")
    parser.add_argument("preset", metavar="PRESET")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from nnplay.engine.presets import load_preset

    preset = load_preset(args.preset)
    print(f"{args.preset}: valid ({preset.preset.title})")
    return EXIT_OK
