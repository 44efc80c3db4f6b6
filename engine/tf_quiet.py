"""Import Keras without TensorFlow's start-up chatter reaching the user's screen.

TensorFlow prints C++ log lines when it loads (CPU feature notices, "oneDNN custom operations are
on", CUDA probing), Keras logs through absl (the "HDF5 file format is considered legacy" warning on
every ``.h5`` save), and a few libraries raise Python warnings. None of it is something a student can
act on, and inside the TUI it would scribble over the screen. The C++ level is read from the
environment once, when TensorFlow is first imported, so :func:`keras` sets it before importing.

The legacy HDF5 format is a deliberate choice of the product (the lecture saves ``malaria.h5``), so
the warning about it is silenced rather than obeyed.

Nothing here imports TensorFlow at module import time: call :func:`keras` to get the module.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import warnings
from collections.abc import Iterator
from types import ModuleType

_DONE = False


def _quiet_environment() -> None:
    # 0 = all, 1 = no INFO, 2 = no WARNING, 3 = no ERROR. A user who set it keeps their choice.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")


def _quiet_python_side() -> None:
    try:
        from absl import logging as absl_logging

        absl_logging.set_verbosity(absl_logging.ERROR)
        absl_logging.set_stderrthreshold("error")
    except ImportError:  # absl comes with TensorFlow; without it there is nothing to silence
        pass
    for name in ("tensorflow", "absl", "keras", "h5py"):
        logging.getLogger(name).setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", message=r".*HDF5 file.*legacy.*")
    warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"(tensorflow|keras|absl|h5py)(\.|$)")
    warnings.filterwarnings("ignore", category=FutureWarning, module=r"(tensorflow|keras)(\.|$)")
    # Keras warns through `warnings` when a layer gets an `input_shape` or a model is built twice;
    # our builder does neither, but a loaded user file might.
    warnings.filterwarnings("ignore", category=UserWarning, module=r"keras(\.|$)")


@contextlib.contextmanager
def _stderr_muted() -> Iterator[None]:
    """Point file descriptor 2 at /dev/null for a moment.

    TensorFlow 2.19+ logs its import-time notices through absl's C++ logger before anyone can
    initialise it, and that path ignores ``TF_CPP_MIN_LOG_LEVEL`` (tensorflow/tensorflow#100442).
    The only switch left is the descriptor itself. Python-level errors are exceptions, not writes to
    stderr, so nothing a user needs is lost.
    """
    try:
        sys.stderr.flush()
        saved = os.dup(2)
        devnull = os.open(os.devnull, os.O_WRONLY)
    except (OSError, ValueError, AttributeError):  # no real descriptor 2 (embedded, odd test runner)
        yield
        return
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


#: Point descriptor 2 at /dev/null around a TensorFlow call that may log from C++ (the CUDA probe).
stderr_muted = _stderr_muted


def tensorflow() -> ModuleType:
    """The ``tensorflow`` module, imported quietly, with its devices not yet started: nothing here
    runs an op, so :mod:`nnplay.engine.devices` can still split the CPU into logical devices."""
    _quiet_environment()
    _quiet_python_side()
    if "tensorflow" in sys.modules:
        import tensorflow as tf
    else:
        with _stderr_muted():
            import tensorflow as tf
    return tf


def keras() -> ModuleType:
    """The ``keras`` module, imported quietly (TensorFlow backend). Safe to call many times."""
    global _DONE
    if not _DONE:
        _quiet_environment()
        _quiet_python_side()
    if "keras" in sys.modules:
        import keras as keras_module
    else:
        with _stderr_muted():
            import keras as keras_module
            import tensorflow as tf

            tf.constant(0.0)  # the first op starts the CPU device, which logs once more

    if not _DONE:
        _quiet_python_side()  # importing may have reset absl's level; set it once more
        _DONE = True
    return keras_module
