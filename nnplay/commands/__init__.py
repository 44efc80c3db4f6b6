"""One module per ``nnplay`` command: each has ``register(commands)`` and ``run(args) -> int``."""
