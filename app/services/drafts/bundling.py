"""A bundle from card drafts: what a team sends in, signed with its key when given.

Each draft goes in in its own format, named after its model, with its
attachments in a folder named after its card file (as ``bundle create``
lays a folder out).  The bundle is checked as an importer would check it
before it is written, so a team never sends what the officer's import refuses.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from typing import TypedDict, TypeVar, Unpack

from pydantic import ValidationError

from countersign import __version__
from countersign.formats.bundle import (
    MAX_ENTRY_BYTES,
    BundleRefused,
    BundleSigner,
    guess_media_type,
    load_signer,
    unsafe_path_reason,
    validation_problem,
    write_bundle,
)
from countersign.formats.detect import read_card
from countersign.models.manifest import BundleManifest, ManifestAttachment, ManifestCard
from countersign.plain_files import read_plain
from countersign.services.drafts.draft import CardDraft, slug
from countersign.services.drafts.errors import DraftRefused


class BundleSigning(TypedDict, total=False):
    """How :func:`bundle_drafts` signs the bundle: PEM files, or a signer; none: unsigned."""

    sign_key: str | Path | None
    sign_cert: str | Path | None
    key_passphrase: bytes | None
    signer: BundleSigner | None


def bundle_drafts(
    drafts: Sequence[CardDraft],
    output: str | Path,
    team: str,
    **signing: Unpack[BundleSigning],
) -> BundleManifest:
    """Write a bundle holding ``drafts`` (and their attachments) to ``output``; returns its manifest.

    With ``sign_key`` and ``sign_cert`` (PEM files, ECDSA P-256) or a
    ``signer``, the manifest is signed with the team's key.  A draft with no
    model name or version, two drafts of the same model version, or an
    attachment that cannot be read is refused naming it, and nothing is written.
    """
    target = Path(output)
    sign_key, sign_cert = signing.get("sign_key"), signing.get("sign_cert")
    signer = signing.get("signer")
    if not drafts:
        raise DraftRefused(str(target), "", "a bundle needs at least one card draft")
    if (sign_key is None) != (sign_cert is None):
        raise DraftRefused(
            str(sign_key or sign_cert), "", "signing needs both the team's key and its certificate"
        )
    if sign_key is not None and sign_cert is not None:
        signer = load_signer(Path(sign_key), Path(sign_cert), signing.get("key_passphrase"))
    files: dict[str, bytes] = {}
    cards: list[ManifestCard] = []
    attachments: list[ManifestAttachment] = []
    names = _card_names(drafts)
    for draft, name in zip(drafts, names, strict=True):
        cards.append(_add_draft(draft, name, files, attachments))
    try:
        manifest = BundleManifest(
            team=team,
            created=datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            producer=f"countersign {__version__}",
            cards=cards,
            attachments=attachments,
        )
    except ValidationError as error:
        field, reason = validation_problem(error)
        raise DraftRefused(str(target), field, reason) from None
    write_bundle(target, manifest, files, signer=signer)
    return manifest


def _add_draft(
    draft: CardDraft, name: str, files: dict[str, bytes], attachments: list[ManifestAttachment]
) -> ManifestCard:
    """Put a draft's card file (as ``name``) and its attachments into ``files``; its entry."""
    data = draft.text().encode("utf-8")
    read = read_card(data, name)
    files[name] = data
    entry = _entry(
        ManifestCard,
        name,
        path=name,
        model=draft.name.strip(),
        version=draft.version.strip(),
        sha256=hashlib.sha256(data).hexdigest(),
        format=read.source_format,
    )
    for attachment in draft.attachments:
        path = f"{PurePosixPath(name).stem}/{attachment.name}"
        if path in files:
            raise DraftRefused(
                str(attachment), "", f"{name} has two attachments called {attachment.name}"
            )
        content = _read_attachment(attachment)
        files[path] = content
        attachments.append(
            _entry(
                ManifestAttachment,
                str(attachment),
                path=path,
                card=name,
                sha256=hashlib.sha256(content).hexdigest(),
                media_type=guess_media_type(attachment.name, content),
            )
        )
    return entry


def _card_names(drafts: Sequence[CardDraft]) -> list[str]:
    """A file name per draft, unique in the bundle, after its model (and version if need be)."""
    seen: dict[tuple[str, str], int] = {}
    for index, draft in enumerate(drafts):
        where = str(draft.path) if draft.path else f"draft {index + 1}"
        if not draft.name.strip():
            raise DraftRefused(where, "model_details.name", "the card names no model")
        if not draft.version.strip():
            raise DraftRefused(
                where, "model_details.version", "the card does not say which model version it is"
            )
        key = (draft.name.strip(), draft.version.strip())
        if key in seen:
            raise DraftRefused(
                where,
                "model_details",
                f"describes {key[0]} version {key[1]}, as draft {seen[key] + 1} does; a bundle "
                "carries one card per model version",
            )
        seen[key] = index
    stems = [slug(draft.name) or "model-card" for draft in drafts]
    names = []
    for draft, stem in zip(drafts, stems, strict=True):
        unique = f"{stem}-{slug(draft.version)}" if stems.count(stem) > 1 else stem
        names.append(unique + Path(draft.file_name()).suffix)
    if len(set(names)) != len(names):
        raise DraftRefused("", "", "two drafts would have the same file name in the bundle")
    for name in names:
        reason = unsafe_path_reason(name)
        if reason is not None:
            raise DraftRefused(name, "", f"cannot go into a bundle: {reason}")
    return names


def _read_attachment(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_ENTRY_BYTES:
            raise DraftRefused(
                str(path), "", f"the file is over the {MAX_ENTRY_BYTES // 1024 // 1024} MiB limit"
            )
        return read_plain(path)
    except OSError as error:
        raise DraftRefused(str(path), "", f"cannot be read: {error.strerror or error}") from None


_Entry = TypeVar("_Entry", ManifestCard, ManifestAttachment)


def _entry(kind: type[_Entry], source: str, **fields: str) -> _Entry:
    try:
        return kind(**fields)
    except ValidationError as error:
        field, reason = validation_problem(error)
        raise DraftRefused(source, field, reason) from None


__all__ = ["BundleRefused", "bundle_drafts"]
