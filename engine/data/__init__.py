"""Data sources: each ``[data] source`` names a loader that returns a split :class:`Dataset`.

Importing this package is cheap: scikit-learn, Pillow, TensorFlow and tensorflow-datasets are
imported by the loader that needs them, when it runs.

=================  ==========================================================================
source             what it loads
=================  ==========================================================================
logistic           the lecture's data: X ~ N(0, 1), y ~ Bernoulli(sigmoid(X beta))
softmax            multi-class logistic data (labels drawn from a softmax of linear scores)
circles, xor,      the classic 2-D playground sets (n, noise; ``classes`` for gaussian and
moons, gaussian,   spiral)
spiral
regression         a tilted plane plus noise, for mean squared error (float targets)
breast_cancer,     small real sets bundled with scikit-learn
digits, iris, wine
malaria            the lecture's cell images through tensorflow-datasets (``limit = "all"``: every one)
folder             your images, one sub-folder per class
csv                your table: numeric feature columns and a label column
=================  ==========================================================================

Images (and CSV files of 64 MB or more) are decoded once into the data cache on disk
(:mod:`nnplay.engine.data.cache`) and their rows streamed from there a batch at a time
(:mod:`nnplay.engine.data.source`); the other sources are small enough to hold as arrays.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from nnplay.engine.data.dataset import Dataset, split
from nnplay.engine.data.describe import ClassCount, DataSummary, describe
from nnplay.engine.errors import DataError
from nnplay.engine.memory import loading_problems
from nnplay.engine.spec import DATA_MODELS

Loader = Callable[..., Dataset]

#: source -> "module:function" inside this package; the module is imported on first use. Derived
#: from the schema's one list of sources, so a new source is added in one place.
LOADERS: dict[str, str] = {source: model.loader for model in DATA_MODELS for source in model.sources()}


def get_loader(source: str) -> Loader:
    """The loader function registered for ``source`` (raises :class:`DataError` for unknown names)."""
    try:
        module_name, function = LOADERS[source].split(":")
    except KeyError:
        raise DataError(
            f"unknown source {source!r}; choose one of {', '.join(LOADERS)}", field="data.source"
        ) from None
    module = importlib.import_module(f"nnplay.engine.data.{module_name}")
    return getattr(module, function)


def load_data(spec) -> Dataset:
    """Load and split the data a ``[data]`` table describes (raises :class:`DataError`), with its
    feature inputs (``[data] inputs``) computed when it asks for them."""
    loader = get_loader(spec.source)
    problems = loading_problems(spec)  # before the loader makes room for the data
    if problems:
        raise DataError(problems)
    dataset = loader(spec)
    inputs = getattr(spec, "inputs", None)
    return dataset if inputs is None else with_inputs(dataset, inputs)


def with_inputs(dataset: Dataset, inputs: tuple[str, ...]) -> Dataset:
    """``dataset`` with its two columns replaced by the feature inputs computed from them."""
    from dataclasses import replace

    from nnplay.engine.features import check_source_width, expand

    check_source_width(dataset.name, dataset.n_features)
    return replace(
        dataset,
        x_train=expand(dataset.x_train, inputs),
        x_test=expand(dataset.x_test, inputs),
        feature_names=tuple(inputs),
        source_columns=(dataset.x_train, dataset.x_test),
    )


__all__ = [
    "LOADERS", "ClassCount", "DataError", "DataSummary", "Dataset", "describe", "get_loader",
    "load_data", "split",
]
