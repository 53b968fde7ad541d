"""The in-toto Statement (v1) of an approval, and Countersign's approval predicate.

The statement's subjects are the approved model files (name and SHA-256, as
the card version names them and the approvers signed them) and the card
version's canonical JSON (``card.canonical.json``).  Its predicate, of type
:data:`PREDICATE_TYPE`, says who approved what for which stage; it is
documented by the JSON Schema ``resources/attestation/approval-v1.schema.json``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from countersign.errors import CountersignError, InputRefused
from countersign.formats.limits import load_json
from countersign.models.card import canonical_json
from countersign.models.vocabulary import Decision

STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
PREDICATE_TYPE = "https://countersign.invalid/attestation/approval/v1"
"""Countersign's approval predicate: a name, not a page (``.invalid`` resolves nowhere);
its schema is shipped in ``resources/attestation/``."""

CARD_SUBJECT = "card.canonical.json"
"""The subject name of the card version's canonical JSON (the file ``publish`` writes)."""


@dataclass(frozen=True)
class Approver:
    """One approver of the deciding round: who, the certificate's fingerprint, when."""

    name: str
    email: str
    fingerprint: str
    signed_at: str


@dataclass(frozen=True)
class Classification:
    """The risk tier the approval was made at, and who set it (empty ``by``: the card's own)."""

    tier: str
    by: str = ""
    reason: str = ""
    at: str = ""


@dataclass(frozen=True)
class ApprovalFacts:
    """What an approval attestation states, gathered from the registry."""

    model: str
    version: str
    stage: str
    card_sha256: str
    decided_at: str
    template: tuple[str, int]
    """The checklist template's id and version."""
    quorum: int
    approvers: tuple[Approver, ...]
    classification: Classification
    artifacts: tuple[tuple[str, str], ...]
    """The approved model files: (name, SHA-256)."""
    attested_by: Approver
    """The officer who signs the attestation (``signed_at``: when)."""
    conditions: tuple[str, ...] = ()
    expires: str = ""
    """The last day the approval holds (``YYYY-MM-DD``); empty: it does not expire."""


def approval_statement(facts: ApprovalFacts) -> bytes:
    """The statement's exact bytes (canonical JSON, UTF-8): the DSSE payload."""
    subjects = [{"name": name, "digest": {"sha256": digest}} for name, digest in facts.artifacts]
    subjects.append({"name": CARD_SUBJECT, "digest": {"sha256": facts.card_sha256}})
    predicate: dict[str, Any] = {
        "model": facts.model,
        "version": facts.version,
        "stage": facts.stage,
        "card_sha256": facts.card_sha256,
        "decision": Decision.APPROVE.value,
        "decided_at": facts.decided_at,
        "template": {"id": facts.template[0], "version": facts.template[1]},
        "quorum": facts.quorum,
        "approvers": [_person(a) for a in facts.approvers],
        "classification": {
            "tier": facts.classification.tier,
            "by": facts.classification.by or None,
            "reason": facts.classification.reason or None,
            "at": facts.classification.at or None,
        },
        "attested_by": _person(facts.attested_by),
    }
    if facts.conditions:
        predicate["conditions"] = list(facts.conditions)
    if facts.expires:
        predicate["expires"] = facts.expires
    statement = {
        "_type": STATEMENT_TYPE,
        "subject": subjects,
        "predicateType": PREDICATE_TYPE,
        "predicate": predicate,
    }
    return canonical_json(statement).encode("utf-8")


def _person(person: Approver) -> dict[str, str]:
    return {
        "name": person.name,
        "email": person.email,
        "certificate_sha256": person.fingerprint,
        "signed_at": person.signed_at,
    }


class StatementRefused(CountersignError):
    """An envelope's payload that is not a Countersign approval statement; names the field."""


@dataclass(frozen=True)
class ApprovalStatement:
    """A read approval statement: its subjects and predicate, the types already checked."""

    subjects: tuple[tuple[str, str], ...]
    """(name, SHA-256) of every subject, the card's included."""
    predicate: dict[str, Any]

    def text(self, key: str) -> str:
        """A text member of the predicate ('' when absent or not text)."""
        value = self.predicate.get(key)
        return value if isinstance(value, str) else ""

    @property
    def approvers(self) -> list[dict[str, Any]]:
        """The predicate's approvers (objects only)."""
        value = self.predicate.get("approvers")
        return [a for a in value if isinstance(a, dict)] if isinstance(value, list) else []

    @property
    def quorum(self) -> int:
        """The round's quorum as stated (0 when absent or not a count)."""
        value = self.predicate.get("quorum")
        return value if isinstance(value, int) and not isinstance(value, bool) else 0

    @property
    def model_files(self) -> list[tuple[str, str]]:
        """The subjects that are model files (the card's canonical JSON left out)."""
        return [s for s in self.subjects if s[0] != CARD_SUBJECT]


def read_statement(payload: bytes, name: str) -> ApprovalStatement:
    """Parse an envelope's payload as an approval statement, or :class:`StatementRefused`."""
    try:
        value = load_json(payload.decode("utf-8"), name)
    except (UnicodeDecodeError, InputRefused) as error:
        raise StatementRefused(f"{name}: payload: not JSON text ({error})") from None
    if not isinstance(value, dict) or value.get("_type") != STATEMENT_TYPE:
        raise StatementRefused(f"{name}: payload: _type is not {STATEMENT_TYPE}")
    if value.get("predicateType") != PREDICATE_TYPE:
        raise StatementRefused(
            f"{name}: payload: predicateType {_shown(value.get('predicateType'))} is not "
            f"Countersign's approval ({PREDICATE_TYPE})"
        )
    predicate = value.get("predicate")
    if not isinstance(predicate, dict):
        raise StatementRefused(f"{name}: payload: predicate: an object is expected")
    return ApprovalStatement(_subjects(value.get("subject"), name), predicate)


def _subjects(value: Any, name: str) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, list) or not value:
        raise StatementRefused(f"{name}: payload: subject: a list of at least one is expected")
    out = []
    for at, entry in enumerate(value):
        digest = entry.get("digest") if isinstance(entry, dict) else None
        sha256 = digest.get("sha256") if isinstance(digest, dict) else None
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise StatementRefused(f"{name}: payload: subject[{at}]: no name")
        if not isinstance(sha256, str):
            raise StatementRefused(f"{name}: payload: subject[{at}].digest: no sha256")
        out.append((entry["name"], sha256.lower()))
    return tuple(out)


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=True)
    return text if len(text) <= 60 else text[:57] + "..."
