"""``nnplay train PRESET``: train a preset headless; a progress bar on stderr, the result on stdout."""

from __future__ import annotations

import argparse
from pathlib import Path

from nnplay.commands.runs import add_keeping_flags, keeper_from
from nnplay.engine.spec_names import ENGINES
from nnplay.exit_codes import EXIT_DIVERGED, EXIT_OK
from nnplay.overrides import device_count

#: Models up to this many parameters have their weights printed (the lecture prints beta-hat).
WEIGHTS_PRINTED_UP_TO = 20


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("train", help="train a preset headless")
    parser.add_argument("preset", metavar="PRESET")
    parser.add_argument("--engine", choices=ENGINES, help="override the preset's engine")
    parser.add_argument("--epochs", type=int, metavar="N", help="override train.epochs")
    parser.add_argument("--seed", type=int, metavar="N", help="override train.seed")
    parser.add_argument("--devices", type=device_count, metavar="N|all",
                        help='override train.devices: the Keras engine on N GPUs (N logical CPU devices without one) or "all"')
    parser.add_argument("--export", metavar="FILE.h5", help="save the trained model as a Keras .h5 file")
    parser.add_argument("--force", action="store_true", help="overwrite an existing export file")
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout at the end")
    add_keeping_flags(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from nnplay import progress
    from nnplay.engine.session import Session
    from nnplay.overrides import load_with_overrides

    preset = load_with_overrides(args.preset, args)
    export = Path(args.export).expanduser() if args.export else None
    if export is not None:  # before training, not after it: a bad path should cost no minutes
        from nnplay.engine.export import check_export_target

        check_export_target(export, args.force, field="--export")
    session = Session(preset, keeper=keeper_from(args), source="train")  # a store that cannot keep runs says so now
    report = progress.train(session, session.prepare(), progress=not args.json)
    if export is not None:
        from nnplay.engine.export import export_h5

        export = export_h5(report.trainer, export, force=args.force)
    if args.json:
        from nnplay.json_output import print_json

        print_json({**report.to_json(args.preset, None if export is None else str(export)), "run_id": session.last_run_id})
    else:
        _print(report, export)
        if session.last_run_id is not None:
            print(f"recorded as run {session.last_run_id} (`nnplay runs show {session.last_run_id}`)")
    return EXIT_DIVERGED if report.fit.status == "diverged" else EXIT_OK


def _print(report, exported: Path | None) -> None:
    from rich.console import Console

    from nnplay.engine.report_json import figures
    from nnplay.report_text import print_confusion, print_test

    console, fit = Console(), report.fit
    style = {"diverged": "bold red", "cancelled": "yellow"}.get(fit.status, "bold green")
    devices = f" on {fit.replicas} devices" if fit.replicas > 1 else ""
    console.print(f"[{style}]{report.engine}: {fit.describe()}[/] in {fit.fit_seconds:.2f} s{devices}")
    print_test(console, report)
    if report.summary.total_params <= WEIGHTS_PRINTED_UP_TO:
        for i, layer in enumerate(figures(report.layer_weights(), report.preset.train.dtype)):
            bias = f"  bias: {layer['bias']}" if layer["bias"] is not None else ""
            console.print(f"layer {i} kernel: {layer['kernel']}{bias}")
    print_confusion(console, report)
    if exported is not None:
        console.print(f"exported to {exported}")
