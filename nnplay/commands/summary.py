"""``nnplay summary PRESET|FILE.h5``: the Keras-style model summary; nothing is trained or allocated."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from nnplay.exit_codes import EXIT_OK


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("summary", help="the Keras-style model summary of a preset or an .h5 file")
    parser.add_argument("preset", metavar="PRESET|FILE.h5")
    parser.add_argument("--json", action="store_true")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    summary = summary_of(args.preset)
    if args.json:
        from nnplay.json_output import print_json

        print_json(summary.to_json())
        return EXIT_OK
    from rich.console import Console

    from nnplay.tui.render import summary_table

    Console().print(summary_table(summary))
    return EXIT_OK


def summary_of(ref: str) -> Any:
    """The ModelSummary of a model file (MODEL.H5 too) or of a preset's model."""
    if Path(ref).suffix.lower() in (".h5", ".hdf5"):
        from nnplay.engine.export import summary_from_h5

        return summary_from_h5(Path(ref))
    from nnplay.engine.presets import load_preset
    from nnplay.engine.summary import summarize

    preset = load_preset(ref)
    n_features = preset.n_features()
    if n_features is None:  # only the data knows its width (a CSV file, say)
        from nnplay.engine.data import load_data

        n_features = load_data(preset.data).n_features
    return summarize(preset.model, n_features)
