"""``nnplay predict MODEL.h5 PRESET``: a saved model on a preset's test rows (the lecture's last step)."""

from __future__ import annotations

import argparse
from pathlib import Path

from nnplay.engine.spec_names import ENGINES
from nnplay.exit_codes import EXIT_OK


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("predict", help="a saved .h5 model on a preset's test rows: probabilities, accuracy, confusion")
    parser.add_argument("model", metavar="MODEL.h5")
    parser.add_argument("preset", metavar="PRESET")
    parser.add_argument("--rows", type=_count, default=3, metavar="N", help="test rows whose probabilities to print (default 3)")
    parser.add_argument("--engine", choices=ENGINES, help="the engine that runs the model (default: the preset's)")
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    parser.set_defaults(handler=run)


def _count(text: str) -> int:
    """A whole number of rows, 0 or more (argparse turns the ValueError into a one-line error)."""
    value = int(text)
    if value < 0:
        raise ValueError(text)
    return value


_count.__name__ = "row count"  # argparse names the type in its message: "invalid row count value: '-1'"


def run(args: argparse.Namespace) -> int:
    from nnplay.engine.presets import load_preset
    from nnplay.engine.restore import open_model

    opened = open_model(Path(args.model), load_preset(args.preset), engine=args.engine)
    if not len(opened.prepared.x_test):
        from nnplay.engine.errors import SpecError

        raise SpecError(f"is 0, so preset {args.preset!r} has no test rows to predict", field="data.test_size")
    probabilities = opened.probabilities(args.rows)
    if args.json:
        from nnplay.json_output import print_json

        print_json(opened.to_json(args.model, args.preset, probabilities))
        return EXIT_OK
    from rich.console import Console

    from nnplay.report_text import print_confusion, print_test
    from nnplay.tui.render import probabilities_table

    console, report, data = Console(), opened.report, opened.prepared.dataset
    console.print(f"{args.model}: {len(opened.saved.layers)} layers on {opened.saved.n_features} inputs, "
                  f"{report.engine} engine, {len(data.y_test)} test rows of {data.name}")
    console.print(probabilities_table(probabilities, data.y_test[: len(probabilities)], data.class_names))
    print_test(console, report)
    print_confusion(console, report)
    return EXIT_OK
