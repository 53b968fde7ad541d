"""Checking a signed report that comes from outside: its PDF signature, sign-offs and card.

The PDF is hostile until checked.  Its size is bounded before it is read,
the checking has a time limit, every stream read here is inflated under a
ceiling, and JSON goes through the bounded loader.  A file that is no
readable PDF is refused with :class:`ReportUnreadable` naming it; a readable
one gets one verdict per check (see :mod:`countersign.services.reports.verdict`).

This module imports pyHanko at its top: only the report functions import it.
"""

from __future__ import annotations

import base64
import hashlib
import io
import logging
import re
import signal
import threading
import time
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import PdfSignatureStatus, validate_pdf_signature
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from countersign.errors import InputRefused
from countersign.formats.limits import load_json
from countersign.models.checklist import ChecklistTemplate
from countersign.models.vocabulary import APPROVING_ROLES, Decision
from countersign.plain_files import open_plain
from countersign.services.identities.certificates import certificate_fingerprint, load_certificate
from countersign.services.reports.attachments import CARD, MANIFEST, MANIFEST_FORMAT
from countersign.services.reports.errors import ReportUnreadable
from countersign.services.reports.signing import asn1_certificate, pem_blocks
from countersign.services.reports.verdict import ReportCheck, ReportVerification
from countersign.services.reviews.escalations import (
    SignedEscalations,
    escalations_from,
    holds,
    missing,
)
from countersign.services.trust.anchors import TrustAnchors

MAX_PDF_BYTES = 64 * 1024 * 1024
"""A PDF larger than this is refused before it is read (reports are a few MiB)."""

MAX_SECONDS = 30.0
"""Checking one report may take this long; a file that needs longer is refused."""

MAX_ATTACHMENTS = 2_000
MAX_ATTACHMENT_BYTES = 40 * 1024 * 1024
MAX_PAGES = 20_000
MAX_PAGE_BYTES = 8 * 1024 * 1024

MAX_HEX_DIGITS = 1024 * 1024
"""Longest hex string read (a signature's /Contents is a few thousand digits).

pyHanko decodes a hex string one digit at a time into a list: 20 MB of hex in
a /Contents took 3.8 GB, so a longer one is refused before the PDF is parsed.
"""

_LONG_HEX = re.compile(rb"<[0-9A-Fa-f\x00\t\n\x0c\r ]{%d}" % MAX_HEX_DIGITS)
"""A hex string at least MAX_HEX_DIGITS long (with PDF white space between digits)."""

_FILTERS = ("/FlateDecode", "/ASCII85Decode")
"""Stream filters read here; anything else in a report is refused."""

_PRINTED = re.compile(rb"Card SHA-256 ([0-9a-f]{64})")


_CLAIMS = {decision.outcome.value: decision for decision in Decision}
"""The decided statuses a report can claim, and the sign-off decision each needs."""

# pyHanko logs a traceback for every certificate it cannot validate (an unknown signer),
# before the verdict: the verdict says it in words, so its loggers are kept quiet.
for _logger_name in ("pyhanko", "pyhanko_certvalidator"):
    _logger = logging.getLogger(_logger_name)
    _logger.addHandler(logging.NullHandler())
    _logger.propagate = False


@dataclass(frozen=True)
class KnownSigner:
    """A certificate the registry knows, with whom it belongs to and what it may sign.

    ``role`` is the role this workstation accepts for it (``""``: none), and
    ``retired_at`` when it stopped signing: nothing it signs dated after that counts.
    """

    name: str
    email: str
    certificate_pem: str
    chain_pem: str = ""
    retired: bool = False
    role: str = ""
    retired_at: str | None = None
    grants: tuple[tuple[str, str], ...] | None = None
    """``(signed at, role)`` of its signed grants; None: ``role`` as the registry records it."""

    def role_at(self, when: str) -> str:
        """The role it held at ``when`` (UTC, ISO-8601) by its signed grants."""
        if self.grants is None:
            return self.role
        held = ""
        for granted_at, role in self.grants:
            if granted_at <= when:
                held = role
        return held


@dataclass(frozen=True)
class _Counted:
    """A sign-off that verified, from a signer this workstation trusts."""

    signer: str
    decision: str
    template: tuple[str, int]
    may_approve: bool
    escalations: SignedEscalations
    """What the payload signs about escalations; ``signed`` only if the signer's role held."""


class _TooSlow(BaseException):
    """The time limit struck; a BaseException so that no library's ``except Exception`` eats it."""


def verify_report_file(
    path: Path,
    known: Mapping[str, KnownSigner],
    anchors: TrustAnchors | None = None,
    seconds: float = MAX_SECONDS,
    quorums: Mapping[tuple[str, int], ChecklistTemplate] | None = None,
) -> ReportVerification:
    """Check every part of the report at ``path``; refuses a file that is no readable PDF.

    ``known`` are the registry's signers with the roles this workstation
    accepts, ``anchors`` the certificates trusted here, and ``quorums`` the
    checklist templates by (id, version), whose quorum and escalations say the
    approvals each needs: a report that claims a decision is valid only when
    trusted sign-offs back it (with no ``quorums`` the caller checks the
    decision itself, as the gate does).
    """
    file = str(path)
    data = _read(path, file)
    try:
        with _time_limit(seconds):
            return _verify(
                file,
                data,
                _Judge(known, anchors or TrustAnchors(), quorums),
                time.monotonic() + seconds,
            )
    except _TooSlow:
        raise ReportUnreadable(
            file, f"checking took longer than {seconds:.0f} s; this is no Countersign report"
        ) from None


def _read(path: Path, file: str) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_PDF_BYTES:
            raise ReportUnreadable(
                file, f"is {size // (1024 * 1024)} MiB; a report is at most 64 MiB"
            )
        with open_plain(path) as stream:
            data = stream.read(MAX_PDF_BYTES + 1)
    except OSError as error:
        raise ReportUnreadable(file, f"cannot be read: {error.strerror or error}") from None
    if len(data) > MAX_PDF_BYTES:
        raise ReportUnreadable(file, "is larger than 64 MiB; a report is far smaller")
    if not data.lstrip(b"\x00\t\n\r ")[:5] == b"%PDF-":
        raise ReportUnreadable(file, "is not a PDF file (it does not start with %PDF-)")
    long_hex = _LONG_HEX.search(data)
    if long_hex is not None:
        raise ReportUnreadable(
            file,
            f"holds a hex string of more than {MAX_HEX_DIGITS:,} digits at byte "
            f"{long_hex.start()} (a report's signature /Contents has a few thousand); "
            "it is refused unread",
        )
    return data


@contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Interrupt the check after ``seconds`` (on the main thread; elsewhere step by step)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(
        signal, "setitimer"
    ):
        yield
        return

    def interrupt(_number: int, _frame: FrameType | None) -> None:
        raise _TooSlow

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@dataclass(frozen=True)
class _Judge:
    """Who is trusted to sign what, as the caller of :func:`verify_report_file` says."""

    known: Mapping[str, KnownSigner]
    anchors: TrustAnchors
    quorums: Mapping[tuple[str, int], ChecklistTemplate] | None
    """None: the caller checks the decision itself (the deployment gate, stage by stage)."""


def _verify(
    file: str,
    data: bytes,
    judge: _Judge,
    deadline: float,
) -> ReportVerification:
    def on_time() -> None:
        if time.monotonic() > deadline:
            raise _TooSlow

    reader, signatures = _open_pdf(file, data)
    checks: list[ReportCheck] = []
    signer = _pdf_signature_check(signatures, judge, checks)
    on_time()
    attachments, printed = _read_attachments(reader, file, on_time)
    manifest = _manifest(attachments, checks)
    _exported_in_time(manifest, judge, checks)
    report = _ReportParts(
        attachments, manifest, _card_check(attachments, manifest, printed, checks)
    )
    counted: list[_Counted] = []
    for signoff in _list(manifest.get("signoffs")):
        checks.append(_signoff_check(signoff, report, judge, counted))
        on_time()
    if manifest and judge.quorums is not None:
        checks.append(_decision_check(str(manifest.get("status", "")), counted, judge.quorums))
    return ReportVerification(
        file=file,
        checks=tuple(checks),
        model=str(manifest.get("model", "")),
        version=str(manifest.get("version", "")),
        status=str(manifest.get("status", "")),
        card_sha256=report.card_sha,
        signer=signer,
        attachments=attachments,
    )


@dataclass(frozen=True)
class _ReportParts:
    """What a report's sign-offs are checked against: its attachments, manifest and card hash."""

    attachments: Mapping[str, bytes]
    manifest: Mapping[str, Any]
    card_sha: str


def _open_pdf(file: str, data: bytes) -> tuple[PdfFileReader, list[Any]]:
    """The PDF's reader and its embedded signatures, or a refusal naming the file."""
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = list(reader.embedded_signatures)
    except _TooSlow:
        raise
    # pyHanko raises many kinds of errors on a broken file; each means "not readable".
    except Exception as error:
        raise ReportUnreadable(file, f"is not a readable PDF ({_short(error)})") from None
    return reader, signatures


def _pdf_signature_check(signatures: list[Any], judge: _Judge, checks: list[ReportCheck]) -> str:
    """Check the one PDF signature a report has; returns who signed it (``""`` if unknown)."""
    if len(signatures) != 1:
        checks.append(
            ReportCheck(
                "PDF signature",
                False,
                "the PDF is not signed"
                if not signatures
                else f"the PDF has {len(signatures)} signatures; a report has exactly one",
            )
        )
        return ""
    try:
        return _signature_checks(signatures[0], judge, checks)
    except _TooSlow:
        raise
    # pyHanko raises many kinds of errors on a damaged signature (a certificate with
    # one digit changed, a missing signing certificate): each is a failed check.
    except Exception as error:
        checks.append(
            ReportCheck(
                "PDF signature",
                False,
                f"BROKEN: the signature cannot be checked ({_short(error)})",
            )
        )
        return ""


def _read_attachments(
    reader: PdfFileReader, file: str, on_time: Callable[[], None]
) -> tuple[dict[str, bytes], list[set[str]]]:
    """The report's attached files and the card hashes its pages print."""
    try:
        attachments = _attachments(reader, file)
        on_time()
        printed = _printed_hashes(reader, file)
    except _TooSlow:
        raise
    except ReportUnreadable:
        raise
    except Exception as error:  # a broken object inside an otherwise readable PDF
        raise ReportUnreadable(file, f"has a broken structure ({_short(error)})") from None
    return attachments, printed


def _signature_checks(signature: Any, judge: _Judge, checks: list[ReportCheck]) -> str:
    """Check the PDF signature: intact and valid, whole file, signer known or trusted."""
    certificate: asn1_x509.Certificate = signature.signer_cert
    fingerprint = hashlib.sha256(certificate.dump()).hexdigest()
    person = judge.known.get(fingerprint)
    status = validate_pdf_signature(
        signature,
        _validation_context(judge, person),
        skip_diff=True,
        key_usage_settings=_signing_usage(certificate),
    )
    checks.append(_integrity_check(signature, status))
    if status.coverage == SignatureCoverageLevel.ENTIRE_FILE:
        checks.append(ReportCheck("Coverage", True, "the signature covers the whole file"))
    else:
        checks.append(
            ReportCheck(
                "Coverage",
                False,
                "the signature does not cover the whole file: something was added after signing",
            )
        )
    subject = str(
        certificate.subject.native.get("common_name") or certificate.subject.human_friendly
    )
    who = f"{person.name} <{person.email}>" if person else subject
    checks.append(_signer_check(who, fingerprint, person, trusted=bool(status.trusted)))
    return who


def _validation_context(judge: _Judge, person: KnownSigner | None) -> ValidationContext:
    """The certificates the signature may chain to: those trusted here, and the signer's own."""
    roots = [asn1_certificate(pem) for pem in judge.anchors.pems]
    others = []
    if person is not None:
        roots.append(asn1_certificate(person.certificate_pem))
        others = [asn1_certificate(pem) for pem in pem_blocks(person.chain_pem)]
    return ValidationContext(trust_roots=roots, other_certs=others, allow_fetching=False)


def _signing_usage(certificate: asn1_x509.Certificate) -> KeyUsageConstraints:
    """A signing certificate must allow digital signatures or non-repudiation; one without a
    key usage extension allows every use (RFC 5280), as organisation CAs often issue them."""
    return KeyUsageConstraints(
        key_usage=set()  # empty, not None: None would mean pyHanko's default
        if certificate.key_usage_value is None
        else {"digital_signature", "non_repudiation"}
    )


def _integrity_check(signature: Any, status: PdfSignatureStatus) -> ReportCheck:
    """Whether the signed bytes are unchanged and the signature value verifies."""
    if not status.intact:
        return ReportCheck(
            "PDF signature",
            False,
            "BROKEN: the signed bytes were changed after signing (digest mismatch)",
        )
    if not status.valid:
        return ReportCheck(
            "PDF signature", False, "the signature value does not verify with its certificate"
        )
    return ReportCheck(
        "PDF signature",
        True,
        f"intact and valid ({signature.sig_object.get('/SubFilter', '')}, "
        f"{status.md_algorithm.upper()})",
    )


def _signer_check(
    who: str, fingerprint: str, person: KnownSigner | None, *, trusted: bool
) -> ReportCheck:
    """Whether the report's signer is known to this registry or trusted here."""
    if person is not None and trusted:
        retired = " (identity since retired)" if person.retired else ""
        detail = f"{who}, certificate {fingerprint[:16]}… is in this registry{retired}"
        return ReportCheck("Signer", True, detail)
    if trusted:
        return ReportCheck(
            "Signer",
            True,
            f"{who}, certificate {fingerprint[:16]}… among the certificates you trust (--trust)",
        )
    if person is not None:
        return ReportCheck(
            "Signer",
            False,
            f"{who}, certificate {fingerprint[:16]}… is in this registry, but the "
            "signature does not validate with it",
        )
    return ReportCheck(
        "Signer",
        False,
        f"{who} (certificate {fingerprint[:16]}…) is neither in this registry nor "
        "among the certificates you trust (--trust)",
    )


def _attachments(reader: PdfFileReader, file: str) -> dict[str, bytes]:
    """The attached files by name (a flat name tree, as Countersign writes it)."""
    names = _deref(reader.root.get("/Names"))
    if not isinstance(names, generic.DictionaryObject) or "/EmbeddedFiles" not in names:
        return {}
    tree = names["/EmbeddedFiles"]
    entries = _deref(tree.get("/Names"))
    if not isinstance(entries, generic.ArrayObject):
        raise ReportUnreadable(file, "its attached files are not listed as Countersign lists them")
    if len(entries) > 2 * MAX_ATTACHMENTS:
        raise ReportUnreadable(file, f"has more than {MAX_ATTACHMENTS} attached files")
    out: dict[str, bytes] = {}
    for index in range(0, len(entries) - 1, 2):
        name = str(_deref(entries[index]))
        spec = _deref(entries[index + 1])
        stream = spec["/EF"]["/F"]
        if name in out:
            raise ReportUnreadable(file, f"has two attached files named {name!r}")
        out[name] = _inflate(stream, MAX_ATTACHMENT_BYTES, file, f"the attached file {name!r}")
    return out


def _inflate(stream: Any, limit: int, file: str, what: str) -> bytes:
    """A stream's bytes, decoded under ``limit`` bytes (Flate and ASCII85 only)."""
    filters = _deref(stream.get("/Filter"))
    if filters is None:
        names: list[str] = []
    elif isinstance(filters, generic.ArrayObject):
        names = [str(_deref(f)) for f in filters]
    else:
        names = [str(filters)]
    if "/DecodeParms" in stream or any(name not in _FILTERS for name in names):
        raise ReportUnreadable(file, f"{what} uses {', '.join(names)}, which reports never use")
    data = bytes(stream.encoded_data)
    for name in names:
        try:
            if name == "/ASCII85Decode":
                data = base64.a85decode(data.strip().removesuffix(b"~>"), ignorechars=b" \t\r\n")
            else:
                data = zlib.decompressobj().decompress(data, limit + 1)
        except (ValueError, zlib.error):
            raise ReportUnreadable(file, f"{what} is damaged (not valid {name[1:]} data)") from None
        if len(data) > limit:
            raise ReportUnreadable(file, f"{what} is larger than {limit // (1024 * 1024)} MiB")
    return data


def _printed_hashes(reader: PdfFileReader, file: str) -> list[set[str]]:
    """For each page, the card SHA-256 values printed in its footer."""
    out: list[set[str]] = []
    pending = [reader.root["/Pages"]]
    seen: set[int] = set()
    while pending:
        node = _deref(pending.pop())
        if id(node) in seen or len(out) > MAX_PAGES:
            break
        seen.add(id(node))
        kids = _deref(node.get("/Kids"))
        if isinstance(kids, generic.ArrayObject):
            pending.extend(reversed(list(kids)))
            continue
        contents = _deref(node.get("/Contents"))
        streams = [
            _deref(item)
            for item in (contents if isinstance(contents, generic.ArrayObject) else [contents])
        ]
        found: set[str] = set()
        for stream in streams:
            if isinstance(stream, generic.StreamObject):
                text = _inflate(stream, MAX_PAGE_BYTES, file, f"page {len(out) + 1}")
                found.update(m.group(1).decode("ascii") for m in _PRINTED.finditer(text))
        out.append(found)
    return out


def _manifest(attachments: Mapping[str, bytes], checks: list[ReportCheck]) -> dict[str, Any]:
    """The report's manifest, after checking it lists every attached file by its SHA-256."""
    raw = attachments.get(MANIFEST)
    if raw is None:
        checks.append(ReportCheck("Attached files", False, f"there is no {MANIFEST} attached"))
        return {}
    try:
        manifest = load_json(raw.decode("utf-8"), MANIFEST)
    except (UnicodeDecodeError, InputRefused) as error:
        checks.append(ReportCheck("Attached files", False, f"{MANIFEST} is unreadable: {error}"))
        return {}
    if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT:
        checks.append(
            ReportCheck("Attached files", False, f"{MANIFEST} is not a Countersign report manifest")
        )
        return {}
    listed = {str(f.get("name")): str(f.get("sha256")) for f in _list(manifest.get("files"))}
    problems = []
    for name, digest in listed.items():
        if name not in attachments:
            problems.append(f"{name} is listed but not attached")
        elif hashlib.sha256(attachments[name]).hexdigest() != digest:
            problems.append(f"{name} does not match its SHA-256")
    problems += [
        f"{name} is attached but not listed"
        for name in attachments
        if name not in listed and name != MANIFEST
    ]
    if problems:
        checks.append(ReportCheck("Attached files", False, "; ".join(problems[:5])))
    else:
        checks.append(ReportCheck("Attached files", True, _files_matching(len(listed))))
    return manifest


def _card_check(
    attachments: Mapping[str, bytes],
    manifest: Mapping[str, Any],
    printed: list[set[str]],
    checks: list[ReportCheck],
) -> str:
    """The attached card's SHA-256 must be the one printed on every page."""
    card = attachments.get(CARD)
    if card is None:
        checks.append(ReportCheck("Card", False, f"there is no {CARD} attached"))
        return ""
    digest = hashlib.sha256(card).hexdigest()
    on_pages = [found for found in printed if found]
    if not printed or len(on_pages) != len(printed):
        checks.append(
            ReportCheck(
                "Card", False, "the pages do not all print the card's SHA-256 in the footer"
            )
        )
    elif any(found != {digest} for found in on_pages):
        others = sorted(set().union(*on_pages) - {digest})
        checks.append(
            ReportCheck(
                "Card",
                False,
                f"the attached card has SHA-256 {digest}, but the pages print "
                f"{', '.join(others[:2])}",
            )
        )
    elif manifest and manifest.get("card_sha256") != digest:
        checks.append(ReportCheck("Card", False, f"{MANIFEST} names another card SHA-256"))
    else:
        checks.append(
            ReportCheck(
                "Card", True, f"{CARD} has SHA-256 {digest}, as printed on all {len(printed)} pages"
            )
        )
    return digest


def _signoff_check(
    signoff: Mapping[str, Any],
    report: _ReportParts,
    judge: _Judge,
    counted: list[_Counted],
) -> ReportCheck:
    """One sign-off: its signature over the attached payload, from a signer trusted here."""
    signer = signoff.get("signer")
    email = str(signer.get("email", "")) if isinstance(signer, dict) else ""
    name = f"Sign-off {signoff.get('id')} ({email}, {signoff.get('decision')})"
    attached = _attached_signoff(signoff, report.attachments)
    if isinstance(attached, str):
        return ReportCheck(name, False, attached)
    content, fingerprint = attached.content, attached.fingerprint
    problem = _signoff_subject_problem(content, report)
    if problem:
        return ReportCheck(name, False, problem)
    signed_at = str(content.get("signed_at", ""))
    person = judge.known.get(fingerprint)
    vouched = judge.anchors.vouch(attached.certificate)
    problem = _signoff_signer_problem(person, vouched, fingerprint, signed_at)
    if problem:
        return ReportCheck(name, False, problem)
    held = person.role_at(signed_at) if person is not None else ""
    escalations = escalations_from(content.get("escalations"))
    if escalations.signed and not (vouched or holds(held, escalations.role)):
        escalations = SignedEscalations(escalations.needed, ())  # the role did not hold
    counted.append(
        _Counted(
            person.email if person else fingerprint,
            str(content.get("decision", "")),
            _template_of(content),
            bool(vouched) or held in APPROVING_ROLES,
            escalations,
        )
    )
    if person is not None:
        whose = f"certificate known to this registry, role {held or 'none granted'}"
    else:
        whose = f"certificate not in this registry, {vouched}"
    return ReportCheck(name, True, f"signature verifies ({signed_at}; {whose})")


@dataclass(frozen=True)
class _AttachedSignoff:
    """A sign-off whose attached signature verifies over its attached payload."""

    certificate: x509.Certificate
    content: dict[str, Any]
    fingerprint: str


def _attached_signoff(
    signoff: Mapping[str, Any], attachments: Mapping[str, bytes]
) -> _AttachedSignoff | str:
    """The sign-off's payload, if its attached signature verifies with the attached certificate;
    else what is wrong."""
    payload = attachments.get(str(signoff.get("payload")))
    signature = attachments.get(str(signoff.get("signature")))
    pem = attachments.get(str(signoff.get("certificate")))
    if payload is None or signature is None or pem is None:
        return "its payload, signature or certificate is not attached"
    try:
        certificate = load_certificate(pem)
        content = load_json(payload.decode("utf-8"), str(signoff.get("payload")))
    except (ValueError, InputRefused) as error:
        return f"unreadable: {_short(error)}"
    fingerprint = certificate_fingerprint(certificate)
    if not isinstance(content, dict):
        return "its payload is not a sign-off"
    if content.get("signer_fingerprint") != fingerprint:
        return "the payload names another certificate than the attached one"
    key = certificate.public_key()
    try:
        if not isinstance(key, ec.EllipticCurvePublicKey):
            raise InvalidSignature
        key.verify(signature, payload, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return "BROKEN: the signature does not verify over the payload"
    return _AttachedSignoff(certificate, content, fingerprint)


def _signoff_subject_problem(content: Mapping[str, Any], report: _ReportParts) -> str:
    """Whether the sign-off is for the report's card, model and version (``""``: it is)."""
    if content.get("card_version_sha256") != report.card_sha:
        return "the sign-off is for another card than the attached one"
    if (content.get("model"), content.get("version")) != (
        report.manifest.get("model"),
        report.manifest.get("version"),
    ):
        return "the sign-off is for another model or version"
    return ""


def _signoff_signer_problem(
    person: KnownSigner | None, vouched: str, fingerprint: str, signed_at: str
) -> str:
    """Whether the signer is trusted here and could sign then (``""``: it is and could)."""
    if person is None and not vouched:
        return (
            f"signature verifies, but its certificate ({fingerprint[:16]}…) is neither in this "
            "registry nor among the certificates trusted here (pinned, or --trust): "
            "anyone can make such a sign-off"
        )
    if person is not None and person.retired_at is not None and signed_at > person.retired_at:
        return (
            f"signed at {signed_at}, after its identity was retired ({person.retired_at}): "
            "a retired key signs nothing"
        )
    return ""


def _template_of(content: Mapping[str, Any]) -> tuple[str, int]:
    """The checklist template (id, version) a sign-off payload names."""
    template = content.get("template")
    if isinstance(template, dict):
        return str(template.get("id", "")), _int(template.get("version"))
    return "", 0


def _exported_in_time(
    manifest: Mapping[str, Any], judge: _Judge, checks: list[ReportCheck]
) -> None:
    """A retired identity's key signs no report dated after its retirement."""
    exporter = manifest.get("exported_by")
    if not isinstance(exporter, dict):
        return
    person = judge.known.get(str(exporter.get("fingerprint", "")))
    exported = str(manifest.get("exported_at", ""))
    if person is not None and person.retired_at is not None and exported > person.retired_at:
        checks.append(
            ReportCheck(
                "Exported",
                False,
                f"the report is dated {exported}, after its signer {person.email} was retired "
                f"({person.retired_at}): a retired key signs nothing",
            )
        )


def _decision_check(
    status: str, counted: Sequence[_Counted], quorums: Mapping[tuple[str, int], ChecklistTemplate]
) -> ReportCheck:
    """A claimed decision must be backed by trusted sign-offs (an approval, by the quorum)."""
    wanted = _CLAIMS.get(status)
    if wanted is None:
        return ReportCheck(
            "Decision", True, f"the report claims no decision (status: {status or 'none'})"
        )
    if wanted != Decision.APPROVE:
        backing = [c for c in counted if c.decision == wanted]
        if backing:
            return ReportCheck(
                "Decision", True, f"{status}: backed by a trusted sign-off of {backing[0].signer}"
            )
        return ReportCheck(
            "Decision", False, f"the report claims {status!r}, but no trusted sign-off says so"
        )
    best = ""
    for key in sorted({c.template for c in counted if c.decision == Decision.APPROVE}):
        verdict, best = _approval_check(key, counted, quorums.get(key), best)
        if verdict is not None:
            return verdict
    return ReportCheck(
        "Decision",
        False,
        f"the report claims 'approved', but {best or 'no trusted sign-off approves it'}",
    )


def _approval_check(
    key: tuple[str, int],
    counted: Sequence[_Counted],
    template: ChecklistTemplate | None,
    best: str,
) -> tuple[ReportCheck | None, str]:
    """Whether the trusted approvals under template ``key`` approve (the check), else why not."""
    reference = f"{key[0]}@{key[1]}"
    approvals = [c for c in counted if c.template == key and c.decision == Decision.APPROVE]
    allowed = [c for c in approvals if c.may_approve]
    if template is None:
        return None, best or (
            f"checklist template {reference} is not known here, so its quorum is unknown"
        )
    votes = [c.escalations.vote(c.signer, c.decision, template) for c in allowed]
    signers = sorted({c.signer for c in allowed})
    lacking = missing(votes, template.quorum)
    if not lacking:
        escalated = [
            f"escalation {name} signed by {vote.signer}"
            for vote in votes
            for name in sorted(vote.signs)
        ]
        detail = f"; {', '.join(escalated)}" if escalated else ""
        return ReportCheck(
            "Decision",
            True,
            f"approved: {len(signers)} of {template.quorum} trusted approvals needed by "
            f"{reference} ({', '.join(signers)}){detail}",
        ), best
    refused = sorted({c.signer for c in approvals} - set(signers))
    note = f"; {', '.join(refused)} may not approve" if refused else ""
    with_escalations = any(vote.needs for vote in votes)
    still = f"; still needed: {'; '.join(lacking)}" if with_escalations else ""
    return None, (
        f"{reference} needs {template.quorum} approvals from trusted approvers, the report "
        f"has {len(signers)}{note}{still}"
    )


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _deref(value: Any) -> Any:
    """The object an indirect reference points to (arrays hold references as they are)."""
    if isinstance(value, generic.IndirectObject):
        return value.get_object()  # type: ignore[no-untyped-call]
    return value


def _list(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _short(error: BaseException) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return text if len(text) <= 160 else text[:159] + "…"


def _files_matching(count: int) -> str:
    if count == 1:
        return "1 file, matching its SHA-256"
    return f"{count} files, each matching its SHA-256"
