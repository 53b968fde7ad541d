"""Keyring faults in words: a backend that fails to load, a damaged stored key.

The red-team's cases: keyrings.alt's encrypted file backend without
pycryptodome printed a traceback; a corrupt keyring entry was reported as a
wrong passphrase.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from countersign.services.identities.errors import KeystoreUnavailable, StoredKeyDamaged
from countersign.services.identities.keystore import SERVICE, Keystore
from countersign.services.storage.database import Database
from tests.helpers.signoff import PASSPHRASE, Workbench, workbench


@pytest.fixture
def bench(tmp_path: Path) -> Iterator[Workbench]:
    with workbench(tmp_path) as made:
        yield made


@pytest.mark.parametrize(
    "damage",
    [
        lambda pem: "",
        lambda pem: pem[: len(pem) // 2],
        lambda pem: pem.replace("ENCRYPTED PRIVATE KEY", "PRIVATE KEY"),
        lambda pem: pem[:100] + "!!!" + pem[103:],
        lambda pem: (
            "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n"
        ),
    ],
    ids=["empty", "cut short", "relabelled", "not base64", "not a key"],
)
def test_a_damaged_keyring_entry_is_not_a_wrong_passphrase(
    bench: Workbench, damage: object
) -> None:
    made = bench.person("ana@example.org")
    entry = (SERVICE, made.fingerprint)
    bench.keyring.entries[entry] = damage(bench.keyring.entries[entry])  # type: ignore[operator]
    with pytest.raises(StoredKeyDamaged, match=r"is damaged .* no passphrase can open it"):
        bench.identities.unlock("ana@example.org", PASSPHRASE)


def test_a_keyring_backend_that_fails_to_load_is_a_sentence(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken() -> object:
        raise ModuleNotFoundError("No module named 'Crypto'")

    monkeypatch.setattr("keyring.get_keyring", broken)
    with pytest.raises(KeystoreUnavailable, match=r"could not be loaded \(No module named"):
        _ = Keystore().backend


def test_no_traceback_from_a_keyring_backend_that_fails_to_load(tmp_path: Path) -> None:
    db = tmp_path / "registry.sqlite3"
    Database.open(str(db)).dispose()
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "countersign.cli",
            "--db",
            str(db),
            "identity",
            "create",
            "--name",
            "Ana",
            "--email",
            "ana@example.org",
            "--role",
            "approver",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={
            **os.environ,
            "PYTHON_KEYRING_BACKEND": "keyrings.alt.file.EncryptedKeyring",
            "COUNTERSIGN_PASSPHRASE": PASSPHRASE,
        },
    )
    assert run.returncode == 1
    assert "Traceback" not in run.stderr, run.stderr
    assert "the configured keyring backend could not be loaded" in run.stderr
