"""The History tab: a model's audit events, paged lazily by id."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from countersign.services.audit.records import AuditTrail
from countersign.services.importing.importer import Importer, LooseCardInfo
from countersign.services.storage.database import Database
from countersign.views.model_page.history_tab import HistoryTab, HistoryTableModel, load_history
from tests.helpers.merged import laptop_work_merged
from tests.helpers.registry import native_card, write_card


def test_events_page_lazily_and_pass_the_tester(
    qapp: QApplication, qtmodeltester: ModelTester, tmp_path: Path
) -> None:
    db = Database.open(str(tmp_path / "r.sqlite3"))
    importer = Importer(db, actor="officer")
    for minor in range(6):
        path = write_card(tmp_path, f"m{minor}.json", native_card("churn-model", f"1.{minor}"))
        importer.import_file(path, LooseCardInfo(team="Retention"))
    other = write_card(tmp_path, "other.json", native_card("other-model", "1.0"))
    importer.import_file(other)

    trail = AuditTrail(db)
    events = load_history(trail, "churn-model", limit=100)
    # model.created, then per version: imported (and from the second on, superseded).
    assert len(events) == 1 + 6 + 5
    assert all("other-model" not in e.text + e.details for e in events)

    model = HistoryTableModel(trail, page_size=4)
    model.set_model_name("churn-model")
    assert model.rowCount() == 4
    assert model.canFetchMore(QModelIndex())
    qtmodeltester.check(model)
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    assert model.rowCount() == 12
    assert model.index(0, 1).data() == "Model created"
    assert model.index(0, 2).data() == "officer"
    assert model.index(0, 3).data() == "Model churn-model created (team Retention, risk tier high)"
    tip = model.index(0, 3).data(Qt.ItemDataRole.ToolTipRole)
    assert tip.endswith("Stored details: risk_tier: high; team: Retention")
    # The tab is the model's: its name is not repeated in every line.
    assert model.index(1, 3).data() == "Card version 1.0 imported from m0.json (Countersign JSON)"
    assert model.index(3, 1).data() == "Card version superseded"
    assert model.index(3, 3).data() == "Card version 1.0 superseded by version 1.1"
    assert model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole).endswith("(event 1)")
    model.set_model_name("")
    assert model.rowCount() == 0 and not model.canFetchMore(QModelIndex())
    db.dispose()


def test_work_merged_from_another_registry_shows_just_before_its_merge(
    qtbot: QtBot, qtmodeltester: ModelTester, tmp_path: Path
) -> None:
    db = laptop_work_merged(tmp_path, ["1.1"])

    for size in (1, 2, 3):  # the merged work is read whole however the pages cut it
        paged = HistoryTableModel(AuditTrail(db), page_size=size)
        paged.set_model_name("churn-model")
        while paged.canFetchMore(QModelIndex()):
            paged.fetchMore(QModelIndex())
        assert paged.rowCount() == 5
    tab = HistoryTab(AuditTrail(db))
    qtbot.addWidget(tab)
    tab.show_model("churn-model")
    tab.show()
    qtbot.waitExposed(tab)
    model = tab.table.model()
    assert isinstance(model, HistoryTableModel)
    qtmodeltester.check(model)
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    actions = [model.index(row, 1).data() for row in range(model.rowCount())]
    # The laptop's work, done before the merge sealed it, just before the merge (event 5).
    assert actions == [
        "Model created",
        "Card version imported",
        "Card version imported",
        "Card version superseded",
        "Work merged from another registry",
    ]
    said = model.index(4, 3).data()
    assert " merged 2 events of work done in " in said
    assert said.endswith("laptop.sqlite3 (verified, kept verbatim)")
    assert model.index(2, 2).data() == "laptop"
    assert model.index(2, 3).data().startswith("Merged by event 5: Card version 1.1 imported from")
    assert (
        model.index(3, 3).data() == "Merged by event 5: Card version 1.0 superseded by version 1.1"
    )
    assert not model.index(1, 3).data().startswith("Merged")
    tips = [model.index(row, 0).data(Qt.ItemDataRole.ToolTipRole) for row in (2, 3, 4)]
    assert all(tip.endswith("(event 5)") for tip in tips)  # merged where event 5 merged them
    db.dispose()
