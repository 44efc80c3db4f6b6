"""How a data set's rows are divided, as the libraries nnplay follows divide them.

Pure arithmetic on row counts, so the schema's size rules can count rows without importing the
trainers: the test split is scikit-learn's (``train_test_split`` rounds the test share up), the
validation split Keras's (the last ``fraction`` of the training rows, the kept share rounded down).
"""

from __future__ import annotations

import math


def test_rows(n_rows: int, test_size: float) -> int:
    """Rows ``train_test_split`` puts in the test set: the share rounded up."""
    return math.ceil(n_rows * test_size)


def training_rows(n_rows: int, fraction: float) -> int:
    """How many of ``n_rows`` rows train when the last ``fraction`` validate (Keras's rounding)."""
    return math.floor(n_rows * (1.0 - fraction)) if fraction else n_rows
