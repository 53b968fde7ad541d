"""Bundle signatures: a team's ECDSA P-256 / SHA-256 signature over the exact manifest bytes.

``manifest.sig`` holds the DER signature and ``signer.pem`` the signer's X.509
certificate.  Checking the signature proves the manifest (and so, through its
hashes, every file) is as the holder of that key wrote it; whether that
signer is trusted is the registry's decision, not this module's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes

from countersign.formats.bundle.zip_archive import SIGNATURE_NAME, SIGNER_NAME, refuse
from countersign.plain_files import read_plain

MAX_CREDENTIAL_FILE_BYTES = 1024 * 1024
"""A key or certificate file larger than this is refused (real ones are a few KiB)."""


@dataclass(frozen=True)
class VerifiedSigner:
    """Who signed a bundle whose signature verified: certificate, subject, fingerprint."""

    certificate_pem: bytes
    subject: str
    fingerprint: str


def verify_manifest_signature(
    files: Mapping[str, bytes], manifest_bytes: bytes, file_name: str
) -> VerifiedSigner | None:
    """Check ``manifest.sig`` against ``signer.pem``: the signer, or None when unsigned.

    Raises :class:`~countersign.formats.bundle.zip_archive.BundleRefused` when only one of the
    two files is present, the certificate is unreadable or not EC P-256, or
    the signature does not verify.
    """
    signature = files.get(SIGNATURE_NAME)
    pem = files.get(SIGNER_NAME)
    if signature is None and pem is None:
        return None
    if signature is None:
        refuse(
            file_name,
            SIGNER_NAME,
            "the bundle has signer.pem but no manifest.sig: the signature is missing",
        )
    if pem is None:
        refuse(
            file_name,
            SIGNATURE_NAME,
            "the bundle has manifest.sig but no signer.pem: there is no certificate to "
            "check it with",
        )
    try:
        certificate = x509.load_pem_x509_certificate(pem)
        key = certificate.public_key()
    except (ValueError, UnsupportedAlgorithm) as error:
        refuse(
            file_name,
            SIGNER_NAME,
            f"signer.pem is not a PEM X.509 certificate Countersign can read ({error})",
        )
    if not is_p256(key):
        refuse(
            file_name,
            SIGNER_NAME,
            f"the signer's key is {describe_key(key)}; bundles are signed with ECDSA P-256 keys",
        )
    assert isinstance(key, ec.EllipticCurvePublicKey)  # is_p256 said so; for the type checker
    try:
        key.verify(signature, manifest_bytes, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        refuse(
            file_name,
            SIGNATURE_NAME,
            "the signature does not match manifest.json: the manifest was changed after it was "
            "signed, or it was signed with another key than the one in signer.pem",
        )
    return VerifiedSigner(
        certificate_pem=certificate.public_bytes(serialization.Encoding.PEM),
        subject=certificate.subject.rfc4514_string(),
        fingerprint=certificate_fingerprint(certificate),
    )


@dataclass(frozen=True)
class TeamCertificate:
    """A certificate trusted on this workstation to check one team's model signatures
    (:mod:`countersign.formats.bundle.model_signatures`)."""

    team: str
    pem: bytes
    fingerprint: str


@dataclass(frozen=True)
class BundleSigner:
    """A team's signing credential: an ECDSA P-256 private key and its X.509 certificate."""

    key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate

    def __post_init__(self) -> None:
        if not is_p256(self.key):
            raise ValueError(f"the key is {describe_key(self.key)}, not ECDSA P-256")
        if _public_der(self.certificate.public_key()) != _public_der(self.key.public_key()):
            raise ValueError("the certificate is not the certificate of this key")

    def sign(self, data: bytes) -> bytes:
        """The DER ECDSA P-256 / SHA-256 signature of ``data``."""
        return self.key.sign(data, ec.ECDSA(hashes.SHA256()))

    def certificate_pem(self) -> bytes:
        """The certificate as PEM, the content of ``signer.pem``."""
        return self.certificate.public_bytes(serialization.Encoding.PEM)


def load_signer(key_path: Path, cert_path: Path, passphrase: bytes | None = None) -> BundleSigner:
    """Load a PEM private key (optionally encrypted) and its PEM certificate for signing.

    Raises :class:`~countersign.formats.bundle.zip_archive.BundleRefused` naming the file
    that is wrong (unreadable, wrong passphrase, not P-256, not a pair).
    """
    key_data = _read_credential(key_path)
    cert_data = _read_credential(cert_path)
    try:
        key = serialization.load_pem_private_key(key_data, password=passphrase)
    except TypeError:
        if passphrase is None:
            refuse(str(key_path), "", "the private key is encrypted; give its passphrase")
        # A passphrase for a key that has none (set for every script): no harm in it.
        key = _load_plain_key(key_path, key_data)
    except (ValueError, UnsupportedAlgorithm):
        refuse(
            str(key_path),
            "",
            "not a PEM private key Countersign can read, or the passphrase is wrong",
        )
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not is_p256(key):
        refuse(
            str(key_path),
            "",
            f"the key is {describe_key(key)}; bundles are signed with ECDSA P-256 keys",
        )
    try:
        certificate = x509.load_pem_x509_certificate(cert_data)
    except ValueError:
        refuse(str(cert_path), "", "not a PEM X.509 certificate")
    try:
        return BundleSigner(key=key, certificate=certificate)
    except ValueError as error:
        refuse(str(cert_path), "", f"{error}; give the certificate that belongs to {key_path.name}")


def is_p256(key: object) -> bool:
    """Whether ``key`` (public or private) is an elliptic-curve key on NIST P-256."""
    if not isinstance(key, ec.EllipticCurvePublicKey | ec.EllipticCurvePrivateKey):
        return False
    return isinstance(key.curve, ec.SECP256R1)


def describe_key(key: object) -> str:
    """A short name for a key's kind, such as "RSA-2048" or "EC secp384r1"."""
    curve = getattr(key, "curve", None)
    if curve is not None:
        return f"EC {curve.name}"
    kind = type(key).__name__.lstrip("_").replace("PublicKey", "").replace("PrivateKey", "")
    size = getattr(key, "key_size", None)
    return f"{kind}-{size}" if size else kind


def certificate_fingerprint(certificate: x509.Certificate) -> str:
    """SHA-256 (hex) of the certificate's DER encoding."""
    return certificate.fingerprint(hashes.SHA256()).hex()


def _public_der(key: object) -> bytes:
    if not isinstance(key, ec.EllipticCurvePublicKey):
        return b""
    return key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _load_plain_key(key_path: Path, key_data: bytes) -> PrivateKeyTypes:
    try:
        return serialization.load_pem_private_key(key_data, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        refuse(str(key_path), "", "not a PEM private key Countersign can read")


def _read_credential(path: Path) -> bytes:
    try:
        if path.stat().st_size > MAX_CREDENTIAL_FILE_BYTES:
            refuse(str(path), "", "the file is too large to be a key or a certificate")
        return read_plain(path)
    except OSError as error:
        refuse(str(path), "", f"the file cannot be read: {error.strerror or error}")
