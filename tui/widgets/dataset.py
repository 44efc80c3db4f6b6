"""The Dataset panel: the data source, its settings, and a scatter plot of 2-D data.

The scatter (:class:`~nnplay.tui.widgets.plots.DataScatter`) is mounted when the first data arrive:
plotext is not loaded for the first screen."""

from __future__ import annotations

from typing import TYPE_CHECKING, get_args

from pydantic import BaseModel
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Label, Select, Static

from nnplay.engine.spec import DATA_SOURCES, DataSpec
from nnplay.tui.messages import FieldEdited
from nnplay.tui.widgets.fields import ProblemList, fields_for
from nnplay.tui.widgets.lazy_plot import mounted_plot
from nnplay.tui.widgets.panel import DraftPanel

if TYPE_CHECKING:
    from nnplay.engine.data import Dataset
    from nnplay.tui.widgets.plots import DataScatter


def _source_models() -> dict[str, type[BaseModel]]:
    models: dict[str, type[BaseModel]] = {}
    for model in get_args(get_args(DataSpec)[0]):
        for source in get_args(model.model_fields["source"].annotation):
            models[source] = model
    return models


SOURCE_MODELS = _source_models()
#: Settings every source has; they survive a change of source.
SHARED_KEYS = ("test_size", "standardize", "seed")


class DatasetPanel(DraftPanel):
    dataset: Dataset | None = None  # the data the preview shows (the session's)
    error: str | None = None  # why the draft's data could not be loaded (None: it could, or is loading)

    def compose(self) -> ComposeResult:
        raw = self.draft.get("data", {})
        source = raw.get("source", "logistic")
        with Horizontal(classes="field"):
            yield Label("source", classes="field-label")
            yield Select([(s, s) for s in DATA_SOURCES], value=source, allow_blank=False, compact=True,
                         id="data-source", classes="field-control")
        yield from fields_for(SOURCE_MODELS[source], "data", raw, skip=("source",))
        yield ProblemList("data")
        yield Static("", id="data-info", markup=False)

    @on(Select.Changed, "#data-source")
    def _source_chosen(self, event: Select.Changed) -> None:
        event.stop()
        old = self.draft.get("data", {})
        if event.value == old.get("source"):
            return
        new = {"source": event.value, **{k: old[k] for k in SHARED_KEYS if k in old}}
        self.post_message(FieldEdited("data", new, structural=True))

    def show_dataset(self, dataset: Dataset) -> None:
        self.dataset, self.error = dataset, None
        classes = f", {dataset.n_classes} classes" if dataset.n_classes else ", regression"
        self.query_one("#data-info", Static).update(
            f"{len(dataset.x_train)} training rows, {len(dataset.x_test)} test rows, "
            f"{dataset.n_features} features{classes}"
        )
        self._scatter().show_dataset(dataset)

    def show_error(self, message: str) -> None:
        self.error = message  # why the draft's data cannot be loaded (the Train status says so)
        self.query_one("#data-info", Static).update(Text.assemble(("cannot load: ", "bold red"), message))
        self._scatter().show_message("no data to show")

    def _scatter(self) -> DataScatter:
        return mounted_plot(self, "DataScatter", "data-scatter")

