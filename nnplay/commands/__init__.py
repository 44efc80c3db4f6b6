"""The sub-commands of ``nnplay``, one module each.

Every module has the same two functions (standard library only at import time: the engine, rich
and Textual are imported inside ``run``, so ``nnplay --help`` starts fast):

- ``register(commands)`` adds the command's sub-parser to argparse's sub-parsers and ends with
  ``parser.set_defaults(handler=run)``;
- ``run(args) -> int`` does the command and returns its exit code (:mod:`nnplay.exit_codes`).

To add a command, write ``nnplay/commands/<name>.py`` in that shape and add the module to
:data:`COMMANDS`; ``nnplay --help`` lists the commands in this order.
"""

from nnplay.commands import check, code, compare, data, play, predict, presets, runs, search, summary, train

COMMANDS = (play, presets, check, summary, data, train, predict, search, compare, runs, code)
