"""Graphics embedded in JSON cards as base64 text, decoded strictly."""

from __future__ import annotations

import base64
import binascii
import string

_BASE64_ALPHABET = frozenset(string.ascii_letters + string.digits + "+/=-_")

EXTENSIONS = {
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/gif": "gif",
    "image/svg+xml": "svg",
    "text/html": "html",
    "text/plain": "txt",
}


def decode_base64(text: str) -> bytes | None:
    """Decode a base64 image (standard or URL-safe, whitespace and data-URL prefix allowed).

    Returns ``None`` when the text is not valid base64.  Missing padding is not
    repaired: in the real cards seen it means the text was cut short, and
    padding it would pass off a truncated image as a whole one.
    """
    compact = base64_payload(text)
    if not compact:
        return None
    altchars = b"-_" if ("-" in compact or "_" in compact) else None
    try:
        return base64.b64decode(compact, altchars=altchars, validate=True)
    except (binascii.Error, ValueError):
        return None


def base64_payload(text: str) -> str:
    """The base64 characters of ``text``: a data-URL prefix and white space removed."""
    data = text.strip()
    if data.startswith("data:"):
        comma = data.find(",")
        if comma != -1 and ";base64" in data[:comma]:
            data = data[comma + 1 :]
    return "".join(data.split())


def base64_problem(text: str) -> str:
    """Why ``text`` did not decode, in words for a warning."""
    payload = base64_payload(text)
    if not payload:
        return "is empty"
    if not all(char in _BASE64_ALPHABET for char in payload):
        return "is not base64: it holds characters base64 never uses"
    if len(payload) % 4:
        return (
            "is not valid base64: its length is not a multiple of 4, so it was probably cut short"
        )
    return "is not valid base64"


def slug(name: str) -> str:
    """A short, safe file-name part made from a graphic's name."""
    out: list[str] = []
    for char in name.lower():
        if char.isascii() and char.isalnum():
            out.append(char)
        elif out and out[-1] != "-":
            out.append("-")
        if len(out) >= 40:
            break
    return "".join(out).strip("-")
