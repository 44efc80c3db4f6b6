"""The Dataset panel: the data source, its settings, and a scatter plot of 2-D data."""

from __future__ import annotations

from typing import TYPE_CHECKING, get_args

from pydantic import BaseModel
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Label, Select, Static
from textual_plotext import PlotextPlot

from nnplay.engine.spec import DATA_SOURCES, DataSpec
from nnplay.tui.messages import FieldEdited
from nnplay.tui.widgets.fields import ProblemList, fields_for
from nnplay.tui.widgets.panel import DraftPanel

if TYPE_CHECKING:
    from nnplay.engine.data import Dataset


def _source_models() -> dict[str, type[BaseModel]]:
    models: dict[str, type[BaseModel]] = {}
    for model in get_args(get_args(DataSpec)[0]):
        for source in get_args(model.model_fields["source"].annotation):
            models[source] = model
    return models


SOURCE_MODELS = _source_models()
#: Settings every source has; they survive a change of source.
SHARED_KEYS = ("test_size", "standardize", "seed")
MAX_POINTS = 1500  # per class; plotext draws every point it is given


class DataScatter(PlotextPlot):
    """The training rows of a 2-D data set, one colour per class."""

    def show_dataset(self, dataset: Dataset) -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        plt.title(f"{dataset.name}: {len(dataset.x_train)} training rows")
        x, y = dataset.plane_train, dataset.y_train  # with feature inputs: the source's x1, x2
        if x.shape[1] != 2:
            plt.title(f"{dataset.name}: {dataset.n_features} features (no 2-D picture)")
        elif dataset.class_names is None:
            plt.scatter(x[:MAX_POINTS, 0].tolist(), x[:MAX_POINTS, 1].tolist(), marker="dot")
        else:
            for index, name in enumerate(dataset.class_names):
                rows = x[y == index][:MAX_POINTS]
                plt.scatter(rows[:, 0].tolist(), rows[:, 1].tolist(), marker="dot", label=str(name))
        plt.xlabel(dataset.feature_names[0] if dataset.feature_names else "")
        self.refresh()

    def show_message(self, text: str) -> None:
        self.plt.clear_data()
        self.plt.clear_figure()
        self.plt.title(text)
        self.refresh()


class DatasetPanel(DraftPanel):
    dataset: Dataset | None = None  # the data the preview shows (the session's)

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
        yield DataScatter(id="data-scatter")

    @on(Select.Changed, "#data-source")
    def _source_chosen(self, event: Select.Changed) -> None:
        event.stop()
        old = self.draft.get("data", {})
        if event.value == old.get("source"):
            return
        new = {"source": event.value, **{k: old[k] for k in SHARED_KEYS if k in old}}
        self.post_message(FieldEdited("data", new, structural=True))

    def show_dataset(self, dataset: Dataset) -> None:
        self.dataset = dataset
        classes = f", {dataset.n_classes} classes" if dataset.n_classes else ", regression"
        self.query_one("#data-info", Static).update(
            f"{len(dataset.x_train)} training rows, {len(dataset.x_test)} test rows, "
            f"{dataset.n_features} features{classes}"
        )
        self.query_one(DataScatter).show_dataset(dataset)

    def show_error(self, message: str) -> None:
        self.query_one("#data-info", Static).update(Text.assemble(("cannot load: ", "bold red"), message))
        self.query_one(DataScatter).show_message("no data to show")
