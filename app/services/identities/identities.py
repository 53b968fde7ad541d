"""Reviewer identities: create, import, list, export, change passphrase, retire, unlock to sign.

An identity is a person's name, e-mail address and role bound to an ECDSA
P-256 certificate.  The registry holds the certificate and its fingerprint;
the private key lives only in the operating system's keyring, encrypted with
the reviewer's passphrase (see :mod:`countersign.services.identities.keystore`).  Every change is
an audit event written in the same transaction.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import select
from sqlalchemy.orm import Session

from countersign.models.tables import Identity
from countersign.models.vocabulary import AuditAction, AuditObject, IdentitySource, Role
from countersign.services.audit.trail import EventDraft, append_events
from countersign.services.identities.certificates import (
    Credential,
    certificate_emails,
    certificate_fingerprint,
    common_name,
    iso_utc,
    load_certificate,
    make_self_signed,
    pem_of,
    read_pkcs12,
)
from countersign.services.identities.errors import (
    CredentialRefused,
    IdentityError,
    IdentityExists,
    IdentityNotFound,
    IdentityRetired,
    KeyMissing,
    KeystoreUnavailable,
    WeakPassphrase,
)
from countersign.services.identities.keystore import (
    Keystore,
    decrypt_private_key,
    encrypt_private_key,
)
from countersign.services.storage.database import Database, os_user, utc_now
from countersign.services.trust.acts import GRANT, RETIREMENT, ActSigner, SignedAct

NO_ROLE = ""
"""The role of an identity no officer has granted a role yet: it may sign nothing."""

MIN_PASSPHRASE_LENGTH = 8
"""A passphrase shorter than this is refused: it guards a signing key."""

_EMAIL = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;.]+(?:\.[^@\s<>,;.]+)+$")


@dataclass(frozen=True)
class Pkcs12File:
    """A key and certificate issued as PKCS#12, and what the certificate may leave unsaid.

    ``email`` is only for a certificate that names no e-mail address (and
    must match one it names); ``name`` stands for the certificate's common name.
    """

    path: Path
    password: str | None
    name: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class _NewIdentity:
    """Who a new identity is: name, e-mail address, the role wanted, where the key came from."""

    name: str
    email: str
    role: str
    source: IdentitySource


@dataclass(frozen=True)
class IdentityInfo:
    """A reviewer identity as the registry holds it (no private key)."""

    id: int
    name: str
    email: str
    role: str
    fingerprint: str
    subject: str
    issuer: str
    source: str
    not_before: str
    not_after: str
    created_at: str
    retired_at: str | None
    retired_reason: str
    certificate_pem: str
    chain_pem: str

    @property
    def active(self) -> bool:
        """Whether the identity may still sign (not retired)."""
        return self.retired_at is None

    @property
    def self_signed(self) -> bool:
        """Whether the certificate was made by Countersign rather than issued by a CA."""
        return self.source == IdentitySource.SELF_SIGNED


@dataclass(frozen=True)
class SigningKey:
    """An unlocked identity: its private key, held in memory only while signing."""

    identity: IdentityInfo
    key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate

    def sign(self, data: bytes) -> bytes:
        """The DER ECDSA P-256 / SHA-256 signature of ``data``."""
        return self.key.sign(data, ec.ECDSA(hashes.SHA256()))

    def act_signer(self) -> ActSigner:
        """This key as the signer of signed acts (grants, retirements, reports, checkpoints)."""
        return ActSigner(self.key, self.identity.certificate_pem)


def normalise_email(email: str) -> str:
    """An e-mail address as stored (trimmed, lowercase), or :class:`IdentityError`."""
    folded = email.strip().lower()
    if len(folded) > 254 or not _EMAIL.match(folded):
        raise IdentityError(f"{email!r} is not an e-mail address (name@example.org)")
    return folded


def check_role(role: str) -> Role:
    """``role`` if it is one of reviewer, approver, officer; else :class:`IdentityError`."""
    if not Role.known(role):
        raise IdentityError(f"unknown role {role!r}; choose one of {', '.join(Role)}")
    return Role(role)


def role_label(role: str) -> str:
    """How a role reads to the officer (``no role yet`` for one never granted)."""
    return role or "no role yet"


def check_new_passphrase(passphrase: str) -> None:
    """Refuse a passphrase too short to guard a signing key."""
    if len(passphrase) < MIN_PASSPHRASE_LENGTH:
        raise WeakPassphrase(
            f"the passphrase must have at least {MIN_PASSPHRASE_LENGTH} characters; "
            "nothing was created or changed"
        )


class Identities:
    """The reviewer identities of one registry, with their keys in one keystore."""

    def __init__(
        self, database: Database, keystore: Keystore | None = None, actor: str | None = None
    ) -> None:
        self.database = database
        self.keystore = keystore or Keystore()
        self.actor = actor or os_user()

    # -- reading ------------------------------------------------------------------

    def list_all(self, include_retired: bool = True) -> list[IdentityInfo]:
        """Every identity (active first, then by e-mail)."""
        with self.database.read() as session:
            query = select(Identity).order_by(Identity.retired_at.is_not(None), Identity.email)
            if not include_retired:
                query = query.where(Identity.retired_at.is_(None))
            return [_info(row) for row in session.scalars(query)]

    def get(self, email: str) -> IdentityInfo:
        """The active identity of ``email`` (or, with none active, its newest retired one)."""
        with self.database.read() as session:
            return _info(_find(session, normalise_email(email)))

    def by_fingerprint(self, fingerprint: str) -> IdentityInfo:
        """The identity whose certificate has SHA-256 ``fingerprint``."""
        with self.database.read() as session:
            row = session.scalar(
                select(Identity).where(Identity.fingerprint == fingerprint.lower())
            )
            if row is None:
                raise IdentityNotFound(f"no identity has the certificate {fingerprint}")
            return _info(row)

    def certificate_pem(self, email: str, chain: bool = False) -> str:
        """The identity's certificate as PEM (followed by its issuers' with ``chain``)."""
        identity = self.get(email)
        return identity.certificate_pem + (identity.chain_pem if chain else "")

    # -- creating -----------------------------------------------------------------

    def create(
        self,
        name: str,
        email: str,
        role: str,
        passphrase: str,
        *,
        granted_by: SigningKey | None = None,
    ) -> IdentityInfo:
        """Make an ECDSA P-256 key and a self-signed two-year certificate; key to the keyring.

        Roles are granted, not asserted: the first identity of a new registry
        (or of one whose officers have all retired) is its officer, and signs
        its own founding grant; any later one has no role until an officer
        grants one, here with ``granted_by`` or later with :meth:`grant`.
        """
        name = name.strip()
        if not name:
            raise IdentityError("give the reviewer's name (--name)")
        email = normalise_email(email)
        checked_role = check_wanted_role(role)
        check_new_passphrase(passphrase)
        self.keystore.backend  # noqa: B018  (refuse before making anything without a keyring)
        with self.database.read() as session:
            _refuse_active(session, email)
        key = ec.generate_private_key(ec.SECP256R1())
        certificate = make_self_signed(key, name, email, checked_role)
        credential = Credential(key=key, certificate=certificate)
        new = _NewIdentity(name, email, checked_role, IdentitySource.SELF_SIGNED)
        return self._store(credential, new, passphrase, granted_by)

    def import_pkcs12(
        self,
        source: Pkcs12File,
        passphrase: str,
        role: str,
        *,
        granted_by: SigningKey | None = None,
    ) -> IdentityInfo:
        """Take a key and certificate issued by the organisation (PKCS#12), chain kept.

        The e-mail address comes from the certificate (``source.email`` only
        for a certificate that names none).  Its role is granted as for
        :meth:`create`.
        """
        checked_role = check_wanted_role(role)
        check_new_passphrase(passphrase)
        self.keystore.backend  # noqa: B018  (refuse before reading secrets without a keyring)
        credential = read_pkcs12(source.path, source.password)
        person, chosen = _pkcs12_person(source, credential)
        with self.database.read() as session:
            _refuse_active(session, chosen)
        new = _NewIdentity(person, chosen, checked_role, IdentitySource.PKCS12)
        return self._store(credential, new, passphrase, granted_by)

    def _store(
        self,
        credential: Credential,
        new: _NewIdentity,
        passphrase: str,
        granted_by: SigningKey | None,
    ) -> IdentityInfo:
        name, email, role, source = new.name, new.email, new.role, new.source
        certificate = credential.certificate
        fingerprint = certificate_fingerprint(certificate)
        pem = encrypt_private_key(credential.key, passphrase, self.keystore.rounds)
        now = utc_now()
        row = Identity(
            name=name,
            email=email,
            role=NO_ROLE,
            fingerprint=fingerprint,
            subject=certificate.subject.rfc4514_string(),
            issuer=certificate.issuer.rfc4514_string(),
            certificate_pem=pem_of(certificate),
            chain_pem=pem_of(*credential.chain),
            source=source,
            not_before=iso_utc(certificate.not_valid_before_utc),
            not_after=iso_utc(certificate.not_valid_after_utc),
            created_at=now,
            created_by=self.actor,
            retired_at=None,
            retired_reason="",
        )
        with self._keyring_entry_undone_on_failure(fingerprint) as kept:
            with self.database.write() as session:
                _refuse_active(session, email)
                if session.scalar(select(Identity.id).where(Identity.fingerprint == fingerprint)):
                    raise IdentityExists(
                        f"this certificate ({fingerprint[:16]}…) is already in the registry"
                    )
                grantor = _grantor(session, role, credential, granted_by)
                session.add(row)
                session.flush()
                append_events(session, [_made_event(row, new, credential, self.actor)])
                if grantor is not None:
                    _record_grant(session, row, grantor[1], grantor[0], now)
                # Last, so that a keyring refusal rolls the registry back.
                self.keystore.store(fingerprint, pem)
                kept.append(fingerprint)
            return _info(row)

    @contextmanager
    def _keyring_entry_undone_on_failure(self, fingerprint: str) -> Iterator[list[str]]:
        kept: list[str] = []
        try:
            yield kept
        except BaseException:
            if kept:  # the commit failed after the key was stored: do not leave it behind
                with suppress(KeystoreUnavailable):
                    self.keystore.delete(fingerprint)
            raise

    # -- changing -----------------------------------------------------------------

    def change_passphrase(self, email: str, old: str, new: str) -> IdentityInfo:
        """Re-encrypt the identity's key with ``new`` after ``old`` has unlocked it."""
        check_new_passphrase(new)
        signing = self.unlock(email, old)
        fingerprint = signing.identity.fingerprint
        with self.database.write() as session:
            append_events(
                session,
                [
                    EventDraft(
                        AuditAction.IDENTITY_PASSPHRASE_CHANGED,
                        AuditObject.IDENTITY,
                        fingerprint,
                        self.actor,
                        {"email": signing.identity.email},
                    )
                ],
            )
            self.keystore.store(
                fingerprint, encrypt_private_key(signing.key, new, self.keystore.rounds)
            )
        return signing.identity

    def grant(self, email: str, role: str, officer: SigningKey) -> IdentityInfo:
        """Grant the active identity of ``email`` a role, signed by an officer's unlocked key."""
        email = normalise_email(email)
        wanted = check_role(role)
        now = utc_now()
        with self.database.write() as session:
            row = session.scalar(
                select(Identity).where(Identity.email == email, Identity.retired_at.is_(None))
            )
            if row is None:
                _find(session, email)  # raises IdentityNotFound when there is none at all
                raise IdentityRetired(f"the identity of {email} is retired; it takes no role")
            _check_officer(session, officer)
            if row.role == wanted:
                raise IdentityError(f"{email} already has the role {wanted}; nothing changed")
            _record_grant(session, row, wanted, officer.act_signer(), now)
            return _info(row)

    def retire(
        self, email: str, reason: str = "", signer: SigningKey | None = None
    ) -> tuple[IdentityInfo, bool]:
        """Retire the active identity of ``email``: it signs no more, its signatures still verify.

        ``signer`` (the identity itself or an officer) signs the retirement, so
        that its time cannot be moved later; an unsigned retirement is still
        recorded, but verification can only take it on the registry's word.
        Its key is removed from this keyring when the keyring is reachable;
        returns the identity and whether a key was removed.
        """
        email = normalise_email(email)
        now = utc_now()
        with self.database.write() as session:
            row = session.scalar(
                select(Identity).where(Identity.email == email, Identity.retired_at.is_(None))
            )
            if row is None:
                _find(session, email)  # raises IdentityNotFound when there is none at all
                raise IdentityRetired(f"the identity of {email} is already retired")
            if signer is not None and signer.identity.fingerprint != row.fingerprint:
                _check_officer(session, signer)
            row.retired_at = now
            row.retired_reason = reason.strip()
            details: dict[str, object] = {
                "email": email,
                "reason": row.retired_reason,
                "retired_at": now,
            }
            if signer is not None:
                act = signer.act_signer().sign(
                    session,
                    RETIREMENT,
                    {
                        "email": email,
                        "fingerprint": row.fingerprint,
                        "reason": row.retired_reason,
                        "retired_at": now,
                    },
                    now,
                )
                details["signed"] = act.as_json()
            append_events(
                session,
                [
                    EventDraft(
                        AuditAction.IDENTITY_RETIRED,
                        AuditObject.IDENTITY,
                        row.fingerprint,
                        signer.identity.email if signer else self.actor,
                        details,
                    )
                ],
            )
            info = _info(row)
        try:
            removed = self.keystore.delete(info.fingerprint)
        except KeystoreUnavailable:
            removed = False  # retired in the registry all the same: it can sign no more
        return info, removed

    # -- signing ------------------------------------------------------------------

    def unlock(self, email: str, passphrase: str) -> SigningKey:
        """Open the identity's private key with ``passphrase`` for signing.

        Refused for a retired identity, a certificate out of its validity,
        a key missing from this keyring, and a wrong passphrase.
        """
        identity = self.get(email)
        if not identity.active:
            retired_on = (identity.retired_at or "")[:10]
            raise IdentityRetired(
                f"the identity of {identity.email} was retired on {retired_on} and can no "
                "longer sign; its earlier signatures still verify"
            )
        now = iso_utc(datetime.datetime.now(datetime.UTC))
        if now > identity.not_after:
            raise IdentityError(
                f"the certificate of {identity.email} expired on {identity.not_after}; "
                "retire it and create or import a new identity"
            )
        if now < identity.not_before:
            raise IdentityError(
                f"the certificate of {identity.email} is not valid before {identity.not_before}"
            )
        pem = self.keystore.load(identity.fingerprint)
        if pem is None:
            raise KeyMissing(
                f"this computer's keyring ({self.keystore.describe()}) holds no private key for "
                f"{identity.email} (certificate {identity.fingerprint[:16]}…): the identity was "
                "made on another computer or account, or its key was removed. Sign there, or "
                "import the identity here with `countersign identity import-p12`"
            )
        key = decrypt_private_key(pem, passphrase)
        certificate = load_certificate(identity.certificate_pem)
        public = certificate.public_key()
        if not isinstance(public, ec.EllipticCurvePublicKey) or (
            public.public_numbers() != key.public_key().public_numbers()
        ):
            raise KeyMissing(
                f"the key in the keyring for {identity.email} does not belong to its certificate; "
                "retire the identity and create a new one"
            )
        return SigningKey(identity=identity, key=key, certificate=certificate)


def _made_event(row: Identity, new: _NewIdentity, credential: Credential, actor: str) -> EventDraft:
    """The audit event of a new identity: made here (self-signed) or imported (PKCS#12)."""
    return EventDraft(
        AuditAction.IDENTITY_CREATED
        if new.source == IdentitySource.SELF_SIGNED
        else AuditAction.IDENTITY_IMPORTED,
        AuditObject.IDENTITY,
        row.fingerprint,
        actor,
        {
            "name": new.name,
            "email": new.email,
            "subject": row.subject,
            "issuer": row.issuer,
            "not_after": row.not_after,
            "chain": len(credential.chain),
            "certificate_pem": row.certificate_pem,
        },
    )


def _pkcs12_person(source: Pkcs12File, credential: Credential) -> tuple[str, str]:
    """The name and e-mail address of an issued identity, refused if its certificate will not do."""
    path = str(source.path)
    named = certificate_emails(credential.certificate)
    if source.email is not None:
        chosen = normalise_email(source.email)
        if named and chosen not in named:
            raise CredentialRefused(
                path, "certificate", f"the certificate is for {', '.join(named)}, not {chosen}"
            )
    elif named:
        chosen = named[0]
    else:
        raise CredentialRefused(
            path, "certificate", "the certificate names no e-mail address; give --email"
        )
    person = (source.name or common_name(credential.certificate)).strip()
    if not person:
        raise CredentialRefused(
            path, "certificate", "the certificate names nobody (no common name); give --name"
        )
    now = datetime.datetime.now(datetime.UTC)
    if credential.certificate.not_valid_after_utc < now:
        raise CredentialRefused(
            path,
            "certificate",
            f"the certificate expired on {iso_utc(credential.certificate.not_valid_after_utc)}",
        )
    return person, chosen


def check_wanted_role(role: str) -> str:
    """A role asked for at creation: one of the roles, or ``""`` for none yet."""
    return NO_ROLE if not role else check_role(role)


def _grantor(
    session: Session, role: str, credential: Credential, granted_by: SigningKey | None
) -> tuple[ActSigner, str] | None:
    """Who signs the new identity's grant, and the role: its founding grant, an officer, or none."""
    # A registry with no active officer (a new one, or one whose officers all retired, as the
    # demo's) is founded anew by its next identity; verification trusts a founder only when
    # this workstation does (a pinned certificate, or --trust).
    founding = (
        session.scalar(
            select(Identity.id)
            .where(Identity.role == Role.OFFICER, Identity.retired_at.is_(None))
            .limit(1)
        )
        is None
    )
    if founding:
        if role not in (NO_ROLE, Role.OFFICER):
            raise IdentityError(
                "the first identity of a new registry is its officer: create it with the "
                "role officer, then create the others and grant them their roles"
            )
        pem = pem_of(credential.certificate)
        return ActSigner(credential.key, pem), Role.OFFICER
    if role == NO_ROLE:
        return None
    if granted_by is None:
        raise IdentityError(
            f"roles are granted by an officer: create the identity without a role, then "
            f"`countersign identity grant EMAIL --role {role} --identity OFFICER_EMAIL`; "
            "nothing was created"
        )
    _check_officer(session, granted_by)
    return granted_by.act_signer(), role


def _check_officer(session: Session, officer: SigningKey) -> None:
    """Refuse a signer who is not an active officer of this registry."""
    row = session.scalar(
        select(Identity).where(
            Identity.fingerprint == officer.identity.fingerprint, Identity.retired_at.is_(None)
        )
    )
    if row is None or row.role != Role.OFFICER:
        raise IdentityError(
            f"{officer.identity.email} is not an active officer of this registry; "
            "only an officer grants roles and retires others"
        )


def _record_grant(
    session: Session, row: Identity, role: str, signer: ActSigner, now: str
) -> SignedAct:
    """Sign the grant of ``role`` to ``row``, set it, and append its audit event."""
    previous = row.role
    act = signer.sign(
        session,
        GRANT,
        {"email": row.email, "name": row.name, "fingerprint": row.fingerprint, "role": role},
        now,
    )
    row.role = role
    append_events(
        session,
        [
            EventDraft(
                AuditAction.IDENTITY_GRANTED,
                AuditObject.IDENTITY,
                row.fingerprint,
                signer_email(session, signer.fingerprint) or row.email,
                {
                    "email": row.email,
                    "role": role,
                    "from": previous,
                    "founding": signer.fingerprint == row.fingerprint,
                    "signed": act.as_json(),
                },
            )
        ],
    )
    return act


def signer_email(session: Session, fingerprint: str) -> str:
    """The e-mail address of the identity with certificate ``fingerprint`` (``""`` if none)."""
    return session.scalar(select(Identity.email).where(Identity.fingerprint == fingerprint)) or ""


def _refuse_active(session: Session, email: str) -> None:
    existing = session.scalar(
        select(Identity).where(Identity.email == email, Identity.retired_at.is_(None))
    )
    if existing is not None:
        raise IdentityExists(
            f"{email} already has an identity (certificate {existing.fingerprint[:16]}…, "
            f"role {role_label(existing.role)}); retire it first to replace it"
        )


def _find(session: Session, email: str) -> Identity:
    row = session.scalar(
        select(Identity)
        .where(Identity.email == email)
        .order_by(Identity.retired_at.is_not(None), Identity.id.desc())
        .limit(1)
    )
    if row is None:
        raise IdentityNotFound(
            f"no identity for {email}; create one with `countersign identity create`"
        )
    return row


def _info(row: Identity) -> IdentityInfo:
    return IdentityInfo(
        id=row.id,
        name=row.name,
        email=row.email,
        role=row.role,
        fingerprint=row.fingerprint,
        subject=row.subject,
        issuer=row.issuer,
        source=row.source,
        not_before=row.not_before,
        not_after=row.not_after,
        created_at=row.created_at,
        retired_at=row.retired_at,
        retired_reason=row.retired_reason,
        certificate_pem=row.certificate_pem,
        chain_pem=row.chain_pem,
    )
