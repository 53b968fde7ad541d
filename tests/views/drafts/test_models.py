"""The draft editor's item models: the metrics table and the completeness list."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from countersign.models.card import MetricResult
from countersign.services.drafts import create_model_card, judge, load_template
from countersign.views.drafts.completeness_panel import CompletenessModel
from countersign.views.drafts.metrics_model import COLUMNS, MetricsTableModel
from tests.helpers.drafts import FLOW_EXAMPLE


def _results() -> list[MetricResult]:
    return [
        MetricResult(name="auc", type="roc_auc", value="0.87", numeric=0.87, dataset="holdout"),
        MetricResult(name="f1", type="f1", value="NA", details={"metric.verified": "false"}),
    ]


def test_metrics_model_passes_qtmodeltester(qtmodeltester: ModelTester) -> None:
    model = MetricsTableModel()
    model.set_results(_results())
    qtmodeltester.check(model, force_py=True)
    assert model.insertRows(1, 2)
    assert model.removeRows(0, 1)
    qtmodeltester.check(model, force_py=True)


def test_editing_a_cell_changes_that_field_alone(qtbot: QtBot) -> None:
    model = MetricsTableModel()
    model.set_results(_results())
    value = model.index(1, [f for f, _ in COLUMNS].index("value"))
    assert model.data(value, Qt.ItemDataRole.ToolTipRole).startswith("'NA' holds no number")
    with qtbot.waitSignal(model.edited):
        assert model.setData(value, "0.71")
    name = model.index(0, 0)
    assert model.setData(name, "roc")
    assert not model.setData(name, "roc")  # no change, no signal
    auc, f1 = model.results()
    assert (f1.value, f1.numeric, f1.details) == ("0.71", 0.71, {"metric.verified": "false"})
    assert (auc.name, auc.type, auc.dataset) == ("roc", "roc_auc", "holdout")  # its own id kept
    assert model.headerData(2, Qt.Orientation.Horizontal) == "Dataset"
    assert model.flags(name) & Qt.ItemFlag.ItemIsEditable
    assert not model.insertRows(5, 1) and not model.removeRows(0, 9)
    assert model.rowCount(model.index(0, 0)) == 0 and model.data(QModelIndex()) is None


def test_completeness_model_passes_qtmodeltester_missing_first(
    qtmodeltester: ModelTester,
) -> None:
    draft = create_model_card(FLOW_EXAMPLE)
    report = judge(draft.card, load_template("standard"))
    model = CompletenessModel()
    model.set_report(report)
    qtmodeltester.check(model, force_py=True)
    states = [model.item(row).state for row in range(model.rowCount())]
    assert states == sorted(states, key=["fail", "manual", "pass"].index)
    first = model.data(model.index(0, 0))
    assert first.startswith("Missing: The card names an accountable owner")
    assert "owners has no entries" in first
    model.set_report(None)
    assert model.rowCount() == 0
