"""``nnplay presets``: the bundled lecture presets."""

from __future__ import annotations

import argparse

from nnplay.exit_codes import EXIT_OK


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("presets", help="list the bundled lecture presets")
    parser.add_argument("--json", action="store_true", help="a JSON list of {id, title, path}")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from nnplay.engine.presets import bundled_presets

    entries = bundled_presets()
    if args.json:
        from nnplay.json_output import print_json

        print_json([{"id": e.id, "title": e.title, "path": str(e.path)} for e in entries])
        return EXIT_OK
    width = max((len(e.id) for e in entries), default=0)
    for entry in entries:
        print(f"{entry.id:<{width}}  {entry.title}")
    return EXIT_OK
