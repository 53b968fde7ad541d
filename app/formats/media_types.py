"""Media types of attachments and embedded graphics, read from their bytes first.

A file's name can say anything; its first bytes say what it is.  The name's
extension is only a fallback, looked up in tables that do not depend on the
machine (never the system's mime.types).
"""

from __future__ import annotations

import functools
import mimetypes
from pathlib import Path

OCTET_STREAM = "application/octet-stream"


def sniff_media_type(content: bytes) -> str:
    """The media type of a decoded graphic, from its first bytes (never from its name)."""
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if content.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    head = content[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<svg") or (
        head.startswith((b"<?xml", b"<!--", b"<!DOCTYPE")) and b"<svg" in head
    ):
        return "image/svg+xml"
    return OCTET_STREAM


_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
)
_EXTENSIONS = {
    ".md": "text/markdown",
    ".markdown": "text/markdown",
    ".csv": "text/csv",
    ".tsv": "text/tab-separated-values",
    ".txt": "text/plain",
    ".json": "application/json",
    ".yaml": "application/yaml",
    ".yml": "application/yaml",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
    ".parquet": "application/vnd.apache.parquet",
}


def guess_media_type(name: str, data: bytes) -> str:
    """The media type of an attachment: from its first bytes when they say, else its extension."""
    for magic, media_type in _MAGIC:
        if data.startswith(magic):
            return media_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    suffix = Path(name).suffix.lower()
    if suffix in _EXTENSIONS:
        return _EXTENSIONS[suffix]
    guessed, _encoding = _builtin_types().guess_type(name, strict=False)
    if guessed is not None:
        return guessed
    return "application/zip" if data.startswith(b"PK\x03\x04") else OCTET_STREAM


@functools.cache
def _builtin_types() -> mimetypes.MimeTypes:
    # Python's own table only: the answer must not depend on the machine's mime.types.
    return mimetypes.MimeTypes()
