"""The manifest of a card bundle: what a team says it sent, file by file.

A bundle (``.cardbundle``) is a zip file whose ``manifest.json`` names the
sending team, the program that wrote it, when, and every card and attachment
inside with its SHA-256.  These models hold the manifest's *shape*; whether
the zip agrees with it (files present, hashes equal, paths safe) is checked
by :mod:`countersign.formats.bundle`.
"""

from __future__ import annotations

import datetime
import re
from typing import Annotated, Any, Final, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

BUNDLE_FORMAT: Final = "countersign-bundle"
BUNDLE_FORMAT_VERSION: Final = 1

MAX_NAME_CHARS = 256
"""Longest team, producer, model name or version accepted in a manifest."""

MAX_PATH_CHARS = 1024
"""Longest path of a file inside a bundle."""

_SHA256 = re.compile(r"[0-9a-f]{64}")
# type "/" subtype, the RFC 6838 restricted-name characters; no parameters.
_MEDIA_TYPE = re.compile(r"[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*")


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value


def _sha256_hex(value: str) -> str:
    if _SHA256.fullmatch(value) is None:
        raise ValueError("must be a SHA-256 in hex: 64 lowercase hexadecimal digits")
    return value


def _media_type(value: str) -> str:
    if _MEDIA_TYPE.fullmatch(value) is None:
        raise ValueError("must be a media type such as image/png or text/csv")
    return value


def _iso_datetime(value: str) -> str:
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(
            "must be an ISO-8601 date and time, such as 2024-05-01T09:30:00+00:00"
        ) from None
    if moment.tzinfo is None:
        raise ValueError("must say its time zone, such as 2024-05-01T09:30:00+00:00")
    return value


Name = Annotated[str, Field(max_length=MAX_NAME_CHARS), AfterValidator(_not_blank)]
BundlePath = Annotated[str, Field(max_length=MAX_PATH_CHARS), AfterValidator(_not_blank)]
Sha256Hex = Annotated[str, AfterValidator(_sha256_hex)]
MediaType = Annotated[str, Field(max_length=255), AfterValidator(_media_type)]


class _ManifestPart(BaseModel):
    """Base of the manifest models: strict types, unknown keys refused, immutable."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class ManifestCard(_ManifestPart):
    """One card file in a bundle: where it is, which model version it describes, its hash.

    ``format`` is the card format the producer read it as (a hint only: the
    importer recognises the format from the content).
    """

    path: BundlePath
    model: Name
    version: Name
    sha256: Sha256Hex
    format: Name | None = None


class ManifestAttachment(_ManifestPart):
    """A file that goes with one card (a plot, a data sheet), named by the card's path."""

    path: BundlePath
    card: BundlePath
    sha256: Sha256Hex
    media_type: MediaType


class ManifestArtifact(_ManifestPart):
    """A model file a card describes (weights, an ONNX export), named with its SHA-256 and size.

    The file itself does not travel in the bundle: the manifest, under the
    team's signature, binds the card to the exact files it describes.
    """

    card: BundlePath
    name: Name
    sha256: Sha256Hex
    size: int = Field(ge=0)


class ManifestModelSignature(_ManifestPart):
    """An OpenSSF model signature (``model_signing``) of model files one card names.

    ``path`` holds the signature as ``model_signing`` writes it (a Sigstore
    bundle around a DSSE envelope whose in-toto statement lists each signed
    file's SHA-256); every file it lists must be one of the card's artifacts.
    """

    path: BundlePath
    card: BundlePath
    sha256: Sha256Hex


MAX_MODEL_SIGNATURES = 100
"""Most model signatures one bundle may carry."""


class BundleManifest(_ManifestPart):
    """The ``manifest.json`` of a card bundle (format version 1)."""

    format: Literal["countersign-bundle"] = BUNDLE_FORMAT
    format_version: Literal[1] = BUNDLE_FORMAT_VERSION
    team: Name
    created: Annotated[str, Field(max_length=64), AfterValidator(_iso_datetime)]
    producer: Name
    cards: list[ManifestCard] = Field(min_length=1)
    attachments: list[ManifestAttachment] = Field(default_factory=list)
    artifacts: list[ManifestArtifact] | None = Field(default=None, max_length=1000)
    """The model files each card describes; absent in older bundles."""
    model_signatures: list[ManifestModelSignature] | None = Field(
        default=None, max_length=MAX_MODEL_SIGNATURES
    )
    """The teams' OpenSSF model signatures of those files; absent when there are none."""

    @field_validator("format_version", mode="before")
    @classmethod
    def _no_boolean_version(cls, value: Any) -> Any:
        # JSON true equals 1 in Python; a version is a number, never a flag.
        if isinstance(value, bool):
            raise ValueError("must be the number 1")
        return value

    def created_at(self) -> datetime.datetime:
        """When the producer wrote the bundle, as a time-zone-aware datetime."""
        return datetime.datetime.fromisoformat(self.created)
