"""Map the repository's top-level folders under the one import name ``nnplay``.

The product's layout keeps ``engine/``, ``tui/`` and ``presets/`` at the top of the repository, but an
installed nnplay must claim exactly one import name: ``engine``, ``tui`` and ``presets`` are generic
names that other distributions on the package index use. ``package_dir`` installs each folder as a
sub-package of ``nnplay`` (``nnplay.engine`` ...), and the package list is derived from the tree, so
a new sub-package needs no edit here. Everything else about the project is in pyproject.toml.
"""

from setuptools import find_packages, setup

PARTS = ("engine", "tui", "presets")

package_dir = {"nnplay": "nnplay", **{f"nnplay.{part}": part for part in PARTS}}
packages = ["nnplay", *(f"nnplay.{sub}" for sub in find_packages(where="nnplay"))] + [
    f"nnplay.{part}{'.' + sub if sub else ''}"
    for part in PARTS
    for sub in ["", *find_packages(where=part)]
]

setup(package_dir=package_dir, packages=packages)
