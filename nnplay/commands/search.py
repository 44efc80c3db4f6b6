"""``nnplay search PRESET``: run a preset's random search (its ``[search]`` table) headless."""

from __future__ import annotations

import argparse
from pathlib import Path

from nnplay.commands.runs import add_keeping_flags, keeper_from, keeping_flags
from nnplay.engine.spec_names import ENGINES
from nnplay.exit_codes import EXIT_DIVERGED, EXIT_OK

MAX_TRIALS = 10_000


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("search", help="run a preset's random search ([search] table) headless")
    parser.add_argument("preset", metavar="PRESET")
    parser.add_argument("--trials", type=int, metavar="N", help="override search.trials (with --storage: the study's "
                        "total, every worker's trials counted)")
    parser.add_argument("--engine", choices=ENGINES, help="override the preset's engine")
    parser.add_argument("--save-best", metavar="FILE.toml", help="write the best trial's spec as a preset")
    parser.add_argument("--force", action="store_true", help="overwrite an existing --save-best file")
    parser.add_argument("--json", action="store_true", help="every trial and the best, one JSON object on stdout")
    parser.add_argument("--storage", metavar="WHERE", help="share the study: a journal file path (processes on one machine) "
                        "or a postgresql://, mysql:// or sqlite:/// URL (several machines); default: in memory")
    parser.add_argument("--study", metavar="NAME", help="the shared study to create or join (default: the preset's id)")
    parser.add_argument("--workers", type=int, metavar="N", help="start N local worker processes on the shared study")
    parser.add_argument("--heartbeat", type=float, metavar="SECONDS", help="a running trial's sign of life in a shared "
                        "study (default 10); a trial silent for 3 of them is marked failed")
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)  # this process's number among --workers
    add_keeping_flags(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from nnplay import progress
    from nnplay.engine.errors import SpecError
    from nnplay.engine.presets import check_preset_target, load_preset, save_preset
    from nnplay.engine.run import prepare

    preset = load_preset(args.preset)
    if preset.search is None:
        raise SpecError(f"{args.preset} has no [search] table (README.md shows one)", field="PRESET")
    if args.trials is not None and not 1 <= args.trials <= MAX_TRIALS:
        raise SpecError(f"must be within 1 .. {MAX_TRIALS} (got {args.trials})", field="--trials")
    if args.save_best:  # before searching: a bad path should cost no minutes
        check_preset_target(args.save_best, overwrite=args.force, field="--save-best")
    study = study_options(args)
    keeper = keeper_from(args)  # every trial that trains is kept
    prepared = prepare(preset)
    if args.workers is not None:
        from nnplay.engine.search_workers import run_workers

        def search(prepared, **kwargs):
            return run_workers(args.preset, prepared, study, args.workers, worker_flags=keeping_flags(args), **kwargs)
    else:
        from nnplay.engine.search import run_search

        def search(prepared, **kwargs):
            return run_search(prepared, study=study, keeper=keeper, **kwargs)
    result = progress.search(prepared, trials=args.trials, engine=args.engine, progress=not args.json, run=search)
    saved = None
    if args.save_best and result.best is not None:
        saved = save_preset(result.best_preset(), args.save_best, overwrite=args.force)
    if args.json:
        from nnplay.json_output import print_json

        print_json({"preset": args.preset, **result.to_json(), "saved": None if saved is None else str(saved)})
    else:
        _print(result, saved)
    return EXIT_OK if result.best is not None else EXIT_DIVERGED


def study_options(args: argparse.Namespace, play: bool = False):
    """--storage, --study, --workers and --heartbeat as the engine's StudyOptions (None: in memory);
    ``play``: the playground's two flags only, the storage checked for form (it opens when a search starts)."""
    from nnplay.engine.errors import SpecError
    from nnplay.engine.presets import default_preset_id, resolve
    from nnplay.engine.study_storage import HEARTBEAT_SECONDS, StudyOptions, parse_storage

    workers, heartbeat, worker = (None, None, None) if play else (args.workers, args.heartbeat, args.worker)
    if args.storage is None:
        for flag, value in (("--study", args.study), ("--workers", workers), ("--heartbeat", heartbeat)):
            if value is not None:
                raise SpecError("needs --storage (a journal file such as search.journal, or a database URL)", field=flag)
        return None
    parse_storage(args.storage)
    if workers is not None and not 1 <= workers <= 64:
        raise SpecError(f"must be within 1 .. 64 (got {workers})", field="--workers")
    if heartbeat is not None and not 1 <= heartbeat <= 3600:
        raise SpecError(f"must be within 1 .. 3600 seconds (got {heartbeat:g})", field="--heartbeat")
    name = args.study if args.study is not None else resolve(args.preset or default_preset_id()).stem
    if not name.strip() or len(name) > 512 or "\0" in name:
        raise SpecError(f"{name[:40]!r} is not a study name (1 to 512 characters)", field="--study")
    return StudyOptions(args.storage, name, worker, heartbeat or HEARTBEAT_SECONDS)


def _print(result, saved: Path | None) -> None:
    from rich.console import Console

    from nnplay.tui.render_search import format_value, leaderboard_table

    console = Console()
    done = f"{len(result.trials)} trials in {result.seconds:.2f} s ({result.engine} engine)"
    if result.study is not None:
        done = f"{done}; study {result.study} in {result.storage}"
    console.print(f"[yellow]search cancelled after {done}[/]" if result.cancelled else f"[bold]search: {done}[/]")
    best = None if result.best is None else result.best.number
    console.print(leaderboard_table(result.leaderboard(), result.preset.search.space, result.objective, best=best))
    if result.best is None:
        console.print("[red]no trial completed[/]: nothing to call best")
        return
    found = ", ".join(f"{k} = {format_value(v)}" for k, v in result.best.params.items())
    console.print(f"best: trial {result.best.number}, {result.objective} {result.best.value:.4f}: {found}")
    if saved is not None:
        console.print(f"best preset written to {saved}")
