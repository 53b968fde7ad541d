"""The integrity check as the window and the commands drive it: one object over a registry."""

from __future__ import annotations

from pathlib import Path

from countersign.services.integrity.checkpoint import read_checkpoint
from countersign.services.integrity.registry_check import Officer, RegistryCheck, verify_registry
from countersign.services.storage.database import Database
from countersign.services.trust.anchors import TrustAnchors
from countersign.services.trust.store import PinnedCertificate, TrustStore


class Integrity:
    """Checks a registry against the certificates this workstation trusts (and more given)."""

    def __init__(self, database: Database, trust: TrustStore) -> None:
        self.database = database
        self.trust = trust

    def verify(
        self, more: TrustAnchors | None = None, checkpoint: Path | None = None
    ) -> RegistryCheck:
        """The whole check (see :func:`verify_registry`), trusting what is pinned and ``more``."""
        anchors = self.trust.anchors()
        if more is not None:
            anchors = anchors.with_more(more.anchors)
        kept = read_checkpoint(checkpoint) if checkpoint is not None else None
        with self.database.read() as session:
            return verify_registry(session, anchors, kept)

    def pin(self, officer: Officer) -> PinnedCertificate:
        """Trust ``officer``'s certificate on this workstation (after the officer confirmed it)."""
        entry, _new = self.trust.pin(officer.certificate_pem, f"{officer.name} <{officer.email}>")
        return entry
