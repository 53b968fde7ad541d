"""OpenSSF model signatures in bundles: the team's signature of the model files a card names.

A team signs its model folder with the ``model_signing`` package (``model_signing
sign key MODEL_DIR --private_key KEY.pem``).  The signature is a Sigstore bundle
holding a DSSE envelope over an in-toto statement that lists each file of the
model with its SHA-256.  A bundle carries such signatures under
``model_signatures`` in its manifest, each for one card.

The model files themselves do not travel in a bundle: the manifest names them
with their SHA-256.  So the check here is that (1) ``model_signing``'s own
verifier accepts the signature with the public key of a certificate pinned on
this workstation for the bundle's team (offline: no Sigstore, no network), and
(2) every file the signed statement lists is one the card names, with the
same SHA-256.  A signature over other files (another model, a changed file)
fails, and a failure refuses the whole bundle naming the file.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from model_signing import hashing, verifying
from model_signing import manifest as signed_manifest

from countersign.formats.base import CardRefused
from countersign.formats.bundle.reader import BundleModelSignature, OpenedBundle
from countersign.formats.bundle.signing import TeamCertificate, describe_key
from countersign.formats.bundle.zip_archive import BundleRefused, shown
from countersign.formats.limits import load_json
from countersign.models.manifest import ManifestArtifact

MODEL_SIGNATURE_PREDICATE = "https://model_signing/signature/v1.0"
"""The in-toto predicate type of ``model_signing`` 1.x signatures."""

MAX_SIGNED_FILES = 1000
"""Most files one model signature may list (as many as a manifest may name)."""

_IN_TOTO_PAYLOAD = "application/vnd.in-toto+json"
_SIGSTORE_BUNDLE = "application/vnd.dev.sigstore.bundle"
_KEY_HINT = re.compile(r"[0-9a-f]{64}")
_WHOLE_MODEL = "."
"""How ``model_signing`` names the one file of a model that is a single file."""


@dataclass(frozen=True)
class SignedModelFiles:
    """What one verified model signature vouches for: which card's files, checked with what."""

    card: str
    signature: str
    files: tuple[str, ...]
    certificate_fingerprint: str


def check_model_signatures(
    bundle: OpenedBundle, certificates: Sequence[TeamCertificate]
) -> list[SignedModelFiles]:
    """Verify every model signature in ``bundle``; what each vouches for.

    Raises :class:`~countersign.formats.bundle.zip_archive.BundleRefused`
    naming the signature file (and the model file) when one is malformed, made
    with a key no certificate pinned for the bundle's team holds, or lists a
    file the card does not name or with another SHA-256.
    """
    team = bundle.manifest.team
    trusted = [c for c in certificates if c.team == team]
    artifacts: dict[str, list[ManifestArtifact]] = {}
    for artifact in bundle.manifest.artifacts or []:
        artifacts.setdefault(artifact.card, []).append(artifact)
    checked = []
    for signature in bundle.model_signatures:
        where = _Where(bundle.file_name, shown(signature.entry.path), signature.entry.card)
        if not trusted:
            where.refuse(
                f"the bundle carries a model signature of team {team!r}, but no certificate of "
                "that team is trusted on this workstation to check it; trust the team's "
                f"certificate with: countersign trust add CERT.pem --team {team!r}"
            )
        hint = _read_signature(signature.content, where)
        certificate = _certificate_for(hint, trusted, where)
        signed = _verify(signature, certificate, where)
        files = _match(signed, artifacts.get(signature.entry.card, []), signature, where)
        checked.append(
            SignedModelFiles(
                card=signature.entry.card,
                signature=signature.entry.path,
                files=files,
                certificate_fingerprint=certificate.fingerprint,
            )
        )
    return checked


class ModelSignatureFailed(BundleRefused):
    """A model signature that is malformed or does not vouch for the card's files.

    ``card`` is the card (its path in the bundle) whose model files the
    signature was for: the import preview marks them FAILED.
    """

    def __init__(self, file: str, field: str, reason: str, card: str) -> None:
        super().__init__(file, field, reason)
        self.card = card


@dataclass(frozen=True)
class _Where:
    """The bundle, the signature file and the card a refusal names."""

    bundle: str
    signature: str
    card: str

    def refuse(self, reason: str, field: str = "") -> NoReturn:
        place = f"{self.signature}: {field}" if field else self.signature
        raise ModelSignatureFailed(self.bundle, place, reason, self.card)


def _read_signature(content: bytes, where: _Where) -> str:
    """Check the signature's shape before any verifier reads it; the public key's hint.

    Nothing here is trusted yet: this bounds what the verifier is given and
    lets a refusal say what is wrong in the officer's words.
    """
    try:
        value = load_json(content.decode("utf-8"), where.signature)
    except UnicodeDecodeError:
        where.refuse("a model signature is JSON text, and this file is not UTF-8")
    except CardRefused as error:
        where.refuse(error.reason, error.field)
    outer = _object(value, "", where)
    media_type = outer.get("mediaType")
    if not isinstance(media_type, str) or not media_type.startswith(_SIGSTORE_BUNDLE):
        where.refuse(
            "is not a Sigstore bundle (the form model_signing writes signatures in)", "mediaType"
        )
    material = _object(outer.get("verificationMaterial"), "verificationMaterial", where)
    envelope = _object(outer.get("dsseEnvelope"), "dsseEnvelope", where)
    _read_statement(envelope, where)
    hint = _object(material.get("publicKey"), "verificationMaterial.publicKey", where).get("hint")
    if not isinstance(hint, str) or _KEY_HINT.fullmatch(hint) is None:
        where.refuse(
            "names no public key (its SHA-256 hint): Countersign checks signatures made with the "
            "team's key (model_signing sign key), made by model_signing 1.0 or later",
            "verificationMaterial.publicKey.hint",
        )
    return hint


def _read_statement(envelope: Mapping[str, Any], where: _Where) -> None:
    """Refuse an envelope that is not one signed in-toto statement of per-file SHA-256s."""
    if envelope.get("payloadType") != _IN_TOTO_PAYLOAD:
        where.refuse(f"must be {_IN_TOTO_PAYLOAD}", "dsseEnvelope.payloadType")
    signatures = envelope.get("signatures")
    if not isinstance(signatures, list) or len(signatures) != 1:
        where.refuse("must hold exactly one signature", "dsseEnvelope.signatures")
    payload = envelope.get("payload")
    try:
        text = base64.b64decode(str(payload), validate=True).decode("utf-8")
        value = load_json(text, where.signature)
    except (binascii.Error, UnicodeDecodeError, CardRefused):
        where.refuse("is not a base64 in-toto statement in JSON", "dsseEnvelope.payload")
    statement = _object(value, "dsseEnvelope.payload", where)
    if statement.get("predicateType") != MODEL_SIGNATURE_PREDICATE:
        where.refuse(
            f"must be {MODEL_SIGNATURE_PREDICATE} (a model_signing 1.x signature)",
            "dsseEnvelope.payload: predicateType",
        )
    predicate = _object(statement.get("predicate"), "dsseEnvelope.payload: predicate", where)
    serialization = _object(
        predicate.get("serialization"), "dsseEnvelope.payload: predicate.serialization", where
    )
    method = (serialization.get("method"), serialization.get("hash_type"))
    if method != ("files", "sha256"):
        where.refuse(
            f"the signature hashes the model as {shown(str(method[0]))!r} with "
            f"{shown(str(method[1]))!r}; Countersign compares each file's SHA-256 with the "
            "manifest, so sign whole files with SHA-256 (model_signing's default)",
            "dsseEnvelope.payload: predicate.serialization",
        )
    resources = predicate.get("resources")
    if not isinstance(resources, list) or len(resources) > MAX_SIGNED_FILES:
        where.refuse(
            f"must be a list of at most {MAX_SIGNED_FILES} files",
            "dsseEnvelope.payload: predicate.resources",
        )


def _object(value: object, field: str, where: _Where) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        where.refuse("must be a JSON object", field)
    return value


def _certificate_for(
    hint: str, certificates: Iterable[TeamCertificate], where: _Where
) -> TeamCertificate:
    """The trusted certificate whose public key the signature names, or a refusal."""
    for certificate in certificates:
        key = x509.load_pem_x509_certificate(certificate.pem).public_key()
        pem = key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        if hashlib.sha256(pem).hexdigest() == hint:
            return certificate
    fingerprints = ", ".join(f"{c.fingerprint[:16]}…" for c in certificates)
    where.refuse(
        "FAILED: signed with a key that is not the key of any certificate trusted here for "
        f"the team ({fingerprints}); the signature was made by someone else, or with a "
        "key the team has not registered with you"
    )


def _verify(
    signature: BundleModelSignature, certificate: TeamCertificate, where: _Where
) -> signed_manifest.Manifest:
    """``model_signing``'s verification of ``signature`` with the certificate's public key.

    ``model_signing`` compares the signed manifest with one it hashes from a
    model folder.  The model files are not here, so the hashing step hands it
    a manifest that records what it is compared with: the signed manifest, read
    only after the verifier has checked the signature over it.
    """
    key = x509.load_pem_x509_certificate(certificate.pem).public_key()
    captured = _SignedManifestCapture()
    with tempfile.TemporaryDirectory(prefix="countersign-model-signature-") as folder:
        root = Path(folder)
        (root / "key.pem").write_bytes(
            key.public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )
        (root / "model.sig").write_bytes(signature.content)
        (root / "model").mkdir()
        try:
            config = verifying.Config().use_elliptic_key_verifier(  # type: ignore[no-untyped-call]
                public_key=root / "key.pem"
            )
            config.set_hashing_config(_StatedFiles(captured)).verify(
                root / "model", root / "model.sig"
            )
        # model_signing raises what its parsers and cryptography raise on a bad
        # signature (ValueError, KeyError, InvalidSignature…); each one refuses it.
        except Exception as error:
            where.refuse(
                "FAILED: the signature does not verify with the key of the team's certificate "
                f"({certificate.fingerprint[:16]}…, {describe_key(key)}): "
                f"{shown(str(error))[:300] or type(error).__name__}"
            )
    if captured.signed is None:  # pragma: no cover - model_signing always compares
        where.refuse("FAILED: model_signing verified nothing")
    return captured.signed


def _match(
    signed: signed_manifest.Manifest,
    artifacts: Sequence[ManifestArtifact],
    signature: BundleModelSignature,
    where: _Where,
) -> tuple[str, ...]:
    """The card's model files the signature vouches for; refuses any file that does not match."""
    named = {artifact.name: artifact for artifact in artifacts}
    files = []
    for descriptor in signed.resource_descriptors():
        name = descriptor.identifier
        if name == _WHOLE_MODEL:
            name = signed.model_name  # a single file signed alone: its own name
        artifact = named.get(name)
        if artifact is None:
            where.refuse(
                f"FAILED: the signature covers {shown(name)!r}, which the card "
                f"{shown(signature.entry.card)!r} does not name among its model files "
                f"({', '.join(repr(shown(n)) for n in named) or 'none'}): a signature of other "
                "files, or of another model"
            )
        digest = descriptor.digest
        if digest.algorithm != "sha256" or digest.digest_hex != artifact.sha256:
            where.refuse(
                f"FAILED: {shown(name)}: the team signed SHA-256 {digest.digest_hex}, but the "
                f"manifest names the file with SHA-256 {artifact.sha256}: the model file is not "
                "the one the team signed"
            )
        files.append(name)
    if not files:
        where.refuse("FAILED: the signature lists no file")
    return tuple(files)


class _SignedManifestCapture(signed_manifest.Manifest):
    """A manifest that keeps what ``model_signing`` compares it with: the verified signed one."""

    def __init__(self) -> None:
        files = signed_manifest.SerializationType.from_args(
            {"method": "files", "hash_type": "sha256", "allow_symlinks": False}
        )
        super().__init__("", [], files)
        self.signed: signed_manifest.Manifest | None = None

    def __eq__(self, other: object) -> bool:
        if isinstance(other, signed_manifest.Manifest):
            self.signed = other
        # Equal to the signed manifest: the comparison with the card's files is _match's.
        return True

    __hash__ = None  # type: ignore[assignment]  # compared, never a key


class _StatedFiles(hashing.Config):
    """Hashing that reads no folder: the model files are named in the manifest, not carried."""

    def __init__(self, capture: _SignedManifestCapture) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # model_signing's is unannotated
        self._capture = capture

    def hash(
        self,
        model_path: hashing.PathLike,
        *,
        files_to_hash: Iterable[hashing.PathLike] | None = None,
    ) -> signed_manifest.Manifest:
        """The capture, for ``model_signing`` to compare with the signed manifest."""
        del model_path, files_to_hash  # nothing is read: the files are not here
        return self._capture
