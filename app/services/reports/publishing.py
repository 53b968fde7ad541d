"""The files of a published card version, and writing them into a folder, all or nothing.

Publishing sends an approved card version back to its team: the card as a
Hugging Face ``README.md`` and as native JSON, its canonical JSON (whose
SHA-256 the report prints), the signed report, every signed sign-off with
its signature and certificate, when an officer publishes an approval attestation of
each approved stage (``attestations/``), and ``SHA256SUMS`` over all of them.

The names are fixed here, never taken from the card, so nothing lands
outside the folder.  The files are written into a fresh hidden folder beside
it and moved into place at once: the folder ends up complete, or not at all.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from countersign.formats.huggingface.readme import write_huggingface
from countersign.formats.native import write_native_json
from countersign.services.reports.attachments import CARD, MANIFEST, Attachment
from countersign.services.reports.attestation import SignedAttestation
from countersign.services.reports.data import ReportData
from countersign.services.reports.errors import PublishRefused

REPORT_FILE = "review-report.pdf"
SIGNOFF_FOLDER = "sign-offs"
CHECKSUMS = "SHA256SUMS"


@dataclass(frozen=True)
class PublishedFile:
    """One file written by publishing, with its SHA-256."""

    name: str
    sha256: str
    size: int


@dataclass(frozen=True)
class PublishResult:
    """What publishing wrote, and where."""

    folder: Path
    model: str
    version: str
    card_sha256: str
    report_sha256: str
    files: tuple[PublishedFile, ...]
    approved_for: tuple[str, ...] = ()
    """The stages the published version is approved for, in order."""
    risk: str = ""
    """The risk tier and who set it: "high, classified by olga@…" or "medium, the card's own rating"."""
    attested: tuple[str, ...] = ()
    """The stages whose approval attestation was written (none unless an officer published)."""
    attested_by: str = ""
    """Who signed the attestations: "Olga Officer <olga@…>"."""


def published_files(
    data: ReportData,
    attachments: Sequence[Attachment],
    report_pdf: bytes,
    attestations: Sequence[SignedAttestation] = (),
) -> list[tuple[str, bytes]]:
    """Every file to publish, as (relative name, bytes), ``SHA256SUMS`` last."""
    files: list[tuple[str, bytes]] = [
        ("README.md", write_huggingface(data.card).encode("utf-8")),
        ("card.json", write_native_json(data.card).encode("utf-8")),
        ("card.canonical.json", data.canonical_json.encode("utf-8")),
        (REPORT_FILE, report_pdf),
    ]
    files += [
        (f"{SIGNOFF_FOLDER}/{attachment.name}", attachment.data)
        for attachment in attachments
        if attachment.name not in (CARD, MANIFEST)
    ]
    for attestation in attestations:
        files += attestation.published_files()
    sums = "".join(f"{hashlib.sha256(content).hexdigest()}  {name}\n" for name, content in files)
    files.append((CHECKSUMS, sums.encode("ascii")))
    return files


def check_folder(folder: Path) -> None:
    """Refuse a folder that cannot receive a publication: not empty, a file, a link, no parent."""
    if folder.is_symlink():
        raise PublishRefused(f"{folder} is a symbolic link; give a real folder")
    if folder.exists():
        if not folder.is_dir():
            raise PublishRefused(f"{folder} is a file, not a folder")
        if any(folder.iterdir()):
            raise PublishRefused(f"{folder} is not empty; give a new or empty folder")
    elif not folder.parent.is_dir():
        raise PublishRefused(f"cannot create {folder}: the folder {folder.parent} does not exist")


def write_folder(folder: Path, files: Sequence[tuple[str, bytes]]) -> tuple[PublishedFile, ...]:
    """Write ``files`` under ``folder`` (new or empty) as a whole, or leave it as it was."""
    check_folder(folder)
    for name, _ in files:
        _check_name(name)
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    except OSError as error:
        raise PublishRefused(f"cannot write beside {folder}: {error.strerror or error}") from None
    try:
        for name, content in files:
            target = staging.joinpath(*PurePosixPath(name).parts)
            target.parent.mkdir(exist_ok=True)
            with target.open("xb") as stream:
                stream.write(content)
        staging.chmod(0o755)
        if folder.exists():
            folder.rmdir()  # empty, checked above; a file appearing meanwhile stops us here
        os.replace(staging, folder)
    except OSError as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise PublishRefused(
            f"cannot write {folder}: {error.strerror or error}; nothing was published"
        ) from None
    return tuple(
        PublishedFile(name, hashlib.sha256(content).hexdigest(), len(content))
        for name, content in files
    )


def _check_name(name: str) -> None:
    """Our own names only: relative, no climbing out (a bug if this ever fails)."""
    parts = PurePosixPath(name).parts
    if not parts or name.startswith("/") or any(part in ("", ".", "..") for part in parts):
        raise AssertionError(f"refusing to publish a file named {name!r}")
