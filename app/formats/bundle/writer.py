"""Writing card bundles: from a folder of cards, or from a manifest and file contents.

Every bundle written here first passes :func:`~countersign.formats.bundle.reader.read_bundle`,
so Countersign never writes a bundle it would refuse, and it is written
atomically (a temporary file in the same folder, then a rename), so a failed
write leaves nothing behind.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import os
import secrets
import stat
import zipfile
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NotRequired, TypedDict, TypeVar, Unpack

from pydantic import ValidationError

from countersign.formats.base import CardRefused
from countersign.formats.bundle.reader import OpenedBundle, read_bundle, validation_problem
from countersign.formats.bundle.signing import BundleSigner, load_signer
from countersign.formats.bundle.zip_archive import (
    MANIFEST_NAME,
    MAX_ENTRY_BYTES,
    MAX_RATIO,
    RATIO_FLOOR_BYTES,
    SIGNATURE_NAME,
    SIGNER_NAME,
    mib,
    refuse,
    unsafe_path_reason,
)
from countersign.formats.detect import read_cards
from countersign.formats.media_types import guess_media_type
from countersign.models.manifest import (
    BundleManifest,
    ManifestArtifact,
    ManifestAttachment,
    ManifestCard,
    ManifestModelSignature,
)
from countersign.plain_files import open_plain, read_plain


def manifest_json_bytes(manifest: BundleManifest) -> bytes:
    """The manifest as written into a bundle: indented UTF-8 JSON; these bytes are signed."""
    text = manifest.model_dump_json(indent=2, exclude_none=True)
    return (text + "\n").encode("utf-8")


def build_bundle(
    manifest: BundleManifest, files: Mapping[str, bytes], *, signer: BundleSigner | None = None
) -> bytes:
    """The bytes of a bundle holding ``manifest`` and ``files`` (path -> content), signed if asked.

    ``files`` must hold exactly the paths the manifest lists (else ValueError:
    a mistake of the caller, not of the input).  The result is not checked;
    :func:`write_bundle` checks it before writing.
    """
    listed = [card.path for card in manifest.cards]
    listed += [attachment.path for attachment in manifest.attachments]
    listed += [signature.path for signature in manifest.model_signatures or []]
    missing = [path for path in listed if path not in files]
    unlisted = sorted(set(files) - set(listed))
    if missing or unlisted:
        raise ValueError(f"files do not match the manifest: missing {missing}, unlisted {unlisted}")
    manifest_data = manifest_json_bytes(manifest)
    entries = [(MANIFEST_NAME, manifest_data)]
    if signer is not None:
        entries += [
            (SIGNATURE_NAME, signer.sign(manifest_data)),
            (SIGNER_NAME, signer.certificate_pem()),
        ]
    entries += [(path, files[path]) for path in listed]
    moment = manifest.created_at().astimezone(datetime.UTC)
    # Zip timestamps run from 1980 to 2107.
    stamp = min(
        max(
            (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second),
            (1980, 1, 1, 0, 0, 0),
        ),
        (2107, 12, 31, 23, 59, 58),
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.create_system = 3  # Unix, so that external_attr says "regular file"
            info.external_attr = (stat.S_IFREG | 0o644) << 16
            info.compress_type = _compression_for(content)
            archive.writestr(info, content)
    return buffer.getvalue()


def write_bundle(
    output: Path,
    manifest: BundleManifest,
    files: Mapping[str, bytes],
    *,
    signer: BundleSigner | None = None,
) -> OpenedBundle:
    """Write a bundle to ``output`` atomically, after checking it as an importer would.

    Raises :class:`BundleRefused` when the bundle would not pass
    :func:`read_bundle` (then nothing is written), OSError when the file
    cannot be written.
    """
    data = build_bundle(manifest, files, signer=signer)
    opened = read_bundle(data, output.name)
    _write_atomically(output, data)
    return opened


@dataclass(frozen=True)
class TeamKeyFiles:
    """The team's signing key and its certificate (PEM files), and the key's passphrase."""

    key: Path
    certificate: Path
    passphrase: bytes | None = None


class BundleOptions(TypedDict):
    """What :func:`create_bundle` writes besides the cards.

    Who made it (``producer``), and by choice a signature, the model version of
    cards that state none, the model files (artifacts) of its one card, and the
    team's OpenSSF model signatures of those files.
    """

    producer: str
    signing: NotRequired[TeamKeyFiles | None]
    version: NotRequired[str | None]
    artifacts: NotRequired[Sequence[Path]]
    model_signatures: NotRequired[Sequence[Path]]


def create_bundle(
    folder: Path, output: Path, team: str, **options: Unpack[BundleOptions]
) -> BundleManifest:
    """Write a bundle from a folder of cards, signed with ``signing``'s key when given.

    Each file directly in ``folder`` must be a card; a sub-folder named after
    a card file's stem (``credit-scorer/`` for ``credit-scorer.md``) holds that
    card's attachments.  ``version`` stands for the model version of cards that
    state none.  ``artifacts`` are the card's model files (named with their
    SHA-256, not carried) and ``model_signatures`` the team's OpenSSF model
    signatures of them (``model_signing sign key``), carried under
    ``model-signatures/``.  Raises :class:`BundleRefused` naming the file at
    fault, and then writes nothing.
    """
    signing, version = options.get("signing"), options.get("version")
    if not folder.is_dir():
        refuse(str(folder), "", "is not a folder of cards")
    if output.resolve().parent == folder.resolve():
        refuse(
            str(output),
            "",
            "the bundle would be written inside the folder of cards it is made from; "
            "write it somewhere else",
        )
    signer = None
    if signing is not None:
        signer = load_signer(signing.key, signing.certificate, signing.passphrase)
    children = sorted(folder.iterdir(), key=lambda child: child.name)
    for child in children:
        if not child.is_file() and not child.is_dir():
            refuse(str(child), "", "is neither a file nor a folder")
    cards, files = _collect_cards([c for c in children if c.is_file()], version)
    if not cards:
        refuse(str(folder), "", "the folder holds no card files")
    attachments = _collect_attachments(folder, [c for c in children if c.is_dir()], cards, files)
    artifact_entries, signature_entries = _model_file_entries(folder, cards, files, options)
    try:
        manifest = BundleManifest(
            team=team,
            created=datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            producer=options["producer"],
            cards=sorted(cards, key=lambda card: card.path),
            attachments=sorted(attachments, key=lambda attachment: attachment.path),
            artifacts=artifact_entries or None,
            model_signatures=signature_entries or None,
        )
    except ValidationError as error:
        refuse(str(output), *validation_problem(error))
    write_bundle(output, manifest, files, signer=signer)
    return manifest


def _model_file_entries(
    folder: Path, cards: list[ManifestCard], files: dict[str, bytes], options: BundleOptions
) -> tuple[list[ManifestArtifact], list[ManifestModelSignature]]:
    """The model files of the folder's one card and the team's signatures of them."""
    artifacts = options.get("artifacts", ())
    signatures = options.get("model_signatures", ())
    if (artifacts or signatures) and len(cards) != 1:
        refuse(
            str(folder),
            "",
            f"model files (--artifact) go with one card, and the folder holds {len(cards)}; "
            "make one bundle per card",
        )
    return (
        [_artifact_entry(path, cards[0].path) for path in artifacts],
        [_model_signature_entry(path, cards[0].path, files) for path in signatures],
    )


MODEL_SIGNATURES_FOLDER = "model-signatures"
"""Where a bundle written here carries the teams' model signatures."""


def _model_signature_entry(
    path: Path, card: str, files: dict[str, bytes]
) -> ManifestModelSignature:
    """A model signature file, carried under ``model-signatures/`` with its SHA-256."""
    if not path.is_file():
        refuse(str(path), "", "is not a file")
    content = _read_local(path)
    inside = f"{MODEL_SIGNATURES_FOLDER}/{path.name}"
    if inside in files:
        refuse(str(path), "", f"another model signature is also named {path.name}")
    files[inside] = content
    return ManifestModelSignature(
        path=inside, card=card, sha256=hashlib.sha256(content).hexdigest()
    )


def _artifact_entry(path: Path, card: str) -> ManifestArtifact:
    """A model file's name, SHA-256 and size, read in blocks (weights can be gigabytes)."""
    digest = hashlib.sha256()
    size = 0
    try:
        with open_plain(path) as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
                size += len(block)
    except OSError as error:
        refuse(str(path), "", f"cannot be read: {error.strerror or error}")
    return ManifestArtifact(card=card, name=path.name, sha256=digest.hexdigest(), size=size)


def _collect_cards(
    paths: list[Path], version: str | None
) -> tuple[list[ManifestCard], dict[str, bytes]]:
    """Read each file as a card; its model and version come from the card."""
    cards: list[ManifestCard] = []
    files: dict[str, bytes] = {}
    versions: dict[tuple[str, str], Path] = {}
    for path in paths:
        data = _read_local(path)
        try:
            reads = read_cards(data, path.name)
        except CardRefused as error:
            refuse(str(path), error.field, f"not a card Countersign can read: {error.reason}")
        if len(reads) > 1:
            names = ", ".join(repr(r.card.model_details.name) for r in reads)
            refuse(
                str(path),
                "components",
                f"a BOM with {len(reads)} model cards ({names}), and a bundle entry holds one "
                "model: put one model per BOM in the folder, or import the BOM as a loose "
                "file (every model in it lands)",
            )
        read = reads[0]
        details = read.card.model_details
        model = details.name.strip() or path.stem
        card_version = details.version.strip() or (version or "").strip()
        if not card_version:
            refuse(
                str(path),
                "model_details.version",
                "the card does not say which version of the model it describes; add the "
                "version to the card, or pass --version",
            )
        other = versions.setdefault((model, card_version), path)
        if other != path:
            refuse(
                str(path),
                "model_details",
                f"describes {model} version {card_version}, as {other.name} does; a bundle "
                "carries one card per model version",
            )
        cards.append(
            _manifest_entry(
                ManifestCard,
                path,
                path=path.name,
                model=model,
                version=card_version,
                sha256=hashlib.sha256(data).hexdigest(),
                format=read.source_format,
            )
        )
        files[path.name] = data
    return cards, files


def _collect_attachments(
    folder: Path, folders: list[Path], cards: list[ManifestCard], files: dict[str, bytes]
) -> list[ManifestAttachment]:
    """Read the files in each card's sub-folder as its attachments (adding them to ``files``)."""
    by_stem: dict[str, list[str]] = {}
    for card in cards:
        by_stem.setdefault(Path(card.path).stem, []).append(card.path)
    attachments: list[ManifestAttachment] = []
    for sub in folders:
        owners = by_stem.get(sub.name, [])
        if not owners:
            refuse(
                str(sub),
                "",
                "the folder is not named after any card; attachments go in a folder named "
                "after their card's file (credit-scorer/ for credit-scorer.md)",
            )
        if len(owners) > 1:
            refuse(
                str(sub),
                "",
                f"the folder could belong to {' or '.join(owners)}; give those cards "
                "different names",
            )
        for path in _files_under(sub):
            data = _read_local(path)
            relative = path.relative_to(folder).as_posix()
            files[relative] = data
            attachments.append(
                _manifest_entry(
                    ManifestAttachment,
                    path,
                    path=relative,
                    card=owners[0],
                    sha256=hashlib.sha256(data).hexdigest(),
                    media_type=guess_media_type(path.name, data),
                )
            )
    return attachments


def _files_under(folder: Path) -> list[Path]:
    """Every file under ``folder``, sorted; anything neither file nor folder is refused."""
    found: list[Path] = []
    for child in sorted(folder.iterdir(), key=lambda child: child.name):
        if child.is_dir():
            found.extend(_files_under(child))
        elif child.is_file():
            found.append(child)
        else:
            refuse(str(child), "", "is neither a file nor a folder")
    return found


_Entry = TypeVar("_Entry", ManifestCard, ManifestAttachment)


def _manifest_entry(kind: type[_Entry], source: Path, **fields: str) -> _Entry:
    """A manifest entry for the file ``source``, refusing it by name if it cannot be one."""
    reason = unsafe_path_reason(fields["path"])
    if reason is not None:
        refuse(str(source), "", f"cannot go into a bundle: {reason}")
    try:
        return kind(**fields)
    except ValidationError as error:
        refuse(str(source), *validation_problem(error))


def _read_local(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_ENTRY_BYTES:
            refuse(
                str(path),
                "",
                f"the file is {mib(size)}, over the {mib(MAX_ENTRY_BYTES)} limit for a "
                "file in a bundle",
            )
        return read_plain(path)
    except OSError as error:
        refuse(str(path), "", f"the file cannot be read: {error.strerror or error}")


def _compression_for(content: bytes) -> int:
    """Deflate, unless that gains nothing or gives a ratio readers refuse as a zip bomb."""
    deflated = zlib.compressobj(6, zlib.DEFLATED, -15)
    size = len(deflated.compress(content)) + len(deflated.flush())
    if size >= len(content):
        return zipfile.ZIP_STORED
    if len(content) > RATIO_FLOOR_BYTES and len(content) > MAX_RATIO * size:
        return zipfile.ZIP_STORED
    return zipfile.ZIP_DEFLATED


def _write_atomically(output: Path, data: bytes) -> None:
    """Write via a temporary file in the same folder, so a failure leaves nothing behind."""
    if not output.parent.is_dir():
        refuse(str(output), "", f"the folder {output.parent} does not exist")
    # Opened with "x" (never an existing file) rather than mkstemp, so the
    # bundle gets the user's usual permissions instead of owner-only ones.
    temporary = output.parent / f".{output.name}.{secrets.token_hex(8)}.part"
    try:
        with temporary.open("xb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, output)
    except OSError as error:
        # A full disk or a folder that cannot be written says "No space left on device"
        # with no file named: name the bundle being written.
        temporary.unlink(missing_ok=True)
        refuse(
            str(output),
            "",
            f"cannot be written ({error.strerror or error}); nothing was written",
        )
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
