"""The lecture's malaria cell images, read through tensorflow-datasets.

As in the lecture: take the first ``limit`` images of the ``train`` split (2,500 by default, about
a tenth of the 27,558), resize each to ``image_size`` x ``image_size`` pixels, scale to [0, 1] and
flatten. The prepared pixels are cached (see :mod:`nnplay.engine.data.cache`), so only the first load
pays for TensorFlow and the decoding.

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
from nnplay.engine.data.dataset import Dataset, split
from nnplay.engine.data.images import array_pixels, channels, pixel_names
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
    """Malaria cell images, split and scaled; cached after the first load."""
    key = cache_key(spec)
    stored = cache.load(NAME, key)
    if stored is not None:
        pixels, labels = stored["x"], stored["y"]
        class_names = tuple(str(name) for name in stored["class_names"])
    else:
        pixels, labels, class_names = read_tfds(spec)
        cache.save(NAME, key, x=pixels, y=labels, class_names=np.asarray(class_names))
    return split(
        NAME, pixels, labels, test_size=spec.test_size, seed=spec.seed, standardize=spec.standardize,
        feature_names=pixel_names(spec.image_size, spec.color_mode), class_names=class_names,
        scale=1 / 255,
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


def read_tfds(spec: MalariaData) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """The first ``limit`` images as ``(n, size, size, channels)`` uint8, their labels and class names."""
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
    size, mode = spec.image_size, spec.color_mode
    limit = spec.limit
    capacity = limit if limit is not None else _split_size(info)
    pixels = np.empty((capacity, size, size, channels(mode)), dtype=np.uint8)
    labels = np.empty(capacity, dtype=np.int64)
    count = 0
    try:
        for example in tfds.as_numpy(ds):
            if count == capacity:
                if limit is not None:
                    break
                capacity *= 2  # the split's size was unknown; grow
                pixels = np.resize(pixels, (capacity, *pixels.shape[1:]))
                labels = np.resize(labels, capacity)
            pixels[count] = array_pixels(example["image"], size, mode)
            labels[count] = int(example["label"])
            count += 1
    except DataError:
        raise
    except Exception as exc:  # noqa: BLE001 (tf.data errors while reading the records)
        raise unreadable(exc) from None
    if count == 0:
        raise DataError(f"malaria in {shown} has no images; {advice}", field="data.source")
    return pixels[:count], labels[:count], class_names


def _split_size(info) -> int:
    try:
        return max(int(info.splits["train"].num_examples), 1)
    except Exception:  # noqa: BLE001 (metadata without split sizes, as in tests)
        return 1024


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
