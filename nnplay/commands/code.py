"""``nnplay code PRESET``: the preset as a runnable Keras program (printed, or written with --output)."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "code", help="print the Keras program that trains a preset as `nnplay train --engine keras` does",
        description="Print a runnable, readable Python program that makes the preset's data, builds its "
        "keras.Sequential, starts it from nnplay's starting weights, trains, evaluates and saves it. "
        "Run as it is, it prints the test loss and accuracy that `nnplay train PRESET --engine keras` reports.",
    )
    parser.add_argument("preset", metavar="PRESET|run:ID", help="a preset, or a kept run (run:12, see `nnplay runs`)")
    parser.add_argument("--runs-db", metavar="FILE", help="the run store a run:ID is read from (default: the user's)")
    parser.add_argument("--output", "-o", metavar="FILE.py", help="write the program to FILE.py instead of printing it")
    parser.add_argument("--force", action="store_true", help="overwrite an existing --output file")
    parser.set_defaults(handler=run)


def preset_and_name(ref: str, runs_db: str | None = None):
    """The preset ``ref`` names (a preset, or a kept run's, engine included) and the name its program
    and saved model take: the preset's id or file stem, or ``run-ID``."""
    from nnplay.engine.presets import load_preset, resolve
    from nnplay.engine.run_keeping import run_id_of

    run_id = run_id_of(ref)
    if run_id is not None:
        from nnplay.engine.run_db import RunDB
        from nnplay.engine.run_keeping import row_preset

        return row_preset(RunDB(runs_db).get(run_id)), f"run-{run_id}"
    return load_preset(ref), Path(resolve(ref)).stem


def run(args: argparse.Namespace) -> int:
    from nnplay.engine.codegen import keras_program, save_program

    preset, name = preset_and_name(args.preset, args.runs_db)
    if args.output:
        written = save_program(preset, name, args.output, overwrite=args.force, field="--output")
        print(f"wrote {written}")
        return 0
    print(keras_program(preset, name), end="")
    return 0
