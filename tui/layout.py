"""The main screen's layout: the panels the student edits (left) and the views they watch (right).

A new editing panel goes in the ``#panels`` tabs, a new view in the ``#views`` tabs; the widgets
draw from the session (:class:`~nnplay.engine.session.Session`) the app gives them.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Static, TabPane

from nnplay.engine.session import Session
from nnplay.tui import actions
from nnplay.tui.widgets.boundary import BoundaryView
from nnplay.tui.widgets.charts import HistoryChart
from nnplay.tui.widgets.code import CodeView
from nnplay.tui.widgets.dataset import DatasetPanel
from nnplay.tui.widgets.layers import LayersPanel
from nnplay.tui.widgets.network.units import NetworkView
from nnplay.tui.widgets.network.weights import WeightsView
from nnplay.tui.widgets.notes import NotesView
from nnplay.tui.widgets.pace import PaceStatus
from nnplay.tui.widgets.regularization import RegularizationPanel
from nnplay.tui.widgets.results import ResultsPanel
from nnplay.tui.widgets.runs import RunsView
from nnplay.tui.widgets.search.view import SearchView
from nnplay.tui.widgets.summary import SummaryPanel
from nnplay.tui.widgets.surface.pane import SurfacePane
from nnplay.tui.widgets.tabs import FittedTabs
from nnplay.tui.widgets.training import TrainingPanel, TrainProgress

#: The editing panels, rebuilt from the draft after a preset load or a structural edit.
PANELS = (DatasetPanel, LayersPanel, RegularizationPanel, TrainingPanel)


def main_layout(session: Session) -> ComposeResult:
    draft = session.draft
    with Horizontal(id="main"):
        with FittedTabs(id="panels", initial="dataset", titles=actions.PANEL_TABS):
            with TabPane("Dataset", id="dataset"):
                yield DatasetPanel(draft, id="dataset-panel", classes="panel")
            with TabPane("Layers", id="layers"):
                yield LayersPanel(draft, id="layers-panel", classes="panel")
            with TabPane("Regularization", id="regularization"):
                yield RegularizationPanel(draft, id="regularization-panel", classes="panel")
            with TabPane("Training", id="training"):
                yield TrainingPanel(draft, id="training-panel", classes="panel")
            with TabPane("Notes", id="notes"):
                yield NotesView(draft.preset.preset.notes, id="notes-text", classes="panel")
            with TabPane("Results", id="results"):
                with VerticalScroll(classes="panel"):
                    yield ResultsPanel(id="results-panel")
        with Vertical(id="side"):
            with FittedTabs(id="views", initial="view-loss", titles=actions.VIEW_TABS):
                with TabPane("Loss", id="view-loss"):
                    with VerticalScroll(id="summary-box"):
                        yield SummaryPanel(id="summary")
                    yield HistoryChart(id="chart")
                with TabPane("Boundary", id="view-boundary"):
                    yield BoundaryView(id="boundary")
                with TabPane("Network", id="view-network"):
                    with VerticalScroll(classes="view-scroll"):
                        yield NetworkView(id="network-view")
                with TabPane("Weights", id="view-weights"):
                    with VerticalScroll(classes="view-scroll"):
                        yield WeightsView(id="weights-view")
                with TabPane("Surface", id="view-surface"):
                    yield SurfacePane(id="surface-pane")
                with TabPane("Runs", id="view-runs"):
                    yield RunsView(id="runs-view")
                with TabPane("Search", id="view-search"):
                    yield SearchView(id="search-view")
                with TabPane("Code", id="view-code"):
                    yield CodeView(id="code-view")
            yield TrainProgress(session.pace, id="progress")
            with Horizontal(id="train-bar"):
                yield Button("Train (t)", id="train", variant="success", compact=True)
                yield PaceStatus(session.pace, id="pace")
                yield Static("", id="train-status", markup=False)  # it quotes the user's values
