"""The exit codes of ``nnplay``: what a script can tell from ``$?``."""

EXIT_OK = 0
EXIT_BUG = 1  # an error of ours, not the user's input
EXIT_USAGE = 2  # bad input: a flag, a preset, a file (one line on stderr names it)
EXIT_READER_GONE = 1  # stdout's reader closed the pipe: quiet, as Python's docs advise (and rich does)
EXIT_DIVERGED = 3  # the run diverged, or a search had no trial complete
EXIT_INTERRUPTED = 130  # a second Ctrl-C (128 + SIGINT), as shells report it
