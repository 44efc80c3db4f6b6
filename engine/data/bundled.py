"""Small real data sets that ship inside scikit-learn: no download, no network."""

from __future__ import annotations

import numpy as np

from nnplay.engine.data.dataset import Dataset, split
from nnplay.engine.spec import BundledData


def bundled(spec: BundledData) -> Dataset:
    """``breast_cancer`` (30 measurements, 2 classes), ``digits`` (8x8 images, 10 classes),
    ``iris`` (4 measurements, 3 species) or ``wine`` (13 measurements, 3 cultivars)."""
    import sklearn.datasets

    bunch = getattr(sklearn.datasets, f"load_{spec.source}")()  # the names of BUNDLED_SHAPES
    x = np.asarray(bunch.data, dtype=np.float32)
    y = np.asarray(bunch.target, dtype=np.int64)
    feature_names = tuple(str(name) for name in bunch.feature_names)
    class_names = tuple(str(name) for name in bunch.target_names)
    return split(
        spec.source, x, y, test_size=spec.test_size, seed=spec.seed, standardize=spec.standardize,
        feature_names=feature_names, class_names=class_names,
    )
