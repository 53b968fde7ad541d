"""Trust anchors: the certificates this workstation trusts, whatever the registry file says.

An anchor is an officer's certificate, or an organisation's issuing
certificate, pinned on this workstation (see
:mod:`countersign.services.trust.store`) or given with ``--trust CERT.pem``.
A certificate is vouched for when it is an anchor itself or was issued by one
(its signature checked, not only its issuer's name).  Nothing read from the
registry file can add an anchor: that file may have been written by anyone.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization

from countersign.formats.bundle.signing import certificate_fingerprint


@dataclass(frozen=True)
class Anchor:
    """One trusted certificate and where the trust comes from (a file, the pinned list)."""

    certificate: x509.Certificate
    source: str

    @property
    def fingerprint(self) -> str:
        """SHA-256 of the certificate (DER), lowercase hex."""
        return certificate_fingerprint(self.certificate)

    @property
    def pem(self) -> str:
        """The certificate as PEM text."""
        return self.certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")


def anchors_from_pem(pem: str, source: str) -> list[Anchor]:
    """Every certificate in ``pem`` as an anchor from ``source`` (ValueError when none reads)."""
    return [Anchor(c, source) for c in x509.load_pem_x509_certificates(pem.encode("ascii"))]


class TrustAnchors:
    """The certificates trusted here; says whether, and why, a certificate is vouched for."""

    def __init__(self, anchors: Iterable[Anchor] = ()) -> None:
        self._anchors: dict[str, Anchor] = {}
        for anchor in anchors:
            self._anchors.setdefault(anchor.fingerprint, anchor)

    def __len__(self) -> int:
        return len(self._anchors)

    def __bool__(self) -> bool:
        return bool(self._anchors)

    @property
    def anchors(self) -> Sequence[Anchor]:
        """Every anchor, in the order given."""
        return tuple(self._anchors.values())

    @property
    def pems(self) -> list[str]:
        """Every anchor as PEM (trust roots for a PDF signature check)."""
        return [anchor.pem for anchor in self._anchors.values()]

    def with_more(self, anchors: Iterable[Anchor]) -> TrustAnchors:
        """These anchors and ``anchors`` together."""
        return TrustAnchors([*self._anchors.values(), *anchors])

    def vouch(self, certificate: x509.Certificate) -> str:
        """Why ``certificate`` is trusted (``""`` when it is not).

        It is trusted when it is an anchor, or when an anchor issued it: the
        issuer's name matches and its key verifies the certificate's signature.
        """
        anchor = self._anchors.get(certificate_fingerprint(certificate))
        if anchor is not None:
            return f"trusted ({anchor.source})"
        for anchor in self._anchors.values():
            if anchor.certificate.subject != certificate.issuer:
                continue
            try:
                certificate.verify_directly_issued_by(anchor.certificate)
            except (ValueError, TypeError, InvalidSignature):
                continue
            return f"issued by a trusted certificate ({anchor.source})"
        return ""
