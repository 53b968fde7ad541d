"""The demo registry that ``countersign --demo`` opens: sample bundles, imported round by round.

``resources/samples`` holds cards written for Countersign about six fictional
models, in all four card formats, one folder per bundle as
:func:`~app.formats.bundle.create_bundle` takes it.  ``bundles.json`` there
lists the bundles in the order the teams sent them (round 1, then round 2, then
round 3), with each bundle's team, producer and signing team key.

:func:`build_demo_registry` writes those bundles, signing some with throwaway
team keys made on the spot, and imports them into a fresh registry in order, so
that later card versions supersede earlier ones exactly as a real import would.
"""

from __future__ import annotations

import datetime
import importlib.resources
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from app.formats.base import InputRefused
from app.formats.bundle import create_bundle
from app.formats.limits import load_json
from app.services.certificates import self_signed_certificate
from app.services.database import REGISTRY_FILE, Database
from app.services.importer import Importer, Progress

SAMPLES_INDEX = "bundles.json"
"""The file in ``resources/samples`` that lists the sample bundles."""

BUNDLES_FOLDER = "bundles"
"""The folder, beside the demo registry, that receives the bundle files."""

DEMO_ACTOR = "demo"
"""The actor recorded in the audit trail for everything the demo build does."""

_CERTIFICATE_DAYS = 365


class DemoSamplesError(RuntimeError):
    """The samples shipped with Countersign do not build or import: a bug, not user error."""


@dataclass(frozen=True)
class SampleSigner:
    """Who a throwaway team key is made for: the subject of its self-signed certificate."""

    common_name: str
    organization: str
    email: str


@dataclass(frozen=True)
class SampleBundle:
    """One sample bundle: its folder of cards, the bundle file to write, who sends it."""

    round: int
    folder: str
    file: str
    team: str
    producer: str
    version: str | None = None
    signer: str | None = None


def build_demo_registry(folder: Path, progress: Progress | None = None) -> Path:
    """Build the demo registry in ``folder`` and return the path of its database file.

    The bundles are written to ``folder/bundles`` and imported, round by round,
    into a new ``folder/registry.sqlite3``.  ``progress(done, total, what)`` is
    called as the work advances.  Raises FileExistsError when ``folder``
    already holds a registry, and :class:`DemoSamplesError` when a sample is
    refused.
    """
    report = progress or _no_progress
    registry_path = folder / REGISTRY_FILE
    if registry_path.exists():
        raise FileExistsError(f"{registry_path} already exists; build the demo in a new folder")
    bundles_folder = folder / BUNDLES_FOLDER
    bundles_folder.mkdir(parents=True, exist_ok=True)
    with (
        _samples_folder() as samples,
        tempfile.TemporaryDirectory(prefix="countersign-demo-keys-") as keys,
    ):
        bundles, signers = read_sample_index(samples / SAMPLES_INDEX)
        total = 2 * len(bundles) + 1
        credentials = {
            name: make_team_credential(signer, Path(keys) / name)
            for name, signer in signers.items()
        }
        written: list[Path] = []
        for index, bundle in enumerate(bundles):
            report(index, total, f"Writing sample bundle {bundle.file}")
            written.append(_write_sample_bundle(samples, bundle, bundles_folder, credentials))
    report(len(bundles), total, "Creating the demo registry")
    database = Database.open(str(registry_path))
    try:
        importer = Importer(database, actor=DEMO_ACTOR)
        for index, path in enumerate(written):
            report(len(bundles) + 1 + index, total, f"Importing {path.name}")
            result = importer.import_file(path)
            if not result.ok or not result.landed:
                reason = result.plan.reason() or "it changed nothing"
                raise DemoSamplesError(f"the sample bundle {path.name} did not import: {reason}")
    finally:
        database.dispose()
    report(total, total, "Demo registry ready")
    return registry_path


def read_sample_index(path: Path) -> tuple[list[SampleBundle], dict[str, SampleSigner]]:
    """The bundles listed in ``bundles.json``, in import order, and the team keys they name."""
    value = load_json(path.read_text(encoding="utf-8"), path.name)
    if not isinstance(value, dict):
        raise DemoSamplesError(f"{path.name} does not hold an object")
    try:
        signers = {
            name: SampleSigner(
                common_name=str(item["common_name"]),
                organization=str(item["organization"]),
                email=str(item["email"]),
            )
            for name, item in _mapping(value["signers"]).items()
        }
        bundles = [_sample_bundle(_mapping(item)) for item in value["bundles"]]
    except (KeyError, TypeError, ValueError) as error:
        raise DemoSamplesError(f"{path.name} is not a valid sample index: {error!r}") from None
    for bundle in bundles:
        if bundle.signer is not None and bundle.signer not in signers:
            raise DemoSamplesError(f"{path.name}: {bundle.folder} names no known signer")
    # Stable sort: the file's order decides within a round.
    return sorted(bundles, key=lambda bundle: bundle.round), signers


def make_team_credential(signer: SampleSigner, folder: Path) -> tuple[Path, Path]:
    """Make a throwaway ECDSA P-256 team key and its self-signed certificate, as PEM files.

    Returns (key path, certificate path) inside ``folder``.  The key is not
    encrypted: it lives only as long as the demo build.
    """
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, signer.common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, signer.organization),
        ]
    )
    certificate = self_signed_certificate(
        key,
        subject,
        signer.email,
        valid_for=datetime.timedelta(days=_CERTIFICATE_DAYS),
        backdate=datetime.timedelta(hours=1),
    )
    folder.mkdir(parents=True, exist_ok=True)
    key_path = folder / "team-key.pem"
    cert_path = folder / "team-cert.pem"
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_path.chmod(0o600)
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path


def _write_sample_bundle(
    samples: Path,
    bundle: SampleBundle,
    output_folder: Path,
    credentials: dict[str, tuple[Path, Path]],
) -> Path:
    output = output_folder / bundle.file
    key, cert = credentials[bundle.signer] if bundle.signer else (None, None)
    try:
        create_bundle(
            samples / bundle.folder,
            output,
            bundle.team,
            producer=bundle.producer,
            sign_key=key,
            sign_cert=cert,
            version=bundle.version,
        )
    except InputRefused as refusal:
        # The samples ship with Countersign: a refusal here is our bug, not the officer's.
        raise DemoSamplesError(
            f"the sample folder {bundle.folder} is refused: {refusal}"
        ) from refusal
    return output


def _sample_bundle(item: dict[str, Any]) -> SampleBundle:
    round_number = item["round"]
    if isinstance(round_number, bool) or not isinstance(round_number, int):
        raise ValueError(f"round of {item.get('folder')!r} is not a whole number")
    version = item.get("version")
    signer = item.get("signer")
    return SampleBundle(
        round=round_number,
        folder=str(item["folder"]),
        file=str(item["file"]),
        team=str(item["team"]),
        producer=str(item["producer"]),
        version=None if version is None else str(version),
        signer=None if signer is None else str(signer),
    )


def _mapping(value: object) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise TypeError(f"expected an object, found {type(value).__name__}")
    return value


def samples_resource() -> Traversable:
    """Where the sample bundles ship: ``resources/samples``, a folder or inside a zip."""
    return importlib.resources.files("app.resources") / "samples"


@contextmanager
def _samples_folder() -> Iterator[Path]:
    """The samples as a real folder: in place when installed as files, else a temporary copy."""
    root = samples_resource()
    if isinstance(root, Path):
        yield root
        return
    with tempfile.TemporaryDirectory(prefix="countersign-samples-") as temporary:
        target = Path(temporary) / "samples"
        _copy_tree(root, target)
        yield target


def _copy_tree(source: Traversable, target: Path) -> None:
    """Copy a resource folder (possibly inside a zip) to disk."""
    target.mkdir(parents=True, exist_ok=True)
    for child in source.iterdir():
        if child.is_dir():
            _copy_tree(child, target / child.name)
        elif child.is_file():
            with child.open("rb") as stream, (target / child.name).open("wb") as out:
                shutil.copyfileobj(stream, out)


def _no_progress(_done: int, _total: int, _what: str) -> None:
    return None
