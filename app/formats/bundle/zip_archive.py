"""The zip layer of card bundles: reading an untrusted zip archive within fixed bounds.

A bundle is hostile until checked.  Entry count, directory size, each entry's
size and compression ratio and the total are checked from the zip's own
records *before* anything is inflated, so a zip bomb is refused in
milliseconds; the real bytes are then counted while each entry is inflated in
chunks, because headers can lie.  Paths are checked so that none could climb
out of the bundle, and links, special files and encrypted entries are refused.
Everything is read into memory: nothing is extracted to disk, nothing executed.
"""

from __future__ import annotations

import io
import lzma
import re
import stat
import struct
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import NoReturn

from countersign.errors import InputRefused
from countersign.models.manifest import MAX_PATH_CHARS

MiB = 1024 * 1024

MANIFEST_NAME = "manifest.json"
SIGNATURE_NAME = "manifest.sig"
SIGNER_NAME = "signer.pem"
RESERVED_NAMES = frozenset({MANIFEST_NAME, SIGNATURE_NAME, SIGNER_NAME})
"""Names at the root of a bundle that the format itself uses; never cards or attachments."""

MAX_BUNDLE_BYTES = 512 * MiB
"""A bundle file larger than this is refused before it is read."""

MAX_ENTRY_BYTES = 64 * MiB
"""No file inside a bundle may unpack to more than this."""

MAX_TOTAL_BYTES = 512 * MiB
"""All files inside a bundle together may not unpack to more than this."""

MAX_ENTRIES = 10_000
"""A bundle with more zip entries than this is refused."""

MAX_RATIO = 100
"""Largest compression ratio accepted for an entry that unpacks to over RATIO_FLOOR_BYTES."""

RATIO_FLOOR_BYTES = 1 * MiB
"""Entries that unpack to no more than this may have any compression ratio."""

MAX_DIRECTORY_BYTES = 4 * MiB
"""Largest zip central directory read (ample for MAX_ENTRIES entries)."""

MAX_MANIFEST_BYTES = 16 * MiB
"""Largest manifest.json accepted."""

MAX_SIGNATURE_BYTES = 1024
"""Largest manifest.sig accepted (a DER ECDSA P-256 signature is at most 72 bytes)."""

MAX_SIGNER_BYTES = 64 * 1024
"""Largest signer.pem accepted."""

_SMALL_LIMITS = {
    MANIFEST_NAME: MAX_MANIFEST_BYTES,
    SIGNATURE_NAME: MAX_SIGNATURE_BYTES,
    SIGNER_NAME: MAX_SIGNER_BYTES,
}
_READ_CHUNK = 1 * MiB
_CONTROL = re.compile("[\x00-\x1f\x7f]")
_READABLE_METHODS = frozenset(
    {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}
)
_ENCRYPTED_FLAGS = 0x0001 | 0x0040  # traditional PKWARE and strong encryption
# What zipfile and its decompressors raise on damaged input.  Anything else
# escaping from here is a bug and belongs on the crash path.
_DAMAGED = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    EOFError,
    OSError,
    ValueError,
    NotImplementedError,
    OverflowError,
    struct.error,
    zlib.error,
    lzma.LZMAError,
)


class BundleRefused(InputRefused):
    """A bundle Countersign will not take, naming the bundle file and the entry or field."""


@dataclass(frozen=True)
class ZipContents:
    """The files of a checked zip archive, by entry name, and the names of its folder entries."""

    files: dict[str, bytes]
    folders: frozenset[str]


def read_zip(data: bytes, file_name: str) -> ZipContents:
    """Check the zip archive in ``data`` entry by entry, then read its files into memory.

    Raises :class:`BundleRefused` for a file that is no zip, a damaged or
    truncated one, and any entry outside the bounds above.
    """
    files: dict[str, bytes] = {}
    folders: set[str] = set()
    with checked_zip(data, file_name) as archive:
        for info in archive.infos:
            if info.is_dir():
                folders.add(info.filename.rstrip("/"))
            else:
                files[info.filename] = archive.read(info)
    return ZipContents(files=files, folders=frozenset(folders))


class CheckedZip:
    """A zip archive checked from its records (:func:`checked_zip`), whose entries are
    inflated one at a time within the bounds, the total counted across them."""

    def __init__(self, data: bytes, archive: zipfile.ZipFile, file_name: str) -> None:
        self.infos = archive.infolist()
        self._data = data
        self._archive = archive
        self._file_name = file_name
        self._total = 0

    def read(self, info: zipfile.ZipInfo) -> bytes:
        """The bytes of the file entry ``info`` (one of :attr:`infos`); raises
        :class:`BundleRefused` if it is damaged or breaks a bound."""
        room = MAX_TOTAL_BYTES - self._total
        content = _inflated(self._data, info, room)
        if content is None:  # anything unusual: zipfile's reading, and its refusals
            content = _read_entry(self._archive, info, self._file_name, room)
        self._total += len(content)
        return content


@contextmanager
def checked_zip(data: bytes, file_name: str) -> Iterator[CheckedZip]:
    """The zip archive in ``data``, checked from its records before anything is inflated.

    Raises :class:`BundleRefused` for a file that is no zip, a damaged or
    truncated one, and any entry whose record is outside the bounds above.
    """
    if len(data) > MAX_BUNDLE_BYTES:
        refuse(
            file_name,
            "",
            f"the file is {mib(len(data))}, over the {mib(MAX_BUNDLE_BYTES)} limit for a bundle",
        )
    if not data:
        refuse(file_name, "", "the file is empty")
    if not data.startswith(b"PK"):
        refuse(
            file_name,
            "",
            "the file is not a zip file; a card bundle is a zip file written by "
            "`countersign bundle create`",
        )
    _check_directory_record(data, file_name)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except _DAMAGED as error:
        refuse(file_name, "", f"the zip file is truncated or damaged ({error}); {_SEND_AGAIN}")
    with archive:
        checked = CheckedZip(data, archive, file_name)
        _check_headers(checked.infos, file_name)
        yield checked


def unsafe_path_reason(name: str, *, folder: bool = False) -> str | None:
    """Why ``name`` is not a safe relative path inside a bundle, or ``None`` when it is.

    ``folder`` allows the one trailing ``/`` of a zip folder entry.
    """
    if not name:
        return "the path is empty"
    if len(name) > MAX_PATH_CHARS:
        return f"the path is longer than {MAX_PATH_CHARS} characters"
    if _CONTROL.search(name):
        return "the path holds control characters"
    if "\\" in name:
        return "the path holds a backslash; paths in a bundle use '/' and stay inside it"
    if name.startswith("/"):
        return "the path is absolute; paths in a bundle must stay inside it"
    if len(name) >= 2 and name[1] == ":" and name[0].isascii() and name[0].isalpha():
        return "the path starts with a drive letter; paths in a bundle must stay inside it"
    parts = (name[:-1] if folder and name.endswith("/") else name).split("/")
    if ".." in parts:
        return "the path climbs out of the bundle with '..'"
    if any(part in ("", ".") for part in parts):
        return "the path has an empty or '.' component; give a plain relative path"
    return None


def refuse(file_name: str, field: str, reason: str) -> NoReturn:
    """Raise :class:`BundleRefused` (a helper that tells the type checker it never returns)."""
    raise BundleRefused(file_name, field, reason)


def shown(name: str) -> str:
    """A name fit for a message: control characters made visible."""
    if name.isprintable():
        return name
    return "".join(char if char.isprintable() else f"\\x{ord(char):02x}" for char in name)


def mib(size: int) -> str:
    """A size for a message: whole MiB when large, bytes when small."""
    return f"{size / MiB:,.0f} MiB" if size >= MiB else f"{size:,} bytes"


_SEND_AGAIN = "ask the team to send it again"
_EOCD = struct.Struct("<4s4H2LH")
_EOCD64_LOCATOR = struct.Struct("<4sLQL")
_EOCD64 = struct.Struct("<4sQ2H2L4Q")


def _check_directory_record(data: bytes, file_name: str) -> None:
    """Refuse, from the end-of-directory record alone, a zip with too many entries.

    zipfile builds an object per directory entry before anyone can count them,
    so the declared count and directory size are checked first.
    """
    record = _directory_record(data)
    if record is None:
        refuse(
            file_name,
            "",
            f"the zip file is truncated or damaged (its directory at the end is missing); "
            f"{_SEND_AGAIN}",
        )
    entries, directory_size = record
    if entries > MAX_ENTRIES:
        refuse(file_name, "", _too_many(entries))
    if directory_size > MAX_DIRECTORY_BYTES:
        refuse(
            file_name,
            "",
            f"the zip directory is {mib(directory_size)}, over the "
            f"{mib(MAX_DIRECTORY_BYTES)} limit",
        )


def _directory_record(data: bytes) -> tuple[int, int] | None:
    """(declared entries, directory size) from the zip's end records, or None if absent."""
    last = len(data) - _EOCD.size
    if last < 0:
        return None
    if data[last : last + 4] == b"PK\x05\x06":
        position = last
    else:
        # A zip comment (at most 64 KiB) may follow the record.
        position = data.rfind(b"PK\x05\x06", max(0, last - 0xFFFF), last)
    if position < 0:
        return None
    fields = _EOCD.unpack_from(data, position)
    entries, directory_size, directory_offset = fields[4], fields[5], fields[6]
    if entries == 0xFFFF or 0xFFFFFFFF in (directory_size, directory_offset):
        locator = position - _EOCD64_LOCATOR.size
        if locator >= 0 and data[locator : locator + 4] == b"PK\x06\x07":
            offset = _EOCD64_LOCATOR.unpack_from(data, locator)[2]
            if offset + _EOCD64.size <= len(data) and data[offset : offset + 4] == b"PK\x06\x06":
                record = _EOCD64.unpack_from(data, offset)
                entries, directory_size = record[7], record[8]
    return entries, directory_size


def _check_headers(infos: list[zipfile.ZipInfo], file_name: str) -> None:
    """Refuse from the directory records alone, before inflating anything."""
    if not infos:
        refuse(file_name, "", "the bundle is empty: the zip file holds no files")
    if len(infos) > MAX_ENTRIES:
        refuse(file_name, "", _too_many(len(infos)))
    seen: set[str] = set()
    declared = 0
    for info in infos:
        _check_entry_header(info, file_name)
        if info.orig_filename in seen:
            refuse(
                file_name,
                shown(info.orig_filename),
                "the zip holds two entries of this name; which one counts would be a guess",
            )
        seen.add(info.orig_filename)
        declared += info.file_size
        if declared > MAX_TOTAL_BYTES:
            refuse(file_name, "", _over_total())


def _check_entry_header(info: zipfile.ZipInfo, file_name: str) -> None:
    """Refuse one entry from its directory record: path, kind, encryption, sizes."""
    _check_entry_kind(info, file_name)
    if info.is_dir():
        if info.file_size:
            refuse(file_name, shown(info.orig_filename), "the entry is a folder but holds data")
        return
    _check_entry_sizes(info, file_name)


def _check_entry_kind(info: zipfile.ZipInfo, file_name: str) -> None:
    """Refuse an entry whose path is unsafe, or that is no plain file or folder, or unreadable."""
    name = info.orig_filename
    where = shown(name)
    reason = unsafe_path_reason(name, folder=True)
    if reason is not None:
        refuse(file_name, where, reason)
    kind = stat.S_IFMT(info.external_attr >> 16)
    if kind == stat.S_IFLNK:
        refuse(file_name, where, "the entry is a symbolic link; a bundle holds plain files only")
    if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
        refuse(
            file_name,
            where,
            "the entry is a special file (a device, pipe or socket); a bundle holds "
            "plain files only",
        )
    if info.flag_bits & _ENCRYPTED_FLAGS:
        refuse(
            file_name,
            where,
            "the entry is encrypted; bundles are not encrypted (a signature proves who sent them)",
        )
    if info.compress_type not in _READABLE_METHODS:
        refuse(
            file_name,
            where,
            f"the entry is compressed with zip method {info.compress_type}, which Countersign "
            "does not read (use deflate)",
        )


def _check_entry_sizes(info: zipfile.ZipInfo, file_name: str) -> None:
    """Refuse a file that unpacks too large, or far larger than it is packed (a zip bomb)."""
    name = info.orig_filename
    where = shown(name)
    if info.file_size > MAX_ENTRY_BYTES:
        refuse(
            file_name,
            where,
            f"the file unpacks to {mib(info.file_size)}, over the {mib(MAX_ENTRY_BYTES)} "
            "limit for one file",
        )
    limit = _SMALL_LIMITS.get(name)
    if limit is not None and info.file_size > limit:
        refuse(file_name, where, f"the file is {mib(info.file_size)}, over the {mib(limit)} limit")
    if info.file_size > RATIO_FLOOR_BYTES and info.file_size > MAX_RATIO * info.compress_size:
        ratio = info.file_size // max(info.compress_size, 1)
        refuse(
            file_name,
            where,
            f"{info.compress_size:,} compressed bytes unpack to {info.file_size:,} (about "
            f"{ratio:,}:1, over the {MAX_RATIO}:1 limit); the bundle looks like a zip bomb",
        )


_LOCAL_HEADER = struct.Struct("<4s5H3L2H")
_UTF8_NAME = 0x0800
_PATCHED_DATA = 0x0020


def _inflated(data: bytes, info: zipfile.ZipInfo, room: int) -> bytes | None:
    """The bytes of a stored or deflated entry, inflated straight from ``data`` with
    zlib (a third of zipfile's cost per entry, which counts for a bundle of a
    thousand small cards); None for anything else or anything wrong, which
    :func:`_read_entry` then reads and refuses as it always has.

    Taken only when the entry is whole: its local header matches its directory
    record (signature, name, method), and the data, at most the declared size
    inflated (so no bomb is ever unpacked), has exactly that size and CRC.
    """
    size = info.file_size
    if size > room or info.flag_bits & _PATCHED_DATA:
        return None
    try:
        magic, _, _, method, _, _, _, _, _, name_length, extra_length = _LOCAL_HEADER.unpack_from(
            data, info.header_offset
        )
    except struct.error:
        return None
    start = info.header_offset + _LOCAL_HEADER.size
    try:
        name = data[start : start + name_length].decode(
            "utf-8" if info.flag_bits & _UTF8_NAME else "cp437"
        )
    except UnicodeDecodeError:
        return None
    start += name_length + extra_length
    packed = memoryview(data)[start : start + info.compress_size]
    if (
        magic != b"PK\x03\x04"
        or method != info.compress_type
        or len(packed) != info.compress_size
        or name != info.orig_filename
    ):
        return None
    if method == zipfile.ZIP_STORED:
        content = bytes(packed) if info.compress_size == size else None
    elif method == zipfile.ZIP_DEFLATED:
        inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        try:
            content = inflater.decompress(packed, size + 1)
        except zlib.error:
            return None
        if not inflater.eof or inflater.unconsumed_tail:
            return None
    else:
        return None
    if content is None or len(content) != size or zlib.crc32(content) != info.CRC:
        return None
    return content


def _read_entry(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, file_name: str, room: int
) -> bytes:
    """Inflate one entry in chunks, counting the real bytes against its header and ``room``."""
    where = shown(info.orig_filename)
    chunks: list[bytes] = []
    count = 0
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(_READ_CHUNK):
                count += len(chunk)
                if count > info.file_size or count > MAX_ENTRY_BYTES:
                    refuse(
                        file_name, where, "the file unpacks to more than its zip header declares"
                    )
                if count > room:
                    refuse(file_name, where, _over_total())
                chunks.append(chunk)
    except _DAMAGED as error:
        refuse(file_name, where, f"the entry is damaged ({error}); {_SEND_AGAIN}")
    if count != info.file_size:
        refuse(file_name, where, "the file unpacks to less than its zip header declares")
    return b"".join(chunks)


def _too_many(count: int) -> str:
    return f"the bundle has {count:,} entries, more than the {MAX_ENTRIES:,} allowed"


def _over_total() -> str:
    return f"the files unpack to more than {mib(MAX_TOTAL_BYTES)} together, the limit for a bundle"
