"""Reviewer certificates: making a self-signed one, reading PKCS#12 files, reading names back.

A reviewer's certificate binds their name and e-mail address to an ECDSA
P-256 public key.  Countersign makes a self-signed one valid for two years,
or takes one issued by the organisation in a PKCS#12 file (the chain kept).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from countersign.formats.bundle.signing import certificate_fingerprint, describe_key, is_p256
from countersign.plain_files import read_plain
from countersign.services.identities.errors import CredentialRefused

VALIDITY = datetime.timedelta(days=730)
"""How long a self-signed reviewer certificate is valid: two years."""

MAX_PKCS12_BYTES = 1024 * 1024
"""A PKCS#12 file larger than this is refused (real ones are a few KiB)."""

__all__ = [
    "VALIDITY",
    "Credential",
    "Validity",
    "certificate_emails",
    "certificate_fingerprint",
    "common_name",
    "iso_utc",
    "load_certificate",
    "make_self_signed",
    "pem_of",
    "read_pkcs12",
    "self_signed_certificate",
]


@dataclass(frozen=True)
class Credential:
    """A private key with its certificate and the chain that issued it (leaf first)."""

    key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...] = ()


@dataclass(frozen=True)
class Validity:
    """When a new self-signed certificate is valid: from ``backdate`` before ``now`` (the
    current time when None), so that a clock a little behind still accepts it, for ``length``."""

    now: datetime.datetime | None = None
    length: datetime.timedelta = VALIDITY
    backdate: datetime.timedelta = datetime.timedelta(minutes=5)


def make_self_signed(
    key: ec.EllipticCurvePrivateKey,
    name: str,
    email: str,
    role: str,
    now: datetime.datetime | None = None,
) -> x509.Certificate:
    """A self-signed certificate for ``name <email>`` (``role`` as its title), valid two years."""
    # The title says the role asked for at creation, when there was one; the role that counts
    # is the one an officer granted, recorded in the registry's audit trail.
    title = [x509.NameAttribute(NameOID.TITLE, role)] if role else []
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, name),
            *title,
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "Countersign reviewer"),
        ]
    )
    return self_signed_certificate(key, subject, email, Validity(now=now))


def self_signed_certificate(
    key: ec.EllipticCurvePrivateKey,
    subject: x509.Name,
    email: str,
    validity: Validity = Validity(),
) -> x509.Certificate:
    """A self-signed signing certificate for ``subject``, ``email`` its alternative name.

    Valid as ``validity`` says (two years from now unless it says otherwise).  Key usage is digital signature and
    non-repudiation: a signature is a commitment, and PDF readers look for
    those bits on a signing certificate.
    """
    start = (validity.now or datetime.datetime.now(datetime.UTC)).replace(microsecond=0)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start - validity.backdate)
        .not_valid_after(start + validity.length)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        # The e-mail goes in the alternative name, where readers show it as an address.
        .add_extension(x509.SubjectAlternativeName([x509.RFC822Name(email)]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )


def read_pkcs12(path: Path, password: str | None) -> Credential:
    """Read an ECDSA P-256 key, its certificate and chain from a PKCS#12 file, or refuse."""
    file = str(path)
    try:
        if path.stat().st_size > MAX_PKCS12_BYTES:
            raise CredentialRefused(file, "", "the file is too large to be a PKCS#12 credential")
        data = read_plain(path)
    except OSError as error:
        raise CredentialRefused(file, "", f"cannot be read: {error.strerror or error}") from None
    secret = password.encode("utf-8") if password else None
    try:
        key, certificate, extra = pkcs12.load_key_and_certificates(data, secret)
    except ValueError:
        if secret is not None:
            try:
                key, certificate, extra = pkcs12.load_key_and_certificates(data, None)
            except ValueError:
                raise CredentialRefused(
                    file, "", "the password is wrong, or this is not a PKCS#12 (.p12/.pfx) file"
                ) from None
        else:
            raise CredentialRefused(
                file,
                "",
                "the file is protected by a password (give it), or it is not a PKCS#12 file",
            ) from None
    if key is None:
        raise CredentialRefused(file, "private key", "the file holds no private key")
    if certificate is None:
        raise CredentialRefused(file, "certificate", "the file holds no certificate for its key")
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not is_p256(key):
        raise CredentialRefused(
            file,
            "private key",
            f"the key is {describe_key(key)}; Countersign signs with ECDSA P-256 keys, "
            "so ask for a P-256 certificate",
        )
    if _public_der(certificate.public_key()) != _public_der(key.public_key()):
        raise CredentialRefused(file, "certificate", "the certificate is not the key's certificate")
    return Credential(key=key, certificate=certificate, chain=tuple(extra))


def load_certificate(pem: str | bytes) -> x509.Certificate:
    """Parse one PEM certificate (the first in ``pem``)."""
    data = pem.encode("ascii") if isinstance(pem, str) else pem
    return x509.load_pem_x509_certificate(data)


def certificate_emails(certificate: x509.Certificate) -> list[str]:
    """The e-mail addresses a certificate names (SAN rfc822Name, subject emailAddress), lowercase."""
    found: list[str] = []
    try:
        names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        found += [str(value) for value in names.get_values_for_type(x509.RFC822Name)]
    except x509.ExtensionNotFound:
        pass
    found += [
        str(attribute.value)
        for attribute in certificate.subject.get_attributes_for_oid(NameOID.EMAIL_ADDRESS)
    ]
    out: list[str] = []
    for email in found:
        folded = email.strip().lower()
        if folded and folded not in out:
            out.append(folded)
    return out


def common_name(certificate: x509.Certificate) -> str:
    """The subject's common name, or empty."""
    values = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(values[0].value) if values else ""


def iso_utc(moment: datetime.datetime) -> str:
    """A certificate time as stored in the registry (ISO-8601 UTC, seconds)."""
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def pem_of(*certificates: x509.Certificate) -> str:
    """Certificates as concatenated PEM text."""
    return "".join(c.public_bytes(serialization.Encoding.PEM).decode("ascii") for c in certificates)


def _public_der(key: object) -> bytes:
    if not isinstance(key, ec.EllipticCurvePublicKey):
        return b""
    return key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
