"""Data sources: each ``[data] source`` names a loader that returns a split :class:`Dataset`."""

from __future__ import annotations

from collections.abc import Callable

from engine.data.dataset import Dataset
from engine.errors import DataError

Loader = Callable[..., Dataset]


def _loaders() -> dict[str, Loader]:
    from engine.data import synthetic

    return {"logistic": synthetic.logistic}


def load_data(spec) -> Dataset:
    """Load and split the data a ``[data]`` table describes (raises :class:`DataError`)."""
    loaders = _loaders()
    if spec.source not in loaders:
        raise DataError(f"source {spec.source!r} is not available yet", field="data.source")
    return loaders[spec.source](spec)


__all__ = ["Dataset", "load_data", "DataError"]
