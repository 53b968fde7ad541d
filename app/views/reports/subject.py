"""What a report dialog works on: the card version shown, and who may sign."""

from __future__ import annotations

from dataclasses import dataclass, field

from countersign.services.identities.identities import IdentityInfo


@dataclass(frozen=True)
class ShownVersion:
    """The card version the model page shows: model, version and status."""

    model: str
    version: str
    status: str


@dataclass(frozen=True)
class Signers:
    """The identities that may sign here, and the one to offer first (the last one used)."""

    identities: list[IdentityInfo] = field(default_factory=list)
    preferred: str = ""
