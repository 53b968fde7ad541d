"""The certificates this workstation trusts, kept in the user's configuration folder.

The registry file can be written by anyone who can reach it, so what it says
about who may sign cannot anchor trust.  Each workstation keeps its own list
of trusted certificates (officers' certificates, or an organisation's issuer)
in ``trust.json`` in its configuration folder (platformdirs), pinned on first
use of a registry once the officer has confirmed the fingerprint, or added
from a file.  The same file keeps, apart, the certificates each team signs its
model files with (``trust add CERT.pem --team NAME``): those check OpenSSF
model signatures in that team's bundles and are never anchors for sign-offs.
The file is versioned: older versions are upgraded when read.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import platformdirs
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from countersign.errors import CountersignError
from countersign.formats.bundle.signing import (
    TeamCertificate,
    certificate_fingerprint,
    describe_key,
    is_p256,
)
from countersign.models.manifest import MAX_NAME_CHARS
from countersign.services.storage.database import utc_now
from countersign.services.storage.locations import APP_NAME
from countersign.services.trust.anchors import Anchor, TrustAnchors

TRUST_FILE = "trust.json"
STORE_FORMAT = "countersign-trust"
STORE_VERSION = 2
"""Version 2 added ``team_certificates``; a version-1 file reads as having none."""
MAX_STORE_BYTES = 4 * 1024 * 1024


class TrustStoreError(CountersignError):
    """The workstation's trust file cannot be read or written; nothing was changed."""


@dataclass(frozen=True)
class PinnedCertificate:
    """One certificate trusted on this workstation, with who it is and when it was pinned."""

    fingerprint: str
    subject: str
    label: str
    pinned_at: str
    pem: str
    team: str = ""
    """For a team's model-signing certificate, the team (as bundles name it); else empty."""

    def as_json(self) -> dict[str, str]:
        """The entry as stored (and as ``trust list --json`` prints it)."""
        entry = {
            "fingerprint": self.fingerprint,
            "subject": self.subject,
            "label": self.label,
            "pinned_at": self.pinned_at,
            "pem": self.pem,
        }
        if self.team:
            entry["team"] = self.team
        return entry


def config_dir() -> Path:
    """The folder where this workstation keeps its settings and trusted certificates."""
    return platformdirs.user_config_path(APP_NAME, appauthor=False)


class TrustStore:
    """The trusted certificates of this workstation (``trust.json``)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or config_dir() / TRUST_FILE

    def entries(self) -> list[PinnedCertificate]:
        """Every pinned certificate, oldest first (none when the file does not exist)."""
        return self._read()[0]

    def team_entries(self) -> list[PinnedCertificate]:
        """Every certificate trusted to check a team's model signatures, oldest first."""
        return self._read()[1]

    def team_certificates(self) -> list[TeamCertificate]:
        """The teams' model-signing certificates, as the bundle check takes them."""
        return [
            TeamCertificate(e.team, e.pem.encode("ascii"), e.fingerprint)
            for e in self.team_entries()
        ]

    def _read(self) -> tuple[list[PinnedCertificate], list[PinnedCertificate]]:
        try:
            if self.path.stat().st_size > MAX_STORE_BYTES:
                raise TrustStoreError(f"{self.path}: too large to be Countersign's trust file")
            raw = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return [], []
        except (OSError, UnicodeDecodeError) as error:
            raise TrustStoreError(f"{self.path}: cannot be read: {_reason(error)}") from None
        try:
            data = json.loads(raw)
        except ValueError:
            raise TrustStoreError(f"{self.path}: is not JSON; fix or remove it") from None
        if not isinstance(data, dict) or data.get("format") != STORE_FORMAT:
            raise TrustStoreError(f"{self.path}: is not Countersign's trust file")
        version = data.get("version")
        if not isinstance(version, int) or version > STORE_VERSION:
            raise TrustStoreError(
                f"{self.path}: written by a newer Countersign (version {version}); not changed"
            )
        try:
            return (
                [_entry(item) for item in data.get("certificates", [])],
                [_entry(item, team=True) for item in data.get("team_certificates", [])],
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            raise TrustStoreError(
                f"{self.path}: an entry is damaged; fix or remove the file"
            ) from None

    def anchors(self) -> TrustAnchors:
        """The pinned certificates as trust anchors."""
        return TrustAnchors(
            Anchor(x509.load_pem_x509_certificate(e.pem.encode("ascii")), "pinned here")
            for e in self.entries()
        )

    def pin(self, pem: str, label: str) -> tuple[PinnedCertificate, bool]:
        """Trust the certificate(s) in ``pem``; returns the first entry and whether it is new."""
        try:
            certificates = x509.load_pem_x509_certificates(pem.encode("ascii"))
        except ValueError:
            raise TrustStoreError("not a PEM certificate; nothing was pinned") from None
        entries, teams = self._read()
        first: tuple[PinnedCertificate, bool] | None = None
        for certificate in certificates:
            fingerprint = certificate_fingerprint(certificate)
            existing = next((e for e in entries if e.fingerprint == fingerprint), None)
            if existing is None:
                existing = PinnedCertificate(
                    fingerprint,
                    certificate.subject.rfc4514_string(),
                    label,
                    utc_now(),
                    certificate.public_bytes(serialization.Encoding.PEM).decode("ascii"),
                )
                entries.append(existing)
                first = first or (existing, True)
            first = first or (existing, False)
        self._write(entries, teams)
        assert first is not None, "load_pem_x509_certificates returns at least one"
        return first

    def pin_team(self, pem: str, team: str, label: str) -> tuple[PinnedCertificate, bool]:
        """Trust the certificate in ``pem`` to check ``team``'s model signatures.

        The certificate is kept apart from the officers' (it vouches for no
        sign-off); it must hold an ECDSA P-256 key.  Returns the entry and
        whether it is new.
        """
        team = team.strip()
        if not team or len(team) > MAX_NAME_CHARS or not team.isprintable():
            raise TrustStoreError(
                "give the team's name as its bundles state it; nothing was pinned"
            )
        try:
            certificate = x509.load_pem_x509_certificate(pem.encode("ascii"))
        except ValueError:
            raise TrustStoreError("not a PEM certificate; nothing was pinned") from None
        key = certificate.public_key()
        if not is_p256(key):
            raise TrustStoreError(
                f"the certificate's key is {describe_key(key)}; teams sign model files with "
                "ECDSA P-256 keys. Nothing was pinned"
            )
        entries, teams = self._read()
        fingerprint = certificate_fingerprint(certificate)
        existing = next((e for e in teams if e.fingerprint == fingerprint and e.team == team), None)
        if existing is not None:
            return existing, False
        entry = PinnedCertificate(
            fingerprint,
            certificate.subject.rfc4514_string(),
            label,
            utc_now(),
            certificate.public_bytes(serialization.Encoding.PEM).decode("ascii"),
            team=team,
        )
        self._write(entries, [*teams, entry])
        return entry, True

    def remove(self, fingerprint: str) -> PinnedCertificate:
        """Stop trusting the certificate whose fingerprint starts with ``fingerprint``."""
        prefix = fingerprint.strip().lower().replace(":", "")
        entries, teams = self._read()
        matches = [e for e in [*entries, *teams] if prefix and e.fingerprint.startswith(prefix)]
        if len(matches) != 1:
            raise TrustStoreError(
                f"{'no' if not matches else 'more than one'} pinned certificate has a "
                f"fingerprint starting {prefix!r}; nothing was removed"
            )
        self._write(
            [e for e in entries if e is not matches[0]], [e for e in teams if e is not matches[0]]
        )
        return matches[0]

    def _write(
        self, entries: Sequence[PinnedCertificate], teams: Sequence[PinnedCertificate]
    ) -> None:
        data = {
            "format": STORE_FORMAT,
            "version": STORE_VERSION,
            "certificates": [e.as_json() for e in entries],
            "team_certificates": [e.as_json() for e in teams],
        }
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(prefix=".trust.", dir=self.path.parent)
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                json.dump(data, stream, indent=1)
            os.replace(temporary, self.path)
        except OSError as error:
            raise TrustStoreError(f"{self.path}: cannot be written: {_reason(error)}") from None


def _entry(item: dict[str, str], *, team: bool = False) -> PinnedCertificate:
    certificate = x509.load_pem_x509_certificate(str(item["pem"]).encode("ascii"))
    return PinnedCertificate(
        certificate_fingerprint(certificate),
        certificate.subject.rfc4514_string(),
        str(item.get("label", "")),
        str(item.get("pinned_at", "")),
        str(item["pem"]),
        team=str(item["team"]) if team else "",
    )


def _reason(error: BaseException) -> str:
    return getattr(error, "strerror", None) or str(error)
