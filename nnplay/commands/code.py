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
    parser.add_argument("preset", metavar="PRESET")
    parser.add_argument("--output", "-o", metavar="FILE.py", help="write the program to FILE.py instead of printing it")
    parser.add_argument("--force", action="store_true", help="overwrite an existing --output file")
    parser.set_defaults(handler=run)


def program_name(ref: str) -> str:
    """The name a program and its saved model take: the preset's id or file stem."""
    from nnplay.engine.presets import resolve

    return Path(resolve(ref)).stem


def run(args: argparse.Namespace) -> int:
    from nnplay.engine.codegen import keras_program, save_program
    from nnplay.engine.presets import load_preset

    preset = load_preset(args.preset)
    name = program_name(args.preset)
    if args.output:
        written = save_program(preset, name, args.output, overwrite=args.force, field="--output")
        print(f"wrote {written}")
        return 0
    print(keras_program(preset, name), end="")
    return 0
