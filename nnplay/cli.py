"""``nnplay``: the playground (no sub-command) and the headless commands scripts and tests use.

This module is the entry: the parser, how errors and warnings are worded, the exit codes. Each
command is a module of :mod:`nnplay.commands` (see there how to add one). Start-up stays fast: at
load time only the standard library and nnplay's own command modules are imported; the engine,
rich, Textual and (for the Keras engine or an export only) TensorFlow are imported by the command
that needs them.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from collections.abc import Callable, Sequence
from typing import NoReturn

from nnplay import __version__
from nnplay.commands import COMMANDS
from nnplay.exit_codes import EXIT_BUG, EXIT_INTERRUPTED, EXIT_READER_GONE, EXIT_USAGE

DEFAULT_COMMAND = "play"


class _Parser(argparse.ArgumentParser):
    command_names: tuple[str, ...] = ()  # the sub-commands, once registered

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


def build_parser() -> _Parser:
    parser = _Parser(
        prog="nnplay",
        description="A terminal playground that demystifies neural networks. With no command, "
        "opens the playground on PRESET (default: the lecture's first step).",
        epilog="PRESET is a bundled preset id (see `nnplay presets`; a unique prefix such as 05 "
        "will do) or the path of a .toml file.",
    )
    parser.add_argument("--version", action="version", version=f"nnplay {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for command in COMMANDS:
        command.register(commands)
    parser.command_names = tuple(commands.choices)
    return parser


def _with_default_command(argv: list[str], names: Sequence[str]) -> list[str]:
    """``nnplay`` and ``nnplay PRESET`` mean ``nnplay play [PRESET]``."""
    if not argv or (argv[0] not in names and not argv[0].startswith("-")):
        return [DEFAULT_COMMAND, *argv]
    return argv


def main(argv: Sequence[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):  # a label the terminal's encoding lacks prints as \xe9, not a crash
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    parser = build_parser()
    try:
        args = parser.parse_args(_with_default_command(list(sys.argv[1:] if argv is None else argv), parser.command_names))
    except SystemExit as exc:  # --help, --version, or a usage error already printed
        return int(exc.code or 0)
    return _run(args.handler, args)


def _run(handler: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    """The command's exit code; what it raised, worded as one line (a bug of ours says so)."""
    from nnplay.engine.errors import NnplayError, clip

    try:
        with warnings.catch_warnings():
            warnings.showwarning = _one_line_warning
            code = handler(args)
        sys.stdout.flush()  # now, not at exit: a reader that went away is seen here
        return code
    except BrokenPipeError:  # the reader went away (`nnplay data 01 --json | head`): no traceback, no error line
        _silence_stdout()
        return EXIT_READER_GONE
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
        return EXIT_INTERRUPTED
    except Exception as exc:  # a bug of ours, not the user's input
        if os.environ.get("NNPLAY_DEBUG"):
            raise
        print(f"nnplay: internal error: {type(exc).__name__}: {exc} (set NNPLAY_DEBUG=1 for a traceback)", file=sys.stderr)
        return EXIT_BUG


def _silence_stdout() -> None:
    """Python's advice for SIGPIPE (the ``signal`` module's docs): point stdout's file descriptor at
    /dev/null, so the flush at exit, which would raise again, has somewhere to write."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout is no file (a test's capture): nothing will flush to a pipe
        pass


def _one_line_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """A library's warning as one line on stderr, without the source path and line that Python adds."""
    from nnplay.engine.errors import clip

    print(f"nnplay: warning: {clip(str(message), 200)}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
