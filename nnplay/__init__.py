"""nnplay: a terminal playground that demystifies neural networks.

One import name holds the whole product. In the repository its parts sit at the top level and are
mapped under this package when it is installed (see ``[tool.setuptools.package-dir]``):

- ``nnplay.engine``: the library (specs, data, the NumPy and Keras trainers, export), no UI in it;
- ``nnplay.tui``: the Textual playground, which draws what the engine reports;
- ``nnplay.presets``: the lecture presets, shipped as package data;
- ``nnplay.cli``: the ``nnplay`` command, headless sub-commands and the playground's launcher.
"""

__version__ = "0.1.0"
