"""Builders of card bundles for tests: good ones, signed ones, and hostile ones.

Good bundles are built from (path, bytes) card files, with the manifest
computed the way ``countersign bundle create`` would.  Hostile bundles are
written with :func:`raw_zip`, a small zip writer that does whatever it is told
(lying sizes, duplicate names, symlink modes, encryption flags), because
:mod:`zipfile` rightly refuses to write most of them.

Everything returns bytes; :func:`write` puts them in a file when a test needs
a path.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import stat
import struct
import warnings
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificateIssuerPrivateKeyTypes
from cryptography.x509.oid import NameOID

from countersign.formats.bundle import MAX_ENTRIES, guess_media_type
from countersign.formats.detect import read_card

NATIVE_CARDS = Path(__file__).resolve().parents[1] / "fixtures" / "cards" / "native"
"""The project's own native cards (credit-scorer 1.0.0 and 2.0.0, card-fraud-detector 3.1)."""

TEAM = "Credit Risk Analytics"
PRODUCER = "countersign tests"
CREATED = "2024-06-03T09:30:00+00:00"
GiB = 1024 * 1024 * 1024
MiB = 1024 * 1024

CardFile = tuple[str, bytes]
"""A card in a bundle: (path inside the bundle, exact bytes)."""

AttachmentFile = tuple[str, bytes, str]
"""An attachment: (path inside the bundle, exact bytes, path of the card it belongs to)."""


def sha256_hex(data: bytes) -> str:
    """SHA-256 of ``data`` in lowercase hex, as manifests state it."""
    return hashlib.sha256(data).hexdigest()


def native_card_bytes(file_name: str) -> bytes:
    """The bytes of one of the project's native fixture cards."""
    return (NATIVE_CARDS / file_name).read_bytes()


def tiny_png() -> bytes:
    """A valid 1x1 PNG (an ROC plot stand-in) built from its chunks."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x1f\x77\xb4")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def default_cards() -> list[CardFile]:
    """The credit-scorer 1.0.0 and 2.0.0 native cards, as bundle files."""
    return [
        ("credit-scorer-v1.json", native_card_bytes("credit-scorer-v1.json")),
        ("credit-scorer-v2.json", native_card_bytes("credit-scorer-v2.json")),
    ]


def default_attachments() -> list[AttachmentFile]:
    """An ROC plot attached to the credit-scorer 2.0.0 card."""
    return [("credit-scorer-v2/roc.png", tiny_png(), "credit-scorer-v2.json")]


def manifest_for(  # noqa: PLR0913  # a test builder: each keyword has a default; a test names what it changes
    cards: Sequence[CardFile],
    attachments: Sequence[AttachmentFile] = (),
    *,
    team: str = TEAM,
    producer: str = PRODUCER,
    created: str = CREATED,
    version: str = "1.0",
) -> dict[str, Any]:
    """The manifest (as JSON data, so tests can spoil it) for these files.

    Each card's model and version come from the card itself, read with
    :func:`read_card`; ``version`` stands in when a card states none.
    """
    entries = []
    for path, content in cards:
        read = read_card(content, path)
        details = read.card.model_details
        entries.append(
            {
                "path": path,
                "model": details.name or Path(path).stem,
                "version": details.version or version,
                "sha256": sha256_hex(content),
                "format": read.source_format,
            }
        )
    return {
        "format": "countersign-bundle",
        "format_version": 1,
        "team": team,
        "created": created,
        "producer": producer,
        "cards": entries,
        "attachments": [
            {
                "path": path,
                "card": card,
                "sha256": sha256_hex(content),
                "media_type": guess_media_type(path, content),
            }
            for path, content, card in attachments
        ],
    }


def manifest_json(manifest: dict[str, Any]) -> bytes:
    """Manifest data as the bytes of manifest.json."""
    return (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


@dataclass(frozen=True)
class Entry:
    """One zip entry for :func:`raw_zip`; every header field can be set to lie.

    ``file_size``, ``compress_size`` and ``crc`` default to the truth about
    ``content``; ``stored`` overrides the compressed bytes written.
    """

    name: str | bytes
    content: bytes = b""
    method: int = zipfile.ZIP_DEFLATED
    external_attr: int = (stat.S_IFREG | 0o644) << 16
    create_system: int = 3
    flag_bits: int = 0
    file_size: int | None = None
    compress_size: int | None = None
    crc: int | None = None
    stored: bytes | None = None
    extra: bytes = field(default=b"", repr=False)


def raw_zip(entries: Sequence[Entry], *, declared_count: int | None = None) -> bytes:
    """A zip file holding ``entries`` exactly as described, true or not."""
    local = bytearray()
    directory = bytearray()
    for entry in entries:
        if isinstance(entry.name, bytes):
            name, utf8 = entry.name, 0
        else:
            name, utf8 = entry.name.encode("utf-8"), 0 if entry.name.isascii() else 0x800
        data = entry.stored if entry.stored is not None else _compress(entry.content, entry.method)
        crc = entry.crc if entry.crc is not None else zlib.crc32(entry.content)
        size = entry.file_size if entry.file_size is not None else len(entry.content)
        packed = entry.compress_size if entry.compress_size is not None else len(data)
        flags = entry.flag_bits | utf8
        offset = len(local)
        dos_time, dos_date = 0x4BC0, 0x58C3  # 2024-06-03 09:30
        local += struct.pack(
            "<4s2B4HL2L2H",
            b"PK\x03\x04",
            20,
            0,
            flags,
            entry.method,
            dos_time,
            dos_date,
            crc,
            packed,
            size,
            len(name),
            len(entry.extra),
        )
        local += name + entry.extra + data
        directory += struct.pack(
            "<4s4B4HL2L5H2L",
            b"PK\x01\x02",
            20,
            entry.create_system,
            20,
            0,
            flags,
            entry.method,
            dos_time,
            dos_date,
            crc,
            packed,
            size,
            len(name),
            len(entry.extra),
            0,
            0,
            0,
            entry.external_attr,
            offset,
        )
        directory += name + entry.extra
    count = len(entries) if declared_count is None else declared_count
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, len(directory), len(local), 0)
    return bytes(local + directory + end)


def _compress(content: bytes, method: int) -> bytes:
    if method == zipfile.ZIP_DEFLATED:
        compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
        return compressor.compress(content) + compressor.flush()
    return content


def bundle_of(
    manifest: dict[str, Any] | bytes,
    files: Sequence[tuple[str, bytes]],
    *,
    extra: Sequence[Entry] = (),
) -> bytes:
    """A bundle: manifest.json (data or exact bytes), then ``files``, then ``extra`` entries."""
    data = manifest if isinstance(manifest, bytes) else manifest_json(manifest)
    entries = [Entry("manifest.json", data)]
    entries += [Entry(path, content) for path, content in files]
    return raw_zip([*entries, *extra])


def good_bundle(
    cards: Sequence[CardFile] | None = None,
    attachments: Sequence[AttachmentFile] | None = None,
    **manifest_fields: Any,
) -> bytes:
    """A bundle that passes every check (default: both credit-scorer cards and a plot)."""
    cards = default_cards() if cards is None else cards
    attachments = default_attachments() if attachments is None else attachments
    manifest = manifest_for(cards, attachments, **manifest_fields)
    return bundle_of(manifest, _files(cards, attachments))


def _files(
    cards: Sequence[CardFile], attachments: Sequence[AttachmentFile]
) -> list[tuple[str, bytes]]:
    return [*cards, *((path, content) for path, content, _card in attachments)]


def write(folder: Path, file_name: str, data: bytes) -> Path:
    """Write bundle bytes to ``folder/file_name`` and return the path."""
    path = folder / file_name
    path.write_bytes(data)
    return path


# --- signatures ------------------------------------------------------------


@dataclass(frozen=True)
class TeamSigner:
    """A throwaway team credential: a private key and a self-signed certificate."""

    key: CertificateIssuerPrivateKeyTypes
    certificate: x509.Certificate

    def sign(self, data: bytes) -> bytes:
        """A signature over ``data`` (ECDSA SHA-256 for EC keys, PKCS#1 v1.5 for RSA)."""
        if isinstance(self.key, ec.EllipticCurvePrivateKey):
            return self.key.sign(data, ec.ECDSA(hashes.SHA256()))
        assert isinstance(self.key, rsa.RSAPrivateKey)
        return self.key.sign(data, padding.PKCS1v15(), hashes.SHA256())

    def certificate_pem(self) -> bytes:
        """The certificate as PEM, the content of signer.pem."""
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    def fingerprint(self) -> str:
        """SHA-256 (hex) of the certificate's DER encoding."""
        return self.certificate.fingerprint(hashes.SHA256()).hex()

    def key_pem(self, passphrase: bytes | None = None) -> bytes:
        """The private key as PKCS#8 PEM, encrypted when a passphrase is given."""
        encryption: serialization.KeySerializationEncryption = (
            serialization.BestAvailableEncryption(passphrase)
            if passphrase
            else serialization.NoEncryption()
        )
        return self.key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
        )

    def write(self, folder: Path, passphrase: bytes | None = None) -> tuple[Path, Path]:
        """Write ``team-key.pem`` and ``team-cert.pem`` into ``folder``: (key, certificate)."""
        key_path = folder / "team-key.pem"
        cert_path = folder / "team-cert.pem"
        key_path.write_bytes(self.key_pem(passphrase))
        cert_path.write_bytes(self.certificate_pem())
        return key_path, cert_path


def make_signer(
    common_name: str = "Credit Risk Analytics release signing",
    key: CertificateIssuerPrivateKeyTypes | None = None,
) -> TeamSigner:
    """A team signer with a fresh ECDSA P-256 key (or ``key``) and a self-signed certificate."""
    key = key if key is not None else ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Example Bank"),
        ]
    )
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return TeamSigner(key=key, certificate=certificate)


@cache
def rsa_signer() -> TeamSigner:
    """A signer with an RSA-2048 key, which bundles must not use (made once: RSA is slow)."""
    return make_signer("RSA signer", rsa.generate_private_key(public_exponent=65537, key_size=2048))


def signed_bundle(
    cards: Sequence[CardFile] | None = None,
    attachments: Sequence[AttachmentFile] | None = None,
    *,
    signer: TeamSigner | None = None,
    tamper: bool = False,
    signature: bytes | None = None,
) -> bytes:
    """A good bundle with manifest.sig and signer.pem.

    ``tamper`` changes the team in manifest.json *after* signing (the files
    still match their hashes, so only the signature can tell); ``signature``
    replaces the signature bytes outright.
    """
    signer = signer or make_signer()
    cards = default_cards() if cards is None else cards
    attachments = default_attachments() if attachments is None else attachments
    manifest = manifest_for(cards, attachments)
    data = manifest_json(manifest)
    sig = signature if signature is not None else signer.sign(data)
    if tamper:
        data = manifest_json({**manifest, "team": "Someone Else"})
    return bundle_of(
        data,
        _files(cards, attachments),
        extra=[Entry("manifest.sig", sig), Entry("signer.pem", signer.certificate_pem())],
    )


# --- hostile bundles -------------------------------------------------------


def with_entries(*extra: Entry) -> bytes:
    """A good bundle plus extra zip entries (not in the manifest)."""
    cards, attachments = default_cards(), default_attachments()
    return bundle_of(manifest_for(cards, attachments), _files(cards, attachments), extra=extra)


def with_manifest(manifest: dict[str, Any] | bytes) -> bytes:
    """The default files under a given (usually spoiled) manifest."""
    return bundle_of(manifest, _files(default_cards(), default_attachments()))


def good_manifest() -> dict[str, Any]:
    """The manifest of :func:`good_bundle`, as data to spoil."""
    return manifest_for(default_cards(), default_attachments())


def zeros_deflated(size: int) -> bytes:
    """A raw deflate stream that inflates to ``size`` zero bytes, built in milliseconds.

    After a full flush the compressor's output for each block of zeros is the
    same bytes, so the stream is one block repeated; ``size`` must be a
    multiple of 1 MiB.
    """
    assert size % MiB == 0
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(bytes(MiB)) + compressor.flush(zlib.Z_FULL_FLUSH)
    again = compressor.compress(bytes(MiB)) + compressor.flush(zlib.Z_FULL_FLUSH)
    assert block == again
    return block * (size // MiB) + compressor.flush()


def crc32_of_zeros(size: int) -> int:
    """CRC-32 of ``size`` zero bytes without reading them: CRC is affine, so square it.

    ``size`` must be a power-of-two multiple of 64 KiB.
    """
    step = 64 * 1024
    zeros = bytes(step)
    constant = zlib.crc32(zeros, 0)
    columns = [zlib.crc32(zeros, 1 << bit) ^ constant for bit in range(32)]

    def apply(value: int, columns: list[int], constant: int) -> int:
        result = constant
        for bit in range(32):
            if value >> bit & 1:
                result ^= columns[bit]
        return result

    while step < size:
        new_constant = apply(constant, columns, constant)
        columns = [apply(constant ^ col, columns, constant) ^ new_constant for col in columns]
        constant = new_constant
        step *= 2
    assert step == size
    return constant


def zip_bomb(size: int = GiB) -> bytes:
    """A bundle whose card really inflates to ``size`` bytes of zeros (about 1 MiB per GiB).

    Everything is true: manifest, sizes and CRC.  Only the size gives it away.
    """
    card = Entry(
        "bomb.json",
        stored=zeros_deflated(size),
        file_size=size,
        crc=crc32_of_zeros(size),
    )
    manifest = good_manifest()
    manifest["cards"].append(
        {
            "path": "bomb.json",
            "model": "bomb",
            "version": "1",
            "sha256": "0" * 64,  # never reached: the bomb is refused before it is read
        }
    )
    return bundle_of(manifest, _files(default_cards(), default_attachments()), extra=[card])


def high_ratio_bundle() -> bytes:
    """A 2 MiB attachment of zeros, deflated about 1000:1: small, but shaped like a bomb."""
    cards = default_cards()
    attachments = [("credit-scorer-v2/zeros.csv", bytes(2 * MiB), "credit-scorer-v2.json")]
    return good_bundle(cards, attachments)


def oversized_entry_bundle(size: int = 65 * MiB) -> bytes:
    """An entry whose header declares ``size`` bytes, stored (ratio 1:1); the data is absent."""
    return with_entries(
        Entry("big.csv", method=zipfile.ZIP_STORED, stored=b"", file_size=size, compress_size=size)
    )


def over_total_bundle() -> bytes:
    """Nine stored entries declaring 60 MiB each: each under the entry limit, over the total."""
    return with_entries(
        *(
            Entry(
                f"part-{index}.csv",
                method=zipfile.ZIP_STORED,
                stored=b"",
                file_size=60 * MiB,
                compress_size=60 * MiB,
            )
            for index in range(9)
        )
    )


def lying_size_bundle() -> bytes:
    """A card whose header declares 100 bytes but whose data inflates to 2 MiB."""
    content = bytes(2 * MiB)
    manifest = good_manifest()
    return bundle_of(
        manifest,
        _files(default_cards(), default_attachments()),
        extra=[Entry("liar.json", content, file_size=100)],
    )


def too_many_entries_bundle(count: int = MAX_ENTRIES + 1) -> bytes:
    """A bundle with ``count`` tiny entries in all."""
    # manifest.json, two cards and a plot are already there.
    extra = [Entry(f"notes/{index:05}.txt", b"") for index in range(count - 4)]
    return with_entries(*extra)


def symlink_bundle() -> bytes:
    """An entry whose Unix mode says symbolic link (to /etc/passwd)."""
    return with_entries(
        Entry("passwd.md", b"/etc/passwd", external_attr=(stat.S_IFLNK | 0o777) << 16)
    )


def encrypted_bundle() -> bytes:
    """An entry flagged as encrypted (traditional PKWARE encryption)."""
    return with_entries(Entry("secret.md", b"\x00" * 40, method=zipfile.ZIP_STORED, flag_bits=0x1))


def path_bundle(name: str) -> bytes:
    """A good bundle plus an entry named ``name`` ("../evil", "/etc/cron.d/x", "C:/x", ...)."""
    return with_entries(Entry(name, b"# evil\n"))


def duplicate_names_bundle() -> bytes:
    """Two zip entries named credit-scorer-v1.json (the second one different)."""
    return with_entries(Entry("credit-scorer-v1.json", b'{"format": "countersign-card"}'))


def duplicate_names_by_zipfile() -> bytes:
    """The same duplicate written by Python's zipfile (which warns but writes it)."""
    cards, attachments = default_cards(), default_attachments()
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("manifest.json", manifest_json(manifest_for(cards, attachments)))
            for path, content in _files(cards, attachments):
                archive.writestr(path, content)
            archive.writestr(cards[0][0], b"{}")
    return buffer.getvalue()


def truncated_bundle() -> bytes:
    """The first half of a good bundle, as a broken download leaves it."""
    data = good_bundle()
    return data[: len(data) // 2]


def corrupt_crc_bundle() -> bytes:
    """A good bundle with one byte of a stored card changed: its CRC no longer matches."""
    cards = default_cards()
    files = [Entry("manifest.json", manifest_json(manifest_for(cards)))]
    files += [Entry(path, content, method=zipfile.ZIP_STORED) for path, content in cards]
    data = bytearray(raw_zip(files))
    position = data.index(b'"credit-scorer"')
    data[position + 1] ^= 0x20  # "credit" -> "Credit"
    return bytes(data)


def bad_header_bundle() -> bytes:
    """A good bundle whose second local file header has lost its signature."""
    data = bytearray(good_bundle())
    second = data.index(b"PK\x03\x04", 4)
    data[second : second + 4] = b"PX\x03\x04"
    return bytes(data)


def empty_zip() -> bytes:
    """A valid zip file with no entries at all."""
    return raw_zip([])
