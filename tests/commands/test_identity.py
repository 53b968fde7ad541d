"""``countersign identity``: create, list, export-cert, passphrase, retire, import-p12, refusals."""

from __future__ import annotations

from pathlib import Path

import keyring
import pytest
from cryptography.hazmat.primitives import hashes
from keyring.backends import fail

from countersign.cli import main
from countersign.services.identities.certificates import load_certificate
from countersign.services.identities.keystore import SERVICE
from tests.helpers.keyring_memory import MemoryKeyring, installed
from tests.helpers.signoff import cli_json, issued_pkcs12, table_counts

CREATE = ["identity", "create", "--name", "Ana Approver", "--email", "ana@example.org"]


def test_create_list_export(
    db: Path, memory_keyring: MemoryKeyring, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*CREATE, "--role", "approver"]) == 0
    out = capsys.readouterr().out
    assert "created identity Ana Approver <ana@example.org> (approver)" in out
    keyring_name = "countersign.services.identities.memory_keyring.MemoryKeyring"
    assert f"private key in the keyring {keyring_name}" in out

    listed = cli_json(capsys, ["identity", "list", "--json"])
    assert [(i["email"], i["role"], i["active"], i["source"]) for i in listed] == [
        ("ana@example.org", "approver", True, "self-signed")
    ]
    fingerprint = listed[0]["fingerprint"]
    assert "PRIVATE" not in str(listed)
    assert list(memory_keyring.entries) == [(SERVICE, fingerprint)]

    capsys.readouterr()
    assert main(["identity", "export-cert", "ana@example.org"]) == 0
    pem = capsys.readouterr().out
    assert load_certificate(pem).fingerprint(hashes.SHA256()).hex() == fingerprint
    target = tmp_path / "ana.pem"
    assert main(["identity", "export-cert", "ana@example.org", "-o", str(target)]) == 0
    assert target.read_text() == pem


def test_passphrase_change_and_retire(
    db: Path,
    memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main([*CREATE, "--role", "officer"]) == 0
    monkeypatch.setenv("COUNTERSIGN_NEW_PASSPHRASE", "a brand new passphrase")
    assert main(["identity", "passphrase", "ana@example.org"]) == 0
    assert "changed the passphrase of ana@example.org" in capsys.readouterr().out
    # The old passphrase (still in COUNTERSIGN_PASSPHRASE) no longer opens the key.
    assert main(["identity", "passphrase", "ana@example.org"]) == 1
    assert "the passphrase is wrong" in capsys.readouterr().err

    assert main(["identity", "retire", "ana@example.org", "--reason", "moved team"]) == 0
    out = capsys.readouterr().out
    assert "retired the identity of ana@example.org: it can no longer sign" in out
    assert "its private key was removed from this computer's keyring" in out
    assert memory_keyring.entries == {}
    listed = cli_json(capsys, ["identity", "list", "--json"])
    assert [(i["active"], i["retired_reason"]) for i in listed] == [(False, "moved team")]
    assert cli_json(capsys, ["identity", "list", "--json", "--active"]) == []


def test_no_keyring_is_refused_before_any_prompt(
    db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("COUNTERSIGN_PASSPHRASE")
    with installed(fail.Keyring()):
        assert main([*CREATE, "--role", "approver"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("countersign: No usable keyring:")
    assert "gnome-keyring" in err
    assert "never stores a private key in plain text" in err
    assert table_counts(db)["identities"] == 0


def test_no_passphrase_and_no_terminal_is_refused(
    db: Path,
    memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("COUNTERSIGN_PASSPHRASE")
    assert main([*CREATE, "--role", "approver"]) == 1
    assert "no terminal to ask in; set COUNTERSIGN_PASSPHRASE" in capsys.readouterr().err
    assert memory_keyring.entries == {}
    assert table_counts(db)["identities"] == 0


def test_short_passphrase_is_refused(
    db: Path,
    memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("COUNTERSIGN_PASSPHRASE", "1234")
    assert main([*CREATE, "--role", "approver"]) == 1
    assert "at least 8 characters" in capsys.readouterr().err
    assert keyring.get_password(SERVICE, "anything") is None
    assert table_counts(db)["identities"] == 0


def test_import_p12(
    db: Path,
    memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    data, _leaf, ca = issued_pkcs12("bea@example.org", b"issued password")
    path = tmp_path / "bea.p12"
    path.write_bytes(data)
    monkeypatch.setenv("COUNTERSIGN_P12_PASSWORD", "wrong password")
    assert main(["identity", "import-p12", str(path), "--role", "approver"]) == 1
    assert "bea.p12: the password is wrong" in capsys.readouterr().err
    monkeypatch.setenv("COUNTERSIGN_P12_PASSWORD", "issued password")
    assert main(["identity", "import-p12", str(path), "--role", "approver"]) == 0
    out = capsys.readouterr().out
    assert "imported identity Bea Approver <bea@example.org> (approver)" in out
    assert f"issued by  {ca.subject.rfc4514_string()} (chain kept)" in out
    capsys.readouterr()
    assert main(["identity", "export-cert", "bea@example.org", "--chain"]) == 0
    assert capsys.readouterr().out.count("-----BEGIN CERTIFICATE-----") == 2
