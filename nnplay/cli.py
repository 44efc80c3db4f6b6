"""``nnplay``: the playground (no sub-command) and the headless commands scripts and tests use.

Start-up stays fast: this module imports only the standard library at load time; the engine, rich,
Textual and (for the Keras engine or an export only) TensorFlow are imported by the command that
needs them.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import threading
import warnings
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, NoReturn

from nnplay import __version__, json_output

EXIT_OK, EXIT_BUG, EXIT_USAGE, EXIT_DIVERGED = 0, 1, 2, 3
WEIGHTS_IN_JSON_UP_TO = 1000  # parameters; the lecture prints beta-hat, so do we for small models


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, exit 2, as for every other bad input
        from nnplay.engine.errors import LINE_LIMIT, clip

        self.exit(EXIT_USAGE, f"nnplay: error: {clip(_flag_first(message), LINE_LIMIT)} (see `{self.prog} --help`)\n")


def _flag_first(message: str) -> str:
    """argparse's message worded as every other error: the flag or argument first, then what is wrong."""
    if message.startswith("argument "):
        return message.removeprefix("argument ")
    for prefix, problem in (("unrecognized arguments: ", "not an option or argument of this command"),
                            ("the following arguments are required: ", "is required")):
        if message.startswith(prefix):
            return f"{message.removeprefix(prefix)}: {problem}"
    return message


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="nnplay",
        description="A terminal playground that demystifies neural networks. With no command, "
        "opens the playground on PRESET (default: the lecture's first step).",
        epilog="PRESET is a bundled preset id (see `nnplay presets`; a unique prefix such as 05 "
        "will do) or the path of a .toml file.",
    )
    parser.add_argument("--version", action="version", version=f"nnplay {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    play = commands.add_parser("play", help="open the playground (the default command)")
    play.add_argument("preset", nargs="?", metavar="PRESET")
    play.add_argument("--storage", metavar="WHERE", help="the Search view joins this shared study (see `nnplay search`)")
    play.add_argument("--study", metavar="NAME", help="the shared study's name (default: the preset's id)")

    listing = commands.add_parser("presets", help="list the bundled lecture presets")
    listing.add_argument("--json", action="store_true", help="a JSON list of {id, title, path}")

    check = commands.add_parser("check", help="validate a preset without training it")
    check.add_argument("preset", metavar="PRESET")

    summary = commands.add_parser("summary", help="the Keras-style model summary of a preset or an .h5 file")
    summary.add_argument("preset", metavar="PRESET|FILE.h5")
    summary.add_argument("--json", action="store_true")

    data = commands.add_parser("data", help="load a preset's data and describe it")
    data.add_argument("preset", metavar="PRESET")
    data.add_argument("--json", action="store_true")

    train = commands.add_parser("train", help="train a preset headless")
    train.add_argument("preset", metavar="PRESET")
    train.add_argument("--engine", choices=("numpy", "keras"), help="override the preset's engine")
    train.add_argument("--epochs", type=int, metavar="N", help="override train.epochs")
    train.add_argument("--seed", type=int, metavar="N", help="override train.seed")
    train.add_argument("--export", metavar="FILE.h5", help="save the trained model as a Keras .h5 file")
    train.add_argument("--force", action="store_true", help="overwrite an existing export file")
    train.add_argument("--json", action="store_true", help="one JSON object on stdout at the end")

    predict = commands.add_parser("predict", help="a saved .h5 model on a preset's test rows: probabilities, accuracy, confusion")
    predict.add_argument("model", metavar="MODEL.h5")
    predict.add_argument("preset", metavar="PRESET")
    predict.add_argument("--rows", type=_count, default=3, metavar="N", help="test rows whose probabilities to print (default 3)")
    predict.add_argument("--engine", choices=("numpy", "keras"), help="the engine that runs the model (default: the preset's)")
    predict.add_argument("--json", action="store_true", help="one JSON object on stdout")

    search = commands.add_parser("search", help="run a preset's random search ([search] table) headless")
    search.add_argument("preset", metavar="PRESET")
    search.add_argument("--trials", type=int, metavar="N", help="override search.trials (with --storage: the study's "
                        "total, every worker's trials counted)")
    search.add_argument("--engine", choices=("numpy", "keras"), help="override the preset's engine")
    search.add_argument("--save-best", metavar="FILE.toml", help="write the best trial's spec as a preset")
    search.add_argument("--force", action="store_true", help="overwrite an existing --save-best file")
    search.add_argument("--json", action="store_true", help="every trial and the best, one JSON object on stdout")
    search.add_argument("--storage", metavar="WHERE", help="share the study: a journal file path (processes on one machine) "
                        "or a postgresql://, mysql:// or sqlite:/// URL (several machines); default: in memory")
    search.add_argument("--study", metavar="NAME", help="the shared study to create or join (default: the preset's id)")
    search.add_argument("--workers", type=int, metavar="N", help="start N local worker processes on the shared study")
    search.add_argument("--heartbeat", type=float, metavar="SECONDS", help="a running trial's sign of life in a shared "
                        "study (default 10); a trial silent for 3 of them is marked failed")
    search.add_argument("--worker", type=int, help=argparse.SUPPRESS)  # this process's number among --workers

    compare = commands.add_parser("compare", help="train several presets headless and compare their runs")
    compare.add_argument("presets", nargs="+", metavar="PRESET")
    compare.add_argument("--engine", choices=("numpy", "keras"), help="train every preset with this engine")
    compare.add_argument("--json", action="store_true", help="a JSON list, one row of figures per preset")
    return parser


def _count(text: str) -> int:
    """A whole number of rows, 0 or more (argparse turns the ValueError into a one-line error)."""
    value = int(text)
    if value < 0:
        raise ValueError(text)
    return value


_count.__name__ = "row count"  # argparse names the type in its message: "invalid row count value: '-1'"

COMMAND_NAMES = ("play", "presets", "check", "summary", "data", "train", "predict", "search", "compare")


def main(argv: Sequence[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):  # a label the terminal's encoding lacks prints as \xe9, not a crash
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not args_list or (args_list[0] not in COMMAND_NAMES and not args_list[0].startswith("-")):
        args_list.insert(0, "play")
    try:
        args = build_parser().parse_args(args_list)
    except SystemExit as exc:  # --help, --version, or a usage error already printed
        return int(exc.code or 0)
    handler: Callable[[argparse.Namespace], int] = globals()[f"cmd_{args.command}"]
    from nnplay.engine.errors import NnplayError, clip

    try:
        with warnings.catch_warnings():
            warnings.showwarning = _one_line_warning
            return handler(args)
    except NnplayError as exc:
        print(f"nnplay: error: {exc.one_line()}", file=sys.stderr)
        return exc.exit_code
    except OSError as exc:  # the file system refused a file the user named: their input, not our bug
        if exc.filename is None:
            raise
        print(f"nnplay: error: {clip(os.fsdecode(exc.filename))}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("nnplay: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader went away (`nnplay presets | head`): not an error
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the flush at exit
        return EXIT_OK
    except Exception as exc:  # a bug of ours, not the user's input
        if os.environ.get("NNPLAY_DEBUG"):
            raise
        print(f"nnplay: internal error: {type(exc).__name__}: {exc} (set NNPLAY_DEBUG=1 for a traceback)", file=sys.stderr)
        return EXIT_BUG


def _one_line_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """A library's warning as one line on stderr, without the source path and line that Python adds."""
    from nnplay.engine.errors import clip

    print(f"nnplay: warning: {clip(str(message), 200)}", file=sys.stderr)


# ---------------------------------------------------------------------------------------------
# Commands


def cmd_play(args: argparse.Namespace) -> int:
    from nnplay.tui.app import run_app

    return run_app(args.preset, study=_study_options(args, play=True))


def cmd_presets(args: argparse.Namespace) -> int:
    from nnplay.engine.presets import bundled_presets

    entries = bundled_presets()
    if args.json:
        print(json_output.dumps([{"id": e.id, "title": e.title, "path": str(e.path)} for e in entries]))
        return EXIT_OK
    width = max((len(e.id) for e in entries), default=0)
    for entry in entries:
        print(f"{entry.id:<{width}}  {entry.title}")
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    from nnplay.engine.presets import load_preset

    preset = load_preset(args.preset)
    print(f"{args.preset}: valid ({preset.preset.title})")
    return EXIT_OK


def _summary_of(ref: str):
    if Path(ref).suffix.lower() in (".h5", ".hdf5"):  # MODEL.H5 is a model file too
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


def cmd_summary(args: argparse.Namespace) -> int:
    summary = _summary_of(args.preset)
    if args.json:
        print(json_output.dumps(summary.to_json()))
        return EXIT_OK
    from rich.console import Console

    from nnplay.tui.render import summary_table

    Console().print(summary_table(summary))
    return EXIT_OK


def cmd_data(args: argparse.Namespace) -> int:
    from nnplay.engine.data import describe, load_data
    from nnplay.engine.presets import load_preset

    described = describe(load_data(load_preset(args.preset).data))
    if args.json:
        out = described.to_json()
        json_output.cap_classes(out, "classes")
        print(json_output.dumps(out))
        return EXIT_OK
    print(described.to_text())  # plain text: a class or column name is never read as markup
    return EXIT_OK


def _with_overrides(preset, args: argparse.Namespace):
    from nnplay.engine.errors import Problem, SpecError

    for flag, path in (("engine", "train.engine"), ("epochs", "train.epochs"), ("seed", "train.seed")):
        value = getattr(args, flag)
        if value is None:
            continue
        try:
            preset = preset.with_changes(path, value)
        except SpecError as exc:  # name the flag the user typed, not the preset field
            raise SpecError([Problem(f"--{flag}", p.message) for p in exc.problems]) from None
    return preset


def cmd_train(args: argparse.Namespace) -> int:
    from nnplay.engine.presets import load_preset
    from nnplay.engine.run import prepare

    preset = _with_overrides(load_preset(args.preset), args)
    if args.export:  # before training, not after it: a bad path should cost no minutes
        from nnplay.engine.export import check_export_target

        check_export_target(Path(args.export).expanduser(), args.force, field="--export")
    report = _train_cancellable(prepare(preset), progress=not args.json)
    exported = None
    if args.export:
        from nnplay.engine.export import export_h5

        exported = export_h5(report.trainer, Path(args.export).expanduser(), force=args.force)
    if args.json:
        print(json_output.dumps(_report_json(args.preset, report, exported)))
    else:
        _print_report(report, exported)
    return EXIT_DIVERGED if report.fit.status == "diverged" else EXIT_OK


def cmd_predict(args: argparse.Namespace) -> int:
    from nnplay.engine.presets import load_preset
    from nnplay.engine.restore import open_model

    opened = open_model(Path(args.model), load_preset(args.preset), engine=args.engine)
    if not len(opened.prepared.x_test):
        from nnplay.engine.errors import SpecError

        raise SpecError(f"is 0, so preset {args.preset!r} has no test rows to predict", field="data.test_size")
    probabilities = opened.probabilities(args.rows)
    if args.json:
        print(json_output.dumps(_predict_json(args, opened, probabilities)))
        return EXIT_OK
    from rich.console import Console

    from nnplay.tui.render import confusion_table, probabilities_table

    console, report, data = Console(), opened.report, opened.prepared.dataset
    console.print(f"{args.model}: {len(opened.saved.layers)} layers on {opened.saved.n_features} inputs, "
                  f"{report.engine} engine, {len(data.y_test)} test rows of {data.name}")
    console.print(probabilities_table(probabilities, data.y_test[: len(probabilities)], data.class_names))
    console.print("test: " + "  ".join(f"{k} {v:.4f}" for k, v in report.test.items()))
    if report.confusion is not None and report.class_names:
        console.print(confusion_table(report.confusion, report.class_names))
    return EXIT_OK


def _predict_json(args: argparse.Namespace, opened, probabilities) -> dict[str, Any]:
    report, data = opened.report, opened.prepared.dataset
    out: dict[str, Any] = {
        "model": args.model,
        "preset": args.preset,
        "engine": report.engine,
        "input_features": opened.saved.n_features,
        "test_rows": len(data.y_test),
        "class_names": None,
        "probabilities": probabilities.tolist(),
        "labels": data.y_test[: len(probabilities)].tolist(),
        "test": report.test,
        "confusion_matrix": None,
    }
    _add_classes(out, "class_names", report)
    return out


def cmd_compare(args: argparse.Namespace) -> int:
    from nnplay.engine.presets import load_preset
    from nnplay.engine.run import prepare
    from nnplay.engine.runs import RunStore

    args.epochs = args.seed = None  # compare overrides only the engine
    presets = [_with_overrides(load_preset(ref), args) for ref in args.presets]  # every one checked first
    store = RunStore(limit=len(presets))
    records = [store.add(_train_cancellable(prepare(preset), progress=not args.json)) for preset in presets]
    if args.json:
        rows = [{"preset": ref, **record.to_json()} for ref, record in zip(args.presets, records, strict=True)]
        print(json_output.dumps(rows))
        return EXIT_OK
    from rich.console import Console

    from nnplay.tui.render import runs_table

    Console().print(runs_table(records))
    return EXIT_OK


def _train_cancellable(prepared, *, progress: bool):
    """Run ``prepared``; the first Ctrl-C stops it after the current batch (a progress bar on stderr if asked)."""
    from nnplay.engine.run import run

    cancel = threading.Event()
    with _ctrl_c_sets(cancel):
        return _run_with_progress(prepared, cancel) if progress else run(prepared, on_event=None, cancel=cancel)


@contextlib.contextmanager
def _ctrl_c_sets(cancel: threading.Event) -> Iterator[None]:
    """First Ctrl-C: stop after the current batch. A second one: stop now."""

    def on_sigint(*_: Any) -> None:
        if cancel.is_set():
            raise KeyboardInterrupt
        cancel.set()
        print("\nnnplay: stopping after this batch (Ctrl-C again to abort)", file=sys.stderr)

    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _run_with_progress(prepared, cancel: threading.Event):
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    from nnplay.engine.run import run
    from nnplay.engine.training import BatchEnd, EpochEnd, TrainBegin

    console = Console(stderr=True)
    columns = (TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.fields[logs]}"), TimeElapsedColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task("epoch", total=prepared.preset.train.epochs, logs="")
        state = {"steps": 1}

        def on_event(event) -> None:
            if isinstance(event, TrainBegin):
                state["steps"] = event.steps_per_epoch
                progress.update(task, total=event.epochs * event.steps_per_epoch)
            elif isinstance(event, BatchEnd):
                progress.update(task, completed=event.epoch * event.steps + event.step,
                                description=f"epoch {event.epoch + 1}")
            elif isinstance(event, EpochEnd):
                logs = "  ".join(f"{k} {v:.4f}" for k, v in event.logs.items())
                progress.update(task, completed=(event.epoch + 1) * state["steps"], logs=logs)

        return run(prepared, on_event=on_event, cancel=cancel)


def _weights_json(report) -> list[dict[str, Any]] | None:
    from nnplay.engine.spec import DenseLayer

    if report.summary.total_params > WEIGHTS_IN_JSON_UP_TO:
        return None
    weights = iter(report.trainer.get_weights())
    layers = []
    for layer in report.preset.model.layers:
        if isinstance(layer, DenseLayer):
            kernel = next(weights)
            bias = next(weights) if layer.use_bias else None
            layers.append({"kernel": kernel.tolist(), "bias": None if bias is None else bias.tolist()})
    return layers


def _report_json(ref: str, report, exported: Path | None) -> dict[str, Any]:
    fit = report.fit
    out: dict[str, Any] = {
        "preset": ref,
        "title": report.preset.preset.title,
        "engine": report.engine,
        "status": fit.status,
        "epochs_run": fit.epochs_run,
        "best_epoch": None if fit.best_epoch is None else fit.best_epoch + 1,
        "message": fit.describe(),
        "history": fit.history,
        "test": report.test,
        "params": {"total": report.summary.total_params, "trainable": report.summary.trainable_params},
        "fit_seconds": fit.fit_seconds,
        "export": None if exported is None else str(exported),
    }
    weights = _weights_json(report)
    if weights is not None:
        out["weights"] = weights
    _add_classes(out, "classes", report)
    return out


def _add_classes(out: dict[str, Any], key: str, report) -> None:
    """The class names under ``key`` and the confusion matrix over them, both capped for JSON."""
    if report.class_names:
        out[key] = list(report.class_names)
        json_output.cap_classes(out, key)
    if report.confusion is not None:  # over the same classes as out[key]
        out["confusion_matrix"], _ = json_output.cap_matrix(report.confusion)


def _print_report(report, exported: Path | None) -> None:
    from rich.console import Console

    from nnplay.tui.render import confusion_table

    console = Console()
    fit = report.fit
    style = {"diverged": "bold red", "cancelled": "yellow"}.get(fit.status, "bold green")
    console.print(f"[{style}]{report.engine}: {fit.describe()}[/] in {fit.fit_seconds:.2f} s")
    if report.test:
        console.print("test: " + "  ".join(f"{k} {v:.4f}" for k, v in report.test.items()))
    weights = _weights_json(report)
    if weights is not None and report.summary.total_params <= 20:
        for i, layer in enumerate(weights):
            bias = f"  bias: {layer['bias']}" if layer["bias"] is not None else ""
            console.print(f"layer {i} kernel: {layer['kernel']}{bias}")
    if report.confusion is not None and report.class_names:
        console.print(confusion_table(report.confusion, report.class_names))
    if exported is not None:
        console.print(f"exported to {exported}")


# ---------------------------------------------------------------------------------------------
# nnplay search


def cmd_search(args: argparse.Namespace) -> int:
    from nnplay.engine.errors import SpecError
    from nnplay.engine.presets import check_preset_target, load_preset, save_preset
    from nnplay.engine.run import prepare
    from nnplay.engine.search import run_search

    preset = load_preset(args.preset)
    if preset.search is None:
        raise SpecError(f"{args.preset} has no [search] table (README.md shows one)", field="PRESET")
    if args.trials is not None and not 1 <= args.trials <= 10_000:
        raise SpecError(f"must be within 1 .. 10000 (got {args.trials})", field="--trials")
    if args.save_best:  # before searching: a bad path should cost no minutes
        check_preset_target(args.save_best, overwrite=args.force, field="--save-best")
    study = _study_options(args)
    prepared = prepare(preset)
    cancel = threading.Event()
    if args.workers is not None:
        from nnplay.engine.search_workers import run_workers

        def search(**kwargs):
            return run_workers(args.preset, prepared, study, args.workers, **kwargs)
    else:
        def search(**kwargs):
            return run_search(prepared, study=study, **kwargs)
    with _ctrl_c_sets(cancel):
        if args.json:
            result = search(trials=args.trials, engine=args.engine, cancel=cancel)
        else:
            result = _search_with_progress(prepared, args, cancel, search)
    saved = None
    if args.save_best and result.best is not None:
        saved = save_preset(result.best_preset(), args.save_best, overwrite=args.force)
    if args.json:
        print(json_output.dumps({"preset": args.preset, **result.to_json(), "saved": None if saved is None else str(saved)}))
    else:
        _print_search(result, saved)
    return EXIT_OK if result.best is not None else EXIT_DIVERGED


def _study_options(args: argparse.Namespace, play: bool = False):
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


def _search_with_progress(prepared, args: argparse.Namespace, cancel: threading.Event, search):
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from nnplay.engine.search import SearchBegin, StudyProgress, TrialBegin, TrialEnd, TrialEpoch
    from nnplay.tui.render_search import format_value, param_label

    columns = (TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.fields[note]}"), TimeElapsedColumn())
    # Shown from SearchBegin on: a storage that cannot be opened is one error line, with no bar before it.
    progress = Progress(*columns, console=Console(stderr=True), transient=True)
    objective = prepared.preset.search.objective
    trials = progress.add_task("trials", total=args.trials or prepared.preset.search.trials, note="")
    epochs = progress.add_task("epochs", total=prepared.preset.train.epochs, note="")
    drawn = {"text": ""}

    def on_event(event) -> None:
        if isinstance(event, SearchBegin):
            progress.update(trials, total=event.trials, note=event.study)
            progress.start()
        elif isinstance(event, TrialBegin):
            drawn["text"] = "  ".join(f"{param_label(k)} {format_value(v)}" for k, v in event.params.items())
            progress.update(epochs, completed=0, description=f"trial {event.number}", note=drawn["text"])
        elif isinstance(event, TrialEpoch):
            value = "" if event.value is None else f"  {param_label(objective)} {event.value:.4f}"
            progress.update(epochs, completed=event.epoch + 1, total=event.epochs, note=drawn["text"] + value)
        elif isinstance(event, TrialEnd | StudyProgress):  # a shared study counts every worker's trials
            best = "" if event.best is None else f"best {event.best.value:.4f} (trial {event.best.number})"
            done = sum(trial.status != "running" for trial in event.leaderboard)
            progress.update(trials, completed=done, note=best)

    try:
        return search(trials=args.trials, engine=args.engine, on_event=on_event, cancel=cancel)
    finally:
        if progress.live.is_started:  # stopping one never started still prints a blank line
            progress.stop()


def _print_search(result, saved: Path | None) -> None:
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


if __name__ == "__main__":
    sys.exit(main())
