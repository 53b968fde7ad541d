"""The keyring: only a real one is used, keys are PKCS#8 encrypted with the passphrase."""

from __future__ import annotations

import base64
import subprocess
from pathlib import Path

import keyring
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from keyring.backends import chainer, fail, null

from countersign.services.identities import keystore
from countersign.services.identities.errors import KeystoreUnavailable, WrongPassphrase
from countersign.services.identities.identities import Identities
from countersign.services.identities.keystore import (
    SERVICE,
    Keystore,
    decrypt_private_key,
    encrypt_private_key,
    usable_backend,
)
from countersign.services.storage.database import Database
from tests.helpers.keyring_memory import (
    ForgetfulKeyring,
    MemoryKeyring,
    PlaintextKeyring,
    RankedKeyring,
    RefusingKeyring,
    installed,
)


def _pem_der(pem: str) -> bytes:
    body = "".join(line for line in pem.splitlines() if not line.startswith("-----"))
    return base64.b64decode(body)


def test_key_is_pkcs8_pbes2_with_many_rounds_and_opens_with_the_passphrase() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    pem = encrypt_private_key(key, "correct horse battery staple")
    assert pem.startswith("-----BEGIN ENCRYPTED PRIVATE KEY-----\n")
    der = _pem_der(pem)
    assert bytes.fromhex("06092a864886f70d01050d") in der  # PBES2
    assert bytes.fromhex("060960864801650304012a") in der  # AES-256-CBC
    assert b"\x02\x03" + keystore.PBKDF2_ITERATIONS.to_bytes(3, "big") in der  # 600,000 rounds
    opened = serialization.load_pem_private_key(pem.encode(), b"correct horse battery staple")
    assert isinstance(opened, ec.EllipticCurvePrivateKey)
    assert opened.private_numbers() == key.private_numbers()
    assert decrypt_private_key(pem, "correct horse battery staple").private_numbers() == (
        key.private_numbers()
    )


def test_the_keystore_rounds_are_passed_in_with_600000_by_default(tmp_path: Path) -> None:
    assert Keystore().rounds == keystore.PBKDF2_ITERATIONS == 600_000
    with pytest.raises(ValueError, match="at least one round"):
        Keystore(MemoryKeyring(), rounds=0)
    backend = MemoryKeyring()
    db = Database.open(str(tmp_path / "registry.sqlite3"))
    try:
        identities = Identities(db, Keystore(backend, rounds=1_234), actor="officer")
        made = identities.create("Ana Approver", "ana@example.org", "approver", "passphrase!")
        der = _pem_der(backend.entries[(SERVICE, made.fingerprint)])
        assert b"\x02\x02" + (1_234).to_bytes(2, "big") in der
        assert identities.unlock("ana@example.org", "passphrase!").identity == made
    finally:
        db.dispose()


def test_openssl_reads_the_encrypted_key() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    pem = encrypt_private_key(key, "correct horse battery staple", rounds=1000)
    try:
        result = subprocess.run(
            ["openssl", "pkey", "-passin", "pass:correct horse battery staple", "-pubout"],
            input=pem.encode(),
            capture_output=True,
            check=False,
        )
    except FileNotFoundError:
        pytest.skip("openssl is not installed")
    assert result.returncode == 0, result.stderr
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert result.stdout == public


def test_wrong_passphrase_is_refused() -> None:
    pem = encrypt_private_key(ec.generate_private_key(ec.SECP256R1()), "right one!", 1000)
    with pytest.raises(WrongPassphrase, match=r"the passphrase is wrong"):
        decrypt_private_key(pem, "wrong one!")


def test_fail_backend_is_refused_saying_what_is_missing_and_how_to_fix_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    with pytest.raises(KeystoreUnavailable) as refused:
        usable_backend(fail.Keyring())
    message = str(refused.value)
    assert message.startswith("No usable keyring:")
    assert "no keyring backend is available" in message
    assert "there is no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)" in message
    assert "sudo apt install gnome-keyring" in message
    assert "gnome-keyring-daemon --unlock --components=secrets" in message
    assert "KWallet" in message
    assert message.endswith("Countersign never stores a private key in plain text.")


def test_null_backend_is_refused() -> None:
    with pytest.raises(KeystoreUnavailable, match=r"the keyring is switched off"):
        usable_backend(null.Keyring())


def test_keyrings_alt_plaintext_backend_is_refused() -> None:
    with pytest.raises(KeystoreUnavailable) as refused:
        usable_backend(PlaintextKeyring())
    assert "keyrings.alt.file.PlaintextKeyring" in str(refused.value)
    assert "not in the operating system's keyring" in str(refused.value)


class _EmptyChain(chainer.ChainerBackend):
    backends = ()  # nothing behind the chainer


class _MixedChain(chainer.ChainerBackend):
    backends = (PlaintextKeyring(), RankedKeyring())


class _PlaintextChain(chainer.ChainerBackend):
    backends = (PlaintextKeyring(),)


def test_chainer_with_nothing_behind_it_is_refused() -> None:
    with pytest.raises(KeystoreUnavailable, match=r"the keyring chain holds nothing"):
        usable_backend(_EmptyChain())


def test_chainer_with_only_plaintext_behind_it_is_refused() -> None:
    with pytest.raises(KeystoreUnavailable, match=r"keyrings.alt.file.PlaintextKeyring"):
        usable_backend(_PlaintextChain())


def test_chainer_uses_its_real_keyring_directly_never_the_plaintext_one() -> None:
    chosen = usable_backend(_MixedChain())
    assert isinstance(chosen, RankedKeyring)
    assert not isinstance(chosen, PlaintextKeyring)


def test_keystore_uses_the_configured_keyring() -> None:
    with installed(MemoryKeyring()) as backend:
        store = Keystore()
        store.store("ab" * 32, "PEM TEXT")
        assert isinstance(backend, MemoryKeyring)
        assert backend.entries == {(SERVICE, "ab" * 32): "PEM TEXT"}
        assert keyring.get_password(SERVICE, "ab" * 32) == "PEM TEXT"
        assert store.load("ab" * 32) == "PEM TEXT"
        assert store.load("cd" * 32) is None
        assert store.delete("ab" * 32) is True
        assert store.delete("ab" * 32) is False


def test_keyring_that_refuses_to_store_is_reported() -> None:
    with pytest.raises(KeystoreUnavailable) as refused:
        Keystore(RefusingKeyring()).store("ab" * 32, "PEM TEXT")
    message = str(refused.value)
    assert "refused to store the key: Failed to unlock the collection!" in message
    assert "nothing was stored" in message


def test_keyring_that_keeps_nothing_is_reported() -> None:
    with pytest.raises(KeystoreUnavailable, match=r"did not keep the key"):
        Keystore(ForgetfulKeyring()).store("ab" * 32, "PEM TEXT")
