"""``nnplay compare PRESET...``: train several presets headless and set their runs side by side."""

from __future__ import annotations

import argparse

from nnplay.commands.runs import add_keeping_flags, keeper_from
from nnplay.engine.spec_names import ENGINES
from nnplay.exit_codes import EXIT_OK


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("compare", help="train several presets headless and compare their runs")
    parser.add_argument("presets", nargs="+", metavar="PRESET|run:ID",
                        help="a preset to train, or a kept run (run:12, see `nnplay runs`) shown as it was")
    parser.add_argument("--engine", choices=ENGINES, help="train every preset with this engine")
    parser.add_argument("--json", action="store_true", help="a JSON list, one row of figures per preset")
    add_keeping_flags(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    import dataclasses

    from nnplay import progress
    from nnplay.engine.run_keeping import label_changes, run_id_of, stored_record
    from nnplay.engine.runs import RunRecord
    from nnplay.engine.session import Session
    from nnplay.overrides import load_with_overrides

    keeper = keeper_from(args)
    # every preset and kept run is read first: a typo costs no training
    sources = [keeper.db.get(run_id) if (run_id := run_id_of(ref)) is not None else load_with_overrides(ref, args)
               for ref in args.presets]
    session: Session | None = None
    records, run_ids = [], []
    for number, source in enumerate(sources, start=1):
        if hasattr(source, "preset_toml"):  # a kept run, shown as it was
            records.append(dataclasses.replace(stored_record(source), number=number))
            run_ids.append(source.id)
            continue
        session = session or Session(source, keeper=keeper, source="compare")  # one session: data loaded once per table
        report = progress.train(session, session.prepare(source), progress=not args.json)
        records.append(RunRecord.from_report(report, number, ()))
        run_ids.append(session.last_run_id)
    records = label_changes(records, same_title=False)
    if args.json:
        from nnplay.json_output import print_json

        print_json([{"preset": ref, "run_id": run_id, **record.to_json()}
                    for ref, run_id, record in zip(args.presets, run_ids, records, strict=True)])
        return EXIT_OK
    from rich.console import Console

    from nnplay.tui.render import runs_table

    Console().print(runs_table(records))
    return EXIT_OK
