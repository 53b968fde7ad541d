"""DSSE envelopes (Dead Simple Signing Envelope, v1), as in-toto attestations use them.

An envelope is the JSON object::

    {"payload": BASE64, "payloadType": "application/vnd.in-toto+json",
     "signatures": [{"keyid": FINGERPRINT, "sig": BASE64}]}

The signature is ECDSA P-256 with SHA-256 (DER, as cosign and securesystemslib
read it) over the pre-authentication encoding
``"DSSEv1" SP len(type) SP type SP len(payload) SP payload``, never over the
payload alone.  ``keyid`` is the SHA-256 fingerprint (hex) of the signer's
certificate, which travels beside the envelope in a PEM file
(:func:`certificate_path`): DSSE has no place for a certificate.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from countersign.errors import CountersignError, InputRefused
from countersign.formats.bundle.signing import certificate_fingerprint
from countersign.formats.limits import load_json
from countersign.plain_files import read_plain

PAYLOAD_TYPE = "application/vnd.in-toto+json"
"""The payload type of an in-toto attestation."""

MAX_ENVELOPE_BYTES = 16 * 1024 * 1024
"""An envelope larger than this is refused unread."""

MAX_SIGNATURES = 16


class EnvelopeUnreadable(CountersignError):
    """A file that is not a DSSE envelope Countersign can read; the message names file and field."""


def pae(payload_type: str, payload: bytes) -> bytes:
    """DSSE's pre-authentication encoding of ``payload``: the bytes actually signed."""
    kind = payload_type.encode("utf-8")
    return b"DSSEv1 %d %b %d %b" % (len(kind), kind, len(payload), payload)


@dataclass(frozen=True)
class EnvelopeSignature:
    """One signature of an envelope: whose key (``keyid``) and the DER signature."""

    keyid: str
    sig: bytes


@dataclass(frozen=True)
class Envelope:
    """A DSSE envelope: the payload's exact bytes, its type and its signatures."""

    payload: bytes
    payload_type: str
    signatures: tuple[EnvelopeSignature, ...]

    def as_json(self) -> dict[str, Any]:
        """The envelope as DSSE's JSON form."""
        return {
            "payload": base64.b64encode(self.payload).decode("ascii"),
            "payloadType": self.payload_type,
            "signatures": [
                {"keyid": s.keyid, "sig": base64.b64encode(s.sig).decode("ascii")}
                for s in self.signatures
            ],
        }

    def file_bytes(self) -> bytes:
        """The envelope as written to a file: indented JSON and a final newline."""
        return (json.dumps(self.as_json(), indent=2) + "\n").encode("ascii")

    def signed_by(self, certificate: x509.Certificate) -> bool:
        """Whether a signature under ``certificate``'s fingerprint verifies with its key."""
        key = certificate.public_key()
        if not isinstance(key, ec.EllipticCurvePublicKey):
            return False
        fingerprint = certificate_fingerprint(certificate)
        message = pae(self.payload_type, self.payload)
        for signature in self.signatures:
            if signature.keyid != fingerprint:
                continue
            try:
                key.verify(signature.sig, message, ec.ECDSA(hashes.SHA256()))
            except InvalidSignature:
                continue
            return True
        return False


def sign_envelope(
    payload: bytes, key: ec.EllipticCurvePrivateKey, certificate: x509.Certificate
) -> Envelope:
    """An in-toto envelope of ``payload`` signed with ``key`` (``certificate``'s key)."""
    signature = key.sign(pae(PAYLOAD_TYPE, payload), ec.ECDSA(hashes.SHA256()))
    return Envelope(
        payload, PAYLOAD_TYPE, (EnvelopeSignature(certificate_fingerprint(certificate), signature),)
    )


def certificate_path(envelope: Path) -> Path:
    """Where the signer's certificate lies beside ``envelope``: ``X.json`` → ``X.pem``."""
    if envelope.suffix == ".json":
        return envelope.with_suffix(".pem")
    return envelope.with_name(envelope.name + ".pem")


def read_envelope(path: Path) -> Envelope:
    """Read a DSSE envelope from ``path``, or :class:`EnvelopeUnreadable` naming the field."""
    try:
        if path.stat().st_size > MAX_ENVELOPE_BYTES:
            raise EnvelopeUnreadable(f"{path}: larger than 16 MiB; not an attestation")
        text = read_plain(path).decode("utf-8")
        value = load_json(text, str(path))
    except (OSError, UnicodeDecodeError, InputRefused) as error:
        raise EnvelopeUnreadable(f"{path}: cannot be read as a DSSE envelope ({error})") from None
    return parse_envelope(value, str(path))


def parse_envelope(value: Any, name: str) -> Envelope:
    """A DSSE envelope from its JSON value; ``name`` says where it came from in refusals."""
    if not isinstance(value, dict):
        raise EnvelopeUnreadable(f"{name}: not a DSSE envelope (a JSON object is expected)")
    payload_type = value.get("payloadType")
    if not isinstance(payload_type, str) or payload_type != PAYLOAD_TYPE:
        raise EnvelopeUnreadable(
            f"{name}: payloadType: {_shown(payload_type)} is not {PAYLOAD_TYPE!r}"
        )
    payload = _base64(value.get("payload"), name, "payload")
    raw = value.get("signatures")
    if not isinstance(raw, list) or not raw:
        raise EnvelopeUnreadable(f"{name}: signatures: a list of at least one is expected")
    if len(raw) > MAX_SIGNATURES:
        raise EnvelopeUnreadable(f"{name}: signatures: more than {MAX_SIGNATURES}")
    signatures = []
    for at, entry in enumerate(raw):
        field = f"signatures[{at}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("keyid", ""), str):
            raise EnvelopeUnreadable(f"{name}: {field}: an object with keyid and sig is expected")
        signatures.append(
            EnvelopeSignature(str(entry.get("keyid", "")), _base64(entry.get("sig"), name, field))
        )
    return Envelope(payload, payload_type, tuple(signatures))


def _base64(value: Any, name: str, field: str) -> bytes:
    if not isinstance(value, str):
        raise EnvelopeUnreadable(f"{name}: {field}: base64 text is expected")
    try:
        return base64.b64decode(value, validate=True)
    except (ValueError, binascii.Error):
        raise EnvelopeUnreadable(f"{name}: {field}: not valid base64") from None


def _shown(value: Any) -> str:
    """A value from the file, short and printable, for a refusal."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
