"""The demo registry that ``countersign --demo`` opens: sample bundles, imported round by round.

``resources/samples`` holds cards written for Countersign about six fictional
models, in all four card formats, one folder per bundle as
:func:`~countersign.formats.bundle.create_bundle` takes it.  ``bundles.json`` there
lists the bundles in the order the teams sent them (round 1, then round 2, then
round 3), with each bundle's team, producer and signing team key.
``reviews.json`` lists the governance team's demo reviewers and the sign-offs
they make between rounds.

:func:`build_demo_registry` writes those bundles, signing some with throwaway
team keys made on the spot, and imports them into a fresh registry in order, so
that later card versions supersede earlier ones exactly as a real import would.
After each round it signs that round's sample reviews through the real review
service, so the demo shows approved cards, a card sent back with changes
requested and a high-risk card in review with one approval of two: the
officer's, which the failed adverse impact threshold of its 18-24 slice
(0.78, against 0.81 in the approved 2.1) needs before any plain approval.

The demo reviewers' private keys never reach the officer's keyring nor the
disk: the build gives :class:`~countersign.services.identities.identities.Identities`
a keystore over a :class:`~countersign.services.identities.memory_keyring.MemoryKeyring`,
a keyring held in memory for the build alone, and unlocks them with a random
passphrase it forgets.  Once every review is
signed the reviewers are retired, which removes their keys; the keyring is
emptied even when the build fails.  Their certificates stay in the registry, so
every demo signature still verifies (``countersign audit --verify``), and being
retired they are never offered for signing: an officer trying the demo makes
an identity of their own.
"""

from __future__ import annotations

import datetime
import importlib.resources
import secrets
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

from countersign.errors import CountersignError, InputRefused
from countersign.formats.bundle import TeamKeyFiles, create_bundle
from countersign.formats.limits import load_json
from countersign.models.vocabulary import Decision, Role
from countersign.services.identities.certificates import Validity, self_signed_certificate
from countersign.services.identities.identities import Identities
from countersign.services.identities.memory_keyring import MemoryKeyring
from countersign.services.progress import Progress, no_progress
from countersign.services.reviews.conditions import ApprovalTerms, add_months, today
from countersign.services.reviews.records import ReviewDraft
from countersign.services.reviews.reviews import Answer, Reviews, SignOffRequest
from countersign.services.storage.database import REGISTRY_FILE
from countersign.services.workstation import ServiceOptions, open_services

SAMPLES_INDEX = "bundles.json"
"""The file in ``resources/samples`` that lists the sample bundles."""

SAMPLE_REVIEWS = "reviews.json"
"""The file in ``resources/samples`` that lists the demo reviewers and their sign-offs."""

RETIRED_REASON = (
    "demo reviewer: the key lived only in memory while the demo was built; "
    "its sign-offs still verify"
)
"""Why the demo reviewers are retired at the end of the build, as the registry records it."""

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


@dataclass(frozen=True)
class SampleReviewer:
    """A demo reviewer of the governance team: the identity made for the build."""

    name: str
    email: str
    role: str


@dataclass(frozen=True)
class SampleSignOff:
    """One sample sign-off: which card version, after which round, who decides what, and why.

    ``answers`` holds the items the reviewer answered by hand; the others are
    answered with their automatic result.
    """

    after_round: int
    model: str
    version: str
    reviewer: str
    decision: str
    comment: str
    answers: dict[str, Answer]


def build_demo_registry(folder: Path, progress: Progress | None = None) -> Path:
    """Build the demo registry in ``folder`` and return the path of its database file.

    The bundles are written to ``folder/bundles`` and imported, round by round,
    into a new ``folder/registry.sqlite3``, with the sample reviews signed
    between rounds.  ``progress(done, total, what)`` is called as the work
    advances.  Raises FileExistsError when ``folder`` already holds a
    registry, and :class:`DemoSamplesError` when a sample is refused.
    """
    report = progress or no_progress
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
        reviewers, sign_offs = read_sample_reviews(samples / SAMPLE_REVIEWS)
        _check_review_rounds(bundles, sign_offs)
        total = 2 * len(bundles) + 1 + len(sign_offs)
        credentials = {
            name: make_team_credential(signer, Path(keys) / name)
            for name, signer in signers.items()
        }
        written: list[Path] = []
        for index, bundle in enumerate(bundles):
            report(index, total, f"Writing sample bundle {bundle.file}")
            written.append(_write_sample_bundle(samples, bundle, bundles_folder, credentials))
    report(len(bundles), total, "Creating the demo registry")
    keyring = MemoryKeyring()
    services = open_services(str(registry_path), ServiceOptions(keyring=keyring, actor=DEMO_ACTOR))
    try:
        importer, identities, reviews = services.importer, services.identities, services.reviews
        # Never shown nor stored: the keys it guards are thrown away with the keyring.
        passphrase = secrets.token_urlsafe(24)
        _create_reviewers(identities, list(reviewers.values()), passphrase)
        done = len(bundles) + 1
        for index, (bundle, path) in enumerate(zip(bundles, written, strict=True)):
            report(done, total, f"Importing {path.name}")
            done += 1
            result = importer.import_file(path)
            if not result.ok or not result.landed:
                reason = result.plan.reason() or "it changed nothing"
                raise DemoSamplesError(f"the sample bundle {path.name} did not import: {reason}")
            if index + 1 < len(bundles) and bundles[index + 1].round == bundle.round:
                continue  # the round is not over yet
            for sign_off in (s for s in sign_offs if s.after_round == bundle.round):
                report(done, total, f"Signing the review of {sign_off.model} {sign_off.version}")
                done += 1
                _sign_sample_review(reviews, sign_off, reviewers[sign_off.reviewer], passphrase)
        _retire_reviewers(identities, list(reviewers.values()), passphrase)
    finally:
        keyring.entries.clear()  # retiring removed the keys; this covers a failed build
        services.close()
    report(total, total, "Demo registry ready")
    return registry_path


def _check_review_rounds(bundles: list[SampleBundle], sign_offs: list[SampleSignOff]) -> None:
    """Each sample review comes after a round of bundles that exists."""
    rounds = {bundle.round for bundle in bundles}
    for sign_off in sign_offs:
        if sign_off.after_round not in rounds:
            raise DemoSamplesError(
                f"{SAMPLE_REVIEWS}: the review of {sign_off.model} {sign_off.version} comes "
                f"after round {sign_off.after_round}, which has no bundles"
            )


def _retire_reviewers(
    identities: Identities, reviewers: list[SampleReviewer], passphrase: str
) -> None:
    """Retire the demo reviewers: their keys are thrown away, so nobody signs as them again."""
    for reviewer in reviewers:
        signing = identities.unlock(reviewer.email, passphrase)
        identities.retire(reviewer.email, RETIRED_REASON, signer=signing)


def _create_reviewers(
    identities: Identities, reviewers: list[SampleReviewer], passphrase: str
) -> None:
    """Create the demo reviewers: the first officer founds the registry and grants the others."""
    ordered = sorted(reviewers, key=lambda reviewer: reviewer.role != Role.OFFICER)
    founder = None
    for reviewer in ordered:
        try:
            identities.create(
                reviewer.name, reviewer.email, reviewer.role, passphrase, granted_by=founder
            )
        except CountersignError as refusal:
            raise DemoSamplesError(
                f"{SAMPLE_REVIEWS}: the reviewer {reviewer.email} is refused: {refusal}"
            ) from refusal
        if founder is None:
            founder = identities.unlock(reviewer.email, passphrase)


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


def read_sample_reviews(path: Path) -> tuple[dict[str, SampleReviewer], list[SampleSignOff]]:
    """The demo reviewers and sample sign-offs of ``reviews.json``, in the file's order."""
    value = load_json(path.read_text(encoding="utf-8"), path.name)
    if not isinstance(value, dict):
        raise DemoSamplesError(f"{path.name} does not hold an object")
    try:
        reviewers = {
            key: SampleReviewer(
                name=str(item["name"]), email=str(item["email"]), role=str(item["role"])
            )
            for key, item in _mapping(value["reviewers"]).items()
        }
        sign_offs = [_sample_sign_off(_mapping(item)) for item in value["sign_offs"]]
    except (KeyError, TypeError, ValueError) as error:
        raise DemoSamplesError(f"{path.name} is not a valid list of reviews: {error!r}") from None
    for sign_off in sign_offs:
        if sign_off.reviewer not in reviewers:
            raise DemoSamplesError(
                f"{path.name}: the review of {sign_off.model} {sign_off.version} names no "
                f"known reviewer ({sign_off.reviewer!r})"
            )
    return reviewers, sign_offs


def _sign_sample_review(
    reviews: Reviews, sign_off: SampleSignOff, reviewer: SampleReviewer, passphrase: str
) -> None:
    """Sign ``sign_off``: the reviewer's answers, and the automatic result for the items it
    does not name (the demo's reviewers agree with the checks there)."""
    what = f"{sign_off.model} {sign_off.version}"
    try:
        draft = reviews.prepare(sign_off.model, sign_off.version)
        answers = {
            view.item.id: Answer(view.automatic.result)
            for view in draft.items
            if view.automatic is not None
        }
        answers.update(sign_off.answers)
        reviews.sign(
            SignOffRequest(
                model=sign_off.model,
                version=sign_off.version,
                template=draft.template.reference,
                answers=answers,
                decision=sign_off.decision,
                identity=reviewer.email,
                comment=sign_off.comment,
                terms=_longest_terms(draft, sign_off.decision),
            ),
            passphrase,
        )
    except CountersignError as refusal:
        # The sample reviews ship with Countersign: a refusal is our bug, not the officer's.
        raise DemoSamplesError(
            f"{SAMPLE_REVIEWS}: the review of {what} is refused: {refusal}"
        ) from refusal


def _longest_terms(draft: ReviewDraft, decision: str) -> ApprovalTerms:
    """The demo's approvers let an approval hold as long as the checklist allows for the
    card's risk tier (and without expiry where it sets no limit)."""
    longest = draft.longest_validity
    if decision != Decision.APPROVE or longest is None:
        return ApprovalTerms()
    return ApprovalTerms(expires=add_months(today(), longest))


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
        Validity(
            length=datetime.timedelta(days=_CERTIFICATE_DAYS), backdate=datetime.timedelta(hours=1)
        ),
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
    signing = TeamKeyFiles(*credentials[bundle.signer]) if bundle.signer else None
    try:
        create_bundle(
            samples / bundle.folder,
            output,
            bundle.team,
            producer=bundle.producer,
            signing=signing,
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


def _sample_sign_off(item: dict[str, Any]) -> SampleSignOff:
    after_round = item["after_round"]
    if isinstance(after_round, bool) or not isinstance(after_round, int):
        raise ValueError(f"after_round of {item.get('model')!r} is not a whole number")
    answers: dict[str, Answer] = {}
    for item_id, answer in _mapping(item.get("answers", {})).items():
        given = _mapping(answer)
        # The review rules check the answer itself when signing.
        answers[str(item_id)] = Answer(str(given["answer"]), str(given.get("note", "")))  # type: ignore[arg-type]
    return SampleSignOff(
        after_round=after_round,
        model=str(item["model"]),
        version=str(item["version"]),
        reviewer=str(item["reviewer"]),
        decision=str(item["decision"]),
        comment=str(item.get("comment", "")),
        answers=answers,
    )


def _mapping(value: object) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise TypeError(f"expected an object, found {type(value).__name__}")
    return value


def samples_resource() -> Traversable:
    """Where the sample bundles ship: ``resources/samples``, a folder or inside a zip."""
    return importlib.resources.files("countersign.resources") / "samples"


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
