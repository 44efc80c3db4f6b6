"""``nnplay runs``: the runs kept in the run store, listed, shown, exported to ``.h5`` and removed.

Also the flags every training command shares to say where its runs are kept (``--runs-db``,
``--logdir``, ``--no-record``) and the keeper they make. Standard library only at import time.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

EXIT_OK = 0


def add_keeping_flags(parser: argparse.ArgumentParser) -> None:
    """``--runs-db``, ``--logdir`` and ``--no-record``, for a command that trains."""
    parser.add_argument("--runs-db", metavar="FILE", help="the run store to record into (default: runs.sqlite3 in "
                        "the user's data folder, or $NNPLAY_RUNS_DB)")
    parser.add_argument("--logdir", metavar="DIR", help="where TensorBoard event files go (default: a tensorboard "
                        "folder beside the run store)")
    parser.add_argument("--no-record", action="store_true", help="keep no record of this run (no store, no TensorBoard files)")


def keeping_flags(args: argparse.Namespace) -> tuple[str, ...]:
    """The keeping flags as they were given, for a process this one starts (a search's workers)."""
    if args.no_record:
        return ("--no-record",)
    return (*(("--runs-db", args.runs_db) if args.runs_db else ()), *(("--logdir", args.logdir) if args.logdir else ()))


def keeper_from(args: argparse.Namespace) -> Any:
    """The :class:`~nnplay.engine.run_keeping.RunKeeper` the flags ask for, its store checked now."""
    from nnplay.engine.run_keeping import RunKeeper

    return RunKeeper.from_flags(args.runs_db, args.logdir, record=not args.no_record)


def _store_flags(parser: argparse.ArgumentParser, default: Any) -> None:
    """``--runs-db`` and ``--json``, before or after the action (``default``: ``argparse.SUPPRESS`` on
    an action, so that its parser does not overwrite what was given before it)."""
    parser.add_argument("--runs-db", metavar="FILE", default=default,
                        help="the run store (default: runs.sqlite3 in the user's data folder, or $NNPLAY_RUNS_DB)")
    parser.add_argument("--json", action="store_true", default=default or False, help="JSON on stdout")


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("runs", help="the runs kept in the run store: list, show, export, rm")
    _store_flags(parser, None)
    parser.add_argument("--last", type=int, metavar="N", help="only the last N runs")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", parser_class=type(parser))
    show = actions.add_parser("show", help="one run: its figures, history, TensorBoard folder and preset")
    show.add_argument("run_id", metavar="ID")
    export = actions.add_parser("export", help="a run's final weights as a Keras .h5 file that `nnplay predict` reads")
    export.add_argument("run_id", metavar="ID")
    export.add_argument("path", metavar="FILE.h5")
    export.add_argument("--force", action="store_true", help="overwrite an existing file")
    remove = actions.add_parser("rm", help="remove runs (and their TensorBoard folders)")
    remove.add_argument("run_ids", nargs="+", metavar="ID")
    for action in (show, export, remove):
        _store_flags(action, argparse.SUPPRESS)
    parser.set_defaults(handler=run)


def _run_id(text: str) -> int:
    from nnplay.engine.errors import NnplayError
    from nnplay.engine.run_keeping import run_id_of

    run_id = run_id_of(text, bare=True)
    if run_id is None:
        raise NnplayError(f"a run id is a number such as 12 or run:12 (got {text!r})", field="ID")
    return run_id


def run(args: argparse.Namespace) -> int:
    from nnplay.engine.run_db import RunDB

    db = RunDB(args.runs_db)
    if args.action == "show":
        return _show(db, _run_id(args.run_id), args.json)
    if args.action == "export":
        return _export(db, _run_id(args.run_id), args.path, args.force)
    if args.action == "rm":
        return _remove(db, [_run_id(text) for text in args.run_ids])
    return _list(db, args.json, args.last)


def _json_row(stored: Any) -> dict[str, Any]:
    row = stored.row
    return {"id": row.id, "started": row.started, "ended": row.ended, "source": row.source,
            "seed": row.seed, "data_seed": row.data_seed, **stored.record.to_json(), "logdir": row.logdir}


def _list(db: Any, as_json: bool, last: int | None) -> int:
    from nnplay import json_output
    from nnplay.engine.run_db import local_time
    from nnplay.engine.run_keeping import stored_runs

    runs = stored_runs(db, last)
    if as_json:
        print(json_output.dumps([_json_row(stored) for stored in runs]))
        return EXIT_OK
    if not runs:
        print(f"no runs kept yet in {db.path} (train one: `nnplay train 01`)")
        return EXIT_OK
    from rich.console import Console

    from nnplay.tui.render import runs_table

    console = Console()
    if not console.is_terminal:  # a pipe or a file gets every column, not 80 squeezed ones
        console = Console(width=160)
    console.print(runs_table([s.record for s in runs], when=[local_time(s.row.started) for s in runs]))
    print(f"{len(runs)} runs in {db.path}")
    return EXIT_OK


def _show(db: Any, run_id: int, as_json: bool) -> int:
    from nnplay import json_output
    from nnplay.engine.run_db import local_time
    from nnplay.engine.run_keeping import StoredRun, stored_record

    row = db.get(run_id)
    stored = StoredRun(row, stored_record(row))
    if as_json:
        print(json_output.dumps({**_json_row(stored), "history": row.history, "preset_toml": row.preset_toml}))
        return EXIT_OK
    record = stored.record
    lines = [
        f"run {row.id}: {row.title}",
        f"  {row.engine} engine, from `nnplay {row.source}`" if row.source != "app" else f"  {row.engine} engine, in the app",
        f"  {local_time(row.started)} to {local_time(row.ended)}, {row.seconds:.2f} s of training",
        f"  seeds: train {row.seed}" + ("" if row.data_seed is None else f", data {row.data_seed}"),
        f"  {row.message}",
    ]
    for name in ("train", "val", "test"):
        loss, accuracy = getattr(record, f"{name}_loss"), getattr(record, f"{name}_accuracy")
        if loss is not None:
            lines.append(f"  {name:<5} loss {loss:.4f}" + ("" if accuracy is None else f"  accuracy {accuracy:.4f}"))
    if row.logdir:
        lines.append(f"  TensorBoard: {row.logdir}")
    lines += ["", "history (per epoch):", "  epoch  " + "  ".join(f"{k:>12}" for k in row.history)]
    epochs = max((len(v) for v in row.history.values()), default=0)
    for epoch in range(epochs):
        mark = " *" if row.best_epoch == epoch else ""
        lines.append(f"  {epoch + 1:>5}  " + "  ".join(
            f"{values[epoch]:>12.6g}" if epoch < len(values) else " " * 12 for values in row.history.values()) + mark)
    lines += ["", "preset:", row.preset_toml]
    sys.stdout.write("\n".join(lines) + "\n")
    return EXIT_OK


def _export(db: Any, run_id: int, path: str, force: bool) -> int:
    from nnplay.engine.export import check_export_target, export_h5
    from nnplay.engine.run import make_trainer
    from nnplay.engine.run_keeping import row_preset, stored_weights

    target = Path(path).expanduser()
    check_export_target(target, force, field="FILE.h5")
    preset = row_preset(db.get(run_id))
    weights = stored_weights(db, run_id)
    trainer = make_trainer(preset, int(weights[0].shape[0]), "numpy", initial_weights=weights)
    written = export_h5(trainer, target, force=force)
    print(f"run {run_id} exported to {written}")
    return EXIT_OK


def _remove(db: Any, run_ids: list[int]) -> int:
    from nnplay.engine.run_keeping import remove_logs

    for row in db.remove(run_ids):
        remove_logs(row)
        print(f"removed run {row.id} ({row.title})")
    return EXIT_OK
