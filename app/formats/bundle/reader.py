"""Reading card bundles: every structural check, then the bundle whole in memory.

:func:`read_bundle` checks the zip within fixed bounds
(:mod:`countersign.formats.bundle.zip_archive`), the manifest's shape, that the zip holds
exactly the listed files with their hashes, and the signature
(:mod:`countersign.formats.bundle.signing`).  Any problem refuses the whole bundle
with :class:`~countersign.formats.bundle.zip_archive.BundleRefused`, naming the bundle file
and the entry or manifest field.  Cards are not parsed here: the importer
reads each card's bytes with :func:`countersign.formats.detect.read_card`.
"""

from __future__ import annotations

import hashlib
import stat
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from countersign.formats.base import CardRefused
from countersign.formats.bundle.signing import verify_manifest_signature
from countersign.formats.bundle.zip_archive import (
    MANIFEST_NAME,
    MAX_BUNDLE_BYTES,
    RESERVED_NAMES,
    BundleRefused,
    checked_zip,
    mib,
    read_zip,
    refuse,
    shown,
    unsafe_path_reason,
)
from countersign.formats.limits import load_json
from countersign.models.manifest import (
    BUNDLE_FORMAT,
    BUNDLE_FORMAT_VERSION,
    BundleManifest,
    ManifestAttachment,
    ManifestCard,
    ManifestModelSignature,
)
from countersign.models.vocabulary import SignatureStatus
from countersign.plain_files import open_plain


@dataclass(frozen=True)
class BundleCard:
    """A card file from a bundle: its manifest entry and its exact bytes (not yet parsed)."""

    entry: ManifestCard
    content: bytes


@dataclass(frozen=True)
class BundleAttachment:
    """An attachment from a bundle: its manifest entry and its exact bytes."""

    entry: ManifestAttachment
    content: bytes


@dataclass(frozen=True)
class BundleModelSignature:
    """An OpenSSF model signature from a bundle: its manifest entry and its exact bytes."""

    entry: ManifestModelSignature
    content: bytes


MAX_MODEL_SIGNATURE_BYTES = 1024 * 1024
"""Largest model signature accepted (one listing 1,000 files is about 200 KiB)."""


@dataclass(frozen=True)
class OpenedBundle:
    """A bundle that passed every structural check, read whole into memory."""

    file_name: str
    sha256: str
    size: int
    manifest: BundleManifest
    manifest_bytes: bytes
    signature_status: SignatureStatus
    signer_certificate_pem: bytes | None
    signer_subject: str | None
    signer_fingerprint: str | None
    cards: list[BundleCard]
    attachments: list[BundleAttachment]
    model_signatures: list[BundleModelSignature]


def open_bundle(path: Path) -> OpenedBundle:
    """Read and check the bundle file at ``path``; see :func:`read_bundle`."""
    name = path.name
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            refuse(name, "", "is not a file")
        if info.st_size > MAX_BUNDLE_BYTES:
            refuse(
                name,
                "",
                f"the file is {mib(info.st_size)}, over the {mib(MAX_BUNDLE_BYTES)} "
                "limit for a bundle",
            )
        with open_plain(path) as stream:
            data = stream.read(MAX_BUNDLE_BYTES + 1)
    except FileNotFoundError:
        refuse(name, "", f"there is no such file ({path})")
    except OSError as error:
        refuse(name, "", f"the file cannot be read: {error.strerror or error}")
    return read_bundle(data, name)


def read_bundle(data: bytes, file_name: str) -> OpenedBundle:
    """Check the bundle held in ``data`` (the bytes of ``file_name``) and read it into memory.

    Raises :class:`BundleRefused`, with a reason an officer can act on, for any
    problem with the zip, the manifest, the listed files or the signature.
    """
    contents = read_zip(data, file_name)
    manifest_bytes = contents.files.get(MANIFEST_NAME)
    if manifest_bytes is None:
        refuse(
            file_name,
            MANIFEST_NAME,
            "the bundle has no manifest.json, so it does not say what it holds",
        )
    manifest = parse_manifest(manifest_bytes, file_name)
    _check_listing(manifest, contents.files, contents.folders, file_name)
    signer = verify_manifest_signature(contents.files, manifest_bytes, file_name)
    return OpenedBundle(
        file_name=file_name,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        manifest=manifest,
        manifest_bytes=manifest_bytes,
        signature_status=SignatureStatus.ABSENT if signer is None else SignatureStatus.VALID,
        signer_certificate_pem=None if signer is None else signer.certificate_pem,
        signer_subject=None if signer is None else signer.subject,
        signer_fingerprint=None if signer is None else signer.fingerprint,
        cards=[BundleCard(entry, contents.files[entry.path]) for entry in manifest.cards],
        attachments=[
            BundleAttachment(entry, contents.files[entry.path]) for entry in manifest.attachments
        ],
        model_signatures=[
            BundleModelSignature(entry, contents.files[entry.path])
            for entry in manifest.model_signatures or []
        ],
    )


AHEAD_MAX_BYTES = 64 * 1024 * 1024
"""Larger bundles are not read ahead (:func:`cards_ahead`): the file would be held twice."""


def cards_ahead(path: Path) -> Iterator[tuple[str, str, bytes]]:
    """The bundle at ``path``'s cards in its manifest's order, as (path, model, bytes).

    For reading cards ahead, in a worker process, while :func:`open_bundle`
    checks the bundle: the zip is read within the same bounds, but nothing is
    checked against the manifest (hashes, listing, signature), so whoever uses
    a card read here must first find its SHA-256 in the checked bundle.  Stops
    quietly at the first problem, which the check names.
    """
    try:
        with open_plain(path) as stream:  # a pipe or a device is not waited on
            data = stream.read(AHEAD_MAX_BYTES + 1)
        if len(data) > AHEAD_MAX_BYTES:
            return
        with checked_zip(data, path.name) as archive:
            files = {info.filename: info for info in archive.infos if not info.is_dir()}
            if MANIFEST_NAME not in files:
                return
            manifest = parse_manifest(archive.read(files[MANIFEST_NAME]), path.name)
            for card in manifest.cards:
                if card.path not in files:
                    return
                yield card.path, card.model, archive.read(files[card.path])
    except (OSError, BundleRefused):
        return


def parse_manifest(data: bytes, file_name: str) -> BundleManifest:
    """Read the bytes of a bundle's manifest.json onto :class:`BundleManifest`.

    Raises :class:`BundleRefused` naming the manifest field that is wrong.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        refuse(file_name, f"{MANIFEST_NAME}: byte {error.start}", "manifest.json is not UTF-8 text")
    try:
        value = load_json(text, MANIFEST_NAME)
    except CardRefused as error:
        refuse(file_name, _join(MANIFEST_NAME, error.field), error.reason)
    if not isinstance(value, dict):
        refuse(file_name, MANIFEST_NAME, f"manifest.json holds {_json_kind(value)}, not an object")
    _check_format(value, file_name)
    try:
        return BundleManifest.model_validate(value)
    except ValidationError as error:
        where, reason = validation_problem(error)
        refuse(file_name, _join(MANIFEST_NAME, where), reason)


def _check_format(value: dict[str, Any], file_name: str) -> None:
    """Refuse a manifest of another format or version before reading its fields."""
    kind = value.get("format")
    if kind != BUNDLE_FORMAT:
        said = "is missing" if kind is None else f"is {kind!r}"
        refuse(
            file_name,
            _join(MANIFEST_NAME, "format"),
            f"{said}, not {BUNDLE_FORMAT!r}: this is not a Countersign bundle manifest",
        )
    version = value.get("format_version")
    field = _join(MANIFEST_NAME, "format_version")
    if version is None:
        refuse(file_name, field, "is missing")
    if isinstance(version, bool) or not isinstance(version, int):
        refuse(file_name, field, f"must be a whole number, not {_json_kind(version)}")
    if version > BUNDLE_FORMAT_VERSION:
        refuse(
            file_name,
            field,
            f"the bundle is format version {version}, but this Countersign reads version "
            f"{BUNDLE_FORMAT_VERSION}: written by a newer Countersign? Update Countersign to "
            "import it",
        )
    if version < BUNDLE_FORMAT_VERSION:
        refuse(file_name, field, f"is {version}; there is no bundle format version {version}")


def _check_listing(
    manifest: BundleManifest, files: Mapping[str, bytes], folders: frozenset[str], file_name: str
) -> None:
    """Refuse unless the zip holds exactly the files the manifest lists, with their hashes."""
    listed = _listed_paths(manifest, file_name)
    _check_listed_files_present(listed, files, folders, file_name)
    _check_no_unlisted_files(listed, files, file_name)
    _check_hashes(manifest, listed, files, file_name)


def _listed_paths(manifest: BundleManifest, file_name: str) -> dict[str, str]:
    """Every path the manifest lists, with where it is listed; refuses a bad or double listing."""
    listed: dict[str, str] = {}
    versions: dict[tuple[str, str], int] = {}
    for index, card in enumerate(manifest.cards):
        _check_listed_path(card.path, f"cards[{index}]", listed, file_name)
        key = (card.model, card.version)
        if key in versions:
            refuse(
                file_name,
                _join(MANIFEST_NAME, f"cards[{index}]"),
                f"model {card.model!r} version {card.version!r} is listed twice (also at "
                f"cards[{versions[key]}]); a bundle carries one card per model version",
            )
        versions[key] = index
    card_paths = {card.path for card in manifest.cards}
    for index, attachment in enumerate(manifest.attachments):
        _check_listed_path(attachment.path, f"attachments[{index}]", listed, file_name)
        if attachment.card not in card_paths:
            refuse(
                file_name,
                _join(MANIFEST_NAME, f"attachments[{index}].card"),
                f"names {attachment.card!r}, which is not a card listed in the manifest",
            )
    _check_artifacts(manifest, card_paths, file_name)
    for index, signature in enumerate(manifest.model_signatures or []):
        _check_listed_path(signature.path, f"model_signatures[{index}]", listed, file_name)
        _check_card_named(signature.card, card_paths, f"model_signatures[{index}].card", file_name)
    return listed


def _check_artifacts(manifest: BundleManifest, card_paths: set[str], file_name: str) -> None:
    """Each model file names a listed card, and no card names one file name twice."""
    named: dict[tuple[str, str], int] = {}
    for index, artifact in enumerate(manifest.artifacts or []):
        _check_card_named(artifact.card, card_paths, f"artifacts[{index}].card", file_name)
        key = (artifact.card, artifact.name)
        if key in named:
            refuse(
                file_name,
                _join(MANIFEST_NAME, f"artifacts[{index}].name"),
                f"{shown(artifact.name)!r} is named twice for {shown(artifact.card)!r} (also at "
                f"artifacts[{named[key]}]); a card names each model file once",
            )
        named[key] = index


def _check_card_named(card: str, card_paths: set[str], where: str, file_name: str) -> None:
    if card not in card_paths:
        refuse(
            file_name,
            _join(MANIFEST_NAME, where),
            f"names {card!r}, which is not a card listed in the manifest",
        )


def _check_listed_files_present(
    listed: dict[str, str], files: Mapping[str, bytes], folders: frozenset[str], file_name: str
) -> None:
    for path, where in listed.items():
        if path not in files:
            held = "only a folder of that name" if path in folders else "no such file"
            refuse(
                file_name,
                _join(MANIFEST_NAME, f"{where}.path"),
                f"lists {path!r}, but the bundle holds {held}",
            )


def _check_no_unlisted_files(
    listed: dict[str, str], files: Mapping[str, bytes], file_name: str
) -> None:
    for name in files:
        if name not in listed and name not in RESERVED_NAMES:
            refuse(
                file_name,
                shown(name),
                "the file is in the bundle but not listed in manifest.json; every file in a "
                "bundle must be listed with its SHA-256",
            )


def _check_hashes(
    manifest: BundleManifest, listed: dict[str, str], files: Mapping[str, bytes], file_name: str
) -> None:
    entries: list[ManifestCard | ManifestAttachment | ManifestModelSignature] = [
        *manifest.cards,
        *manifest.attachments,
        *(manifest.model_signatures or []),
    ]
    for signature in manifest.model_signatures or []:
        size = len(files[signature.path])
        if size > MAX_MODEL_SIGNATURE_BYTES:
            refuse(
                file_name,
                shown(signature.path),
                f"the model signature is {size:,} bytes, over the "
                f"{MAX_MODEL_SIGNATURE_BYTES:,}-byte limit for one (a signature of 1,000 files "
                "is about 200 KiB)",
            )
    for entry in entries:
        actual = hashlib.sha256(files[entry.path]).hexdigest()
        if actual != entry.sha256:
            refuse(
                file_name,
                shown(entry.path),
                f"the file's SHA-256 is {actual}, but manifest.json ({listed[entry.path]}.sha256) "
                f"says {entry.sha256}: the file was changed after the manifest was written",
            )


def _check_listed_path(path: str, where: str, listed: dict[str, str], file_name: str) -> None:
    field = _join(MANIFEST_NAME, f"{where}.path")
    reason = unsafe_path_reason(path)
    if reason is not None:
        refuse(file_name, field, f"{shown(path)!r}: {reason}")
    if path in RESERVED_NAMES:
        refuse(file_name, field, f"{path!r} is a name the bundle format keeps for itself")
    if path in listed:
        refuse(file_name, field, f"{path!r} is listed twice (also at {listed[path]})")
    listed[path] = where


def validation_problem(error: ValidationError) -> tuple[str, str]:
    """Where the first pydantic error is (a JSON path such as ``cards[2].sha256``) and
    what is wrong there, in words an officer understands (and how many more problems).
    """
    first = error.errors()[0]
    where = ""
    for part in first["loc"]:
        where += f"[{part}]" if isinstance(part, int) else (f".{part}" if where else str(part))
    more = error.error_count() - 1
    also = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
    return where, _explain(first) + also


_PLAIN_ERRORS = {
    "missing": "is missing",
    "extra_forbidden": "is not a key of this format version",
    "string_type": "must be text",
    "int_type": "must be a whole number",
    "list_type": "must be a list",
    "model_type": "must be an object",
    "dict_type": "must be an object",
    "too_short": "must not be empty",
}


def _explain(error: ErrorDetails) -> str:
    kind = error["type"]
    if kind in _PLAIN_ERRORS:
        return _PLAIN_ERRORS[kind]
    if kind == "string_too_long":
        return f"is longer than {(error.get('ctx') or {}).get('max_length')} characters"
    if kind == "value_error":
        return str(error["msg"]).removeprefix("Value error, ")
    return str(error["msg"])


def _join(entry: str, field: str) -> str:
    return f"{entry}: {field}" if field else entry


def _json_kind(value: object) -> str:
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return "text" if isinstance(value, str) else "null"
