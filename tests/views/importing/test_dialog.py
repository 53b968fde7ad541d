"""The import preview dialog: preview, Import, Cancel, refusals, registry errors."""

from __future__ import annotations

import threading
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QWidget
from pytestqt.qtbot import QtBot

from countersign.errors import ImportCancelled, RegistryLocked
from countersign.formats.bundle import create_bundle
from countersign.services.importing.importer import Importer, ImportPlan
from countersign.services.registry import Registry
from countersign.services.storage.database import Database
from countersign.views.importing.dialog import ImportDialog
from tests.helpers.bundles import Entry, signed_bundle, with_entries, write
from tests.helpers.mct import TRAIN_AND_EVAL, TRAIN_AND_EVAL_FILE, write_mct_cards
from tests.helpers.processes import gone
from tests.helpers.registry import audit_actions, native_card, row_counts, write_card

# The offscreen platform cannot pass size hints to a window system; that is not a problem.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

EMPTY = {
    "models": 0,
    "card_versions": 0,
    "bundles": 0,
    "attachments": 0,
    "audit_events": 0,
    "card_search": 0,
}


@pytest.fixture
def db(tmp_path: Path) -> Database:
    return Database.open(str(tmp_path / "registry.sqlite3"))


@pytest.fixture
def importer(db: Database) -> Importer:
    return Importer(db, actor="officer")


def _db_path(db: Database) -> Path:
    return Path(db.location)


def _preview(qtbot: QtBot, importer: Importer, paths: list[Path]) -> ImportDialog:
    dialog = ImportDialog(importer, paths)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.preview_ready, timeout=20000):
        dialog.show()
    return dialog


def _cells(model: object, row: int) -> list[str]:
    return [model.index(row, c).data() for c in range(model.columnCount())]  # type: ignore[attr-defined]


def _import(qtbot: QtBot, dialog: ImportDialog) -> None:
    with qtbot.waitSignal(dialog.import_finished, timeout=20000):
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)


def _not_a_bundle(tmp_path: Path) -> Path:
    path = tmp_path / "holiday-photos.cardbundle"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes.txt", "Pictures from the away day.")
        archive.writestr("photo.jpg", b"\xff\xd8\xff\xe0" + b"\0" * 200)
    return path


def test_preview_of_a_loose_card_writes_nothing(
    qtbot: QtBot, db: Database, importer: Importer, tmp_path: Path
) -> None:
    path = write_card(tmp_path, "scorer.json", native_card("credit-scorer", "1.0"))
    dialog = _preview(qtbot, importer, [path])
    assert _cells(dialog.files_model, 0) == [
        "scorer.json",
        "Card file",
        "—",
        "None (loose card file)",
        "1",
        "Will add 1 card version",
    ]
    assert _cells(dialog.cards_model, 0) == [
        "scorer.json",
        "credit-scorer",
        "1.0",
        "Countersign JSON",
        "New model",
        "0",
        "no model files named",
    ]
    assert dialog.import_button.isEnabled()
    assert not dialog.refusal_panel.isVisible()
    assert "1 card version will be added" in dialog.intro.text()
    assert "No format warnings." in dialog.card_details.toPlainText()
    assert row_counts(_db_path(db)) == EMPTY


def test_preview_of_an_mct_card_shows_its_warnings_on_selection(
    qtbot: QtBot, db: Database, importer: Importer, tmp_path: Path
) -> None:
    _, path = write_mct_cards(tmp_path / "mct")
    dialog = _preview(qtbot, importer, [path])
    cells = _cells(dialog.cards_model, 0)
    warnings = dialog.entries[0].plan.cards[0].warnings
    assert len(warnings) == 3, "the card has three graphics that are cut short"
    assert cells == [
        TRAIN_AND_EVAL_FILE,
        TRAIN_AND_EVAL,
        "0.3",
        "Model Card Toolkit JSON",
        "New model",
        str(len(warnings)),
        "no model files named",
    ]
    dialog.cards_view.selectRow(0)
    shown = dialog.card_details.toPlainText()
    assert f"{len(warnings)} format warning" in shown
    # The place in words leads (the graphic named by its own name), the path follows.
    first = warnings[0]
    assert first.where == (
        "model parameters › data “train_split” › graphics › collection “train graphic” › image"
    )
    assert f"• {first.where}: {first.message}  [{first.field}]" in shown
    assert row_counts(_db_path(db)) == EMPTY


def test_bundle_preview_shows_team_signature_and_each_card(
    qtbot: QtBot, db: Database, importer: Importer, tmp_path: Path
) -> None:
    importer.import_file(write_card(tmp_path, "old.json", native_card("credit-scorer", "1.0")))
    folder = tmp_path / "cards"
    folder.mkdir()
    write_card(folder, "a.json", native_card("credit-scorer", "1.0"))
    write_card(folder, "b.json", native_card("credit-scorer", "1.1"))
    write_card(folder, "c.json", native_card("fraud-detector", "0.9"))
    bundle = tmp_path / "risk.cardbundle"
    create_bundle(folder, bundle, "Risk Analytics", producer="tests")
    before = row_counts(_db_path(db))
    dialog = _preview(qtbot, importer, [bundle])
    assert _cells(dialog.files_model, 0)[1:] == [
        "Card bundle",
        "Risk Analytics",
        "Not signed",
        "3",
        "Will add 2 card versions",
    ]
    rows = {dialog.cards_model.index(r, 0).data(): _cells(dialog.cards_model, r) for r in range(3)}
    assert rows["a.json"][1:5] == [
        "credit-scorer",
        "1.0",
        "Countersign JSON",
        "Unchanged: already in the registry",
    ]
    assert rows["b.json"][4] == "New version"
    assert rows["c.json"][4] == "New model"
    assert row_counts(_db_path(db)) == before


def test_signed_bundle_shows_the_valid_team_signature(
    qtbot: QtBot, db: Database, importer: Importer, tmp_path: Path
) -> None:
    path = write(tmp_path, "credit-risk.cardbundle", signed_bundle())
    dialog = _preview(qtbot, importer, [path])
    team, signature = dialog.files_model.index(0, 2).data(), dialog.files_model.index(0, 3).data()
    assert team == "Credit Risk Analytics"
    assert signature.startswith("Valid team signature: ")
    assert "CN=Credit Risk Analytics release signing" in signature
    assert dialog.files_model.index(0, 3).data(Qt.ItemDataRole.ToolTipRole) == signature
    # The long signer name is cut short in its column so that the status stays in view.
    header = dialog.files_view.horizontalHeader()
    status_right = header.sectionViewportPosition(5) + header.fontMetrics().horizontalAdvance(
        dialog.files_model.index(0, 5).data()
    )
    assert status_right < dialog.files_view.viewport().width()
    assert dialog.cards_title.text().startswith(
        "Cards in credit-risk.cardbundle (team Credit Risk Analytics; signed by "
    )
    assert [_cells(dialog.cards_model, r)[1:5] for r in range(2)] == [
        ["credit-scorer", "1.0.0", "Countersign JSON", "New model"],
        ["credit-scorer", "2.0.0", "Countersign JSON", "New version"],
    ]
    assert row_counts(_db_path(db)) == EMPTY


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        (
            "tampered.cardbundle",
            lambda: signed_bundle(tamper=True),
            "manifest.sig: the signature does not match manifest.json: the manifest was "
            "changed after it was signed",
        ),
        (
            "escape.cardbundle",
            lambda: with_entries(Entry("../../etc/passwd", b"root:x:0:0")),
            "../../etc/passwd: the path climbs out of the bundle with '..'",
        ),
    ],
)
def test_hostile_bundles_are_refused_and_change_nothing(  # noqa: PLR0913  # pytest passes fixtures and parameters by name
    qtbot: QtBot,
    db: Database,
    importer: Importer,
    tmp_path: Path,
    *,
    name: str,
    data: Callable[[], bytes],
    reason: str,
) -> None:
    importer.import_file(write_card(tmp_path, "scorer.json", native_card("credit-scorer", "1.0")))
    before = row_counts(_db_path(db))
    dialog = _preview(qtbot, importer, [write(tmp_path, name, data())])
    assert dialog.refusal_panel.headline.text() == f"Countersign will not import {name}."
    assert dialog.refusal_panel.reason.text().startswith(reason)
    assert dialog.files_model.index(0, 3).data() == "Not checked: the bundle was refused"
    assert not dialog.import_button.isEnabled()
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert row_counts(_db_path(db)) == {**before, "audit_events": before["audit_events"] + 1}
    assert audit_actions(_db_path(db))[-1] == "import.refused"


def test_import_through_the_dialog_lands_the_card(
    qtbot: QtBot, db: Database, importer: Importer, tmp_path: Path
) -> None:
    path = write_card(tmp_path, "scorer.json", native_card("credit-scorer", "1.0"))
    dialog = _preview(qtbot, importer, [path])
    with qtbot.waitSignal(dialog.landed, timeout=20000):
        _import(qtbot, dialog)
    model = Registry(db).model("credit-scorer")
    assert (model.latest_version, model.risk_tier, model.status) == ("1.0", "high", "submitted")
    assert row_counts(_db_path(db))["card_versions"] == 1
    assert audit_actions(_db_path(db)) == ["model.created", "card_version.imported"]
    assert dialog.message.text() == "Import finished. Imported: scorer.json (1 card version)."
    assert dialog.files_model.index(0, 5).data() == "Imported 1 card version"
    assert dialog.import_button.isHidden()
    assert dialog.cancel_button.text() == "&Close"


def test_cancel_leaves_the_registry_untouched(
    qtbot: QtBot, db: Database, importer: Importer, tmp_path: Path
) -> None:
    path = write_card(tmp_path, "scorer.json", native_card("credit-scorer", "1.0"))
    dialog = _preview(qtbot, importer, [path])
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert not dialog.isVisible()
    assert row_counts(_db_path(db)) == EMPTY


def test_a_file_that_is_no_bundle_is_refused_in_plain_words(
    qtbot: QtBot, db: Database, importer: Importer, tmp_path: Path
) -> None:
    importer.import_file(write_card(tmp_path, "scorer.json", native_card("credit-scorer", "1.0")))
    before = row_counts(_db_path(db))
    path = _not_a_bundle(tmp_path)
    dialog = _preview(qtbot, importer, [path])
    panel = dialog.refusal_panel
    assert panel.isVisible()
    assert panel.headline.text() == "Countersign will not import holiday-photos.cardbundle."
    assert "the bundle has no manifest.json" in panel.reason.text()
    assert "Nothing from this file will be added to the registry." in panel.reason.text()
    assert dialog.files_model.index(0, 5).data() == "Refused: nothing will be imported"
    assert not dialog.import_button.isEnabled()
    assert not dialog.cards_view.isVisible()
    assert "Traceback" not in panel.reason.text()

    assert not panel.details.isVisible()
    qtbot.mouseClick(panel.details_button, Qt.MouseButton.LeftButton)
    assert panel.details.isVisible()
    qtbot.mouseClick(panel.copy_button, Qt.MouseButton.LeftButton)
    copied = QGuiApplication.clipboard().text()
    assert f"File: {path}" in copied
    assert "manifest.json: the bundle has no manifest.json" in copied
    assert "SHA-256: " in copied

    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    after = row_counts(_db_path(db))
    assert after == {**before, "audit_events": before["audit_events"] + 1}
    assert audit_actions(_db_path(db))[-1] == "import.refused"


def test_a_changed_card_under_an_existing_version_is_refused_with_the_reason(
    qtbot: QtBot, db: Database, importer: Importer, tmp_path: Path
) -> None:
    importer.import_file(write_card(tmp_path, "v1.json", native_card("credit-scorer", "1.0")))
    before = row_counts(_db_path(db))
    changed = write_card(tmp_path, "v1b.json", native_card("credit-scorer", "1.0", license="mit"))
    dialog = _preview(qtbot, importer, [changed])
    what = dialog.cards_model.index(0, 4).data()
    assert what.startswith("Refused: version 1.0 of credit-scorer is already in the registry")
    assert dialog.refusal_panel.isVisible()
    assert "a card version never changes" in dialog.refusal_panel.reason.text()
    assert not dialog.import_button.isEnabled()
    assert row_counts(_db_path(db)) == {**before, "audit_events": before["audit_events"] + 1}


def test_good_and_bad_files_together_land_the_good_one(
    qtbot: QtBot, db: Database, importer: Importer, tmp_path: Path
) -> None:
    good = write_card(tmp_path, "scorer.json", native_card("credit-scorer", "1.0"))
    dialog = _preview(qtbot, importer, [_not_a_bundle(tmp_path), good])
    assert dialog.import_button.isEnabled()
    assert "1 file is refused" in dialog.intro.text()
    with qtbot.waitSignal(dialog.landed, timeout=20000):
        _import(qtbot, dialog)
    assert [m.name for m in Registry(db).models()] == ["credit-scorer"]
    assert audit_actions(_db_path(db)) == [
        "import.refused",
        "model.created",
        "card_version.imported",
    ]
    assert dialog.message.text() == (
        "Import finished. Imported: scorer.json (1 card version). "
        "Not imported: holiday-photos.cardbundle (refused)."
    )


def test_a_locked_registry_is_a_message_not_a_traceback(
    qtbot: QtBot, importer: Importer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def locked(*_args: object, **_kwargs: object) -> None:
        raise RegistryLocked("the registry r.sqlite3 is locked by another program; close it")

    monkeypatch.setattr(importer, "plan", locked)
    path = write_card(tmp_path, "scorer.json", native_card("credit-scorer", "1.0"))
    dialog = _preview(qtbot, importer, [path])
    assert dialog.message.text() == (
        "The registry could not be used: "
        "the registry r.sqlite3 is locked by another program; close it."
    )
    assert not dialog.import_button.isEnabled()


def test_an_import_cancelled_before_it_lands_writes_nothing(
    qtbot: QtBot,
    db: Database,
    importer: Importer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = write_card(tmp_path, "scorer.json", native_card("credit-scorer", "1.0"))
    dialog = _preview(qtbot, importer, [path])

    def cancelled(*_args: object, **_kwargs: object) -> None:
        raise ImportCancelled("import cancelled; nothing was written")

    monkeypatch.setattr(importer, "apply", cancelled)
    with qtbot.assertNotEmitted(dialog.landed):
        _import(qtbot, dialog)
    assert dialog.message.text() == "Import cancelled; nothing was written."
    assert row_counts(_db_path(db)) == EMPTY


def test_cancelling_while_reading_closes_the_dialog(
    qtbot: QtBot, db: Database, importer: Importer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def cancelled(*_args: object, **_kwargs: object) -> None:
        raise ImportCancelled("import cancelled; nothing was written")

    monkeypatch.setattr(importer, "plan", cancelled)
    dialog = ImportDialog(importer, [tmp_path / "scorer.json"])
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.rejected, timeout=20000):
        dialog.show()
    assert not dialog.isVisible()
    assert row_counts(_db_path(db)) == EMPTY


def test_closing_while_reading_cancels_and_writes_nothing(
    qtbot: QtBot, db: Database, importer: Importer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started, release = threading.Event(), threading.Event()
    real_plan = importer.plan

    def slow_plan(path: Path, **options: Any) -> ImportPlan:
        started.set()
        release.wait(10)
        options["progress"](0, 1, f"Reading {path.name}")
        return real_plan(path, **options)

    monkeypatch.setattr(importer, "plan", slow_plan)
    paths = [write_card(tmp_path, f"{n}.json", native_card(n, "1.0")) for n in ("a", "b")]
    parent = QWidget()
    qtbot.addWidget(parent)
    dialog = ImportDialog(importer, paths, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    qtbot.waitUntil(started.is_set)
    dialog.reject()
    with qtbot.waitSignal(dialog.destroyed, timeout=20000):
        release.set()
    assert row_counts(_db_path(db)) == EMPTY


def test_item_models_pass_the_model_tester(
    qtbot: QtBot, qtmodeltester: object, importer: Importer, tmp_path: Path
) -> None:
    folder = tmp_path / "cards"
    folder.mkdir()
    write_card(folder, "a.json", native_card("credit-scorer", "1.0"))
    write_card(folder, "b.json", native_card("fraud-detector", "0.9"))
    bundle = tmp_path / "risk.cardbundle"
    create_bundle(folder, bundle, "Risk Analytics", producer="tests")
    dialog = _preview(qtbot, importer, [bundle, _not_a_bundle(tmp_path)])
    assert dialog.files_model.rowCount() == 2
    assert dialog.cards_model.rowCount() == 2
    qtmodeltester.check(dialog.files_model)  # type: ignore[attr-defined]
    qtmodeltester.check(dialog.cards_model)  # type: ignore[attr-defined]


def test_a_large_bundle_is_read_with_the_spare_cores_through_the_dialog(
    qtbot: QtBot, db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from countersign.services.importing import importer as importer_module
    from countersign.services.importing import workers

    # A dozen cards count as large here, and the machine has two spare cores; the
    # workers are up before the first card, so that they read some of the dozen.
    monkeypatch.setattr(workers, "MIN_CARDS_PER_WORKER", 2)
    monkeypatch.setattr(workers, "START_IN_BACKGROUND", False)
    monkeypatch.setattr(importer_module, "spare_cores", lambda: 2)
    cards = tmp_path / "cards"
    cards.mkdir()
    for number in range(12):
        write_card(cards, f"model-{number:02d}.json", native_card(f"model-{number:02d}", "1.0"))
    path = tmp_path / "team.cardbundle"
    create_bundle(cards, path, "Credit Risk Analytics", producer="tests", version="1")
    importer = Importer(db, actor="officer")  # as the workstation sets it up
    started: set[int] = set()
    arrived = workers.CardReaders._arrived

    def noting(readers: workers.CardReaders) -> list[Any]:
        connections = arrived(readers)
        started.update(process.pid or 0 for process, _ in readers._workers)
        return connections

    monkeypatch.setattr(workers.CardReaders, "_arrived", noting)
    dialog = _preview(qtbot, importer, [path])
    assert dialog.files_model.rowCount() == 1
    assert len(started) == 2
    # Once the files are read, the workers are not kept idle for the rest of the session.
    assert importer._readers is not None and importer._readers.processes == []
    assert all(gone(pid) for pid in started)
    with qtbot.waitSignal(dialog.landed, timeout=20000):
        _import(qtbot, dialog)
    assert row_counts(_db_path(db))["card_versions"] == 12
    assert sorted(m.name for m in Registry(db).models()) == [f"model-{n:02d}" for n in range(12)]
