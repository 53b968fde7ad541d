"""Settings ▸ Identities: list, create, import, export, change passphrase, retire; an unusable
keyring explained in full, and nothing ever stored when a form is refused."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from countersign.services.identities.identities import Identities
from countersign.services.identities.keystore import SERVICE
from countersign.services.workstation import ServiceOptions, open_services
from countersign.views.identities.dialog import CERTIFICATE_FILTER, IdentitiesDialog
from countersign.views.identities.forms import (
    ChangePassphraseDialog,
    CreateIdentityDialog,
    GrantRoleDialog,
    IdentityForm,
    RetireIdentityDialog,
)
from tests.helpers.keyring_memory import MemoryKeyring, PlaintextKeyring, RefusingKeyring
from tests.helpers.registry import audit_actions
from tests.helpers.signoff import PASSPHRASE, Workbench, issued_pkcs12, table_counts, workbench
from tests.views.conftest import wait_for_background

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def bench(tmp_path: Path) -> Iterator[Workbench]:
    with workbench(tmp_path) as made:
        yield made
        wait_for_background()


def _dialog(qtbot: QtBot, identities: Identities) -> IdentitiesDialog:
    dialog = IdentitiesDialog(identities)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.keyring_ok is not None, timeout=5000)
    return dialog


def _finish(qtbot: QtBot, form: IdentityForm) -> None:
    form.ok_button.click()
    qtbot.waitUntil(lambda: not form.working, timeout=10_000)


def _fill_create(qtbot: QtBot, form: CreateIdentityDialog, again: str = PASSPHRASE) -> None:
    qtbot.waitUntil(lambda: not form.working, timeout=5000)  # the keyring probe
    qtbot.keyClicks(form.name, "Ana Approver")
    qtbot.keyClicks(form.email, "Ana@Example.org")
    assert form.role.text().startswith("Granted, not chosen: the first identity")
    qtbot.keyClicks(form.passphrase, PASSPHRASE)
    qtbot.keyClicks(form.confirmation, again)


def test_creates_and_lists_an_identity(qtbot: QtBot, bench: Workbench) -> None:
    dialog = _dialog(qtbot, bench.identities)
    assert dialog.model.rowCount() == 0 and dialog.empty.isVisible()
    assert dialog.keyring.text() == (
        "Private keys are kept in this computer's keyring: "
        "countersign.services.identities.memory_keyring.MemoryKeyring."
    )
    dialog.create_button.click()
    form = dialog.form
    assert isinstance(form, CreateIdentityDialog)
    _fill_create(qtbot, form)
    for field in (form.passphrase, form.confirmation):
        assert field.echoMode() == field.EchoMode.Password
    with qtbot.waitSignal(dialog.changed, timeout=10_000):
        form.ok_button.click()
    row = [dialog.model.index(0, c).data() for c in range(dialog.model.columnCount())]
    assert row[:4] == ["Ana Approver", "ana@example.org", "officer", "active"]
    assert row[6] == "self-signed"
    made = bench.identities.get("ana@example.org")
    assert row[5] == made.fingerprint[:16] + "…"
    assert f"Certificate SHA-256: {made.fingerprint}" in dialog.details.text()
    # The key is in the keyring, encrypted; the registry holds only the certificate.
    stored = bench.keyring.entries[(SERVICE, made.fingerprint)]
    assert stored.startswith("-----BEGIN ENCRYPTED PRIVATE KEY-----")
    assert PASSPHRASE not in stored
    assert bench.identities.unlock("ana@example.org", PASSPHRASE).identity == made
    assert dialog.passphrase_button.isEnabled() and dialog.retire_button.isEnabled()


def test_passphrases_that_differ_or_are_short_are_refused(qtbot: QtBot, bench: Workbench) -> None:
    dialog = _dialog(qtbot, bench.identities)
    form = dialog.open_create()
    _fill_create(qtbot, form, again="something else")
    form.ok_button.click()
    assert form.problem_text() == "The two passphrases differ; type the same one twice."
    form.passphrase.setText("short")
    form.confirmation.setText("short")
    form.ok_button.click()
    assert form.problem_text().startswith("The passphrase must have at least 8 characters")
    form.email.setText("not an address")
    form.ok_button.click()
    assert form.problem_text() == "'not an address' is not an e-mail address (name@example.org)."
    assert form.isVisible()
    assert bench.identities.list_all() == []
    assert bench.keyring.entries == {}


def test_an_unusable_keyring_is_explained_and_nothing_is_stored(
    qtbot: QtBot, tmp_path: Path
) -> None:
    services = open_services(
        str(tmp_path / "registry.sqlite3"),
        ServiceOptions(keyring=PlaintextKeyring(), actor="officer"),
    )
    identities = services.identities
    try:
        dialog = _dialog(qtbot, identities)
        assert dialog.keyring_ok is False
        text = dialog.keyring.text()
        assert text.startswith("No usable keyring: Countersign keeps each reviewer's private key")
        assert "keyrings.alt.file.PlaintextKeyring" in text
        assert "gnome-keyring" in text
        assert text.endswith("Countersign never stores a private key in plain text.")
        assert "Traceback" not in text
        assert not dialog.create_button.isEnabled()
        assert not dialog.import_button.isEnabled()
        # The setup form offered on first sign-off says the same before any passphrase is typed.
        form = CreateIdentityDialog(identities, first_run=True)
        qtbot.addWidget(form)
        qtbot.waitUntil(lambda: not form.working, timeout=5000)
        assert form.problem_text() == text
        assert not form.ok_button.isEnabled()
        assert identities.list_all() == []
    finally:
        wait_for_background()
        services.close()


def test_a_keyring_that_refuses_to_store_leaves_nothing_behind(
    qtbot: QtBot, tmp_path: Path
) -> None:
    services = open_services(
        str(tmp_path / "registry.sqlite3"),
        ServiceOptions(keyring=RefusingKeyring(), actor="officer"),
    )
    db, identities = services.database, services.identities
    try:
        before = table_counts(Path(db.location))
        form = CreateIdentityDialog(identities)
        qtbot.addWidget(form)
        form.show()
        _fill_create(qtbot, form)
        _finish(qtbot, form)
        assert "refused to store the key: Failed to unlock the collection!" in form.problem_text()
        assert "nothing was stored" in form.problem_text()
        assert form.isVisible()
        assert table_counts(Path(db.location)) == before
    finally:
        wait_for_background()
        services.close()


def test_change_passphrase_needs_the_current_one(qtbot: QtBot, bench: Workbench) -> None:
    bench.person("ana@example.org")
    dialog = _dialog(qtbot, bench.identities)
    dialog.passphrase_button.click()
    form = dialog.form
    assert isinstance(form, ChangePassphraseDialog)
    qtbot.waitUntil(form.ok_button.isEnabled, timeout=5000)
    qtbot.keyClicks(form.current, "wrong passphrase")
    qtbot.keyClicks(form.passphrase, "a brand new passphrase")
    qtbot.keyClicks(form.confirmation, "a brand new passphrase")
    _finish(qtbot, form)
    assert form.problem_text() == "The current passphrase is wrong; nothing was changed."
    assert bench.identities.unlock("ana@example.org", PASSPHRASE)
    qtbot.keyClicks(form.current, PASSPHRASE)
    qtbot.keyClicks(form.passphrase, "a brand new passphrase")
    qtbot.keyClicks(form.confirmation, "a brand new passphrase")
    _finish(qtbot, form)
    assert dialog.form is None
    assert bench.identities.unlock("ana@example.org", "a brand new passphrase")


def test_retire_then_the_identity_cannot_sign(qtbot: QtBot, bench: Workbench) -> None:
    made = bench.person("ana@example.org")
    dialog = _dialog(qtbot, bench.identities)
    dialog.retire_button.click()
    form = dialog.form
    assert isinstance(form, RetireIdentityDialog)
    assert "It can no longer sign" in form.intro.text()
    qtbot.keyClicks(form.reason, "Left the risk team")
    qtbot.waitUntil(lambda: not form.working, timeout=5000)  # the keyring probe
    form.ok_button.click()
    assert "it signs the retirement" in form.problem_text()  # no passphrase yet
    qtbot.keyClicks(form.passphrase, PASSPHRASE)
    with qtbot.waitSignal(dialog.changed, timeout=10_000):
        form.ok_button.click()
    # Active identities first: the founding officer, then Ana, retired.
    assert dialog.model.index(1, 1).data() == "ana@example.org"
    assert dialog.model.index(1, 3).data().startswith("retired ")
    assert "Retired" in dialog.details.text() and "Left the risk team" in dialog.details.text()
    assert not dialog.retire_button.isEnabled()
    assert not dialog.passphrase_button.isEnabled()
    assert (SERVICE, made.fingerprint) not in bench.keyring.entries


def test_export_writes_the_certificate(
    qtbot: QtBot, bench: Workbench, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = bench.person("ana@example.org")
    target = tmp_path / "ana.pem"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", lambda *_args: (str(target), CERTIFICATE_FILTER)
    )
    dialog = _dialog(qtbot, bench.identities)
    dialog.export_button.click()
    assert target.read_text(encoding="ascii") == made.certificate_pem


def test_imports_an_organisation_pkcs12(qtbot: QtBot, bench: Workbench, tmp_path: Path) -> None:
    data, _leaf, _ca = issued_pkcs12("bea@example.org", b"file password")
    p12 = tmp_path / "bea.p12"
    p12.write_bytes(data)
    dialog = _dialog(qtbot, bench.identities)
    form = dialog.open_import()
    qtbot.waitUntil(form.ok_button.isEnabled, timeout=5000)
    form.file.setText(str(p12))
    qtbot.keyClicks(form.file_password, "file password")
    qtbot.keyClicks(form.passphrase, PASSPHRASE)
    qtbot.keyClicks(form.confirmation, PASSPHRASE)
    _finish(qtbot, form)
    assert form.created is not None and form.created.email == "bea@example.org"
    assert [dialog.model.index(0, c).data() for c in (0, 1, 2, 6)] == [
        "Bea Approver",
        "bea@example.org",
        "officer",  # the first identity of a new registry is its officer
        "issued (PKCS#12)",
    ]
    assert "Example Bank Issuing CA" in dialog.details.text()
    assert "(chain kept)" in dialog.details.text()


def test_a_wrong_pkcs12_password_is_said_plainly(
    qtbot: QtBot, bench: Workbench, tmp_path: Path
) -> None:
    data, _leaf, _ca = issued_pkcs12("bea@example.org", b"file password")
    p12 = tmp_path / "bea.p12"
    p12.write_bytes(data)
    dialog = _dialog(qtbot, bench.identities)
    form = dialog.open_import()
    qtbot.waitUntil(form.ok_button.isEnabled, timeout=5000)
    form.file.setText(str(p12))
    qtbot.keyClicks(form.file_password, "not it")
    qtbot.keyClicks(form.passphrase, PASSPHRASE)
    qtbot.keyClicks(form.confirmation, PASSPHRASE)
    _finish(qtbot, form)
    assert str(p12) in form.problem_text()
    assert form.isVisible() and bench.identities.list_all() == []


def test_identities_model_passes_the_model_tester(
    qtbot: QtBot, qtmodeltester: ModelTester, bench: Workbench
) -> None:
    bench.person("ana@example.org")
    bench.person("cal@example.org", "reviewer")
    bench.identities.retire("cal@example.org", "left")
    dialog = _dialog(qtbot, bench.identities)
    assert dialog.model.rowCount() == 3  # and the founding officer
    qtmodeltester.check(dialog.model)


def test_the_bench_keyring_is_in_memory(bench: Workbench) -> None:
    # Guard: these tests must never reach the machine's keyring.
    assert isinstance(bench.identities.keystore.backend, MemoryKeyring)


def test_an_officer_grants_a_role_with_a_signature(qtbot: QtBot, bench: Workbench) -> None:
    bench.person("olga@example.org", "officer", "Olga Officer")
    bench.identities.create("Ana Approver", "ana@example.org", "", PASSPHRASE)
    dialog = _dialog(qtbot, bench.identities)
    assert dialog.model.index(0, 1).data() == "ana@example.org"  # chosen first
    dialog.grant_button.click()
    form = dialog.form
    assert isinstance(form, GrantRoleDialog)
    assert form.officer.currentData() == "olga@example.org"
    qtbot.waitUntil(lambda: not form.working, timeout=5000)  # the keyring probe
    form.role.setCurrentIndex(form.role.findData("approver"))
    qtbot.keyClicks(form.passphrase, PASSPHRASE)
    with qtbot.waitSignal(dialog.changed, timeout=10_000):
        form.ok_button.click()
    assert bench.identities.get("ana@example.org").role == "approver"
    assert audit_actions(bench.path)[-1] == "identity.granted"
