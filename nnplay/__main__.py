"""``python -m nnplay``: the same as the ``nnplay`` command."""

import sys

from nnplay.cli import main

sys.exit(main())
