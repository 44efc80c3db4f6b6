"""Feature rows as the trainers, ``predict``, the search and the views read them: a feature source.

A source is a table of ``len(source)`` rows by ``n_features`` columns that hands out rows as float
arrays on request, so a consumer never needs the whole table in memory:

* :class:`ArraySource` wraps an array already in memory (the synthetic sets, scikit-learn's, a CSV);
* :class:`StreamedSource` reads rows of a ``uint8`` memory map on disk (the image cache, see
  :mod:`nnplay.engine.data.cache`) and turns only the rows asked for into float32: scaled (pixels
  times ``1/255``) and standardised with the training rows' mean and standard deviation.

Both answer to the same calls: ``batch(rows)`` (the rows at ``rows``, an index array or a slice,
in that order), ``chunks()`` (every row in order, a bounded block at a time), ``source[a:b]`` (a
view of consecutive rows, itself a source, as NumPy slicing gives a view) and ``as_array()`` (the
whole table, for small data and the pictures that plot every row). ``np.asarray(source)`` works
too, for the same small cases.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, replace

import numpy as np

#: Values (rows x features) per block when a source is read through in order: about 1 MB of
#: float32, whatever the number of rows, so a pass over the data needs the same memory at any size.
CHUNK_VALUES = 1 << 18
#: The fewest rows in a block, whatever the width: a malaria block is 64 x 30,000 values (7.7 MB).
MIN_ROWS = 64
FLOAT32 = np.dtype(np.float32)


class FeatureSource(ABC):
    """Rows of features, read a batch at a time (see the module's notes)."""

    @property
    @abstractmethod
    def n_features(self) -> int: ...

    @property
    @abstractmethod
    def dtype(self) -> np.dtype: ...

    @abstractmethod
    def __len__(self) -> int: ...

    @abstractmethod
    def batch(self, rows: np.ndarray | slice) -> np.ndarray:
        """The rows at ``rows`` (an index array or a slice), in that order, as ``dtype``."""

    @abstractmethod
    def subset(self, rows: slice) -> FeatureSource:
        """A view of consecutive rows (no copy)."""

    @abstractmethod
    def astype(self, dtype, copy: bool = False) -> FeatureSource:
        """The same rows handed out as ``dtype`` (``copy`` is accepted for NumPy's signature)."""

    #: Whether the rows already sit in memory (then :meth:`as_array` costs nothing).
    in_memory: bool = False

    # -- derived: the same for every source --------------------------------------------------

    @property
    def shape(self) -> tuple[int, int]:
        return (len(self), self.n_features)

    ndim = 2

    @property
    def size(self) -> int:
        return len(self) * self.n_features

    def chunk_rows(self) -> int:
        """Rows per block of :meth:`chunks`: about 1 MB of float32, and at least :data:`MIN_ROWS`
        (scoring a block reads every weight once, so wide rows need blocks of some height)."""
        return max(MIN_ROWS, CHUNK_VALUES // max(self.n_features, 1))

    def chunks(self, rows: int | None = None) -> Iterator[np.ndarray]:
        """Every row in order, ``rows`` (default: :meth:`chunk_rows`) at a time."""
        step = rows or self.chunk_rows()
        for start in range(0, len(self), step):
            yield self.batch(slice(start, start + step))

    def as_array(self) -> np.ndarray:
        """All rows as one array: only for data small enough to hold (or already held)."""
        if not len(self):
            return np.empty((0, self.n_features), dtype=self.dtype)
        return np.concatenate(list(self.chunks()))

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        array = self.as_array()
        return array if dtype is None else array.astype(dtype, copy=False)

    def __getitem__(self, key):
        """``source[a:b]`` is a view (a source); ``source[rows]`` and ``source[i]`` read rows."""
        if isinstance(key, slice):
            return self.subset(key)
        if isinstance(key, tuple):  # source[rows, columns]: read the rows, then index the block
            return self.batch(_as_rows(key[0], len(self)))[(slice(None), *key[1:])]
        if np.isscalar(key):
            return self.batch(np.asarray([key]))[0]
        return self.batch(_as_rows(key, len(self)))

    def min(self) -> float:
        return float(min(block.min() for block in self.chunks())) if len(self) else 0.0

    def max(self) -> float:
        return float(max(block.max() for block in self.chunks())) if len(self) else 0.0


def _as_rows(key, n: int) -> np.ndarray | slice:
    if isinstance(key, slice):
        return key
    rows = np.asarray(key)
    if rows.dtype == bool:
        return np.flatnonzero(rows)
    return np.where(rows < 0, rows + n, rows)


class ArraySource(FeatureSource):
    """Rows already in memory (any 2-D float array)."""

    in_memory = True

    def __init__(self, array: np.ndarray) -> None:
        self.array = array

    @property
    def n_features(self) -> int:
        return int(self.array.shape[1])

    @property
    def dtype(self) -> np.dtype:
        return self.array.dtype

    def __len__(self) -> int:
        return len(self.array)

    def batch(self, rows: np.ndarray | slice) -> np.ndarray:
        return self.array[rows]

    def subset(self, rows: slice) -> ArraySource:
        return ArraySource(self.array[rows])

    def astype(self, dtype, copy: bool = False) -> ArraySource:
        return ArraySource(self.array.astype(dtype, copy=copy))

    def as_array(self) -> np.ndarray:
        return self.array


@dataclass(frozen=True, eq=False)
class StreamedSource(FeatureSource):
    """Rows ``rows`` of a memory-mapped table (``uint8`` pixels, or a large CSV's float32 numbers),
    made float only a batch at a time.

    A batch is computed exactly as an in-memory split computes the whole set (float32, times
    ``scale``, minus ``mean``, over ``std``), so the two hand out the very same numbers.
    """

    pixels: np.ndarray  # (rows on disk, features), any dtype; usually a read-only np.memmap
    rows: np.ndarray  # int64 row numbers into ``pixels``: the rows this source stands for
    scale: float | None = None
    mean: np.ndarray | None = None  # (features,), with ``std``: standardise
    std: np.ndarray | None = None
    out_dtype: np.dtype = FLOAT32

    @property
    def n_features(self) -> int:
        return int(self.pixels.shape[1])

    @property
    def dtype(self) -> np.dtype:
        return np.dtype(self.out_dtype)

    def __len__(self) -> int:
        return len(self.rows)

    def batch(self, rows: np.ndarray | slice) -> np.ndarray:
        wanted = self.rows[rows]
        # Read in file order (one sweep over the disk), then put the rows back in the order asked.
        order = np.argsort(wanted, kind="stable")
        raw = np.empty((len(wanted), self.n_features), dtype=self.pixels.dtype)
        raw[order] = self.pixels[wanted[order]]
        out = raw.astype(np.float32)
        if self.scale is not None:
            out *= np.float32(self.scale)
        if self.mean is not None and self.std is not None:
            if self.mean.dtype == np.float64:  # a table's numbers, up to float32's limit: no overflow
                out = ((out - self.mean) / self.std).astype(np.float32)
            else:
                out -= self.mean
                out /= self.std
        return out.astype(self.out_dtype, copy=False)

    def subset(self, rows: slice) -> StreamedSource:
        return replace(self, rows=self.rows[rows])

    def astype(self, dtype, copy: bool = False) -> StreamedSource:
        return replace(self, out_dtype=np.dtype(dtype))

    def standardized(self, mean: np.ndarray, std: np.ndarray) -> StreamedSource:
        """Standardised with ``mean`` and ``std``: in float32 for pixels (as an in-memory split
        does), in float64 for a table, whose values may come near float32's limit."""
        kind = np.float64 if self.pixels.dtype.kind == "f" else np.float32
        return replace(self, mean=mean.astype(kind), std=std.astype(kind))


def as_source(x: np.ndarray | FeatureSource, dtype=None) -> FeatureSource:
    """``x`` as a source of ``dtype`` rows (an array is wrapped, converted once when needed)."""
    if isinstance(x, FeatureSource):
        return x if dtype is None or x.dtype == np.dtype(dtype) else x.astype(dtype)
    return ArraySource(np.asarray(x, dtype=dtype))


def feature_stats(source: FeatureSource) -> tuple[np.ndarray, np.ndarray]:
    """Per-feature mean and standard deviation (float64) in ONE pass over ``source``, a block at
    a time: each block's mean and sum of squared deviations are merged into the running ones
    (Chan, Golub and LeVeque's update), which stays exact where sum-of-squares would cancel."""
    count = 0
    mean = np.zeros(source.n_features)
    squares = np.zeros(source.n_features)  # sum of squared deviations from the mean
    for block in source.chunks():
        block = block.astype(np.float64)
        n = len(block)
        block_mean = block.mean(axis=0)
        block_squares = ((block - block_mean) ** 2).sum(axis=0)
        delta = block_mean - mean
        total = count + n
        mean += delta * (n / total)
        squares += block_squares + delta**2 * (count * n / total)
        count = total
    std = np.sqrt(squares / max(count, 1))
    return mean, std


def chunks(x: np.ndarray | FeatureSource, rows: int | None = None) -> Iterator[np.ndarray]:
    """Blocks of rows of an array or a source, in order (a view of the array; read from a source)."""
    yield from as_source(x).chunks(rows)
