"""``audit --verify``: the chain, the signed acts anchoring it, and every row against its event.

Someone who can write the registry file can drop the triggers, rewrite rows
and re-hash the whole chain; what they cannot do without an officer's or
approver's key is sign.  So the check walks the trail once and:

* checks each event's link and hash (:func:`~countersign.services.audit.trail.verify_chain`);
* checks every signed act (grant, retirement, report, publish, checkpoint)
  and every sign-off's signed chain head against the events it names, so a
  rewritten or re-hashed stretch of the trail before a signature is named;
* derives who held which role, when, from the signed grants rooted in the
  certificates trusted on this workstation (:class:`~countersign.services.trust.authority.Authority`);
* compares every card version (canonical JSON, original bytes, attachments,
  status), identity (certificate, e-mail, role, retirement), sign-off and
  metric policy version with the event that recorded it, and every such event
  with its row;
* re-verifies every sign-off, counting only those whose signer held the role
  when signing, and the statuses that follow from them;
* with a checkpoint kept elsewhere, names the events missing after it.

Events after the newest signed head can still be dropped without trace unless
a checkpoint covers them: the result says how many there are and how old the
head is.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from countersign.formats.bundle.signing import certificate_fingerprint
from countersign.models.tables import (
    Attachment,
    AuditEvent,
    CardVersion,
    Identity,
    MergedEvent,
    Model,
    Signature,
)
from countersign.models.vocabulary import AuditAction, CardStatus, Decision, Role
from countersign.services.audit.seal import read_seal
from countersign.services.audit.trail import (
    GENESIS_HASH,
    ChainReport,
    event_details,
    verify_chain,
)
from countersign.services.identities.certificates import load_certificate
from countersign.services.integrity.policy_rows import policy_problems
from countersign.services.reviews.escalations import holds, read_escalations
from countersign.services.reviews.signoff_verification import SignOffReport, verify_signoffs
from countersign.services.trust.acts import CHECKPOINT, GRANT, SignedAct, read_act
from countersign.services.trust.anchors import TrustAnchors
from countersign.services.trust.authority import Authority

_BATCH = 2000


@dataclass(frozen=True)
class SignedHead:
    """The newest point of the trail a trusted signature pins."""

    seq: int
    hash: str
    signer: str
    signed_at: str
    what: str

    def age(self, now: datetime.datetime | None = None) -> str:
        """How long ago it was signed, in words."""
        return describe_age(self.signed_at, now)


@dataclass(frozen=True)
class Officer:
    """An active officer of the registry by its signed grants: whom a workstation may pin."""

    name: str
    email: str
    fingerprint: str
    certificate_pem: str


@dataclass(frozen=True)
class RegistryCheck:
    """Everything ``audit --verify`` found."""

    chain: ChainReport
    signoffs: SignOffReport
    problems: tuple[str, ...]
    anchored: bool
    head: SignedHead | None
    events: int
    checkpoint: str = ""
    notes: tuple[str, ...] = ()
    officers: tuple[Officer, ...] = ()
    """The registry's active officers by its signed grants (to pin on first use)."""

    @property
    def ok(self) -> bool:
        """Whether nothing was found: chain, signatures, rows and checkpoint all hold."""
        return self.chain.ok and self.signoffs.ok and not self.problems

    def describe_head(self) -> str:
        """The newest signed head, its age, and what it leaves uncovered."""
        if self.head is None:
            return (
                "No signed head: no trusted signature pins any event yet, so events can be "
                "dropped or rewritten without trace."
            )
        later = self.events - self.head.seq
        tail = (
            "every event is covered"
            if later <= 0
            else f"{later} later event{'s' if later != 1 else ''} not yet covered by a signature"
        )
        return (
            f"Newest signed head: event {self.head.seq} ({self.head.hash[:16]}…), "
            f"{self.head.what} signed by {self.head.signer} {self.head.age()}; {tail}."
        )

    def lines(self) -> Iterator[tuple[bool, str]]:
        """Each line of the verdict, with whether it is good news."""
        yield self.chain.ok, self.chain.describe()
        yield self.signoffs.ok, self.signoffs.describe()
        for signoff in self.signoffs.problems:
            yield False, f"  {signoff.describe()}"
        yield (
            not self.problems,
            (
                "Rows and signed acts match the trail."
                if not self.problems
                else f"Registry BROKEN: {len(self.problems)} rows or signed acts do not match the trail:"
            ),
        )
        for problem in self.problems:
            yield False, f"  {problem}"
        if self.checkpoint:
            yield not self.checkpoint.startswith("Checkpoint BROKEN"), self.checkpoint
        yield True, self.describe_head()
        for note in self.notes:
            yield True, note


def verify_registry(
    session: Session, anchors: TrustAnchors, checkpoint: SignedAct | None = None
) -> RegistryCheck:
    """Walk the trail and every row; see the module's description."""
    chain = verify_chain(session)
    walk = _Walk(anchors)
    walk.run(session)
    problems = [f"{event}: {text}" for event, text in walk.problems]
    problems += _card_versions(session, walk)
    problems += _identities(session, walk)
    problems += policy_problems(session, walk.policies)
    signoffs = verify_signoffs(session, judge=walk.judge)
    problems += [
        f"{place.label}: it records sign-off {signature_id}, which is not in the registry (removed)"
        for signature_id, (place, _details) in walk.signoff_events.items()
        if signature_id not in walk.signoffs_seen
    ]
    notes = _notes(anchors, walk)
    checked = _checkpoint(checkpoint, walk, chain.events) if checkpoint is not None else ""
    if checked.startswith("Checkpoint BROKEN"):
        problems.append(checked.removeprefix("Checkpoint BROKEN: "))
    return RegistryCheck(
        chain=chain,
        signoffs=signoffs,
        problems=tuple(problems),
        anchored=bool(anchors),
        head=walk.newest_head(),
        events=walk.events,
        checkpoint=checked,
        notes=tuple(notes),
        officers=_officers(session, walk.authority),
    )


class _Chain:
    """The hashes a signature made at some event can pin: the main chain's, or a merged segment's.

    A merged segment's events signed the chain of the registry they were made
    in: this registry's up to the fork, then the segment (and the segments it
    continues) up to themselves.
    """

    def __init__(
        self, hashes: dict[int, str], fork: int = -1, parent: _Chain | None = None
    ) -> None:
        self.hashes = hashes
        self.fork = fork
        self.parent = parent

    def hash_at(self, seq: int) -> str | None:
        """The hash of event ``seq`` as this chain's events saw it."""
        if seq > self.fork or self.parent is None:
            return self.hashes.get(seq)
        return self.parent.hash_at(seq)

    def main_seq(self, seq: int) -> int:
        """The newest event of the main chain that a pin of ``seq`` covers."""
        return seq if self.parent is None else self.parent.main_seq(min(seq, self.fork))


@dataclass(frozen=True)
class _Place:
    """Where an event stands in the walk: its order, its own id, its name, the chain it extends."""

    step: int
    """Its position in the walk (the event id, shifted by merged events walked before it)."""
    seq: int
    label: str
    chain: _Chain


def _notes(anchors: TrustAnchors, walk: _Walk) -> list[str]:
    """What the verdict says besides problems: what it could not prove, and why."""
    notes = []
    if not anchors:
        notes.append(
            "Not anchored: no certificate is trusted on this workstation, so this proves the "
            "registry agrees with itself, not who signed it. Pin the officer's certificate "
            "(`countersign trust pin EMAIL`) or give --trust CERT.pem."
        )
    if walk.legacy:
        notes.append(
            f"{walk.legacy} identities have roles recorded before roles were signed; they are "
            "taken as recorded."
        )
    unsigned = [
        (event, str(details.get("email", "?")))
        for event, details, act in walk.retirements.values()
        if act is None
    ]
    if unsigned:
        listed = ", ".join(f"{email} ({event})" for event, email in unsigned)  # in chain order
        notes.append(
            f"Retirements nobody signed, taken on the registry's word (a retirement only takes "
            f"an identity's power away): {listed}."
        )
    return notes


class _Walk:
    """One pass over the trail: hashes, signed acts, roles, and what each event says of its row.

    A merged segment is walked at the event that merged it, as if its events
    happened there, in their order; ids of rows its events name are read
    through the merge's id map.
    """

    def __init__(self, anchors: TrustAnchors) -> None:
        self.authority = Authority(anchors)
        self.hashes: dict[int, str] = {0: GENESIS_HASH}
        self.main = _Chain(self.hashes)
        self.segments: dict[int, _Chain] = {}
        self.shift = 0
        self.events = 0
        self.problems: list[tuple[str, str]] = []
        self.imports: dict[str, dict[str, Any]] = {}
        self.statuses: dict[str, tuple[str, str]] = {}
        self.identities: dict[str, tuple[str, dict[str, Any]]] = {}
        self.retirements: dict[str, tuple[str, dict[str, Any], SignedAct | None]] = {}
        self.signoff_events: dict[str, tuple[_Place, dict[str, Any]]] = {}
        self.signoffs_seen: set[str] = set()
        self.policies: dict[str, tuple[str, str]] = {}
        self.heads: list[SignedHead] = []
        self.legacy = 0

    def run(self, session: Session) -> None:
        last = 0
        while True:
            events = session.scalars(
                select(AuditEvent).where(AuditEvent.id > last).order_by(AuditEvent.id).limit(_BATCH)
            ).all()
            if not events:
                break
            for event in events:
                if event.action == AuditAction.REGISTRY_MERGED:
                    self._take_segment(session, event)
                self.events = max(self.events, event.id)
                self.hashes[event.id] = event.hash
                self.take(event, self._place(event.id + self.shift, event.id, self.main))
                last = event.id
            session.expunge_all()

    def _place(self, step: int, seq: int, chain: _Chain, label: str = "") -> _Place:
        if step != seq or label:
            self.authority.names[step] = label or f"event {seq}"
        return _Place(step, seq, label or f"event {seq}", chain)

    def _take_segment(self, session: Session, merge: AuditEvent) -> None:
        """The events a merge brought in, walked where it stands (their chain was checked)."""
        seal = read_seal(event_details(merge))
        if seal is None:
            return  # verify_chain names it
        parent = self.segments.get(seal.continues or 0, self.main)
        chain = _Chain({seal.fork.seq: seal.fork.hash}, seal.fork.seq, parent)
        self.segments[merge.id] = chain
        rows = session.scalars(
            select(MergedEvent).where(MergedEvent.segment == merge.id).order_by(MergedEvent.id)
        ).all()
        for position, row in enumerate(rows, start=1):
            chain.hashes[row.id] = row.hash
            event = AuditEvent(
                id=row.id,
                at=row.at,
                actor=row.actor,
                action=row.action,
                object_type=row.object_type,
                object_id=seal.object_id(row.object_type, row.object_id),
                model_name=row.model_name,
                details_json=row.details_json,
                prev_hash=row.prev_hash,
                hash=row.hash,
            )
            label = f"merged event {row.id} (brought in by event {merge.id})"
            self.take(
                event, self._place(merge.id - 1 + self.shift + position, row.id, chain, label)
            )
        self.shift += len(rows)

    def take(self, event: AuditEvent, place: _Place) -> None:
        details = event_details(event)
        act = self._act(event, details, place)
        action = event.action
        if action in (
            AuditAction.IDENTITY_CREATED,
            AuditAction.IDENTITY_IMPORTED,
            AuditAction.IDENTITY_GRANTED,
            AuditAction.IDENTITY_RETIRED,
        ):
            self._take_identity_event(event, details, act, place)
        elif action == AuditAction.REVIEW_SIGNED:
            self.signoff_events[event.object_id] = (place, details)
        elif action == AuditAction.CARD_VERSION_IMPORTED:
            if not self._repeated_import(event.object_id, details, place):
                self.imports[event.object_id] = details
                self.statuses[event.object_id] = (place.label, CardStatus.SUBMITTED)
        elif action == AuditAction.CARD_VERSION_STATUS_CHANGED:
            self.statuses[event.object_id] = (place.label, str(details.get("to", "")))
        elif action == AuditAction.CARD_VERSION_SUPERSEDED:
            self.statuses[event.object_id] = (place.label, CardStatus.SUPERSEDED)
        elif action in (AuditAction.POLICY_IMPORTED, AuditAction.POLICY_REPLACED):
            self.policies[event.object_id] = (place.label, str(details.get("sha256", "")))
        if act is not None and act.kind != GRANT:
            self._head(place, act)

    def _repeated_import(self, key: str, details: dict[str, Any], place: _Place) -> bool:
        """A merged import of a card version imported here already with the same SHA-256
        (the same bundle imported on both sides): it changes nothing, the status that
        followed the first import stands."""
        first = self.imports.get(key)
        return (
            place.chain is not self.main
            and first is not None
            and first.get("sha256") == details.get("sha256")
        )

    def _take_identity_event(
        self, event: AuditEvent, details: dict[str, Any], act: SignedAct | None, place: _Place
    ) -> None:
        """An identity made, granted a role or retired: what the roles are worked out from."""
        if event.action == AuditAction.IDENTITY_GRANTED:
            self._grant(event, details, act, place)
        elif event.action == AuditAction.IDENTITY_RETIRED:
            self.retirements[event.object_id] = (place.label, details, act)
            at = str(details.get("retired_at") or event.at)
            reason = self.authority.take_retirement(place.step, act, event.object_id, at)
            if reason:
                self.problems.append((place.label, reason))
        else:
            self.identities[event.object_id] = (place.label, details)
            if "role" in details:
                self.legacy += 1
                self.authority.take_legacy_role(
                    place.step, event.object_id, str(details.get("email", "")), str(details["role"])
                )

    def _act(self, event: AuditEvent, details: dict[str, Any], place: _Place) -> SignedAct | None:
        if "signed" not in details:
            return None
        act = read_act(details["signed"])
        problem = "its signed act is unreadable" if act is None else act.problem()
        if act is None or problem:
            self.problems.append((place.label, f"{event.action}: {problem}"))
            return None
        self.authority.signed(place.step)
        head = act.head
        assert head is not None, "problem() checks the head"
        mismatch = self.head_problem(place, head.seq, head.hash)
        if mismatch:
            self.problems.append((place.label, f"{event.action}: {mismatch}"))
            return None
        return act

    def head_problem(self, place: _Place, seq: int, digest: str) -> str:
        """Why a signature made at ``place`` over head (seq, digest) does not fit."""
        if seq >= place.seq:
            return f"it claims to extend event {seq}, which comes after it"
        if place.chain.hash_at(seq) != digest:
            return (
                f"it signed event {seq} with another hash: the trail up to event {seq} was "
                "rewritten or re-hashed after it was signed"
            )
        return ""

    def _grant(
        self, event: AuditEvent, details: dict[str, Any], act: SignedAct | None, place: _Place
    ) -> None:
        if act is None:
            if "signed" not in details:
                self.problems.append((place.label, "a grant of a role that nobody signed"))
            return
        if act.kind != GRANT or act.subject.get("fingerprint") != event.object_id:
            self.problems.append((place.label, "its signed act is not a grant for this identity"))
            return
        reason = self.authority.take_grant(place.step, act, details.get("founding") is True)
        if reason:
            self.problems.append((place.label, reason))
        elif self.authority.vouched(act.certificate()) or act.signer_fingerprint != event.object_id:
            self._head(place, act)

    def _head(self, place: _Place, act: SignedAct) -> None:
        certificate = act.certificate()
        if (
            act.kind == CHECKPOINT
            or self.authority.is_officer(certificate, place.step)
            or not (self.authority.may_sign(certificate, place.step, approve=False))
        ):
            head = act.head
            assert head is not None
            who = (
                self.authority.standing(act.signer_fingerprint).email or act.signer_fingerprint[:16]
            )
            self._pinned(
                place, head.seq, SignedHead(head.seq, head.hash, who, act.signed_at, act.kind)
            )

    def _pinned(self, place: _Place, seq: int, head: SignedHead) -> None:
        """A signed head, as far as it covers the main chain (a merged event's: up to its fork)."""
        covered = place.chain.main_seq(seq)
        if covered != seq:
            head = dataclasses.replace(head, seq=covered, hash=self.hashes.get(covered, ""))
        self.heads.append(head)

    def judge(self, signature: Signature, identity: Identity, payload: bytes) -> str:
        """Why a sign-off that verifies does not count: no event, another event, no role."""
        key = str(signature.id)
        self.signoffs_seen.add(key)
        recorded = self.signoff_events.get(key)
        if recorded is None:
            return "no audit event records it (it was added outside Countersign)"
        place, details = recorded
        if (
            details.get("signer_fingerprint") != signature.signer_fingerprint
            or details.get("decision") != signature.decision
            or details.get("payload_sha256") != hashlib.sha256(payload).hexdigest()
        ):
            return f"it is not the sign-off {place.label} recorded (re-signed or re-keyed)"
        if signature.chain_seq is not None and signature.chain_hash is not None:
            mismatch = self.head_problem(place, signature.chain_seq, signature.chain_hash)
            if mismatch:
                return mismatch
        reason = self.authority.may_sign(
            load_certificate(identity.certificate_pem),
            place.step,
            signature.decision == Decision.APPROVE,
        )
        if reason:
            return reason
        escalations = read_escalations(signature.escalations_json)
        held = self.authority.standing(signature.signer_fingerprint).role_at(place.step)
        if escalations.signed and not holds(held, escalations.role):
            return (
                f"it fulfils the escalation {', '.join(escalations.signed)} as {escalations.role}, "
                f"but its signer was {held or 'no role'} when it signed"
            )
        if signature.chain_seq is not None and signature.chain_hash is not None:
            self._pinned(
                place,
                signature.chain_seq,
                SignedHead(
                    signature.chain_seq,
                    signature.chain_hash,
                    identity.email,
                    signature.signed_at,
                    "sign-off",
                ),
            )
        return ""

    def newest_head(self) -> SignedHead | None:
        return max(self.heads, key=lambda head: head.seq, default=None)


def _officers(session: Session, authority: Authority) -> tuple[Officer, ...]:
    fingerprints = [
        fingerprint
        for fingerprint, standing in authority.standings.items()
        if standing.granted_role == Role.OFFICER and standing.retired_event is None
    ]
    if not fingerprints:
        return ()
    rows = session.scalars(
        select(Identity)
        .where(Identity.fingerprint.in_(fingerprints), Identity.retired_at.is_(None))
        .order_by(Identity.email)
    )
    return tuple(Officer(r.name, r.email, r.fingerprint, r.certificate_pem) for r in rows)


def signed_authority(session: Session, anchors: TrustAnchors) -> Authority:
    """Who holds which role, from the trail's signed grants rooted in ``anchors`` (no row checks)."""
    walk = _Walk(anchors)
    walk.run(session)
    return walk.authority


def _card_versions(session: Session, walk: _Walk) -> list[str]:
    problems: list[str] = []
    last = 0
    while True:
        rows = session.execute(
            select(CardVersion, Model.name)
            .join(Model, Model.id == CardVersion.model_id)
            .where(CardVersion.id > last)
            .order_by(CardVersion.id)
            .limit(200)
        ).all()
        if not rows:
            break
        for cv, model in rows:
            last = cv.id
            problems += _card_version(session, walk, cv, f"{model} {cv.version}")
        session.expunge_all()
    return problems


def _card_version(session: Session, walk: _Walk, cv: CardVersion, what: str) -> list[str]:
    key = str(cv.id)
    imported = walk.imports.get(key)
    if imported is None:
        return [f"card version {what} is recorded by no import event (added outside Countersign)"]
    out = []
    canonical = hashlib.sha256(cv.canonical_json.encode("utf-8")).hexdigest()
    if canonical != cv.sha256 or cv.sha256 != imported.get("sha256"):
        out.append(f"card version {what}: its canonical JSON is not the one imported")
    original = imported.get("original_sha256")
    if original is not None and hashlib.sha256(cv.original).hexdigest() != original:
        out.append(f"card version {what}: its original bytes are not the ones imported")
    model_files = imported.get("model_files_sha256")  # absent from older imports
    if model_files is not None and _sha256(cv.artifacts_json) != model_files:
        out.append(
            f"card version {what}: its model files (or whether the team signed them) are not "
            "the ones imported"
        )
    listed = imported.get("attachments")
    if isinstance(listed, dict):
        stored = {
            a.path: hashlib.sha256(a.content).hexdigest()
            for a in session.scalars(select(Attachment).where(Attachment.card_version_id == cv.id))
        }
        if stored != listed:
            out.append(f"card version {what}: its attachments are not the ones imported")
    recorded = walk.statuses.get(key)
    if recorded is not None and recorded[1] != cv.status:
        out.append(
            f"card version {what} is marked {cv.status!r}, but its events (last: "
            f"{recorded[0]}) make it {recorded[1]!r}"
        )
    return out


def _identities(session: Session, walk: _Walk) -> list[str]:
    problems: list[str] = []
    seen: set[str] = set()
    for row in session.scalars(select(Identity).order_by(Identity.id)):
        seen.add(row.fingerprint)
        problems += _identity(walk, row)
    for fingerprint, (event_id, details) in walk.identities.items():
        if fingerprint not in seen:
            problems.append(
                f"{event_id}: it records the identity of {details.get('email', '?')}, "
                "which is not in the registry (removed)"
            )
    return problems


def _identity(walk: _Walk, row: Identity) -> list[str]:
    who = f"identity {row.email} ({row.fingerprint[:16]}…)"
    created = walk.identities.get(row.fingerprint)
    try:
        actual = certificate_fingerprint(load_certificate(row.certificate_pem))
    except ValueError:
        actual = ""
    if created is None:
        return [f"{who} is recorded by no audit event (added outside Countersign)"]
    event_id, details = created
    out = []
    pem = details.get("certificate_pem")
    if actual != row.fingerprint or (pem is not None and pem != row.certificate_pem):
        out.append(f"{who}: its certificate is not the one {event_id} recorded (re-keyed)")
    if details.get("email") != row.email:
        out.append(f"{who}: its e-mail address is not the one {event_id} recorded")
    standing = walk.authority.standings.get(row.fingerprint)
    granted = standing.granted_role if standing else ""
    if row.role != granted:
        out.append(
            f"{who} has the role {row.role or 'none'!r} in the registry, but its signed grants "
            f"give {granted or 'none'!r}"
        )
    retired = walk.retirements.get(row.fingerprint)
    if retired is None and row.retired_at is not None:
        out.append(f"{who} is marked retired, but no event retired it")
    elif retired is not None:
        retired_event, retired_details, act = retired
        when = (
            act.subject.get("retired_at") if act is not None else retired_details.get("retired_at")
        )
        if row.retired_at is None:
            out.append(f"{who} was retired by {retired_event}, but is marked active")
        elif when is not None and when != row.retired_at:
            out.append(
                f"{who} is marked retired at {row.retired_at}, but {retired_event} "
                f"retired it at {when} (the retirement was moved)"
            )
    return out


def _checkpoint(act: SignedAct, walk: _Walk, events: int) -> str:
    problem = act.problem()
    if problem or act.kind != CHECKPOINT:
        return f"Checkpoint BROKEN: the checkpoint file is not a signed checkpoint ({problem})"
    head = act.head
    assert head is not None
    certificate = act.certificate()
    if not (
        walk.authority.vouched(certificate) or walk.authority.standing(act.signer_fingerprint).roles
    ):
        return (
            "Checkpoint BROKEN: the checkpoint is signed by a certificate "
            f"({act.signer_fingerprint[:16]}…) that is neither trusted here nor granted a role"
        )
    if head.seq > walk.events:
        return (
            f"Checkpoint BROKEN: the checkpoint of {act.signed_at} covers {head.seq} events, but "
            f"the trail has {walk.events}: events {walk.events + 1} to {head.seq} are missing"
        )
    if walk.hashes.get(head.seq) != head.hash:
        return (
            f"Checkpoint BROKEN: event {head.seq} is not the one the checkpoint of "
            f"{act.signed_at} signed: the trail up to it was rewritten"
        )
    return f"Checkpoint holds: event {head.seq}, signed {act.signed_at}, is in the trail unchanged."


def describe_age(signed_at: str, now: datetime.datetime | None = None) -> str:
    """``3 days ago``, ``5 minutes ago`` (or the time itself when unreadable)."""
    try:
        then = datetime.datetime.fromisoformat(signed_at.replace("Z", "+00:00"))
    except ValueError:
        return f"at {signed_at}"
    seconds = int(((now or datetime.datetime.now(datetime.UTC)) - then).total_seconds())
    if seconds < 0:
        return f"at {signed_at} (in the future)"
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''} ago"
    return "just now"


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
