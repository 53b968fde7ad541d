"""Signed review reports: export one, verify one, publish an approved card version with its report.

This is the service the command line and the window drive.  It imports
reportlab and pyHanko only inside the functions that make or check a report
(they take a second or more to import), never when it is imported itself.
Long work reports progress through ``progress(done, total, what)``; every
refusal is a :class:`~countersign.errors.CountersignError` with a message
for the officer, and nothing is written when one is raised.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from countersign.errors import CountersignError
from countersign.models.tables import CardVersion
from countersign.models.vocabulary import (
    DECIDED_STATUSES,
    AuditAction,
    AuditObject,
    CardStatus,
    Role,
    StageStatus,
)
from countersign.plain_files import read_plain
from countersign.services.attestation.dsse import certificate_path
from countersign.services.attestation.statement import Approver
from countersign.services.audit.trail import EventDraft, append_events
from countersign.services.identities.errors import IdentityRetired
from countersign.services.identities.identities import Identities, SigningKey
from countersign.services.integrity.registry_check import signed_authority
from countersign.services.progress import Progress, no_progress
from countersign.services.registry import Registry, VersionSummary
from countersign.services.reports.attachments import Attachment, report_attachments
from countersign.services.reports.attestation import (
    SignedAttestation,
    approval_facts,
    approved_stages,
    check_attester,
    sign_attestation,
)
from countersign.services.reports.data import Exporter, ReportData, gather_report
from countersign.services.reports.errors import PublishRefused, ReportRefused
from countersign.services.reports.publishing import (
    PublishResult,
    check_folder,
    published_files,
    write_folder,
)
from countersign.services.reports.verdict import ReportCheck, ReportVerification
from countersign.services.reviews.checklists import all_templates
from countersign.services.reviews.stages import stage_states
from countersign.services.storage.database import Database, os_user, utc_now
from countersign.services.trust.acts import PUBLISH, REPORT
from countersign.services.trust.anchors import anchors_from_pem
from countersign.services.trust.store import TrustStore

MAX_TRUST_BYTES = 1024 * 1024
"""A --trust certificate file larger than this is refused."""

EXPORT_STEPS = 5


@dataclass(frozen=True)
class SignedReport:
    """A signed report in memory, with what it was made from."""

    pdf: bytes
    data: ReportData
    attachments: list[Attachment]
    pages: int
    signing: SigningKey | None = None
    """The key that signed it, kept to sign the export's act in the audit trail."""

    @property
    def sha256(self) -> str:
        """SHA-256 of the signed PDF."""
        return hashlib.sha256(self.pdf).hexdigest()


@dataclass(frozen=True)
class AttestResult:
    """What ``attest`` wrote: the envelope, the certificate beside it, what it attests."""

    path: Path
    certificate_path: Path
    model: str
    version: str
    stage: str
    card_sha256: str
    envelope_sha256: str
    signer: str
    subjects: int


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote: the file, what it reports on, who signed it."""

    path: Path
    model: str
    version: str
    status: str
    card_sha256: str
    pdf_sha256: str
    pages: int
    size: int
    signer: str
    signoffs: int
    unverified_signoffs: int


@dataclass(frozen=True)
class ReportSigner:
    """Who signs a report now: the identity's e-mail address and the passphrase of its key."""

    identity: str
    passphrase: str


@dataclass(frozen=True)
class PublishSource:
    """Where a published report comes from.

    Made and signed now by ``identity`` (with ``passphrase``), or ``report``,
    a file exported since the approval, which must verify (with ``trust``).
    """

    identity: str | None = None
    passphrase: str | None = None
    report: Path | None = None
    trust: Sequence[Path] = ()


class Reports:
    """Review reports of one registry, signed with identities from one keystore."""

    def __init__(
        self, database: Database, identities: Identities, trust: TrustStore | None = None
    ) -> None:
        self.database = database
        self.identities = identities
        self.trust = trust or TrustStore()

    def check_export(self, model: str, version: str | None, identity: str) -> VersionSummary:
        """Refuse before the passphrase is asked: unknown card version, unknown or retired identity."""
        summary = Registry(self.database).card_version(model, version).summary
        person = self.identities.get(identity)
        if not person.active:
            raise IdentityRetired(
                f"the identity of {person.email} was retired on {(person.retired_at or '')[:10]} "
                "and can no longer sign a report"
            )
        self.identities.keystore.backend  # noqa: B018  (no keyring: refuse before the prompt)
        return summary

    def signed_report(
        self,
        model: str,
        version: str | None,
        signer: ReportSigner,
        progress: Progress | None = None,
    ) -> SignedReport:
        """Make and sign the report of a card version in memory (any status)."""
        report = progress or no_progress
        self.check_export(model, version, signer.identity)
        report(0, EXPORT_STEPS, "Unlocking the signing key")
        signing = self.identities.unlock(signer.identity, signer.passphrase)
        report(1, EXPORT_STEPS, "Reading the card version, reviews and audit trail")
        data = gather_report(
            self.database,
            model,
            version,
            exported_at=utc_now()[:19] + "Z",
            exporter=_exporter(signing),
        )
        return _sign(data, signing, report)

    def export(
        self,
        model: str,
        version: str | None,
        signer: ReportSigner,
        output: Path,
        progress: Progress | None = None,
    ) -> ExportResult:
        """Write the signed report of a card version to ``output`` (replaced whole, or untouched)."""
        _check_output(output)
        signed = self.signed_report(model, version, signer, progress)
        data = signed.data
        (progress or no_progress)(4, EXPORT_STEPS, f"Writing {output.name}")
        with _written_atomically(output, signed.pdf) as commit, self.database.write() as session:
            details: dict[str, object] = {
                "version": data.version,
                "status": data.status,
                "card_sha256": data.sha256,
                "pdf_sha256": signed.sha256,
                "file": output.name,
                "pages": signed.pages,
                "signer_fingerprint": data.exporter.fingerprint if data.exporter else "",
            }
            if signed.signing is not None:
                details["signed"] = _act(session, signed.signing, REPORT, data, signed.sha256)
            append_events(
                session,
                [
                    EventDraft(
                        AuditAction.REPORT_EXPORTED,
                        AuditObject.CARD_VERSION,
                        str(data.summary.id),
                        data.exporter.email if data.exporter else "",
                        details,
                        model_name=data.model,
                    )
                ],
            )
            commit()
        (progress or no_progress)(EXPORT_STEPS, EXPORT_STEPS, "Done")
        return ExportResult(
            path=output,
            model=data.model,
            version=data.version,
            status=data.status,
            card_sha256=data.sha256,
            pdf_sha256=signed.sha256,
            pages=signed.pages,
            size=len(signed.pdf),
            signer=f"{data.exporter.name} <{data.exporter.email}>" if data.exporter else "",
            signoffs=len(data.signoffs),
            unverified_signoffs=sum(1 for record in data.signoffs if not record.verified),
        )

    def verify(
        self, path: Path, trust: Sequence[Path] = (), progress: Progress | None = None
    ) -> ReportVerification:
        """Check a report from outside: signature, coverage, signer, sign-offs, card."""
        from countersign.services.reports.verification import KnownSigner, verify_report_file

        report = progress or no_progress
        anchors = self.trust.anchors().with_more(
            anchor
            for file in trust
            for anchor in anchors_from_pem(read_trusted_certificate(file), f"--trust {file.name}")
        )
        report(0, 2, f"Checking {path.name}")
        with self.database.read() as session:
            # Roles as the signed grants give them, rooted in the certificates trusted here; the
            # registry's role column is anyone's to write.
            standings = signed_authority(session, anchors).standings
        known = {}
        for person in self.identities.list_all():
            standing = standings.get(person.fingerprint)
            known[person.fingerprint] = KnownSigner(
                person.name,
                person.email,
                person.certificate_pem,
                person.chain_pem,
                not person.active,
                role=standing.granted_role if standing else "",
                retired_at=(standing.retired_at if standing else None) or person.retired_at,
                grants=tuple(standing.granted_at) if standing and standing.granted_at else None,
            )
        with self.database.read() as session:
            quorums = {
                (info.template.id, info.template.version): info.template
                for info in all_templates(session)
            }
        result = verify_report_file(path, known, anchors, quorums=quorums)
        result = self._against_registry(result)
        report(2, 2, "Done")
        return result

    def _against_registry(self, result: ReportVerification) -> ReportVerification:
        """Add what this registry says of the reported card version when it holds it."""
        if not result.card_sha256 or not result.model:
            return result
        try:
            summary = Registry(self.database).card_version(result.model, result.version).summary
        except CountersignError:
            return result
        if summary.sha256 != result.card_sha256:
            return result
        claimed = result.status
        if claimed == summary.status:
            check = ReportCheck("Registry", True, f"this registry also holds it as {claimed}")
        elif claimed in DECIDED_STATUSES:
            check = ReportCheck(
                "Registry",
                False,
                f"the report claims {claimed!r}, but this registry holds "
                f"{summary.model} {summary.version} as {summary.status!r}",
            )
        else:
            check = ReportCheck(
                "Registry",
                True,
                f"exported while {claimed}; this registry now holds it as {summary.status}",
            )
        return dataclasses.replace(result, checks=(*result.checks, check))

    def check_attest(
        self, model: str, version: str | None, stage: str, identity: str
    ) -> VersionSummary:
        """Refuse before the passphrase: unknown version, not an officer, not approved for ``stage``."""
        summary = Registry(self.database).card_version(model, version).summary
        person = self.identities.get(identity)
        check_attester(person)
        data = gather_report(self.database, summary.model, summary.version, exported_at="")
        approval_facts(data, stage, Approver(person.name, person.email, person.fingerprint, ""))
        self.identities.keystore.backend  # noqa: B018  (no keyring: refuse before the prompt)
        return summary

    def attest(
        self, model: str, version: str | None, stage: str, signer: ReportSigner, output: Path
    ) -> AttestResult:
        """Sign the approval of a card version for ``stage`` into ``output`` (a DSSE envelope).

        ``signer`` is the officer.  The certificate is written beside ``output``
        (:func:`~countersign.services.attestation.dsse.certificate_path`).
        """
        summary = self.check_attest(model, version, stage, signer.identity)
        _check_output(output)
        signing = self.identities.unlock(signer.identity, signer.passphrase)
        data = gather_report(self.database, summary.model, summary.version, exported_at="")
        signed = sign_attestation(data, stage, signing, utc_now())
        envelope = signed.envelope.file_bytes()
        pem_path = certificate_path(output)
        with (
            _written_atomically(pem_path, signed.certificate_pem.encode("ascii")) as keep_pem,
            _written_atomically(output, envelope) as keep_envelope,
            self.database.write() as session,
        ):
            append_events(
                session,
                [
                    EventDraft(
                        AuditAction.CARD_VERSION_ATTESTED,
                        AuditObject.CARD_VERSION,
                        str(summary.id),
                        signing.identity.email,
                        {
                            "version": summary.version,
                            "stage": stage,
                            "card_sha256": summary.sha256,
                            "file": output.name,
                            "envelope_sha256": hashlib.sha256(envelope).hexdigest(),
                            "signer_fingerprint": signing.identity.fingerprint,
                        },
                        model_name=summary.model,
                    )
                ],
            )
            keep_pem()
            keep_envelope()
        return AttestResult(
            path=output,
            certificate_path=pem_path,
            model=summary.model,
            version=summary.version,
            stage=stage,
            card_sha256=summary.sha256,
            envelope_sha256=hashlib.sha256(envelope).hexdigest(),
            signer=f"{signing.identity.name} <{signing.identity.email}>",
            subjects=len(data.artifacts) + 1,
        )

    def check_publish(self, model: str, version: str | None, folder: Path) -> VersionSummary:
        """Refuse before any work: a card version not approved, a folder that is not new or empty."""
        summary = Registry(self.database).card_version(model, version).summary
        with self.database.read() as session:
            cv = session.get(CardVersion, summary.id)
            assert cv is not None, "read a moment ago"
            states = stage_states(session, cv)
        revoked = [s for s in states if s.status == StageStatus.REVOKED]
        if revoked:
            raise PublishRefused(
                f"the approval of {summary.model} {summary.version} for {revoked[0].stage} was "
                f"revoked ({revoked[0].revoked_reason}); a revoked card version is not published"
            )
        expired = [s for s in states if s.status == StageStatus.EXPIRED]
        if expired:
            raise PublishRefused(
                f"the approval of {summary.model} {summary.version} for {expired[0].stage} "
                f"expired (it held until {expired[0].expires_on}); an expired approval is not "
                "published: review the version again"
            )
        if not any(s.status == StageStatus.APPROVED for s in states):
            raise PublishRefused(
                f"{summary.model} {summary.version} is {summary.status}, not approved; "
                "only approved card versions are published"
            )
        check_folder(folder)
        return summary

    def publish(
        self,
        model: str,
        version: str | None,
        folder: Path,
        source: PublishSource,
        progress: Progress | None = None,
    ) -> PublishResult:
        """Write an approved card version, its signed report and sign-offs into ``folder``.

        The report comes from ``source``: made and signed now, or a file exported
        since the approval, which must verify.
        """
        summary = self.check_publish(model, version, folder)
        pdf, data, attachments, signing = self._report_to_publish(summary, source, progress)
        (progress or no_progress)(4, EXPORT_STEPS, f"Writing {folder.name}")
        attestations = _attestations(data, signing)
        files = published_files(data, attachments, pdf, attestations)
        approved_for = tuple(approved_stages(data))
        risk = _risk_words(data)
        with self.database.write() as session:
            details = _published_details(summary, folder, data, pdf, files)
            if signing is not None:
                details["signed"] = _act(
                    session, signing, PUBLISH, data, hashlib.sha256(pdf).hexdigest()
                )
            append_events(
                session,
                [
                    EventDraft(
                        AuditAction.CARD_VERSION_PUBLISHED,
                        AuditObject.CARD_VERSION,
                        str(summary.id),
                        data.exporter.email if data.exporter else os_user(),
                        details,
                        model_name=summary.model,
                    )
                ],
            )
            # Last in the transaction: a folder that cannot be written rolls the event back.
            written = write_folder(folder, files)
        (progress or no_progress)(EXPORT_STEPS, EXPORT_STEPS, "Done")
        return PublishResult(
            folder=folder,
            model=summary.model,
            version=summary.version,
            card_sha256=summary.sha256,
            report_sha256=hashlib.sha256(pdf).hexdigest(),
            files=written,
            approved_for=approved_for,
            risk=risk,
            attested=tuple(a.stage for a in attestations),
            attested_by=attestations[0].signer if attestations else "",
        )

    def _report_to_publish(
        self, summary: VersionSummary, source: PublishSource, progress: Progress | None
    ) -> tuple[bytes, ReportData, list[Attachment], SigningKey | None]:
        """The report to publish, its data and attachments, and the key that signed it now."""
        report, identity, passphrase = source.report, source.identity, source.passphrase
        if report is not None:
            pdf = _approved_report(self.verify(report, source.trust, progress), report, summary)
            data = gather_report(self.database, summary.model, summary.version, exported_at="")
            return pdf, data, report_attachments(data), None
        if identity is not None and passphrase is not None:
            signer = ReportSigner(identity, passphrase)
            signed = self.signed_report(summary.model, summary.version, signer, progress)
            return signed.pdf, signed.data, signed.attachments, signed.signing
        raise PublishRefused(
            "publishing needs the signed report: give --identity EMAIL to sign one now, "
            "or --report FILE.pdf exported since the approval"
        )


def _risk_words(data: ReportData) -> str:
    """The model's risk as a publication states it: the officer's tier, else the card's own."""
    c = data.classification
    if c is not None:
        return f"{c.tier}, classified by {c.officer}"
    return f"{data.risk_tier}, the card's own rating"


def _published_details(
    summary: VersionSummary,
    folder: Path,
    data: ReportData,
    pdf: bytes,
    files: Sequence[tuple[str, bytes]],
) -> dict[str, object]:
    """The details of the publication's audit event: what was written, for which stages."""
    return {
        "version": summary.version,
        "card_sha256": summary.sha256,
        "folder": folder.name,
        "approved_for": approved_stages(data),
        "risk": _risk_words(data),
        "report_sha256": hashlib.sha256(pdf).hexdigest(),
        "files": {name: hashlib.sha256(content).hexdigest() for name, content in files},
    }


def _attestations(data: ReportData, signing: SigningKey | None) -> list[SignedAttestation]:
    """An attestation of each approved stage, when an officer's key signs the publication."""
    if signing is None or signing.identity.role != Role.OFFICER:
        return []
    now = utc_now()
    return [sign_attestation(data, stage, signing, now) for stage in approved_stages(data)]


def _approved_report(
    verification: ReportVerification, path: Path, summary: VersionSummary
) -> bytes:
    """The bytes of a given report, if it verifies and reports this card version as approved."""
    if not verification.ok:
        first = verification.failures[0]
        raise PublishRefused(f"{path} is not a valid signed report ({first.name}: {first.detail})")
    if (verification.model, verification.version, verification.card_sha256) != (
        summary.model,
        summary.version,
        summary.sha256,
    ):
        raise PublishRefused(
            f"{path} reports on {verification.model} {verification.version}, "
            f"not on {summary.model} {summary.version}"
        )
    if verification.status != CardStatus.APPROVED:
        raise PublishRefused(
            f"{path} was exported while {summary.model} {summary.version} was "
            f"{verification.status}; export the report again now that it is approved"
        )
    try:
        return read_plain(path)
    except OSError as error:
        raise PublishRefused(f"{path}: cannot be read: {error.strerror or error}") from None


def _act(
    session: Session, signing: SigningKey, kind: str, data: ReportData, pdf_sha256: str
) -> dict[str, object]:
    """The signed act of an export or a publication, over the chain head it extends."""
    subject = {
        "model": data.model,
        "version": data.version,
        "status": data.status,
        "card_sha256": data.sha256,
        "pdf_sha256": pdf_sha256,
    }
    return signing.act_signer().sign(session, kind, subject, utc_now()).as_json()


def _exporter(signing: SigningKey) -> Exporter:
    identity = signing.identity
    return Exporter(identity.name, identity.email, identity.role, identity.fingerprint)


def _sign(data: ReportData, signing: SigningKey, progress: Progress) -> SignedReport:
    from countersign.services.reports.pdf.document import build_report
    from countersign.services.reports.signing import sign_report

    attachments = report_attachments(data)
    progress(2, EXPORT_STEPS, "Laying out the report")
    built = build_report(data, attachments)
    progress(3, EXPORT_STEPS, f"Signing {built.pages} pages")
    pdf = sign_report(
        built,
        attachments,
        data,
        signing,
        reason=f"Review report of {data.model} {data.version} ({data.status})",
    )
    return SignedReport(
        pdf=pdf, data=data, attachments=attachments, pages=built.pages, signing=signing
    )


def read_trusted_certificate(path: Path) -> str:
    """The PEM certificate(s) in a --trust file (PEM or DER), or :class:`ReportRefused`."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    try:
        if path.stat().st_size > MAX_TRUST_BYTES:
            raise ReportRefused(f"{path}: too large to be a certificate file")
        data = read_plain(path)
    except OSError as error:
        raise ReportRefused(f"{path}: cannot be read: {error.strerror or error}") from None
    try:
        if b"-----BEGIN CERTIFICATE-----" in data:
            certificates = x509.load_pem_x509_certificates(data)
        else:
            certificates = [x509.load_der_x509_certificate(data)]
    except ValueError:
        raise ReportRefused(f"{path}: not a certificate (PEM or DER)") from None
    return "".join(c.public_bytes(serialization.Encoding.PEM).decode("ascii") for c in certificates)


def _check_output(output: Path) -> None:
    if output.is_dir():
        raise ReportRefused(f"{output} is a folder; give the PDF file to write")
    if not output.parent.is_dir():
        raise ReportRefused(f"cannot write {output}: the folder {output.parent} does not exist")


class _written_atomically:  # noqa: N801  (used as a context manager, reads as one)
    """Write ``data`` to a hidden file beside ``output``; ``commit()`` moves it into place.

    Leaving the block without committing (an error) removes the hidden file, so
    ``output`` is either the whole new file or what it was before.
    """

    def __init__(self, output: Path, data: bytes) -> None:
        self.output = output
        self.data = data
        self.temporary = ""

    def __enter__(self) -> Callable[[], None]:
        try:
            handle, self.temporary = tempfile.mkstemp(
                prefix=f".{self.output.name}.", suffix=".partial", dir=self.output.parent
            )
            with os.fdopen(handle, "wb") as stream:
                stream.write(self.data)
        except OSError as error:
            self._discard()
            raise ReportRefused(
                f"cannot write {self.output}: {error.strerror or error}; nothing was written"
            ) from None
        return self._commit

    def _commit(self) -> None:
        try:
            os.replace(self.temporary, self.output)
        except OSError as error:
            raise ReportRefused(
                f"cannot write {self.output}: {error.strerror or error}; nothing was written"
            ) from None
        self.temporary = ""

    def __exit__(self, *_exc_info: object) -> None:
        self._discard()

    def _discard(self) -> None:
        if self.temporary:
            with contextlib.suppress(OSError):
                os.unlink(self.temporary)
            self.temporary = ""
