"""The lecture's malaria cell images, read through tensorflow-datasets.

As in the lecture: take the first ``limit`` images of the ``train`` split (2,500 by default, about
a tenth of the 27,558; ``limit = "all"`` takes every one), resize each to ``image_size`` x
``image_size`` pixels, scale to [0, 1] and flatten. The resized pixels are decoded once, as
``uint8``, into nnplay's data cache on disk (see :mod:`nnplay.engine.data.cache`): only the first
load pays for TensorFlow and the decoding, and training streams batches from there, so all
27,558 cells train in the memory 2,500 take.

Where tensorflow-datasets keeps its copy: the ``data_dir`` key, else ``$TFDS_DATA_DIR``, else
``~/tensorflow_datasets``. A copy already there is used without touching the network. Without
one, the loader first checks in a few seconds that the download host answers; if it does not,
the user gets one line that says what to do instead, rather than tensorflow-datasets retrying
for minutes and ending in a traceback.

TensorFlow and tensorflow-datasets are imported here only, inside the functions.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

import numpy as np

from nnplay.engine.data import cache
from nnplay.engine.data.dataset import Dataset, split_streamed
from nnplay.engine.data.images import array_pixels, pixel_names
from nnplay.engine.errors import DataError, clip
from nnplay.engine.spec import MalariaData
from nnplay.engine.user_paths import user_path

NAME = "malaria"
VERSION = "1.0.0"
CLASS_NAMES = ("parasitized", "uninfected")  # tensorflow-datasets' label names, in id order
PATH_LIMIT = 80  # a data folder named in an error line keeps its start and its end
#: What to do instead, in few words (the error line that carries it has named the folder).
WHAT_TO_DO = (
    f"put tensorflow-datasets' malaria/{VERSION} folder there or point data_dir at one, "
    'or use NIH\'s cell_images with source = "folder"'
)
DOWNLOAD_HOST = ("data.lhncbc.nlm.nih.gov", 443)  # where tensorflow-datasets fetches cell_images.zip
PROBE_SECONDS = 3.0


def data_dir(spec: MalariaData) -> Path:
    """The tensorflow-datasets folder this spec reads: ``data_dir``, ``$TFDS_DATA_DIR`` or the default."""
    if spec.data_dir:
        return user_path(spec.data_dir, "data.data_dir", DataError)
    return Path(os.path.expanduser(os.environ.get("TFDS_DATA_DIR") or "~/tensorflow_datasets"))


def cache_key(spec: MalariaData) -> str:
    """What the prepared pixels depend on. The data folder is part of it, so pixels prepared from
    one copy (a test's mock data, say) are never served for another."""
    where = data_dir(spec).resolve()
    return f"{NAME}/{VERSION}|limit={spec.limit}|size={spec.image_size}|color={spec.color_mode}|dir={where}"


def malaria(spec: MalariaData) -> Dataset:
    """Malaria cell images, split and scaled; decoded once into the on-disk cache, then streamed."""

    def build(folder: Path) -> dict:
        rows, labels, class_names = read_tfds(spec)
        cache.check_room(rows.capacity, spec.n_features(), "data.limit")
        count = cache.write_rows(folder / "x.npy", rows, spec.n_features(), capacity=rows.capacity)
        cache.save_labels(folder, labels[:count])
        return {"class_names": list(class_names)}

    entry = cache.cached(NAME, cache_key(spec), build)
    return split_streamed(
        NAME, entry.x, entry.y, test_size=spec.test_size, seed=spec.seed, standardize=spec.standardize,
        feature_names=pixel_names(spec.image_size, spec.color_mode),
        class_names=tuple(entry.meta["class_names"]), scale=1 / 255,
    )


def _quiet_tensorflow() -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    try:
        from absl import logging as absl_logging

        absl_logging.set_verbosity(absl_logging.ERROR)
    except ImportError:
        pass


def host_answers(address: tuple[str, int] | None = None, timeout: float = PROBE_SECONDS) -> bool:
    """Whether a TCP connection to ``address`` (default: the download host) opens within ``timeout`` s."""
    try:
        with socket.create_connection(address or DOWNLOAD_HOST, timeout=timeout):
            return True
    except OSError:
        return False


def read_tfds(spec: MalariaData) -> tuple[_Rows, _Labels, tuple[str, ...]]:
    """The first ``limit`` images (every one for ``limit = "all"``), resized, one at a time as
    the returned rows are iterated; their labels (complete once the rows have run out) and the
    class names."""
    _quiet_tensorflow()
    try:
        import tensorflow_datasets as tfds
    except ImportError as exc:
        raise DataError(
            f"the malaria source needs tensorflow-datasets ({exc}); install it with: pip install tensorflow-datasets",
            field="data.source",
        ) from None
    where = data_dir(spec)
    shown, advice = clip(str(where), PATH_LIMIT), WHAT_TO_DO

    def unreadable(exc: BaseException) -> DataError:
        return DataError(f"malaria in {shown} could not be read ({_first_line(exc)}); {advice}", field="data.source")

    try:
        ds, info = tfds.load(
            NAME, split="train", data_dir=str(where), download=False, shuffle_files=False, with_info=True
        )
    except (AssertionError, FileNotFoundError) as missing:  # "could not find data in ..."
        if not host_answers():
            raise DataError(
                f"malaria is not in {shown} and {DOWNLOAD_HOST[0]} cannot be reached (offline?); {advice}",
                field="data.source",
            ) from None
        try:
            ds, info = tfds.load(
                NAME, split="train", data_dir=str(where), download=True, shuffle_files=False, with_info=True
            )
        except Exception as exc:  # noqa: BLE001 (any failure of a download is the user's to act on)
            raise DataError(
                f"malaria could not be downloaded to {shown} ({_first_line(exc)}); {advice}",
                field="data.source",
            ) from None
        del missing
    except Exception as exc:  # noqa: BLE001 (a copy that is there but broken)
        raise unreadable(exc) from None

    try:
        class_names = tuple(str(name) for name in info.features["label"].names)
    except (KeyError, AttributeError):
        class_names = CLASS_NAMES
    limit = spec.row_limit()
    known = _split_size(info)
    capacity = limit if limit is not None else known or 1024
    if limit is not None and known:
        capacity = min(limit, known)
    labels: list[int] = []
    empty = DataError(f"malaria in {shown} has no images; {advice}", field="data.source")
    return _Rows(tfds.as_numpy(ds), spec, limit, capacity, labels, unreadable, empty), _Labels(labels), class_names


class _Labels:
    """The labels :class:`_Rows` collects as it goes, read once it has run out."""

    def __init__(self, labels: list[int]) -> None:
        self.labels = labels

    def __getitem__(self, rows: slice) -> np.ndarray:
        return np.asarray(self.labels, dtype=np.int64)[rows]


class _Rows:
    """The split's images, resized and flattened one at a time as they are written to the cache
    (never all in memory), the first ``limit`` of them or every one; their labels go to
    ``labels``. ``capacity`` is how many are expected."""

    def __init__(self, examples, spec: MalariaData, limit: int | None, capacity: int, labels: list[int],
                 unreadable, empty: DataError) -> None:
        self.examples, self.spec, self.limit = examples, spec, limit
        self.capacity, self.labels, self.unreadable, self.empty = capacity, labels, unreadable, empty

    def __iter__(self):
        size, mode = self.spec.image_size, self.spec.color_mode
        try:
            for example in self.examples:
                if self.limit is not None and len(self.labels) == self.limit:
                    break
                pixels = array_pixels(example["image"], size, mode)
                self.labels.append(int(example["label"]))
                yield pixels
        except DataError:
            raise
        except Exception as exc:  # noqa: BLE001 (tf.data errors while reading the records)
            raise self.unreadable(exc) from None
        if not self.labels:
            raise self.empty


def _split_size(info) -> int | None:
    """The train split's size as the metadata states it (``None``: unknown, as in tests)."""
    try:
        return int(info.splits["train"].num_examples) or None
    except Exception:  # noqa: BLE001 (metadata without split sizes)
        return None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
