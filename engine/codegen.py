"""A preset as the Keras program that does what ``nnplay train PRESET --engine keras`` does.

TensorFlow Playground's oldest open request is "export the model as code". Keras itself only writes
JSON (``to_json``, ``get_config``), so this module writes the Python a student would write after the
lecture: make or load the data, split and scale it, build the ``keras.Sequential`` with the same
layer names, activations, penalties and dropout, start it from the weights nnplay starts from (drawn
with NumPy from ``train.seed``, as both engines draw them), ``compile``, ``fit`` with the same
callbacks, ``evaluate``, and ``model.save``. Run as it is, the program prints the test loss and
accuracy the Keras engine reports for the preset.

Only non-default arguments are written (``activation`` is left out for a linear layer, ``momentum``
for plain SGD), numbers keep their shortest exact form, and every block says what it is for.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from textwrap import dedent

from nnplay.engine.atomic import atomic_write
from nnplay.engine.errors import NnplayError
from nnplay.engine.spec import (
    SGD,
    Adam,
    BundledData,
    CirclesData,
    CsvData,
    DenseLayer,
    DropoutLayer,
    FolderData,
    GaussianData,
    LogisticData,
    MalariaData,
    MoonsData,
    Preset,
    RegressionData,
    Regularizer,
    SoftmaxData,
    SpiralData,
    XorData,
)
from nnplay.engine.targets import accuracy_kind
from nnplay.engine.user_paths import new_file_target

#: Keras's Adam defaults: an argument equal to its default is not written.
ADAM_DEFAULTS = {"beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7}
#: The inputs a 2-D source can feed the network (engine/features.py), as NumPy expressions.
INPUT_EXPRESSIONS = {
    "x1": "x1", "x2": "x2", "x1^2": "x1 * x1", "x2^2": "x2 * x2", "x1*x2": "x1 * x2",
    "sin(x1)": "np.sin(x1)", "sin(x2)": "np.sin(x2)",
}


def num(value: float | int) -> str:
    """A number as the shortest literal that reads back as the same value (0.1, not 0.1000000001)."""
    return repr(float(value)) if isinstance(value, float) else repr(value)


@dataclass(frozen=True)
class Block:
    """One part of the program: the imports it needs and its lines."""

    imports: tuple[str, ...]
    code: str


def _block(code: str, *imports: str) -> Block:
    return Block(imports, dedent(code).strip("\n"))


# --------------------------------------------------------------------------------------------
# The data: each source as the few lines that make or read the same rows


def _logistic(d: LogisticData) -> Block:
    beta = d.beta if d.beta is not None else tuple(float(i) for i in range(1, d.features + 1))
    z = "X @ beta" + (f" + {num(d.intercept)}" if d.intercept else "")
    return _block(f"""
        # The lecture's data: X ~ N(0, 1) in q columns, y ~ Bernoulli(sigmoid(X beta)).
        rng = np.random.default_rng({d.seed})
        n, q = {d.n}, {d.features}
        beta = np.array([{", ".join(num(float(b)) for b in beta)}])
        X = rng.normal(size=(n, q))
        p = 1 / (1 + np.exp(-({z})))
        y = rng.binomial(1, p)
        class_names = ["0", "1"]
        """)


def _softmax(d: SoftmaxData) -> Block:
    return _block(f"""
        # Multi-class logistic data: class k scores X w_k, the label is drawn from the scores' softmax.
        rng = np.random.default_rng({d.seed})
        W = rng.normal(scale={num(d.scale)}, size=({d.features}, {d.classes}))
        X = rng.normal(size=({d.n}, {d.features}))
        scores = X @ W
        scores -= scores.max(axis=1, keepdims=True)
        p = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
        u = rng.random(size=({d.n}, 1))
        y = np.minimum((u > np.cumsum(p, axis=1)).sum(axis=1), {d.classes - 1})
        class_names = [str(k) for k in range({d.classes})]
        """)


def _sklearn_shape(maker: str, extra: str, names: str) -> Callable:
    def block(d) -> Block:
        return _block(f"""
            X, y = {maker}(n_samples={d.n}, noise={num(d.noise)}{extra}, random_state={d.seed})
            class_names = {names}
            """, f"from sklearn.datasets import {maker}")
    return block


def _xor(d: XorData) -> Block:
    block = _block(f"""
        # Points in [-1, 1]^2 kept off the axes; class 1 where x1 and x2 share a sign.
        rng = np.random.default_rng({d.seed})
        magnitude = rng.uniform(0.05, 1.0, size=({d.n}, 2))
        X = magnitude * rng.choice((-1.0, 1.0), size=({d.n}, 2))
        y = (X[:, 0] * X[:, 1] > 0).astype(int)
        class_names = ["different sign", "same sign"]
        """)
    if d.noise > 0:  # blur the points after labelling them
        block = Block(block.imports, f"{block.code}\nX = X + rng.normal(scale={num(d.noise)}, size=X.shape)")
    return block


def _gaussian(d: GaussianData) -> Block:
    return _block(f"""
        # One Gaussian cloud per class, the centres evenly spaced on a circle of radius 2.
        angles = 2 * np.pi * np.arange({d.classes}) / {d.classes} + np.pi / 4
        centres = 2.0 * np.column_stack([np.cos(angles), np.sin(angles)])
        X, y = make_blobs(n_samples={d.n}, centers=centres, cluster_std={num(0.5 + d.noise)}, random_state={d.seed})
        class_names = [str(k) for k in range({d.classes})]
        """, "from sklearn.datasets import make_blobs")


def _spiral(d: SpiralData) -> Block:
    return _block(f"""
        # {d.classes} interleaved spiral arms, each point moved by Gaussian noise.
        rng = np.random.default_rng({d.seed})
        per_class = np.full({d.classes}, {d.n} // {d.classes})
        per_class[: {d.n} % {d.classes}] += 1
        arms, labels = [], []
        for k, count in enumerate(per_class):
            t = np.linspace(0.0, 1.0, count, endpoint=False) + 0.5 / max(count, 1)
            angle = 1.75 * 2 * np.pi * t + 2 * np.pi * k / {d.classes}
            arm = np.column_stack([t * np.sin(angle), t * np.cos(angle)])
            arms.append(arm + rng.normal(scale={num(d.noise)}, size=arm.shape))
            labels.append(np.full(count, k))
        order = rng.permutation({d.n})
        X, y = np.concatenate(arms)[order], np.concatenate(labels)[order]
        class_names = [str(k) for k in range({d.classes})]
        """)


def _regression(d: RegressionData) -> Block:
    return _block(f"""
        # A tilted plane, target = 2 x1 - x2 + 0.5, plus Gaussian noise.
        rng = np.random.default_rng({d.seed})
        X = rng.uniform(-1.0, 1.0, size=({d.n}, 2))
        y = (2.0 * X[:, 0] + -1.0 * X[:, 1] + 0.5 + rng.normal(scale={num(d.noise)}, size={d.n})).astype("float32")
        class_names = None  # a regression: the targets are numbers
        """)


def _bundled(d: BundledData) -> Block:
    loader = f"load_{d.source}"
    return _block(f"""
        # scikit-learn's bundled {d.source} set (no download).
        bunch = {loader}()
        X, y = bunch.data.astype("float32"), bunch.target
        class_names = [str(name) for name in bunch.target_names]
        """, f"from sklearn.datasets import {loader}")


_RESIZE = '''
    def pixels(image):
        """A PIL image as size x size pixels of uint8, converted and resized as nnplay does."""
        image = image.convert(COLOR)
        if image.size != (SIZE, SIZE):
            image = image.resize((SIZE, SIZE), Image.Resampling.BILINEAR)
        return np.asarray(image, dtype=np.uint8)
'''


def _images_head(d) -> str:
    return f"SIZE, COLOR = {d.image_size}, {'RGB' if d.color_mode == 'rgb' else 'L'!r}\n" + dedent(_RESIZE) + "\n"


def _malaria(d: MalariaData) -> Block:
    limit = getattr(d, "limit", None)
    limit = None if limit in (None, "all") else limit
    where = f", data_dir={d.data_dir!r}" if d.data_dir else ""
    stop = f"    if len(images) == {limit}:\n        break\n" if limit is not None else ""
    head = _images_head(d)
    return Block(("import tensorflow_datasets as tfds", "from PIL import Image"), head + dedent(f"""
        # The malaria cells from tensorflow-datasets{f': the first {limit} images' if limit else ''}, as in the lecture.
        malaria, info = tfds.load("malaria", split="train", shuffle_files=False, with_info=True{where})
        images, labels = [], []
        for example in tfds.as_numpy(malaria):
            images.append(pixels(Image.fromarray(example["image"])))
            labels.append(int(example["label"]))
        """).strip("\n") + "\n" + stop + dedent("""
        X, y = np.array(images), np.array(labels)
        class_names = info.features["label"].names
        """).strip("\n"))


def _folder(d: FolderData) -> Block:
    suffixes = "{" + ", ".join(repr(s) for s in sorted(_image_suffixes())) + "}"
    choose = ""
    if d.limit is not None:
        choose = dedent(f"""
            if len(paths) > {d.limit}:  # keep {d.limit} images drawn at random, in file order
                keep = np.sort(np.random.default_rng({d.seed}).choice(len(paths), size={d.limit}, replace=False))
                paths, labels = [paths[i] for i in keep], [labels[i] for i in keep]
            """)
    head = _images_head(d)
    return Block(("from pathlib import Path", "from PIL import Image"), head + dedent(f"""
        # Your own images: one sub-folder per class, named after it.
        root = Path({d.path!r}).expanduser().resolve()
        class_dirs = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
        paths, labels = [], []
        for class_id, folder in enumerate(class_dirs):
            found = sorted(p for p in folder.iterdir()
                           if p.suffix.lower() in {suffixes} and not p.name.startswith(".") and p.is_file())
            paths += found
            labels += [class_id] * len(found)
        """).strip("\n") + choose.rstrip("\n") + dedent("""

        def read(path):
            with Image.open(path) as image:
                if image.format == "JPEG":
                    image.draft(COLOR, (SIZE, SIZE))  # decode a large JPEG at a smaller scale first
                return pixels(image)

        X, y = np.array([read(p) for p in paths]), np.array(labels)
        class_names = [p.name for p in class_dirs]
        """))


def _image_suffixes() -> frozenset[str]:
    """The folder loader's own list (its module imports nothing heavy at load time)."""
    from nnplay.engine.data.images import IMAGE_SUFFIXES

    return IMAGE_SUFFIXES


def _csv(d: CsvData) -> Block:
    labels = (
        'y = np.array([float(row[label_at]) for row in body], dtype="float32")\nclass_names = None  # a regression'
        if d.task == "regression" else dedent("""
            raw = [row[label_at].strip() for row in body]
            try:  # numeric labels in numeric order, others in text order
                values = np.array([float(v) for v in raw])
                uniques, y = np.unique(values, return_inverse=True)
                class_names = [f"{v:g}" for v in uniques]
            except ValueError:
                uniques, y = np.unique(np.array(raw, dtype=str), return_inverse=True)
                class_names = [str(v) for v in uniques]
            """).strip("\n")
    )
    return Block(("import csv",), dedent(f"""
        # Your table: the first line names the columns, {d.label_column!r} holds the answer.
        with open({d.path!r}, newline="", encoding="utf-8-sig") as handle:
            dialect = csv.Sniffer().sniff(handle.read(64 * 1024), delimiters=",;\\t")
            handle.seek(0)
            rows = [row for row in csv.reader(handle, dialect) if any(cell.strip() for cell in row)]
        header, body = [name.strip() for name in rows[0]], rows[1:]
        label_at = header.index({d.label_column!r})
        X = np.array([[float(v) for i, v in enumerate(row) if i != label_at] for row in body], dtype="float32")
        """).strip("\n") + "\n" + labels)


DATA_BLOCKS: dict[type, Callable] = {
    LogisticData: _logistic,
    SoftmaxData: _softmax,
    CirclesData: _sklearn_shape("make_circles", ", factor=0.5", '["outer", "inner"]'),
    MoonsData: _sklearn_shape("make_moons", "", '["upper", "lower"]'),
    XorData: _xor,
    GaussianData: _gaussian,
    SpiralData: _spiral,
    RegressionData: _regression,
    BundledData: _bundled,
    MalariaData: _malaria,
    FolderData: _folder,
    CsvData: _csv,
}


# --------------------------------------------------------------------------------------------
# Split, scale, feature inputs, targets


def _split(preset: Preset) -> str:
    d = preset.data
    is_image = isinstance(d, MalariaData | FolderData)
    scale = ' * np.float32(1 / 255)' if is_image else ""  # pixels to [0, 1]
    lines = ["X = X.reshape(len(X), -1)  # one row of pixel values per image"] if is_image else []
    if d.test_size > 0:
        stratify = "None"
        if not d.is_regression:
            lines += [
                "# Stratified when every class has two rows or more, so both parts keep the class shares.",
                "_, counts = np.unique(y, return_counts=True)",
                f"stratify = y if counts.min() >= 2 and round(len(y) * {num(d.test_size)}) >= len(counts) else None",
            ]
            stratify = "stratify"
        lines += [
            f"train_rows, test_rows = train_test_split(np.arange(len(y)), test_size={num(d.test_size)},",
            f"                                         random_state={d.seed}, stratify={stratify})",
            f'X_train, X_test = X[train_rows].astype("float32"){scale}, X[test_rows].astype("float32"){scale}',
            "y_train, y_test = y[train_rows], y[test_rows]",
        ]
    else:
        lines += [f'X_train, y_train = X.astype("float32"){scale}, y', "X_test, y_test = X_train[:0], y[:0]  # no test rows"]
    if d.standardize:
        lines += [
            "",
            "# Standardise with the training rows' mean and spread only: nothing of the test rows leaks in.",
            "mean, std = X_train.mean(axis=0, dtype=np.float64), X_train.std(axis=0, dtype=np.float64)",
            "std[std == 0] = 1.0",
            'X_train = (X_train - mean.astype("float32")) / std.astype("float32")',
            'X_test = (X_test - mean.astype("float32")) / std.astype("float32")',
        ]
    inputs = getattr(d, "inputs", None)
    if inputs:
        columns = ", ".join(INPUT_EXPRESSIONS[name] for name in inputs)
        lines += [
            "",
            f"# The network sees {', '.join(inputs)}, computed from the two columns.",
            "def inputs(X):",
            "    x1, x2 = X[:, 0], X[:, 1]",
            f"    return np.stack([{columns}], axis=1)",
            "",
            "X_train, X_test = inputs(X_train), inputs(X_test)",
        ]
    if preset.train.dtype != "float32":
        lines.append(f'X_train, X_test = X_train.astype("{preset.train.dtype}"), X_test.astype("{preset.train.dtype}")')
    return "\n".join(lines)


def _targets(preset: Preset) -> str:
    model, dtype = preset.model, preset.train.dtype
    if model.loss == "sparse_categorical_crossentropy":
        return "# sparse_categorical_crossentropy takes the class ids as they are.\nY_train, Y_test = y_train, y_test"
    if model.output_units == 1:
        return (f"# One output unit: the targets as one column.\n"
                f'Y_train, Y_test = y_train.astype("{dtype}").reshape(-1, 1), y_test.astype("{dtype}").reshape(-1, 1)')
    return (f"# {model.output_units} output units: one-hot rows, one column per class.\n"
            f'Y_train = keras.utils.to_categorical(y_train, {model.output_units}).astype("{dtype}")\n'
            f'Y_test = keras.utils.to_categorical(y_test, {model.output_units}).astype("{dtype}")')


# --------------------------------------------------------------------------------------------
# The model


def _start_weights(preset: Preset, input_width: str) -> str:
    dtype = preset.train.dtype
    lines = [
        "# nnplay's starting weights: Keras's default initialisers (Glorot-uniform kernels, zero biases),",
        f"# drawn with NumPy from train.seed = {preset.train.seed}, so this run starts where nnplay's does.",
        f"rng = np.random.default_rng({preset.train.seed})",
        "",
        "def glorot_uniform(fan_in, fan_out):",
        "    limit = np.sqrt(6.0 / (fan_in + fan_out))",
        f'    return rng.uniform(-limit, limit, size=(fan_in, fan_out)).astype("{dtype}")',
        "",
        "start = [",
    ]
    fan_in = input_width
    dense = [(layer, name) for layer, name in zip(preset.model.layers, preset.model.layer_names(), strict=True)
             if isinstance(layer, DenseLayer)]
    for layer, name in dense:
        bias = f', np.zeros({layer.units}, dtype="{dtype}")' if layer.use_bias else ""
        lines.append(f"    glorot_uniform({fan_in}, {layer.units}){bias},  # {name}")
        fan_in = str(layer.units)
    lines.append("]")
    return "\n".join(lines)


def _regularizer(spec: Regularizer | None) -> str | None:
    if spec is None or not spec.active:
        return None
    if spec.l2 == 0:
        return f"regularizers.L1({num(spec.l1)})"
    if spec.l1 == 0:
        return f"regularizers.L2({num(spec.l2)})"
    return f"regularizers.L1L2(l1={num(spec.l1)}, l2={num(spec.l2)})"


def _layer(index: int, layer, name: str, seed: int) -> str:
    if isinstance(layer, DropoutLayer):
        # nnplay seeds each dropout layer from the run's seed, so the same units drop run after run
        return f'layers.Dropout({num(layer.rate)}, seed={seed + index}, name="{name}"),'
    args = [str(layer.units)]
    if layer.activation != "linear":
        args.append(f'activation="{layer.activation}"')
    if not layer.use_bias:
        args.append("use_bias=False")
    for key in ("kernel_regularizer", "bias_regularizer"):
        if (made := _regularizer(getattr(layer, key))) is not None:
            args.append(f"{key}={made}")
    args.append(f'name="{name}"')
    return f"layers.Dense({', '.join(args)}),"


def _optimizer(preset: Preset) -> str:
    spec = preset.train.optimizer
    if isinstance(spec, SGD):
        momentum = f", momentum={num(spec.momentum)}" if spec.momentum else ""
        return f"keras.optimizers.SGD(learning_rate={num(spec.learning_rate)}{momentum})"
    if isinstance(spec, Adam):
        extra = "".join(f", {key}={num(getattr(spec, key))}" for key, default in ADAM_DEFAULTS.items()
                        if getattr(spec, key) != default)
        return f"keras.optimizers.Adam(learning_rate={num(spec.learning_rate)}{extra})"
    raise ValueError(f"unknown optimizer {spec!r}")  # the spec's union rules this out


def _model(preset: Preset) -> str:
    seed = preset.train.seed
    names = preset.model.layer_names()
    layer_lines = (_layer(i, layer, name, seed) for i, (layer, name) in enumerate(zip(preset.model.layers, names, strict=True)))
    body = "\n".join(f"    {line}" for line in layer_lines)
    accuracy = accuracy_kind(preset.model.loss, preset.model.output_units, preset.data.is_regression)
    metrics = ', metrics=["accuracy"]' if accuracy is not None else ""
    return "\n".join([
        f"keras.utils.set_random_seed({seed})",
        "model = keras.Sequential([",
        '    keras.Input(shape=(X_train.shape[1],), name="input"),',
        body,
        '], name="sequential")',
        f'model.compile(loss="{preset.model.loss}", optimizer={_optimizer(preset)}{metrics})',
        "model.set_weights(start)",
        "model.summary()",
    ])


_SHUFFLED = '''
def shuffled_batches(X, Y, batch_size, seed):
    """Every epoch the rows in a new order, as nnplay's Keras engine feeds them: one tf.data stream
    for the whole run, epoch e's order a stateless shuffle seeded (seed, e). (model.fit(X, Y,
    shuffle=True) trains just as well, on orders of its own, so its figures differ a little.)"""
    rows = tf.range(len(X), dtype=tf.int64)
    X, Y = tf.convert_to_tensor(X), tf.convert_to_tensor(Y)

    def epoch(e):
        order = tf.random.experimental.stateless_shuffle(rows, seed=tf.stack([tf.constant(seed, tf.int64), e]))
        return tf.data.Dataset.from_tensor_slices(order).batch(batch_size)

    return tf.data.Dataset.counter().flat_map(epoch).map(lambda i: (tf.gather(X, i), tf.gather(Y, i)))
'''


def _fit(preset: Preset) -> str:
    train = preset.train
    lines = []
    callbacks = ""
    if (stop := train.early_stopping) is not None:
        args = [f'monitor="{stop.monitor}"', f"patience={stop.patience}"]
        if stop.min_delta:
            args.append(f"min_delta={num(stop.min_delta)}")
        if stop.restore_best_weights:
            args.append("restore_best_weights=True")
        lines.append(f"callbacks = [keras.callbacks.EarlyStopping({', '.join(args)})]")
        callbacks = ", callbacks=callbacks"
    full = train.batch_size == "full"
    if full:
        lines.append("# batch_size = all the rows: every step sees the whole training set (plain gradient descent)")
    seed_line = f"keras.utils.set_random_seed({train.seed})  # dropout masks (and Keras's own shuffling) come from this seed"
    if not train.shuffle:  # the rows in order: Keras's own fit walks them as nnplay does
        batch = "len(X_train)" if full else str(train.batch_size)
        validation = f", validation_split={num(train.validation_split)}" if train.validation_split else ""
        lines += [
            seed_line,
            f"history = model.fit(X_train, Y_train, batch_size={batch}, epochs={train.epochs}{validation}, shuffle=False"
            f"{callbacks}, verbose=0)",
        ]
    else:
        if train.validation_split:
            lines += [
                f"# Keras's validation_split: the last {train.validation_split * 100:g} % of the training rows validate",
                f"n_fit = math.floor(len(X_train) * (1 - {num(train.validation_split)}))",
                "X_fit, Y_fit, X_val, Y_val = X_train[:n_fit], Y_train[:n_fit], X_train[n_fit:], Y_train[n_fit:]",
            ]
        else:
            lines.append("X_fit, Y_fit = X_train, Y_train")
        batch = "len(X_fit)" if full else str(train.batch_size)
        validation = ", validation_data=(X_val, Y_val)" if train.validation_split else ""
        lines += [
            "",
            _SHUFFLED.strip("\n"),
            "",
            seed_line,
            f"history = model.fit(shuffled_batches(X_fit, Y_fit, {batch}, seed={train.seed}), "
            f"steps_per_epoch=math.ceil(len(X_fit) / {batch}),",
            f"                    epochs={train.epochs}{validation}{callbacks}, verbose=0)",
        ]
    lines.append('print(f"trained {len(history.history[\'loss\'])} epochs, last loss {history.history[\'loss\'][-1]:.4f}")')
    return "\n".join(lines)


def _evaluate(preset: Preset, h5_name: str) -> str:
    regression = accuracy_kind(preset.model.loss, preset.model.output_units, preset.data.is_regression) is None
    if preset.data.test_size <= 0:
        scores = "# The data has no test rows (test_size = 0): nothing to evaluate."
    elif regression:
        scores = ("test_loss = model.evaluate(X_test, Y_test, verbose=0)\n"
                  'print(f"Test loss: {test_loss:.7g}")')
    else:
        scores = ("test_loss, test_acc = model.evaluate(X_test, Y_test, verbose=0)\n"
                  'print(f"Test loss: {test_loss:.7g}")\n'
                  'print(f"Test accuracy for NN: {test_acc:.3f}")')
    return f"{scores}\n\nmodel.save({h5_name!r})  # keras.models.load_model({h5_name!r}) opens it again"


# --------------------------------------------------------------------------------------------
# The whole program


def _input_width(preset: Preset) -> str:
    width = preset.n_features()
    return "X_train.shape[1]" if width is None else str(width)


def keras_program(preset: Preset, name: str) -> str:
    """The runnable program for ``preset``; ``name`` (a preset id or file stem) names the .h5 it saves."""
    data_block = DATA_BLOCKS[type(preset.data)](preset.data)
    stdlib = {"import csv", "from pathlib import Path"}
    data_imports = {"import numpy as np", *data_block.imports}
    if preset.data.test_size > 0:
        data_imports.add("from sklearn.model_selection import train_test_split")
    uses_penalties = any(_regularizer(getattr(layer, key, None)) for layer in preset.model.layers
                         for key in ("kernel_regularizer", "bias_regularizer"))
    shuffled = preset.train.shuffle

    def module(line: str) -> str:  # isort's order: by the module's name
        return line.split()[1].lower()

    stdlib_lines = sorted(data_imports & stdlib | ({"import math"} if shuffled else set()), key=module)
    third = sorted(data_imports - stdlib, key=module)
    third += ["", "import keras", *(["import tensorflow as tf"] if shuffled else []),
              "from keras import layers" + (", regularizers" if uses_penalties else "")]
    if preset.train.dtype != "float32":  # Keras computes losses in its global float type
        third.append(f'keras.config.set_floatx("{preset.train.dtype}")')
    sections = [
        ("The data", data_block.code),
        ("Training and test rows", _split(preset)),
        ("Targets in the shape the loss wants", _targets(preset)),
        ("The starting weights", _start_weights(preset, _input_width(preset))),
        ("The model: keras.Sequential, as in the lecture", _model(preset)),
        ("Training", _fit(preset)),
        ("Scores on the test rows, and the saved model", _evaluate(preset, f"{name}.h5")),
    ]
    title = preset.preset.title.replace('"""', "'''")
    header = (
        f'"""{title}\n\n'
        f"nnplay's preset {name!r} as a Keras program, written by `nnplay code {name}`.\n"
        f"Run as it is, it trains what `nnplay train {name} --engine keras` trains\n"
        f'and prints the same test loss and accuracy.\n"""'
    )
    body = "\n\n".join(f"# {'-' * 4} {heading} {'-' * (90 - len(heading))}\n{code}" for heading, code in sections)
    return "\n".join([header, "", *stdlib_lines, *([""] if stdlib_lines else []), *third, "", "", body, ""])


def save_program(
    preset: Preset, name: str, path: str | os.PathLike[str], *, overwrite: bool = False, field: str = "path"
) -> Path:
    """Write the program to ``path`` (a ``.py`` file), atomically; an existing file is kept unless
    ``overwrite``. Problems name ``field`` (the CLI's flag, or the dialog's field)."""
    target = new_file_target(path, ".py", "a program file", field, overwrite=overwrite)
    text = keras_program(preset, name)
    try:
        atomic_write(target, lambda handle: handle.write(text), text=True)
    except OSError as exc:
        raise NnplayError(f"cannot write {str(target)!r}: {exc.strerror or exc}", field=field) from None
    return target


__all__ = ["keras_program", "num", "save_program"]

