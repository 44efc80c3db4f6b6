"""Names the spec accepts that a command line offers before any spec is loaded.

The spec (:mod:`nnplay.engine.spec`) types its fields with these; the CLI lists them as the choices
of its flags. Standard library only, so ``nnplay --help`` does not load pydantic to print them.
"""

#: The trainers a preset can name in ``train.engine``.
ENGINES: tuple[str, ...] = ("numpy", "keras")
