"""The audit trail window: lazy listing, filters, details, and verifying the chain."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from countersign.formats.bundle import create_bundle
from countersign.models.vocabulary import AuditAction
from countersign.services.audit.records import AuditTrail
from countersign.services.audit.trail import ChainReport
from countersign.services.audit.wording import action_label
from countersign.services.importing.importer import Importer
from countersign.services.integrity.registry_check import RegistryCheck
from countersign.services.integrity.service import Integrity
from countersign.services.storage.database import Database
from countersign.services.trust.store import TrustStore
from countersign.views.audit.events import AuditEventModel
from countersign.views.audit.window import AuditWindow
from tests.helpers.merged import laptop_work_merged
from tests.helpers.registry import audit_actions, native_card, write_card
from tests.helpers.signoff import workbench

# The offscreen platform cannot pass size hints to a window system; that is not a problem.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def db(tmp_path: Path) -> Database:
    """A registry with two models, a second version and a bundle: 9 audit events."""
    database = Database.open(str(tmp_path / "registry.sqlite3"))
    importer = Importer(database, actor="officer")
    importer.import_file(write_card(tmp_path, "v1.json", native_card("credit-scorer", "1.0")))
    importer.import_file(write_card(tmp_path, "v2.json", native_card("credit-scorer", "2.0")))
    folder = tmp_path / "cards"
    folder.mkdir()
    write_card(folder, "fraud.json", native_card("fraud-detector", "0.9"))
    create_bundle(folder, tmp_path / "fraud.cardbundle", "Payments", producer="tests")
    importer.import_file(tmp_path / "fraud.cardbundle")
    return database


def _db_path(db: Database) -> Path:
    return Path(db.location)


def _window(qtbot: QtBot, db: Database) -> AuditWindow:
    window = AuditWindow(AuditTrail(db))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def _column(model: AuditEventModel, column: int) -> list[str]:
    return [model.index(row, column).data() for row in range(model.rowCount())]


def _tamper(path: Path, statement: str) -> None:
    raw = sqlite3.connect(path)
    raw.execute("DROP TRIGGER audit_events_no_update")
    raw.execute("DROP TRIGGER audit_events_no_delete")
    raw.execute(statement)
    raw.commit()
    raw.close()


def _verify(qtbot: QtBot, window: AuditWindow) -> ChainReport:
    with qtbot.waitSignal(window.verified, timeout=20000) as blocker:
        qtbot.mouseClick(window.verify_button, Qt.MouseButton.LeftButton)
    check = blocker.args[0]
    assert isinstance(check, RegistryCheck)
    return check.chain


def test_window_lists_every_event_in_chain_order(qtbot: QtBot, db: Database) -> None:
    window = _window(qtbot, db)
    model = window.model
    actions = audit_actions(_db_path(db))
    assert _column(model, 3) == [action_label(action) for action in actions]
    assert _column(model, 0) == [str(n) for n in range(1, len(actions) + 1)]
    first = [model.index(0, c).data() for c in (2, 3, 4, 5)]
    assert first[:3] == ["officer", "Model created", "credit-scorer"]
    assert first[3] == "Model credit-scorer created (risk tier high)"
    bundle_row = actions.index("bundle.imported")
    assert model.index(bundle_row, 5).data() == (
        "Bundle fraud.cardbundle imported from team Payments (not signed): fraud-detector 0.9"
    )
    tip = model.index(bundle_row, 5).data(Qt.ItemDataRole.ToolTipRole)
    assert "Stored details: cards: 1 item; file: fraud.cardbundle; signature: absent" in tip
    imported = model.index(actions.index("card_version.imported", bundle_row), 5)
    # The model has its own column; the tooltip says the whole sentence.
    assert imported.data() == (
        "Card version 0.9 imported from bundle fraud.cardbundle (card fraud.json, Countersign JSON)"
    )
    assert imported.data(Qt.ItemDataRole.ToolTipRole).startswith(
        "Card version 0.9 of fraud-detector imported from bundle fraud.cardbundle"
    )
    superseded = model.index(actions.index("card_version.superseded"), 5).data()
    assert superseded == "Card version 1.0 superseded by version 2.0"
    shown = " ".join(
        str(model.index(row, column).data())
        for row in range(model.rowCount())
        for column in range(model.columnCount())
    )
    assert not any(action in shown for action in actions)  # words, never the stored codes
    assert "card_version 1" not in shown and "model 1" not in shown  # nor database ids


def test_the_action_filter_offers_every_action_in_words(qtbot: QtBot, db: Database) -> None:
    window = _window(qtbot, db)
    offered = {
        window.action_filter.itemData(i): window.action_filter.itemText(i)
        for i in range(1, window.action_filter.count())
    }
    assert offered == {action.value: action.label for action in AuditAction}
    window.action_filter.setCurrentIndex(window.action_filter.findText("Bundle imported"))
    assert _column(window.model, 3) == ["Bundle imported"]


def test_events_are_read_a_page_at_a_time(
    qtbot: QtBot, db: Database, qtmodeltester: object
) -> None:
    model = AuditEventModel(AuditTrail(db), page_size=4)
    assert model.rowCount() == 0 and model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert _column(model, 0) == ["1", "2", "3", "4"]
    model.fetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert model.rowCount() == len(audit_actions(_db_path(db)))
    assert not model.canFetchMore(QModelIndex())
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    model.set_filter("credit-scorer", None)
    qtmodeltester.check(model)  # type: ignore[attr-defined]


def test_filters_by_model_and_action(qtbot: QtBot, db: Database) -> None:
    window = _window(qtbot, db)
    window.action_filter.setCurrentIndex(window.action_filter.findData("card_version.imported"))
    assert _column(window.model, 4) == ["credit-scorer", "credit-scorer", "fraud-detector"]
    window.model_filter.setText("credit-scorer")
    qtbot.waitUntil(lambda: window.model.rowCount() == 2)
    assert set(_column(window.model, 3)) == {"Card version imported"}
    window.action_filter.setCurrentIndex(0)
    assert _column(window.model, 3) == [
        "Model created",
        "Card version imported",
        "Card version imported",
        "Card version superseded",
    ]
    window.model_filter.setText("no-such-model")
    qtbot.waitUntil(lambda: window.model.rowCount() == 0)


def test_selecting_an_event_shows_its_details_and_hashes(qtbot: QtBot, db: Database) -> None:
    window = _window(qtbot, db)
    row = audit_actions(_db_path(db)).index("card_version.imported")
    window.table.selectRow(row)
    raw = sqlite3.connect(_db_path(db))
    stored = raw.execute(
        "SELECT id, details_json, hash, prev_hash FROM audit_events WHERE id = ?", (row + 1,)
    ).fetchone()
    raw.close()
    assert window.hash_label.text() == stored[2]
    assert window.prev_hash_label.text() == stored[3]
    shown = window.details_text.toPlainText()
    assert json.loads(shown) == json.loads(stored[1])
    assert '\n  "version": "1.0"' in shown  # pretty-printed
    title, who = window.detail_title.text().split("\n")
    assert title == (
        f"Event {row + 1}: Card version 1.0 of credit-scorer imported from v1.json"
        " (Countersign JSON)"
    )
    assert who.startswith("Card version imported by officer at 20")


def test_verify_shows_an_intact_chain(qtbot: QtBot, db: Database) -> None:
    window = _window(qtbot, db)
    report = _verify(qtbot, window)
    count = len(audit_actions(_db_path(db)))
    assert report.ok
    lines = window.result.text().splitlines()
    assert lines[0] == f"Audit chain intact: {count} events verified."
    # Nobody has signed anything yet: nothing pins the trail, and nothing is trusted here.
    assert lines[1].startswith("No signed head: no trusted signature pins any event yet")
    assert lines[2].startswith("Not anchored: no certificate is trusted on this workstation")
    assert window.result.isVisible()


def test_verify_names_and_selects_the_first_broken_event(qtbot: QtBot, db: Database) -> None:
    window = _window(qtbot, db)
    assert window.model.index(2, 2).data() == "officer"
    _tamper(_db_path(db), "UPDATE audit_events SET actor = 'mallory' WHERE id = 3")
    report = _verify(qtbot, window)
    assert (report.ok, report.first_broken) == (False, 3)
    assert window.result.text().startswith("Audit chain BROKEN at event 3:")
    assert "no longer matches its hash" in window.result.text()
    current = window.table.currentIndex()
    assert window.model.row(current.row()).id == 3
    assert window.model.index(current.row(), 2).data() == "mallory"
    assert window.model.index(current.row(), 0).data(Qt.ItemDataRole.BackgroundRole) is not None
    assert window.model.index(0, 0).data(Qt.ItemDataRole.BackgroundRole) is None
    assert window.detail_title.text().startswith("Event 3: ")
    assert window.chain_note.isVisible()
    assert window.chain_note.text().startswith("The chain breaks here: its content no longer")
    window.table.selectRow(0)
    assert not window.chain_note.isVisible()


def test_a_broken_event_hidden_by_a_filter_is_shown(qtbot: QtBot, db: Database) -> None:
    _tamper(_db_path(db), "DELETE FROM audit_events WHERE id = 4")
    window = _window(qtbot, db)
    window.model_filter.setText("fraud-detector")
    qtbot.waitUntil(lambda: window.model.rowCount() == 2)
    report = _verify(qtbot, window)
    assert report.first_broken == 5
    assert "events 4 to 4 are missing" in window.result.text()
    assert window.model_filter.text() == ""
    assert window.model.row(window.table.currentIndex().row()).id == 5


def test_verify_shows_the_newest_signed_head_and_its_age(qtbot: QtBot, tmp_path: Path) -> None:
    with workbench(tmp_path) as bench:
        bench.person("olga@example.org", "officer", "Olga Officer")
        TrustStore().pin(bench.identities.get("olga@example.org").certificate_pem, "Olga")
        window = AuditWindow(AuditTrail(bench.db), integrity=Integrity(bench.db, TrustStore()))
        qtbot.addWidget(window)
        window.show()
        report = _verify(qtbot, window)
        assert report.ok
        head = window.result.text().splitlines()[1]
        assert head.startswith("Newest signed head: event 1 (")
        assert "grant signed by olga@example.org just now" in head
        assert head.endswith("1 later event not yet covered by a signature.")
        window.close()


def test_the_officer_is_pinned_on_first_use_once_confirmed(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with workbench(tmp_path) as bench:
        officer = bench.person("olga@example.org", "officer", "Olga Officer")
        window = AuditWindow(AuditTrail(bench.db), integrity=Integrity(bench.db, TrustStore()))
        qtbot.addWidget(window)
        window.show()
        _verify(qtbot, window)
        assert window.pin_button.isVisible()  # nothing trusted here yet
        asked: list[str] = []

        def answer(button: QMessageBox.StandardButton) -> object:
            def ask(_parent: object, _title: str, text: str) -> QMessageBox.StandardButton:
                asked.append(text)
                return button

            return ask

        monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.No))
        window.pin_button.click()
        assert TrustStore().entries() == [] and window.pin_button.isVisible()
        monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.Yes))
        with qtbot.waitSignal(window.verified, timeout=20000):
            window.pin_button.click()
        assert f"SHA-256 {officer.fingerprint}" in asked[-1]
        assert [e.fingerprint for e in TrustStore().entries()] == [officer.fingerprint]
        assert not window.pin_button.isVisible()
        assert "Not anchored" not in window.result.text()
        window.close()


MERGED = ["3 (merged)", "4 (merged)", "5 (merged)", "6 (merged)"]
"""The Event column of the laptop's work as event 5 of :func:`merged_db` merged it."""


@pytest.fixture
def merged_db(tmp_path: Path) -> Iterator[Database]:
    """A team registry (churn-model, other-model) with a laptop's two churn-model imports merged:
    its events 1 to 4, then event 5, merging the laptop's events 3 to 6."""
    db = laptop_work_merged(tmp_path, ["1.1", "1.2"])
    yield db
    db.dispose()


def _fetch_all(model: AuditEventModel) -> None:
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())


def test_merged_work_is_listed_just_before_its_merge_across_pages(
    merged_db: Database, qtmodeltester: object
) -> None:
    model = AuditEventModel(AuditTrail(merged_db), page_size=2)
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    _fetch_all(model)
    # The laptop's work, done before the merge sealed it, just before event 5 that merged it.
    assert _column(model, 0) == ["1", "2", "3", "4", *MERGED, "5"]
    assert _column(model, 2)[4:8] == ["laptop"] * 4
    assert _column(model, 3)[8] == "Work merged from another registry"
    assert _column(model, 5)[4].startswith("Merged by event 5: Card version 1.1 imported from")
    assert _column(model, 5)[7] == "Merged by event 5: Card version 1.1 superseded by version 1.2"
    assert model.row_of(5) == 8 and model.fetch_until(5) == 8

    model.set_filter(None, "card_version.imported")  # filters apply to the merged work too
    _fetch_all(model)
    assert _column(model, 0) == ["2", "4", "3 (merged)", "5 (merged)"]
    model.set_filter("churn-model", None)  # the merge that brought its work shows too
    _fetch_all(model)
    assert _column(model, 0) == ["1", "2", *MERGED, "5"]
    model.set_filter("churn-model", "registry.merged")
    _fetch_all(model)
    assert _column(model, 0) == ["5"]
    model.set_filter("other-model", None)  # a merge that brought none of its work does not
    _fetch_all(model)
    assert _column(model, 0) == ["3", "4"]


def test_the_window_shows_merged_work_and_with_a_model_its_merge(
    qtbot: QtBot, merged_db: Database
) -> None:
    window = _window(qtbot, merged_db)
    _fetch_all(window.model)
    shown = window.table.model()
    rows = [shown.index(row, 0).data() for row in range(shown.rowCount())]
    assert rows == ["1", "2", "3", "4", *MERGED, "5"]
    window.table.selectRow(6)  # the laptop's event 5: its own hashes, not this chain's event 5
    title = window.detail_title.text().split("\n")[0]
    assert (
        title
        == "Event 5 (merged by event 5): Card version 1.2 of churn-model imported from b2.json (Countersign JSON)"
    )
    raw = sqlite3.connect(merged_db.location)
    stored = raw.execute("SELECT hash FROM merged_events WHERE segment = 5 AND id = 5").fetchone()
    raw.close()
    assert window.hash_label.text() == stored[0]

    # Filtered by model, the window shows the merge event that merged the model's work.
    qtbot.keyClicks(window.model_filter, "churn-model")
    qtbot.keyClick(window.model_filter, Qt.Key.Key_Return)
    _fetch_all(window.model)
    rows = [shown.index(row, 0).data() for row in range(shown.rowCount())]
    assert rows == ["1", "2", *MERGED, "5"]
    assert shown.index(6, 3).data() == "Work merged from another registry"
    window.table.selectRow(6)
    title = window.detail_title.text()
    assert title.startswith("Event 5: ") and " merged 4 events of work done in " in title
    window.close()
