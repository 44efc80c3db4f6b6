"""Images as rows of numbers: the ``folder`` source, and the pixel helpers malaria shares.

A folder data set has one sub-folder per class, named after it, like the NIH malaria download::

    cell_images/
        Parasitized/  C33P1thinF_IMG_20150619_114756a_cell_179.png ...
        Uninfected/   C1_thinF_IMG_20150604_104722_cell_9.png ...

Every image is converted to RGB or grayscale, resized to ``image_size`` x ``image_size`` pixels,
scaled to [0, 1] and flattened into one row. The pixels are decoded once, as ``uint8``, into
nnplay's data cache on disk (:mod:`nnplay.engine.data.cache`); training reads them from there a
batch at a time, so a folder of any size trains in the same memory.
"""

from __future__ import annotations

import hashlib
import os
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from nnplay.engine.data import cache
from nnplay.engine.data.dataset import Dataset, split_streamed
from nnplay.engine.errors import DataError
from nnplay.engine.spec import FolderData
from nnplay.engine.user_paths import user_path

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp", ".ppm", ".pgm"})


def channels(color_mode: str) -> int:
    return 3 if color_mode == "rgb" else 1


def pixel_names(size: int, color_mode: str) -> tuple[str, ...]:
    """One name per flattened pixel value, in row-major order: ``r0c0`` (gray) or ``r0c0_R`` (RGB)."""
    if color_mode != "rgb":
        return tuple(f"r{r}c{c}" for r in range(size) for c in range(size))
    return tuple(f"r{r}c{c}_{band}" for r in range(size) for c in range(size) for band in "RGB")


def resize_pixels(image, size: int, color_mode: str) -> np.ndarray:
    """A PIL image as a ``(size, size, channels)`` uint8 array."""
    from PIL import Image

    image = image.convert("RGB" if color_mode == "rgb" else "L")
    if image.size != (size, size):
        image = image.resize((size, size), Image.Resampling.BILINEAR)
    pixels = np.asarray(image, dtype=np.uint8)
    return pixels.reshape(size, size, channels(color_mode))


def array_pixels(array: np.ndarray, size: int, color_mode: str) -> np.ndarray:
    """A ``(h, w, c)`` uint8 array (as tensorflow-datasets yields) resized like a file's image."""
    from PIL import Image

    array = np.asarray(array, dtype=np.uint8)
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[:, :, 0]
    return resize_pixels(Image.fromarray(array), size, color_mode)


def _read(path: Path, size: int, color_mode: str) -> np.ndarray:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            if image.format == "JPEG":
                image.draft("RGB" if color_mode == "rgb" else "L", (size, size))  # decode at a smaller scale
            return resize_pixels(image, size, color_mode)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise DataError(
            f"{path}: the image claims more than {Image.MAX_IMAGE_PIXELS:,} pixels, more than Pillow will decode"
            " (a damaged or hostile file?)", field="data.path",
        ) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise DataError(f"{path}: cannot read this image ({reason})", field="data.path") from None


def read_images(paths: list[Path], size: int, color_mode: str, workers: int | None = None,
                out: np.ndarray | None = None) -> np.ndarray:
    """Decode and resize ``paths`` into one ``(n, size, size, channels)`` uint8 array, or into
    ``out`` (``(n, size * size * channels)``: a memory map of the cache, filled row by row).

    Pillow releases the GIL while it decodes and resizes, so a few threads share the work.
    """
    if out is None:
        out = np.empty((len(paths), size, size, channels(color_mode)), dtype=np.uint8)

    def load(i: int) -> None:
        out[i] = _read(paths[i], size, color_mode).reshape(out.shape[1:])

    from PIL import Image

    workers = workers or min(4, os.cpu_count() or 1)
    with warnings.catch_warnings():  # set here, around the workers: the filter list is global
        # A file whose header claims more pixels than Pillow's guard allows is refused, never
        # decoded: past twice the limit Pillow raises, between once and twice it only warns.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        if workers <= 1 or len(paths) < 64:
            for i in range(len(paths)):
                load(i)
        else:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                for _ in pool.map(load, range(len(paths)), chunksize=32):
                    pass  # re-raises the first DataError
    return out


def is_image(path: Path) -> bool:
    return path.suffix.lower() in IMAGE_SUFFIXES and not path.name.startswith(".") and path.is_file()


def scan_folder(root: Path) -> tuple[tuple[str, ...], list[Path], np.ndarray]:
    """Class names (sorted sub-folder names), every image path and its class id."""
    where = "data.path"
    if not root.exists():
        raise DataError(f"{root}: no such folder", field=where)
    if not root.is_dir():
        raise DataError(f"{root}: is a file; give the folder that holds one sub-folder of images per class", field=where)
    try:
        return _scan(root, where)
    except OSError as exc:  # a folder we may not list, a link that loops, a name too long ...
        raise DataError(f"{exc.filename or root}: cannot read ({exc.strerror or exc})", field=where) from None


def _scan(root: Path, where: str) -> tuple[tuple[str, ...], list[Path], np.ndarray]:
    entries = sorted(p for p in root.iterdir() if not p.name.startswith("."))
    broken = [p for p in entries if p.is_symlink() and not p.exists()]
    if broken:
        raise DataError(f"{broken[0]}: a link to {os.readlink(broken[0])!r}, which does not exist", field=where)
    class_dirs = [p for p in entries if p.is_dir()]
    if not class_dirs:
        if any(is_image(p) for p in entries):
            raise DataError(
                f"{root}: holds images but no class sub-folders; put each class's images in a sub-folder named after it",
                field=where,
            )
        raise DataError(f"{root}: the folder is empty; put one sub-folder of images per class in it", field=where)
    paths: list[Path] = []
    labels: list[int] = []
    for class_id, folder in enumerate(class_dirs):
        images = sorted(p for p in folder.iterdir() if is_image(p))
        if not images:
            raise DataError(
                f"{folder}: class folder has no images (looked for {', '.join(sorted(IMAGE_SUFFIXES))})",
                field=where,
            )
        paths.extend(images)
        labels.extend([class_id] * len(images))
    if len(class_dirs) < 2:
        raise DataError(
            f"{root}: only one class folder ({class_dirs[0].name}); a classifier needs at least two", field=where
        )
    return tuple(p.name for p in class_dirs), paths, np.asarray(labels, dtype=np.int64)


def choose(n: int, limit: int | None, seed: int) -> np.ndarray:
    """Row indices to keep: all of them, or ``limit`` drawn at random (seeded), in file order."""
    if limit is None or limit >= n:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, size=limit, replace=False))


def _fingerprint(paths: list[Path]) -> str:
    """Changes when any chosen file is added, removed, renamed or rewritten."""
    digest = hashlib.sha1()
    for path in paths:
        stat = path.stat()
        digest.update(f"{path}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def decoder(paths: list[Path], labels: np.ndarray, class_names: tuple[str, ...], size: int,
            color_mode: str) -> cache.Builder:
    """What decodes ``paths`` into a cache entry: their pixels straight into the entry's memory map."""

    def build(folder: Path) -> dict:
        n_features = size * size * channels(color_mode)
        cache.check_room(len(paths), n_features, "data.limit")
        pixels = np.lib.format.open_memmap(folder / "x.npy", mode="w+", dtype=np.uint8, shape=(len(paths), n_features))
        read_images(paths, size, color_mode, out=pixels)
        pixels.flush()
        cache.save_labels(folder, labels)
        return {"class_names": list(class_names)}

    return build


def folder(spec: FolderData) -> Dataset:
    """Your own images: one sub-folder per class (the class names are the folder names), decoded
    once into the on-disk cache and streamed from there."""
    root = user_path(spec.path, "data.path", DataError).resolve()
    class_names, paths, labels = scan_folder(root)
    keep = choose(len(paths), spec.limit, spec.seed)
    paths = [paths[i] for i in keep]
    labels = labels[keep]
    key = f"folder|{root}|{spec.image_size}|{spec.color_mode}|{spec.limit}|{spec.seed}|{_fingerprint(paths)}"

    entry = cache.cached("folder", key, decoder(paths, labels, class_names, spec.image_size, spec.color_mode))
    return split_streamed(
        root.name or str(root), entry.x, entry.y, test_size=spec.test_size, seed=spec.seed,
        standardize=spec.standardize, feature_names=pixel_names(spec.image_size, spec.color_mode),
        class_names=tuple(entry.meta["class_names"]), scale=1 / 255,
    )
