"""Small builders the tests share."""

from __future__ import annotations

from nnplay.engine.spec import validate_preset


def data_spec(**data):
    """A validated ``[data]`` table (the model is a placeholder the data checks ignore)."""
    raw = {
        "preset": {"title": "data test"},
        "data": data,
        "model": {"loss": "mean_squared_error", "layers": [{"type": "dense", "units": 1}]},
    }
    return validate_preset(raw).data
