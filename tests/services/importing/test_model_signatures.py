"""OpenSSF model signatures in bundles: checked at import against the team's pinned certificate.

Every signature here is made by the ``model_signing`` package itself with a
P-256 key the test creates; the bundle is written by Countersign's own
``create_bundle``.  A verified signature marks the card's model files
"verified", a bundle without one lands with them "not signed", and any
failure refuses the whole bundle naming the file, with nothing imported.
"""

from __future__ import annotations

import base64
import json
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from countersign.formats.bundle import BundleRefused
from countersign.formats.bundle.signing import TeamCertificate
from countersign.models.vocabulary import CardOutcome, ModelFileSignature
from countersign.services.importing.importer import Importer
from countersign.services.importing.model_files import team_signature
from countersign.services.registry import Registry
from countersign.services.storage.database import Database
from countersign.services.trust.store import TrustStore
from tests.helpers.bundles import (
    NATIVE_CARDS,
    TEAM,
    TeamSigner,
    bundle_of,
    make_signer,
    manifest_for,
    sha256_hex,
    write,
)
from tests.helpers.model_signatures import (
    MODEL_FILES,
    bundle_with_models,
    model_folder,
    sign_model,
)
from tests.helpers.registry import place_of, raw_connection, row_counts

BUNDLE = "credit-scorer.cardbundle"


@pytest.fixture
def db(registry_db: str) -> Iterator[Database]:
    database = Database.open(registry_db)
    yield database
    database.dispose()


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    database = Database.open(str(tmp_path / "registry.sqlite3"))
    yield database
    database.dispose()


@pytest.fixture
def team() -> TeamSigner:
    return make_signer("Credit Risk Analytics model signing")


def _trusting(signer: TeamSigner, team: str = TEAM) -> list[TeamCertificate]:
    return [TeamCertificate(team, signer.certificate_pem(), signer.fingerprint())]


def _importer(db: Database, certificates: list[TeamCertificate]) -> Importer:
    return Importer(db, actor="officer", team_certificates=lambda: certificates)


def _signed_bundle(tmp_path: Path, team: TeamSigner) -> Path:
    model = model_folder(tmp_path / "model")
    signature = sign_model(model.folder, team, tmp_path / "model.sig")
    return bundle_with_models(tmp_path / "bundle", model.files(), [signature])


def _assert_refused(
    db: Database, certificates: list[TeamCertificate], bundle: Path, *words: str
) -> str:
    """Import ``bundle``: refused whole, the reason naming the bundle, its signature, ``words``."""
    before = row_counts(place_of(db))
    report = _importer(db, certificates).import_file(bundle)
    assert not report.ok and not report.landed
    reason = report.plan.reason()
    assert BUNDLE in reason and "model-signatures/model" in reason, reason
    for word in words:
        assert word in reason, reason
    after = row_counts(place_of(db))
    assert after["card_versions"] == before["card_versions"] == 0
    assert after["models"] == 0
    return reason


def test_a_team_signed_model_is_verified_and_recorded_per_file(
    db: Database, tmp_path: Path, team: TeamSigner
) -> None:
    bundle = _signed_bundle(tmp_path, team)
    report = _importer(db, _trusting(team)).import_file(bundle)
    assert report.ok and report.landed, report.plan.reason()
    artifacts = Registry(db).card_version("credit-scorer", "1.0.0").artifacts
    assert sorted(a["name"] for a in artifacts) == sorted(MODEL_FILES)
    for artifact in artifacts:
        assert team_signature(artifact) == ModelFileSignature.VERIFIED
        assert artifact["team_certificate"] == team.fingerprint()
    (signed,) = [e for e in _bundle_events(db) if e.get("model_signatures")]
    assert signed["model_signatures"] == [
        {
            "card": "credit-scorer.json",
            "signature": "model-signatures/model.sig",
            "files": sorted(MODEL_FILES),
            "certificate": team.fingerprint(),
        }
    ]


def _bundle_events(db: Database) -> list[dict[str, object]]:
    with raw_connection(place_of(db)) as connection:
        rows = connection.execute(
            "SELECT details_json FROM audit_events WHERE action = 'bundle.imported'"
        ).fetchall()
    return [json.loads(row[0]) for row in rows]


def test_a_bundle_without_model_signatures_lands_with_its_files_not_signed(
    sqlite_db: Database, tmp_path: Path
) -> None:
    model = model_folder(tmp_path / "model")
    bundle = bundle_with_models(tmp_path / "bundle", model.files())
    report = _importer(sqlite_db, []).import_file(bundle)
    assert report.ok and report.landed
    artifacts = Registry(sqlite_db).card_version("credit-scorer", "1.0.0").artifacts
    assert [team_signature(a) for a in artifacts] == [ModelFileSignature.ABSENT] * 2
    assert all("team_signature" not in a for a in artifacts)  # recorded as before


def test_a_model_file_changed_after_signing_refuses_the_bundle_naming_it(
    sqlite_db: Database, tmp_path: Path, team: TeamSigner
) -> None:
    model = model_folder(tmp_path / "model")
    signature = sign_model(model.folder, team, tmp_path / "model.sig")
    (model.folder / "model.safetensors").write_bytes(b"\x00weights swapped after signing\x01")
    bundle = bundle_with_models(tmp_path / "bundle", model.files(), [signature])
    _assert_refused(
        sqlite_db, _trusting(team), bundle, "FAILED", "model.safetensors", "not the one the team"
    )
    # The preview shows the card's files as FAILED, and the card itself refused.
    plan = _importer(sqlite_db, _trusting(team)).plan(bundle)
    (card,) = plan.cards
    assert card.outcome == CardOutcome.REFUSED
    assert {team_signature(a) for a in card.artifacts} == {ModelFileSignature.FAILED}


def test_a_signature_made_with_another_key_is_refused(
    sqlite_db: Database, tmp_path: Path, team: TeamSigner
) -> None:
    intruder = make_signer("Someone else")
    model = model_folder(tmp_path / "model")
    signature = sign_model(model.folder, intruder, tmp_path / "model.sig")
    bundle = bundle_with_models(tmp_path / "bundle", model.files(), [signature])
    _assert_refused(sqlite_db, _trusting(team), bundle, "FAILED", "not the key of any certificate")


def test_a_signature_of_another_model_is_refused(
    sqlite_db: Database, tmp_path: Path, team: TeamSigner
) -> None:
    other = model_folder(tmp_path / "other", {"fraud-detector.onnx": b"another model"})
    signature = sign_model(other.folder, team, tmp_path / "model.sig")
    model = model_folder(tmp_path / "model")
    bundle = bundle_with_models(tmp_path / "bundle", model.files(), [signature])
    _assert_refused(
        sqlite_db, _trusting(team), bundle, "FAILED", "'fraud-detector.onnx'", "another model"
    )


def test_a_signature_listing_files_the_card_does_not_name_is_refused(
    sqlite_db: Database, tmp_path: Path, team: TeamSigner
) -> None:
    model = model_folder(tmp_path / "model")
    signature = sign_model(model.folder, team, tmp_path / "model.sig")
    weights = model.folder / "model.safetensors"
    bundle = bundle_with_models(tmp_path / "bundle", [weights], [signature])
    _assert_refused(sqlite_db, _trusting(team), bundle, "'config.json'", "does not name")


def test_a_single_signed_file_is_verified_and_the_others_stay_not_signed(
    sqlite_db: Database, tmp_path: Path, team: TeamSigner
) -> None:
    model = model_folder(tmp_path / "model")
    weights = model.folder / "model.safetensors"
    signature = sign_model(weights, team, tmp_path / "weights.sig")
    bundle = bundle_with_models(tmp_path / "bundle", model.files(), [signature])
    report = _importer(sqlite_db, _trusting(team)).import_file(bundle)
    assert report.landed, report.plan.reason()
    artifacts = Registry(sqlite_db).card_version("credit-scorer", "1.0.0").artifacts
    assert {a["name"]: team_signature(a) for a in artifacts} == {
        "config.json": ModelFileSignature.ABSENT,
        "model.safetensors": ModelFileSignature.VERIFIED,
    }


def test_no_certificate_trusted_for_the_team_refuses_and_says_how_to_add_one(
    sqlite_db: Database, tmp_path: Path, team: TeamSigner
) -> None:
    bundle = _signed_bundle(tmp_path, team)
    _assert_refused(sqlite_db, [], bundle, "countersign trust add CERT.pem --team")
    # A certificate trusted for another team does not check this team's signatures.
    _assert_refused(sqlite_db, _trusting(team, "Fraud"), bundle, "no certificate of that team")


def test_a_signature_over_blake2_digests_is_refused_as_not_comparable(
    sqlite_db: Database, tmp_path: Path, team: TeamSigner
) -> None:
    model = model_folder(tmp_path / "model")
    signature = sign_model(model.folder, team, tmp_path / "model.sig", hash_name="blake2")
    bundle = bundle_with_models(tmp_path / "bundle", model.files(), [signature])
    _assert_refused(sqlite_db, _trusting(team), bundle, "predicate.serialization", "'blake2b'")


def _rewrite(signature: Path, change: dict[str, object]) -> Path:
    data = json.loads(signature.read_bytes())
    data.update(change)
    signature.write_text(json.dumps(data))
    return signature


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"\xff\xfe not text", ("not UTF-8",)),
        (b"{not json", ("not valid JSON",)),
        (b"[]", ("must be a JSON object",)),
        (b'{"mediaType": "text/plain"}', ("mediaType", "not a Sigstore bundle")),
    ],
)
def test_a_malformed_signature_file_is_refused_naming_it(
    sqlite_db: Database, tmp_path: Path, team: TeamSigner, content: bytes, words: tuple[str, ...]
) -> None:
    model = model_folder(tmp_path / "model")
    signature = tmp_path / "model.sig"
    signature.write_bytes(content)
    bundle = bundle_with_models(tmp_path / "bundle", model.files(), [signature])
    _assert_refused(sqlite_db, _trusting(team), bundle, *words)


def test_a_signed_statement_changed_after_signing_is_refused(
    sqlite_db: Database, tmp_path: Path, team: TeamSigner
) -> None:
    """The digests in the statement were changed to match other files: the DSSE signature breaks."""
    model = model_folder(tmp_path / "model")
    signature = sign_model(model.folder, team, tmp_path / "model.sig")
    envelope = json.loads(signature.read_bytes())["dsseEnvelope"]
    statement = json.loads(base64.b64decode(envelope["payload"]))
    statement["predicate"]["resources"][1]["digest"] = "0" * 64
    envelope["payload"] = base64.b64encode(json.dumps(statement).encode()).decode()
    _rewrite(signature, {"dsseEnvelope": envelope})
    bundle = bundle_with_models(tmp_path / "bundle", model.files(), [signature])
    _assert_refused(sqlite_db, _trusting(team), bundle, "FAILED", "does not verify")


def test_a_forged_signature_value_is_refused(
    sqlite_db: Database, tmp_path: Path, team: TeamSigner
) -> None:
    model = model_folder(tmp_path / "model")
    signature = sign_model(model.folder, team, tmp_path / "model.sig")
    envelope = json.loads(signature.read_bytes())["dsseEnvelope"]
    envelope["signatures"][0]["sig"] = base64.b64encode(b"0" * 70).decode()
    _rewrite(signature, {"dsseEnvelope": envelope})
    bundle = bundle_with_models(tmp_path / "bundle", model.files(), [signature])
    _assert_refused(sqlite_db, _trusting(team), bundle, "FAILED", "does not verify")


def test_a_signature_with_too_many_files_is_refused_before_verification(
    sqlite_db: Database, tmp_path: Path, team: TeamSigner
) -> None:
    model = model_folder(tmp_path / "model")
    signature = sign_model(model.folder, team, tmp_path / "model.sig")
    envelope = json.loads(signature.read_bytes())["dsseEnvelope"]
    statement = json.loads(base64.b64decode(envelope["payload"]))
    statement["predicate"]["resources"] *= 600
    envelope["payload"] = base64.b64encode(json.dumps(statement).encode()).decode()
    _rewrite(signature, {"dsseEnvelope": envelope})
    bundle = bundle_with_models(tmp_path / "bundle", model.files(), [signature])
    _assert_refused(sqlite_db, _trusting(team), bundle, "at most 1000 files")


def test_a_huge_signature_file_is_refused(
    sqlite_db: Database, tmp_path: Path, team: TeamSigner
) -> None:
    model = model_folder(tmp_path / "model")
    signature = sign_model(model.folder, team, tmp_path / "model.sig")
    _rewrite(signature, {"padding": secrets.token_hex(600_000)})  # not compressible
    # Countersign's writer will not write it ...
    with pytest.raises(BundleRefused, match=r"model-signatures/model\.sig: the model signature is"):
        bundle_with_models(tmp_path / "bundle", model.files(), [signature])
    # ... and the importer refuses a bundle that carries it.
    card = ("credit-scorer.json", (NATIVE_CARDS / "credit-scorer-v1.json").read_bytes())
    manifest = manifest_for([card])
    content = signature.read_bytes()
    manifest["model_signatures"] = [
        {"path": "model.sig", "card": card[0], "sha256": sha256_hex(content)}
    ]
    bundle = write(tmp_path, BUNDLE, bundle_of(manifest, [card, ("model.sig", content)]))
    report = _importer(sqlite_db, _trusting(team)).import_file(bundle)
    assert not report.landed
    reason = report.plan.reason()
    assert reason.startswith(f"{BUNDLE}: model.sig: the model signature is 1,2"), reason
    assert "over the 1,048,576-byte limit" in reason
    assert row_counts(place_of(sqlite_db))["card_versions"] == 0


def test_the_trust_store_keeps_team_certificates_apart_from_officers(
    tmp_path: Path, team: TeamSigner
) -> None:
    store = TrustStore(tmp_path / "trust.json")
    entry, new = store.pin_team(team.certificate_pem().decode(), TEAM, "team cert")
    assert new and entry.team == TEAM
    assert store.pin_team(team.certificate_pem().decode(), TEAM, "again") == (entry, False)
    assert store.entries() == []  # no anchor for sign-offs
    assert store.team_certificates() == _trusting(team)
    store.remove(team.fingerprint()[:12])
    assert store.team_entries() == []
