"""How much memory a run needs, estimated from the spec before anything is allocated.

The schema bounds each number on its own (up to a million rows, ten thousand features, layers of a
hundred thousand units), but their products can ask for more memory than the machine has: a
logistic set of 10**6 rows by 10**4 features is 80 GB as float64 before it is ever split. Asking
the operating system for that either fails late with ``MemoryError`` or gets the process killed,
so :func:`memory_problems` refuses such a run up front and says about how much it would need, and
:func:`loading_problems` refuses to load such data at all (``nnplay data``, the playground's preview).
A model alone allocates nothing until it trains: validating or summarising an 11-billion-parameter
net is fine, training it is refused.

The estimate counts the big arrays only, per row of data and per parameter:

* data: the features as generated (float64) and as trained on (float32, or float64 again), the
  encoded targets, and the largest forward pass (a batch, the validation or the test rows: two
  arrays per layer output); for images, streamed from the on-disk cache, only the labels and one
  batch (its features and its forward pass);
* model: the weights, their gradients and the optimizer's slots (momentum: one, Adam: two),
  a second copy for the last finite weights, and one for early stopping's best weights.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from nnplay.engine.errors import Problem
from nnplay.engine.splits import test_rows, training_rows
from nnplay.engine.summary import summarize

if TYPE_CHECKING:
    from nnplay.engine.spec import DataSpec, Preset

ITEMSIZE = {"float32": 4, "float64": 8}
GENERATED_ITEMSIZE = 8  # NumPy draws synthetic data as float64


@dataclass(frozen=True)
class MemoryNeed:
    data_bytes: int
    model_bytes: int

    @property
    def total_bytes(self) -> int:
        return self.data_bytes + self.model_bytes


def optimizer_slots(preset: Preset) -> int:
    """Arrays the optimizer keeps per parameter: Adam's two moments, SGD's momentum buffer."""
    optimizer = preset.train.optimizer
    if optimizer.name == "adam":
        return 2
    return 1 if optimizer.momentum > 0 else 0


def estimate(preset: Preset, rows: int, n_features: int) -> MemoryNeed:
    """Bytes the run needs for ``rows`` rows of ``n_features`` features (see the module's notes)."""
    train = preset.train
    itemsize = ITEMSIZE[train.dtype]
    summary = summarize(preset.model, n_features)
    per_row = n_features * (GENERATED_ITEMSIZE + itemsize) + preset.model.output_units * itemsize
    held_out = test_rows(rows, preset.data.test_size)
    fit_rows = rows - held_out
    batch = train.batch_rows(fit_rows)
    # The largest single forward pass: a batch, the validation rows or the test rows.
    pass_rows = max(batch, fit_rows - training_rows(fit_rows, train.validation_split), held_out)
    batch_bytes = 0
    if getattr(preset.data, "streamed", False):
        # Rows stay on disk: in memory are their labels and row numbers, one batch as floats,
        # and one forward pass of a batch (held-out rows are scored a batch at a time, too).
        per_row = 2 * 8 + preset.model.output_units * itemsize
        pass_rows, batch_bytes = batch, batch * n_features * (4 + itemsize)
    outputs = sum(layer.output_shape[-1] or 0 for layer in summary.layers)
    copies = 3 + optimizer_slots(preset) + (1 if train.early_stopping is not None else 0)
    data_bytes = rows * per_row + batch_bytes + pass_rows * 2 * outputs * itemsize
    return MemoryNeed(data_bytes, summary.total_params * itemsize * copies)


def available_bytes() -> int | None:
    """The machine's memory, or the container's limit when that is lower (``None``: unknown)."""
    try:
        total = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return None
    try:
        with open("/sys/fs/cgroup/memory.max", encoding="ascii") as handle:
            limit = handle.read().strip()
    except OSError:
        return total
    return min(total, int(limit)) if limit.isdigit() else total


def human_bytes(n: float) -> str:
    """``1.5e9`` -> ``"1.5 GB"`` (powers of 1000, as disks and memory sticks are sold)."""
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if n < 1000 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    raise AssertionError("unreachable")


def memory_problems(preset: Preset, rows: int | None, n_features: int | None, rows_field: str = "data.n",
                    available: int | None = None) -> list[Problem]:
    """A problem when the run would need more memory than there is; empty otherwise.

    ``rows`` or ``n_features`` may be ``None`` while only loading can tell them: the estimate then
    leaves out what it cannot count, so it is a lower bound and never refuses a run that fits.
    The problem names what makes the run big: ``rows_field`` for the data, else the widest layer.
    """
    available = available_bytes() if available is None else available
    if available is None:
        return []
    need = estimate(preset, rows or 0, n_features or 0)
    if need.total_bytes <= available:
        return []
    if need.data_bytes >= need.model_bytes:
        field, value = rows_field, rows
    else:
        summary = summarize(preset.model, n_features or 0)
        widest = max(range(len(summary.layers)), key=lambda i: summary.layers[i].params)
        field, value = f"model.layers[{widest}].units", preset.model.layers[widest].units
    return [Problem(field, (
        f"this run would need about {human_bytes(need.total_bytes)} of memory (data {human_bytes(need.data_bytes)}, "
        f"weights and optimizer {human_bytes(need.model_bytes)}), more than this machine's {human_bytes(available)}; "
        f"make it smaller (got {value})"
    ))]


def loading_problems(data: DataSpec, available: int | None = None) -> list[Problem]:
    """A problem when the data alone, as generated (float64), would not fit in memory; empty when it
    fits or when only loading can tell its size."""
    rows, n_features = data.n_rows(), data.n_features()
    available = available_bytes() if available is None else available
    if rows is None or n_features is None or available is None:
        return []
    need = rows * n_features * GENERATED_ITEMSIZE
    if need <= available:
        return []
    return [Problem(f"data.{data.rows_key}", (
        f"this data would need about {human_bytes(need)} of memory to load, more than this machine's "
        f"{human_bytes(available)}; make it smaller (got {rows})"
    ))]
