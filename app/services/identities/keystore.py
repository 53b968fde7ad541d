"""Reviewers' private keys in the operating system's keyring, encrypted with their passphrase.

One keyring entry per certificate: service ``countersign``, user name the
certificate's SHA-256 fingerprint, secret the private key as an encrypted
PKCS#8 PEM.  The registry never sees the key.

Only a real keyring will do.  keyring's ``fail`` and ``null`` backends, a
chainer with nothing behind it, and the keyrings.alt backends (files on disk,
some in plain text) are refused with a message saying what is missing and how
to fix it; Countersign never falls back to storing a key itself.

The PKCS#8 encryption is PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC), the scheme
cryptography and OpenSSL write, but with :data:`PBKDF2_ITERATIONS` rounds:
cryptography fixes its own at 2,048, too few to slow down guessing a
passphrase from a copied keyring.  Any PKCS#8 reader (cryptography, OpenSSL)
opens the result with the passphrase, whatever rounds it was written with.
The rounds are the keystore's (``Keystore(rounds=...)``): the workstation
keeps the default; tests hand a keystore with cheap rounds over, never
patching this module.
"""

from __future__ import annotations

import base64
import binascii
import importlib.util
import os
import re
import secrets
import sys
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives import hashes, padding, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

from countersign.services.identities.errors import (
    KeystoreUnavailable,
    StoredKeyDamaged,
    WrongPassphrase,
)

if TYPE_CHECKING:
    # keyring itself is imported when a key is first stored or read (about 50 ms the
    # workstation's start-up need not spend): the window builds a Keystore, unused until then.
    from keyring.backend import KeyringBackend

SERVICE = "countersign"
"""The keyring service name under which every Countersign key is stored."""

PBKDF2_ITERATIONS = 600_000
"""PBKDF2-HMAC-SHA256 rounds protecting a stored key (OWASP's 2023 figure)."""

NEVER_PLAINTEXT = "Countersign never stores a private key in plain text."


# -- the passphrase-encrypted PKCS#8 form ----------------------------------------


def _der(tag: int, body: bytes) -> bytes:
    length = len(body)
    if length < 0x80:
        return bytes([tag, length]) + body
    size = (length.bit_length() + 7) // 8
    return bytes([tag, 0x80 | size]) + length.to_bytes(size, "big") + body


def _der_int(value: int) -> bytes:
    return _der(0x02, value.to_bytes(value.bit_length() // 8 + 1, "big"))


# Object identifiers, DER-encoded: PBES2, PBKDF2, hmacWithSHA256, aes256-CBC (RFC 8018).
_OID_PBES2 = bytes.fromhex("06092a864886f70d01050d")
_OID_PBKDF2 = bytes.fromhex("06092a864886f70d01050c")
_OID_HMAC_SHA256 = bytes.fromhex("06082a864886f70d0209")
_OID_AES256_CBC = bytes.fromhex("060960864801650304012a")
_SEQUENCE, _OCTETS, _NULL = 0x30, 0x04, b"\x05\x00"


def encrypt_private_key(
    key: ec.EllipticCurvePrivateKey, passphrase: str, rounds: int = PBKDF2_ITERATIONS
) -> str:
    """``key`` as an encrypted PKCS#8 PEM (PBES2, PBKDF2-HMAC-SHA256 ``rounds``, AES-256-CBC)."""
    plain = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    salt, iv = secrets.token_bytes(16), secrets.token_bytes(16)
    derived = PBKDF2HMAC(hashes.SHA256(), 32, salt, rounds).derive(passphrase.encode("utf-8"))
    padder = padding.PKCS7(128).padder()
    padded = padder.update(plain) + padder.finalize()
    encryptor = Cipher(algorithms.AES(derived), modes.CBC(iv)).encryptor()
    encrypted = encryptor.update(padded) + encryptor.finalize()
    pbkdf2 = _der(
        _SEQUENCE,
        _OID_PBKDF2
        + _der(
            _SEQUENCE,
            _der(_OCTETS, salt) + _der_int(rounds) + _der(_SEQUENCE, _OID_HMAC_SHA256 + _NULL),
        ),
    )
    scheme = _der(_SEQUENCE, _OID_AES256_CBC + _der(_OCTETS, iv))
    algorithm = _der(_SEQUENCE, _OID_PBES2 + _der(_SEQUENCE, pbkdf2 + scheme))
    der = _der(_SEQUENCE, algorithm + _der(_OCTETS, encrypted))
    body = base64.b64encode(der).decode("ascii")
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return "\n".join(
        ["-----BEGIN ENCRYPTED PRIVATE KEY-----", *lines, "-----END ENCRYPTED PRIVATE KEY-----", ""]
    )


def decrypt_private_key(pem: str, passphrase: str) -> ec.EllipticCurvePrivateKey:
    """Open an encrypted PKCS#8 PEM with ``passphrase``; :class:`WrongPassphrase` if it does not.

    A keyring entry that is no encrypted private key at all (cut short, edited,
    overwritten) is :class:`StoredKeyDamaged`, never a wrong passphrase: no
    passphrase would open it.
    """
    if not _is_encrypted_key(pem):
        raise StoredKeyDamaged(
            "the private key stored in the keyring for this identity is damaged (it is no "
            "encrypted private key); no passphrase can open it. Restore it from a PKCS#12 "
            "backup with `countersign identity import-p12`, or retire the identity and "
            "create a new one"
        )
    try:
        key = serialization.load_pem_private_key(pem.encode("ascii"), passphrase.encode("utf-8"))
    except (ValueError, TypeError):
        raise WrongPassphrase("the passphrase is wrong; nothing was signed or changed") from None
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise WrongPassphrase("the stored key is not an ECDSA key; recreate the identity")
    return key


_ENCRYPTED_PEM = re.compile(
    r"\s*-----BEGIN ENCRYPTED PRIVATE KEY-----([A-Za-z0-9+/=\s]+)"
    r"-----END ENCRYPTED PRIVATE KEY-----\s*"
)


def _is_encrypted_key(pem: str) -> bool:
    """Whether ``pem`` is, in its structure, an encrypted PKCS#8 key (PBES2 or another scheme)."""
    from asn1crypto import keys as asn1_keys  # here: the report service must not load it

    found = _ENCRYPTED_PEM.fullmatch(pem)
    if found is None:
        return False
    try:
        der = base64.b64decode("".join(found.group(1).split()), validate=True)
        info = asn1_keys.EncryptedPrivateKeyInfo.load(der, strict=True)
        info.native  # noqa: B018 - parses every part, raising on a damaged one
    except (ValueError, TypeError, binascii.Error):
        return False
    return True


# -- choosing and vetting the keyring ---------------------------------------------


def backend_name(backend: KeyringBackend) -> str:
    """The backend's class path, as the officer would look it up."""
    kind = type(backend)
    return f"{kind.__module__}.{kind.__qualname__}"


def _refusal(backend: KeyringBackend) -> str:
    """Why ``backend`` cannot hold keys, or empty when it can."""
    from keyring.backends import fail, null

    if isinstance(backend, fail.Keyring):
        return "no keyring backend is available to Python's keyring package"
    if isinstance(backend, null.Keyring):
        return (
            "the keyring is switched off (the null backend, chosen by PYTHON_KEYRING_BACKEND "
            "or a keyringrc.cfg file)"
        )
    name = backend_name(backend)
    if name.startswith("keyrings.alt") or "plaintext" in type(backend).__name__.casefold():
        return (
            f"the configured keyring ({name}) keeps secrets in a file of its own, not in the "
            "operating system's keyring"
        )
    return ""


def usable_backend(backend: KeyringBackend) -> KeyringBackend:
    """``backend`` if it is a real keyring (the best real one behind a chainer), else refuse."""
    from keyring.backends import chainer

    if isinstance(backend, chainer.ChainerBackend):
        candidates: list[KeyringBackend] = [b for b in backend.backends if not _refusal(b)]
        if not candidates:
            inside = ", ".join(backend_name(b) for b in backend.backends) or "nothing"
            raise KeystoreUnavailable(_no_keyring(f"the keyring chain holds {inside}"))
        # Use the best real keyring directly, so that a weaker one further down
        # the chain is never written to.
        return max(candidates, key=lambda b: float(b.priority))
    problem = _refusal(backend)
    if problem:
        raise KeystoreUnavailable(_no_keyring(problem))
    return backend


def _no_keyring(what: str) -> str:
    return (
        "No usable keyring: Countersign keeps each reviewer's private key only in the "
        f"operating system's keyring, and {what}. {_how_to_fix()} {NEVER_PLAINTEXT}"
    )


def _how_to_fix() -> str:
    if sys.platform == "darwin":
        return "Unlock the login keychain (Keychain Access) and try again."
    if sys.platform == "win32":
        return "Make sure the Windows Credential Manager is available to your account."
    missing = []
    if importlib.util.find_spec("secretstorage") is None:
        missing.append("the SecretStorage Python package is not installed")
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        missing.append("there is no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)")
    else:
        missing.append("no Secret Service answers on the D-Bus session bus")
    return (
        f"Here {' and '.join(missing)}. Install and unlock a Secret Service: GNOME Keyring "
        "(`sudo apt install gnome-keyring`; it unlocks when you log in to the desktop, or run "
        "`gnome-keyring-daemon --unlock --components=secrets` inside a D-Bus session) or "
        "KWallet (`sudo apt install kwalletmanager`), then run Countersign in that session."
    )


class Keystore:
    """The keyring entries of reviewers' keys: store, load, delete by certificate fingerprint.

    The backend is keyring's configured one unless given; it is vetted on
    first use, so that listing identities works without any keyring.  ``rounds``
    is how many PBKDF2 rounds protect a key stored from now on (keys already
    stored keep theirs).
    """

    def __init__(
        self, backend: KeyringBackend | None = None, rounds: int = PBKDF2_ITERATIONS
    ) -> None:
        if rounds < 1:
            raise ValueError(f"PBKDF2 needs at least one round, not {rounds}")
        self._given = backend
        self._backend: KeyringBackend | None = None
        self.rounds = rounds

    @property
    def backend(self) -> KeyringBackend:
        """The vetted keyring backend; :class:`KeystoreUnavailable` when there is none."""
        if self._backend is None:
            self._backend = usable_backend(self._given or configured_backend())
        return self._backend

    def describe(self) -> str:
        """Which keyring holds the keys, for messages and the settings page."""
        return backend_name(self.backend)

    def store(self, fingerprint: str, pem: str) -> None:
        """Store the encrypted key of the certificate ``fingerprint``, checking it was kept."""
        backend = self.backend
        try:
            backend.set_password(SERVICE, fingerprint, pem)
            kept = backend.get_password(SERVICE, fingerprint)
        # Backends raise anything from KeyringError to D-Bus errors; each means "not stored".
        except Exception as error:
            raise KeystoreUnavailable(
                f"the keyring ({backend_name(backend)}) refused to store the key: "
                f"{_error_text(error)}. Unlock the keyring (or start a Secret Service such as "
                f"GNOME Keyring or KWallet) and try again; nothing was stored. {NEVER_PLAINTEXT}"
            ) from error
        if kept != pem:
            raise KeystoreUnavailable(
                f"the keyring ({backend_name(backend)}) did not keep the key it was given; "
                f"use a Secret Service keyring such as GNOME Keyring or KWallet. {NEVER_PLAINTEXT}"
            )

    def load(self, fingerprint: str) -> str | None:
        """The encrypted key of certificate ``fingerprint``, or None when the keyring has none."""
        backend = self.backend
        try:
            return backend.get_password(SERVICE, fingerprint)
        except Exception as error:  # see store(): backends raise many kinds
            raise KeystoreUnavailable(
                f"the keyring ({backend_name(backend)}) could not be read: "
                f"{_error_text(error)}. Unlock it and try again"
            ) from error

    def delete(self, fingerprint: str) -> bool:
        """Remove the key of ``fingerprint``; False when there was none to remove."""
        backend = self.backend
        try:
            if backend.get_password(SERVICE, fingerprint) is None:
                return False
            backend.delete_password(SERVICE, fingerprint)
        except Exception as error:  # see store()
            raise KeystoreUnavailable(
                f"the keyring ({backend_name(backend)}) could not remove the key: "
                f"{_error_text(error)}. Unlock it and try again"
            ) from error
        return True


def configured_backend() -> KeyringBackend:
    """keyring's configured backend; one that fails to load is :class:`KeystoreUnavailable`."""
    try:
        import keyring

        return keyring.get_keyring()
    # A backend named in PYTHON_KEYRING_BACKEND or keyringrc.cfg that cannot be imported
    # or set up (keyrings.alt's encrypted file without pycryptodome) raises anything.
    except Exception as error:
        raise KeystoreUnavailable(
            _no_keyring(
                f"the configured keyring backend could not be loaded ({_error_text(error)})"
            )
        ) from None


def _error_text(error: BaseException) -> str:
    return str(error).strip() or type(error).__name__
