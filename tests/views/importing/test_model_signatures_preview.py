"""The import preview says, per card, whether the team signed its model files; a FAILED one refuses."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from countersign.formats.bundle.signing import TeamCertificate
from countersign.services.importing.importer import Importer
from countersign.services.storage.database import Database
from countersign.views.importing.dialog import ImportDialog
from tests.helpers.bundles import TEAM, make_signer
from tests.helpers.model_signatures import bundle_with_models, model_folder, sign_model
from tests.helpers.registry import row_counts

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

SIGNED_COLUMN = 6


def _preview(qtbot: QtBot, importer: Importer, path: Path) -> ImportDialog:
    dialog = ImportDialog(importer, [path])
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.preview_ready, timeout=20000):
        dialog.show()
    return dialog


@pytest.mark.parametrize(
    ("case", "shown", "details"),
    [
        ("signed", "verified", "signed by the team: verified (OpenSSF model signature"),
        ("unsigned", "not signed", "model.safetensors  SHA-256 "),
        ("tampered", "FAILED", "signed by the team: FAILED"),
    ],
)
def test_the_preview_shows_the_team_signature_of_the_model_files(
    qtbot: QtBot, tmp_path: Path, case: str, shown: str, details: str
) -> None:
    team = make_signer("Credit Risk Analytics model signing")
    database = Database.open(str(tmp_path / "registry.sqlite3"))
    certificates = [TeamCertificate(TEAM, team.certificate_pem(), team.fingerprint())]
    importer = Importer(database, actor="officer", team_certificates=lambda: certificates)
    model = model_folder(tmp_path / "model")
    signature = sign_model(model.folder, team, tmp_path / "model.sig")
    if case == "tampered":
        (model.folder / "model.safetensors").write_bytes(b"other weights")
    signatures = [] if case == "unsigned" else [signature]
    bundle = bundle_with_models(tmp_path / "bundle", sorted(model.folder.iterdir()), signatures)

    dialog = _preview(qtbot, importer, bundle)
    assert dialog.cards_model.index(0, SIGNED_COLUMN).data() == shown
    dialog.cards_view.selectRow(0)
    assert details in dialog.card_details.toPlainText()
    if case == "tampered":
        assert dialog.refusal_panel.isVisible()
        assert not dialog.import_button.isEnabled()
        assert "FAILED: model.safetensors" in dialog.refusal_panel.details.toPlainText()
    else:
        assert dialog.import_button.isEnabled()
    assert row_counts(Path(database.location))["card_versions"] == 0
    database.dispose()
