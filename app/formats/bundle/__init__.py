"""Card bundles: the zip files (``.cardbundle``) in which teams send their cards.

A bundle holds ``manifest.json`` (who sent what, with a SHA-256 per file), the
card files it lists, their attachments, and optionally the team's signature
over the exact manifest bytes (``manifest.sig``, DER ECDSA P-256 / SHA-256)
with the signer's certificate (``signer.pem``).

This module is the one place to import bundle work from.  The work is split by
responsibility: the hostile-zip layer and the limits (:mod:`.bundle_zip`),
signatures (:mod:`.bundle_signing`), checking and reading
(:mod:`.bundle_reader`) and writing (:mod:`.bundle_writer`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from countersign.formats.bundle.signing import BundleSigner, load_signer
from countersign.formats.bundle.zip_archive import (
    MANIFEST_NAME,
    MAX_BUNDLE_BYTES,
    MAX_DIRECTORY_BYTES,
    MAX_ENTRIES,
    MAX_ENTRY_BYTES,
    MAX_MANIFEST_BYTES,
    MAX_RATIO,
    MAX_SIGNATURE_BYTES,
    MAX_SIGNER_BYTES,
    MAX_TOTAL_BYTES,
    RATIO_FLOOR_BYTES,
    RESERVED_NAMES,
    SIGNATURE_NAME,
    SIGNER_NAME,
    BundleRefused,
    unsafe_path_reason,
)
from countersign.formats.media_types import guess_media_type

if TYPE_CHECKING:
    from countersign.formats.bundle.reader import (
        BundleAttachment,
        BundleCard,
        OpenedBundle,
        open_bundle,
        parse_manifest,
        read_bundle,
        validation_problem,
    )
    from countersign.formats.bundle.writer import (
        TeamKeyFiles,
        build_bundle,
        create_bundle,
        manifest_json_bytes,
        write_bundle,
    )

_LATER = {
    **dict.fromkeys(
        (
            "BundleAttachment",
            "BundleCard",
            "OpenedBundle",
            "open_bundle",
            "parse_manifest",
            "read_bundle",
            "validation_problem",
        ),
        "reader",
    ),
    **dict.fromkeys(
        ("TeamKeyFiles", "build_bundle", "create_bundle", "manifest_json_bytes", "write_bundle"),
        "writer",
    ),
}
"""Names imported from the reader and writer on first use: they bring every card format's
reader (YAML, Markdown), which the signature checks and the workstation's start need not."""


def __getattr__(name: str) -> object:
    module = _LATER.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


BUNDLE_SUFFIX = ".cardbundle"
"""The file name ending of card bundles."""

__all__ = [
    "BUNDLE_SUFFIX",
    "MANIFEST_NAME",
    "MAX_BUNDLE_BYTES",
    "MAX_DIRECTORY_BYTES",
    "MAX_ENTRIES",
    "MAX_ENTRY_BYTES",
    "MAX_MANIFEST_BYTES",
    "MAX_RATIO",
    "MAX_SIGNATURE_BYTES",
    "MAX_SIGNER_BYTES",
    "MAX_TOTAL_BYTES",
    "RATIO_FLOOR_BYTES",
    "RESERVED_NAMES",
    "SIGNATURE_NAME",
    "SIGNER_NAME",
    "BundleAttachment",
    "BundleCard",
    "BundleRefused",
    "BundleSigner",
    "OpenedBundle",
    "TeamKeyFiles",
    "build_bundle",
    "create_bundle",
    "guess_media_type",
    "load_signer",
    "manifest_json_bytes",
    "open_bundle",
    "parse_manifest",
    "read_bundle",
    "unsafe_path_reason",
    "validation_problem",
    "write_bundle",
]
