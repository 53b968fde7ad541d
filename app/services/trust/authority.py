"""Who may sign what, and when: roles from the trail's signed grants, rooted in trusted certificates.

The registry's ``identities.role`` column is only a convenience: anyone who
can write the file can change it.  What counts is the chain of signed grants
in the audit trail, rooted in a certificate this workstation trusts (pinned,
or given with ``--trust``): an anchored certificate has an officer's
authority; an officer's signed grant gives a role from the event that records
it on; a retirement ends every right from its event on.

Without any anchor the walk is the same, with the registry's founding grant
standing in for the missing anchor; the caller then says the check is not
anchored (it proves consistency, not who signed).  Roles recorded by creation
events from before roles were signed (older registries) count only for the
part of the trail before its first signed act: a creation event that records
a role after signing began is the registry's word alone, and counts nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cryptography import x509

from countersign.formats.bundle.signing import certificate_fingerprint
from countersign.models.vocabulary import APPROVING_ROLES, Role
from countersign.services.trust.acts import SignedAct
from countersign.services.trust.anchors import TrustAnchors

_FOREVER = 1 << 62


@dataclass
class Standing:
    """What one certificate may do, as the trail's signed acts say, event by event."""

    fingerprint: str
    email: str = ""
    roles: list[tuple[int, str]] = field(default_factory=list)
    """``(event id, role)`` in the order granted."""
    granted_at: list[tuple[str, str]] = field(default_factory=list)
    """``(signed at, role)`` of the same grants: what a report, which has no events, can use."""
    retired_event: int | None = None
    retired_at: str | None = None
    legacy_role: str = ""
    legacy_until: int = 0
    """A role recorded before roles were signed, in force for events before this id."""

    def role_at(self, event_id: int) -> str:
        """The role in force for an act recorded by event ``event_id`` (``""``: none)."""
        if self.retired_event is not None and event_id > self.retired_event:
            return ""
        role = self.legacy_role if event_id < self.legacy_until else ""
        for granted_at, granted in self.roles:
            if granted_at < event_id:
                role = granted
        return role

    @property
    def granted_role(self) -> str:
        """The newest role granted (or recorded before roles were signed), retired or not."""
        return self.roles[-1][1] if self.roles else self.legacy_role


class Authority:
    """Roles and retirements from signed acts, taken one event at a time in chain order."""

    def __init__(self, anchors: TrustAnchors) -> None:
        self.anchors = anchors
        self.standings: dict[str, Standing] = {}
        self.founders: set[str] = set()
        self.first_signed_event: int | None = None
        self.problems: list[tuple[int, str]] = []
        self.names: dict[int, str] = {}
        """How to name the event at a position whose number is not its id (merged work)."""

    def standing(self, fingerprint: str) -> Standing:
        """The standing of ``fingerprint`` (created empty on first mention)."""
        return self.standings.setdefault(fingerprint, Standing(fingerprint))

    def vouched(self, certificate: x509.Certificate) -> bool:
        """Whether ``certificate`` is trusted here (or, with no anchor, founded the registry)."""
        if self.anchors:
            return bool(self.anchors.vouch(certificate))
        return certificate_fingerprint(certificate) in self.founders

    def is_officer(self, certificate: x509.Certificate, event_id: int) -> bool:
        """Whether ``certificate`` signs with an officer's authority at event ``event_id``."""
        standing = self.standing(certificate_fingerprint(certificate))
        if standing.retired_event is not None and event_id > standing.retired_event:
            return False
        return self.vouched(certificate) or standing.role_at(event_id) == Role.OFFICER

    def may_sign(self, certificate: x509.Certificate, event_id: int, approve: bool) -> str:
        """Why ``certificate`` may not sign a sign-off at ``event_id`` (``""`` when it may)."""
        standing = self.standing(certificate_fingerprint(certificate))
        if standing.retired_event is not None and event_id > standing.retired_event:
            retired = standing.retired_event
            named = self.names.get(retired, f"event {retired}")
            return f"its signer was retired ({named}) before it signed"
        if self.anchors and self.anchors.vouch(certificate):
            return ""
        role = standing.role_at(event_id)
        if not role:
            return "its signer held no role granted by a trusted officer when it signed"
        if approve and role not in APPROVING_ROLES:
            return f"its signer was a {role} when it signed, and a {role} cannot approve"
        return ""

    def signed(self, event_id: int) -> None:
        """Note that event ``event_id`` carries a signed act or sign-off."""
        if self.first_signed_event is None:
            self.first_signed_event = event_id

    def take_grant(self, event_id: int, act: SignedAct, founding: bool) -> str:
        """Take a signed grant (its signature checked); returns why it grants nothing, if so."""
        subject = act.subject
        target = str(subject.get("fingerprint", ""))
        role = str(subject.get("role", ""))
        email = str(subject.get("email", "?"))
        signer = act.certificate()
        if founding and target == act.signer_fingerprint:
            # A registry is founded again when all its officers have retired (as the demo's
            # are); anchored, only a trusted certificate founds anything.
            # An officer who founded the registry its work was merged from (offline, with the
            # same credential) founds nothing new here: it is already this registry's officer.
            active = {
                s.fingerprint: s.email
                for s in self.standings.values()
                if s.role_at(event_id) == Role.OFFICER
            }
            if active and target not in active:
                return (
                    f"{email} founded the registry again while {next(iter(active.values()))} "
                    "was its officer"
                )
            self.founders.add(target)
            if self.anchors and not self.anchors.vouch(signer):
                return (
                    f"the registry was founded by {email} (certificate {target[:16]}…), "
                    "which is not among the certificates trusted here"
                )
        elif not self.is_officer(signer, event_id):
            return (
                f"a grant of {role!r} to {email} signed by a certificate "
                f"({act.signer_fingerprint[:16]}…) that held no officer's authority"
            )
        standing = self.standing(target)
        standing.email = email
        standing.roles.append((event_id, role))
        standing.granted_at.append((act.signed_at, role))
        return ""

    def take_retirement(
        self, event_id: int, act: SignedAct | None, fingerprint: str, at: str
    ) -> str:
        """Take a retirement (signed, or on the registry's word); why its signer may not, if so."""
        standing = self.standing(fingerprint)
        if standing.retired_event is None:
            standing.retired_event = event_id
            standing.retired_at = at
        if act is None:
            return ""
        signer = act.certificate()
        if act.signer_fingerprint != fingerprint and not self.is_officer(signer, event_id):
            return "a retirement signed by neither the identity nor an officer"
        return ""

    def take_legacy_role(self, event_id: int, fingerprint: str, email: str, role: str) -> None:
        """A role a creation event recorded before roles were signed (older registries)."""
        if self.first_signed_event is not None and event_id > self.first_signed_event:
            return  # written after signing began: the registry's word alone, which counts nothing
        standing = self.standing(fingerprint)
        standing.email = email
        standing.legacy_role = role
        standing.legacy_until = _FOREVER
