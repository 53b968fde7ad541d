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

MIN_PASSPHRASE_LENGTH = 8
"""A passphrase shorter than this is refused: it guards a signing key."""

_EMAIL = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;.]+(?:\.[^@\s<>,;.]+)+$")


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

    def create(self, name: str, email: str, role: str, passphrase: str) -> IdentityInfo:
        """Make an ECDSA P-256 key and a self-signed two-year certificate; key to the keyring."""
        name = name.strip()
        if not name:
            raise IdentityError("give the reviewer's name (--name)")
        email = normalise_email(email)
        checked_role = check_role(role)
        check_new_passphrase(passphrase)
        self.keystore.backend  # noqa: B018  (refuse before making anything without a keyring)
        with self.database.read() as session:
            _refuse_active(session, email)
        key = ec.generate_private_key(ec.SECP256R1())
        certificate = make_self_signed(key, name, email, checked_role)
        credential = Credential(key=key, certificate=certificate)
        return self._store(
            credential, name, email, checked_role, passphrase, IdentitySource.SELF_SIGNED
        )

    def import_pkcs12(
        self,
        path: Path,
        pkcs12_password: str | None,
        passphrase: str,
        role: str,
        *,
        name: str | None = None,
        email: str | None = None,
    ) -> IdentityInfo:
        """Take a key and certificate issued by the organisation (PKCS#12), chain kept.

        The e-mail address comes from the certificate; ``email`` is only for a
        certificate that names none (and must match one it names).
        """
        checked_role = check_role(role)
        check_new_passphrase(passphrase)
        self.keystore.backend  # noqa: B018  (refuse before reading secrets without a keyring)
        credential = read_pkcs12(path, pkcs12_password)
        named = certificate_emails(credential.certificate)
        if email is not None:
            chosen = normalise_email(email)
            if named and chosen not in named:
                raise CredentialRefused(
                    str(path),
                    "certificate",
                    f"the certificate is for {', '.join(named)}, not {chosen}",
                )
        elif named:
            chosen = named[0]
        else:
            raise CredentialRefused(
                str(path), "certificate", "the certificate names no e-mail address; give --email"
            )
        person = (name or common_name(credential.certificate)).strip()
        if not person:
            raise CredentialRefused(
                str(path),
                "certificate",
                "the certificate names nobody (no common name); give --name",
            )
        now = datetime.datetime.now(datetime.UTC)
        if credential.certificate.not_valid_after_utc < now:
            raise CredentialRefused(
                str(path),
                "certificate",
                f"the certificate expired on {iso_utc(credential.certificate.not_valid_after_utc)}",
            )
        with self.database.read() as session:
            _refuse_active(session, chosen)
        return self._store(
            credential, person, chosen, checked_role, passphrase, IdentitySource.PKCS12
        )

    def _store(
        self,
        credential: Credential,
        name: str,
        email: str,
        role: Role,
        passphrase: str,
        source: IdentitySource,
    ) -> IdentityInfo:
        certificate = credential.certificate
        fingerprint = certificate_fingerprint(certificate)
        pem = encrypt_private_key(credential.key, passphrase, self.keystore.rounds)
        now = utc_now()
        row = Identity(
            name=name,
            email=email,
            role=role,
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
                session.add(row)
                session.flush()
                append_events(
                    session,
                    [
                        EventDraft(
                            AuditAction.IDENTITY_CREATED
                            if source == IdentitySource.SELF_SIGNED
                            else AuditAction.IDENTITY_IMPORTED,
                            AuditObject.IDENTITY,
                            fingerprint,
                            self.actor,
                            {
                                "name": name,
                                "email": email,
                                "role": role,
                                "subject": row.subject,
                                "issuer": row.issuer,
                                "not_after": row.not_after,
                                "chain": len(credential.chain),
                            },
                        )
                    ],
                )
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

    def retire(self, email: str, reason: str = "") -> tuple[IdentityInfo, bool]:
        """Retire the active identity of ``email``: it signs no more, its signatures still verify.

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
            row.retired_at = now
            row.retired_reason = reason.strip()
            append_events(
                session,
                [
                    EventDraft(
                        AuditAction.IDENTITY_RETIRED,
                        AuditObject.IDENTITY,
                        row.fingerprint,
                        self.actor,
                        {"email": email, "reason": row.retired_reason},
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


def _refuse_active(session: Session, email: str) -> None:
    existing = session.scalar(
        select(Identity).where(Identity.email == email, Identity.retired_at.is_(None))
    )
    if existing is not None:
        raise IdentityExists(
            f"{email} already has an identity (certificate {existing.fingerprint[:16]}…, "
            f"role {existing.role}); retire it first to replace it"
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
