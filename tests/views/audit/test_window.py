"""The audit trail window: lazy listing, filters, details, and verifying the chain."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from countersign.formats.bundle import create_bundle
from countersign.services.audit.trail import ChainReport
from countersign.services.importing.importer import Importer
from countersign.services.integrity.registry_check import RegistryCheck
from countersign.services.storage.database import Database
from countersign.services.trust.store import TrustStore
from countersign.views.audit.events import AuditEventModel, details_summary
from countersign.views.audit.window import AuditWindow
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
    window = AuditWindow(db)
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
    assert _column(model, 3) == actions
    assert _column(model, 0) == [str(n) for n in range(1, len(actions) + 1)]
    first = [model.index(0, c).data() for c in (2, 3, 4, 5)]
    assert first == ["officer", "model.created", "credit-scorer", "model 1"]
    bundle_row = actions.index("bundle.imported")
    summary = model.index(bundle_row, 6).data()
    assert summary.startswith("cards: 1 item; file: fraud.cardbundle; signature: absent")
    assert "team: Payments" in summary


def test_events_are_read_a_page_at_a_time(
    qtbot: QtBot, db: Database, qtmodeltester: object
) -> None:
    model = AuditEventModel(db, page_size=4)
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
    assert set(_column(window.model, 3)) == {"card_version.imported"}
    window.action_filter.setCurrentIndex(0)
    assert _column(window.model, 3) == [
        "model.created",
        "card_version.imported",
        "card_version.imported",
        "card_version.superseded",
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
    assert window.detail_title.text().startswith(
        f"Event {row + 1}: card_version.imported by officer"
    )


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
    assert window.detail_title.text().startswith("Event 3:")
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


def test_details_summary_is_short_and_names_each_field() -> None:
    summary = details_summary({"sha256": "ab" * 32, "cards": [1, 2], "file": "x.json"})
    assert summary == "sha256: abababababab…; cards: 2 items; file: x.json"
    assert len(details_summary({"reason": "x" * 500})) == 140
    assert details_summary({"bundle": "", "team": "Payments", "signer": None}) == "team: Payments"


def test_verify_shows_the_newest_signed_head_and_its_age(qtbot: QtBot, tmp_path: Path) -> None:
    with workbench(tmp_path) as bench:
        bench.person("olga@example.org", "officer", "Olga Officer")
        TrustStore().pin(bench.identities.get("olga@example.org").certificate_pem, "Olga")
        window = AuditWindow(bench.db, trust=TrustStore())
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
        window = AuditWindow(bench.db, trust=TrustStore())
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
