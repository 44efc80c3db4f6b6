"""The model as the lecture writes it: its forward formula, and the matrices with this run's numbers.

The lecture puts the bias in the weight matrix: ``[1:X]`` is X with a column of ones in front, so
W⁽¹⁾ of the 2-4-2 net is 3 x 4, its first row the biases and the others the kernel, and the whole
forward pass is one line::

    p̂ = softmax{[1:σ([1:X]W⁽¹⁾)]W⁽²⁾}

:func:`symbolic` writes that line for any stack of dense layers; :func:`augmented` gives a layer's
matrix in that notation with a name for every row; :func:`with_numbers` writes a single-unit model
with its coefficients filled in (``p̂ = σ(0.84·x1 + 1.97·x2)``); :func:`true_coefficients` reads
the coefficients the data were drawn with, when the source has them (the lecture's β = [1, 2]).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from nnplay.engine.spec import LogisticData, ModelSpec
from nnplay.engine.weight_stats import DenseWeights

SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_FUNCTION = {"sigmoid": "σ", "tanh": "tanh", "relu": "ReLU", "softmax": "softmax", "linear": ""}

#: A model is "small" when every layer's matrix fits on screen as numbers.
MAX_ROWS = 9  # inputs + the bias row
MAX_UNITS = 8
MAX_LAYERS = 3


def matrix_name(index: int) -> str:
    """``W⁽¹⁾`` for the first dense layer (1-based, as the lecture counts)."""
    return f"W⁽{index}⁾".translate(SUPERSCRIPT)


def output_symbol(model: ModelSpec) -> str:
    """``p̂`` when the output is a probability, ``ŷ`` for a regression's value."""
    return _symbol(model.output_activation)


def _symbol(activation: str) -> str:
    """p̂ for a probability (sigmoid, softmax), ŷ for any other output."""
    return "p̂" if activation in ("sigmoid", "softmax") else "ŷ"


def symbolic(model: ModelSpec) -> str:
    """The forward pass in the lecture's notation, e.g. ``p̂ = softmax{[1:σ([1:X]W⁽¹⁾)]W⁽²⁾}``."""
    expr = "X"
    dense = model.dense_layers
    for i, layer in enumerate(dense, start=1):
        inner = f"[1:{expr}]" if layer.use_bias else expr
        inner += matrix_name(i)
        function = _FUNCTION[layer.activation]
        if not function:
            expr = inner
        elif i == len(dense):
            expr = f"{function}{{{inner}}}" if len(dense) > 1 else f"{function}({inner})"
        else:
            expr = f"{function}({inner})"
    return f"{output_symbol(model)} = {expr}"


def is_small(model: ModelSpec, n_features: int) -> bool:
    """Whether every layer's matrix can be shown number by number."""
    dense = model.dense_layers
    fan_ins = [n_features, *(layer.units for layer in dense[:-1])]
    return len(dense) <= MAX_LAYERS and all(
        fan_in + 1 <= MAX_ROWS and layer.units <= MAX_UNITS for fan_in, layer in zip(fan_ins, dense, strict=True)
    )


def input_names(index: int, n: int, feature_names: Sequence[str] | None = None) -> list[str]:
    """Names of layer ``index``'s inputs (1-based): the data's features (``x1``, ...), then the first
    hidden layer's units ``h1``, ``h2``, ... and deeper ones' ``h2_1``, ``h2_2``, ..."""
    if index == 1:
        return list(feature_names) if feature_names is not None and len(feature_names) == n else [f"x{j + 1}" for j in range(n)]
    prefix = "h" if index == 2 else f"h{index - 1}_"
    return [f"{prefix}{j + 1}" for j in range(n)]


@dataclass(frozen=True)
class Augmented:
    """A layer's matrix in the lecture's notation: the bias row (named ``1``) on top of the kernel."""

    name: str  # W⁽ˡ⁾
    rows: tuple[str, ...]
    values: np.ndarray  # (rows, units)


def augmented(layer: DenseWeights, index: int, feature_names: Sequence[str] | None = None) -> Augmented:
    names = input_names(index, layer.fan_in, feature_names)
    if layer.bias is None:
        return Augmented(matrix_name(index), tuple(names), np.asarray(layer.kernel))
    values = np.vstack([np.asarray(layer.bias).reshape(1, -1), layer.kernel])
    return Augmented(matrix_name(index), ("1", *names), values)


def _term(value: float, name: str | None, first: bool, digits: int) -> str:
    text = f"{abs(value):.{digits}f}" + (f"·{name}" if name else "")
    if first:
        return f"-{text}" if value < 0 else text
    return f" - {text}" if value < 0 else f" + {text}"


def with_numbers(layers: Sequence[DenseWeights], feature_names: Sequence[str] | None = None,
                 digits: int = 2, max_terms: int = 6) -> str | None:
    """A one-unit, one-layer model written out with its coefficients: ``p̂ = σ(0.84·x1 + 1.97·x2)``.

    Two softmax units are written as the sigmoid of their difference, the form that shows the
    lecture's point (w₂ - w₁ plays the role of β): ``p̂₂ = σ(0.98·x1 + 1.95·x2)``. ``None`` for any
    other model (more units or layers, or more than ``max_terms`` inputs).
    """
    if len(layers) != 1 or layers[0].fan_in > max_terms:
        return None
    layer = layers[0]
    if layer.units == 1:
        kernel, bias, symbol, function = layer.kernel[:, 0], layer.bias, None, _FUNCTION[layer.activation]
    elif layer.units == 2 and layer.activation == "softmax":
        # Two softmax units are one sigmoid of their difference: p̂₂ = σ(x(w₂ - w₁)).
        kernel = layer.kernel[:, 1] - layer.kernel[:, 0]
        bias = None if layer.bias is None else layer.bias[1:] - layer.bias[:1]
        symbol, function = "p̂₂", "σ"
    else:
        return None
    names = input_names(1, layer.fan_in, feature_names)
    terms = [] if bias is None else [(float(bias[0]), None)]
    terms += [(float(w), name) for w, name in zip(kernel, names, strict=True)]
    body = "".join(_term(value, name, i == 0, digits) for i, (value, name) in enumerate(terms))
    symbol = symbol or _symbol(layer.activation)
    return f"{symbol} = {function}({body})" if function else f"{symbol} = {body}"


@dataclass(frozen=True)
class TrueCoefficients:
    beta: tuple[float, ...]
    intercept: float


def true_coefficients(data) -> TrueCoefficients | None:
    """The β the data were drawn with, for the lecture's logistic source (``None`` otherwise)."""
    if not isinstance(data, LogisticData) or data.standardize:
        return None
    beta = data.beta if data.beta is not None else tuple(float(j) for j in range(1, data.features + 1))
    return TrueCoefficients(tuple(float(b) for b in beta), float(data.intercept))
