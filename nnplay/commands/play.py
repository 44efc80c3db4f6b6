"""``nnplay play [PRESET]``: the playground (also what ``nnplay`` with no command does)."""

from __future__ import annotations

import argparse

from nnplay.commands.runs import add_keeping_flags, keeper_from


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("play", help="open the playground (the default command)")
    parser.add_argument("preset", nargs="?", metavar="PRESET")
    parser.add_argument("--storage", metavar="WHERE", help="the Search view joins this shared study (see `nnplay search`)")
    parser.add_argument("--study", metavar="NAME", help="the shared study's name (default: the preset's id)")
    add_keeping_flags(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from nnplay.commands.search import study_options
    from nnplay.tui.app import run_app

    return run_app(args.preset, keeper_from(args), study_options(args, play=True))
