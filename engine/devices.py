"""Where the Keras engine trains: ``train.devices`` turned into a ``tf.distribute`` strategy.

* ``"all"`` (the default): every GPU when the machine has several (``MirroredStrategy``: one copy
  of the model per GPU, each batch split between them, the gradients summed); otherwise the one
  device there is, GPU or CPU, placed by TensorFlow as usual.
* ``1``: one device, as above, even on a machine with several GPUs.
* ``N > 1``: the first N GPUs; on a machine without GPUs, N *logical* CPU devices carved out of
  the one CPU. They share the same cores, so this is slower than one device (see
  ``python -m benchmarks digits``): it exists so the mirrored path runs, and is tested, anywhere.

The batch size stays the global one: with 2 replicas and ``batch_size = 32`` each replica takes
16 rows of every batch, and the step applies the mean gradient of all 32, so the loss curve is
the one-device curve (to float tolerance; a last batch that does not split evenly is the mean of
the replicas' means rather than the mean of its rows).

Replicas are only ever GPUs or only CPU devices, never both: a mirrored step waits for its slowest
replica, and a CPU beside a GPU would set the pace. Several machines are out of scope: Keras 3's
``fit`` fails under ``MultiWorkerMirroredStrategy`` (keras-team/keras#20585); larger work spreads
over machines through a shared search instead.

On GPUs, TensorFlow is asked to grow its memory as the model needs it instead of taking every
GPU's memory at start, so several processes (search workers) can share a GPU. XLA stays Keras's
choice (``jit_compile="auto"``: on where a GPU is, off on a CPU-only machine, where compiling a small
net costs seconds and gains nothing).

Logical CPU devices can only be set before TensorFlow starts its devices (its first op). A process
that already started TensorFlow with fewer gets a :class:`DeviceError` naming ``train.devices``.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any, Literal

from nnplay.engine.errors import DeviceError
from nnplay.engine.tf_quiet import stderr_muted, tensorflow

FIELD = "train.devices"


@dataclass(frozen=True)
class Placement:
    """The strategy a model is built, compiled and trained under, and its replicas."""

    strategy: Any  # a tf.distribute.Strategy (TensorFlow's default one for a single device)
    replicas: int
    devices: tuple[str, ...]  # the mirrored devices, e.g. ("/gpu:0", "/gpu:1"); () for one device

    def describe(self) -> str:
        return f"{self.replicas} devices ({', '.join(self.devices)})" if self.devices else "one device"


def gpu_count() -> int:
    """The GPUs TensorFlow can see (asking does not start TensorFlow's devices)."""
    tf = tensorflow()
    with stderr_muted():  # without CUDA drivers, TensorFlow reports its failed probe from C++
        return len(tf.config.list_physical_devices("GPU"))


def mirrored_devices(requested: int | Literal["all"], gpus: int) -> tuple[str, ...]:
    """The devices to mirror on for ``train.devices = requested`` on a machine with ``gpus`` GPUs;
    ``()`` for one device (raises :class:`DeviceError` when the machine has too few GPUs)."""
    wanted = (gpus if gpus > 1 else 1) if requested == "all" else requested
    if wanted == 1:
        return ()
    if not gpus:
        return tuple(f"/cpu:{i}" for i in range(wanted))
    if wanted > gpus:
        raise DeviceError(f"{wanted} asks for more GPUs than this machine has ({gpus}); "
                          f"set it to {gpus} or fewer, or \"all\"", field=FIELD)
    return tuple(f"/gpu:{i}" for i in range(wanted))


def placement(requested: int | Literal["all"]) -> Placement:
    """The :class:`Placement` for ``train.devices = requested`` (raises :class:`DeviceError`)."""
    tf = tensorflow()
    gpus = gpu_count()
    if gpus:
        _grow_gpu_memory(tf)
    names = mirrored_devices(requested, gpus)
    if not names:
        return Placement(tf.distribute.get_strategy(), 1, ())
    if names[0].startswith("/cpu"):
        _split_cpu(tf, len(names))
    return Placement(tf.distribute.MirroredStrategy(list(names)), len(names), names)


def _grow_gpu_memory(tf: Any) -> None:
    """TensorFlow takes all of every GPU's memory when it starts; a second process (another run,
    a search worker) would then find none left. Ask it to take only what the model needs."""
    for gpu in tf.config.list_physical_devices("GPU"):
        with contextlib.suppress(RuntimeError):  # TensorFlow has started already: it is settled
            tf.config.experimental.set_memory_growth(gpu, True)


def _split_cpu(tf: Any, count: int) -> None:
    """Make the CPU ``count`` logical devices, or check that it already is (at least that many)."""
    try:
        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * count)
    except RuntimeError:  # "Virtual devices cannot be modified after being initialized"
        have = len(tf.config.list_logical_devices("CPU"))
        if have < count:
            raise DeviceError(
                f"{count} CPU devices must be set before TensorFlow starts, and it already runs in this "
                f"process with {have}; start a new process (nnplay train PRESET --devices {count})",
                field=FIELD,
            ) from None
