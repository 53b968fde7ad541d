"""The demo registry: sample bundles in every format, imported round by round, and reviewed."""

from __future__ import annotations

import json
import shutil
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import keyring
import keyring.core
import pytest
from keyring.backend import get_all_keyring
from keyring.backends import fail

from countersign.formats.bundle import open_bundle
from countersign.models.vocabulary import AuditAction
from countersign.services import demo
from countersign.services.audit.records import AuditTrail
from countersign.services.audit.trail import list_events, verify_chain
from countersign.services.audit.wording import describe
from countersign.services.demo import (
    BUNDLES_FOLDER,
    RETIRED_REASON,
    SAMPLE_REVIEWS,
    SAMPLES_INDEX,
    DemoSamplesError,
    build_demo_registry,
    read_sample_index,
    read_sample_reviews,
    samples_resource,
)
from countersign.services.identities.identities import Identities
from countersign.services.identities.memory_keyring import MemoryKeyring
from countersign.services.integrity.registry_check import verify_registry
from countersign.services.registry import Registry
from countersign.services.reviews.reviews import Reviews
from countersign.services.reviews.signoff_verification import verify_signoffs
from countersign.services.storage.database import Database
from countersign.services.trust.anchors import TrustAnchors

SAMPLES = Path(str(samples_resource()))
GRACE, JONAS = "grace.adeyemi@meridian.example", "jonas.lindqvist@meridian.example"


@dataclass
class KeyringWatch:
    """What the demo build did with keyrings: its own in-memory ones, and the officer's."""

    built: list[RecordingKeyring] = field(default_factory=list)
    real_keyring_calls: int = 0


class RecordingKeyring(MemoryKeyring):
    """The build's in-memory keyring, remembering the most keys it held at once."""

    def __init__(self, watch: KeyringWatch) -> None:
        super().__init__()
        self.most_held = 0
        watch.built.append(self)

    def set_password(self, service: str, username: str, password: str) -> None:
        """Keep the secret, counting how many are held."""
        super().set_password(service, username, password)
        self.most_held = max(self.most_held, len(self.entries))


@pytest.fixture
def watch(monkeypatch: pytest.MonkeyPatch) -> KeyringWatch:
    """Watch the build's keyrings; the officer's keyring is a failing one that counts calls."""
    return _watch_keyrings(monkeypatch)


def _watch_keyrings(monkeypatch: pytest.MonkeyPatch) -> KeyringWatch:
    watch = KeyringWatch()

    def officers_keyring() -> fail.Keyring:
        watch.real_keyring_calls += 1
        return fail.Keyring()  # type: ignore[no-untyped-call]

    # Keystore asks keyring.get_keyring(); keyring's own functions ask keyring.core's.
    monkeypatch.setattr(keyring, "get_keyring", officers_keyring)
    monkeypatch.setattr(keyring.core, "get_keyring", officers_keyring)
    monkeypatch.setattr(demo, "MemoryKeyring", lambda: RecordingKeyring(watch))
    return watch


@dataclass(frozen=True)
class DemoBuild:
    """The demo registry built once for the module, and what it did with keyrings."""

    folder: Path
    watch: KeyringWatch


@pytest.fixture(scope="module")
def demo_build(tmp_path_factory: pytest.TempPathFactory) -> DemoBuild:
    """One demo registry for the whole module: building it is the slow part."""
    folder = tmp_path_factory.mktemp("demo")
    with pytest.MonkeyPatch.context() as monkeypatch:
        watch = _watch_keyrings(monkeypatch)
        build_demo_registry(folder)
    return DemoBuild(folder, watch)


@pytest.fixture
def demo_folder(demo_build: DemoBuild) -> Path:
    """The folder of the module's demo registry."""
    return demo_build.folder


@pytest.fixture
def registry(demo_folder: Path) -> Iterator[Registry]:
    database = Database.open(str(demo_folder / "registry.sqlite3"))
    yield Registry(database)
    database.dispose()


def test_every_model_has_several_versions_and_the_newest_supersedes(registry: Registry) -> None:
    models = {model.name: model for model in registry.models()}
    assert set(models) == {
        "retail-credit-risk-scorer",
        "card-fraud-detector",
        "ed-triage-note-classifier",
        "support-ticket-router",
        "contact-centre-asr-en",
        "store-demand-forecaster",
    }
    assert all(model.version_count >= 2 for model in models.values())
    scorer = models["retail-credit-risk-scorer"]
    assert (scorer.team, scorer.risk_tier, scorer.latest_version) == (
        "Retail Credit Risk",
        "high",
        "3.0",
    )
    assert [(v.version, v.status) for v in registry.versions("retail-credit-risk-scorer")] == [
        ("2.0", "superseded"),
        ("2.1", "approved"),
        ("3.0", "in review"),
    ]
    assert models["card-fraud-detector"].risk_tier == "medium"
    assert models["store-demand-forecaster"].risk_tier == "low"


def test_all_four_card_formats_are_present(registry: Registry) -> None:
    formats = {
        version.source_format
        for model in registry.models()
        for version in registry.versions(model.name)
    }
    assert {"huggingface", "mct", "sagemaker", "native-json", "native-yaml"} <= formats
    assert registry.card_version("retail-credit-risk-scorer", "3.0").summary.original_name == (
        "retail-credit-risk-scorer.yaml"
    )


def test_team_signed_bundles_are_recorded_as_valid(registry: Registry) -> None:
    signed = {
        (version.model, version.version): version.bundle
        for model in registry.models()
        for version in registry.versions(model.name)
        if version.bundle is not None and version.bundle.signature_status == "valid"
    }
    assert {model for model, _ in signed} == {
        "retail-credit-risk-scorer",
        "ed-triage-note-classifier",
    }
    bundle = signed[("retail-credit-risk-scorer", "2.1")]
    assert bundle is not None
    assert bundle.file_name == "retail-credit-risk-2026-06.cardbundle"
    assert "CN=Retail Credit Risk Modelling (demo team key)" in (bundle.signer_subject or "")
    unsigned = registry.versions("card-fraud-detector")[0].bundle
    assert unsigned is not None and unsigned.signature_status == "absent"


def test_sample_cards_carry_the_intended_format_warnings(registry: Registry) -> None:
    def fields(model: str, version: str) -> list[str]:
        return [w["field"] for w in registry.card_version(model, version).warnings]

    assert fields("card-fraud-detector", "4.3") == [
        "evaluation_details[0].metric_groups[3].metric_data[1].value"
    ]
    assert fields("ed-triage-note-classifier", "1.1.0") == [
        "quantitative_analysis.performance_metrics[1].value"
    ]
    assert fields("support-ticket-router", "1.1") == ["model-index[0].results[5].dataset"]
    assert fields("contact-centre-asr-en", "1.0") == ["model-index[0].results[4].metrics[0].value"]
    assert fields("retail-credit-risk-scorer", "3.0") == []
    welsh = [
        result
        for result in registry.card_version(
            "contact-centre-asr-en", "1.0"
        ).card.quantitative_analyses.results
        if result.name == "WER (Welsh English)"
    ]
    assert [(r.value, r.numeric) for r in welsh] == [("NA", None)]


def test_later_versions_change_real_things(registry: Registry) -> None:
    def auc(version: str, slice_name: str) -> float | None:
        card = registry.card_version("retail-credit-risk-scorer", version).card
        (result,) = [
            r
            for r in card.quantitative_analyses.results
            if r.name == "AUC" and r.slice == slice_name
        ]
        return result.numeric

    assert (auc("2.0", ""), auc("2.1", "")) == (0.812, 0.821)
    assert (auc("2.0", "age 18-24"), auc("2.1", "age 18-24"), auc("3.0", "age 18-24")) == (
        0.761,
        0.748,
        0.792,
    )
    newest = registry.card_version("retail-credit-risk-scorer", "3.0").card
    assert "Setting or changing credit limits (use the affordability model)" in (
        newest.intended_use.out_of_scope
    )
    assert "open-banking-transactions-2025" in [d.name for d in newest.training_data.datasets]
    triage = registry.card_version("ed-triage-note-classifier", "1.2.0").card
    assert triage.caveats_and_recommendations.limitations[0].startswith(
        "For adult patients only (18 and over)."
    )
    assert any(
        risk.name.startswith("Automation bias") and "Shadow mode" in risk.mitigation
        for risk in triage.ethical_considerations.risks
    )


def test_attachments_land_with_their_card_version(registry: Registry) -> None:
    detail = registry.card_version("retail-credit-risk-scorer", "2.1")
    (attachment,) = detail.attachments
    assert attachment.path == "retail-credit-risk-scorer/calibration-holdout-2025H1.svg"
    assert attachment.media_type == "image/svg+xml"
    content = registry.attachment_content(attachment.id)
    assert content.startswith(b"<svg") and b"calibration" in content
    assert b"<script" not in content
    assert registry.card_version("retail-credit-risk-scorer", "2.0").attachments == []


def test_search_finds_words_from_the_sample_cards(registry: Registry) -> None:
    hits = registry.search("paediatric")
    assert {hit.model for hit in hits} == {"ed-triage-note-classifier"}
    best = registry.search("open banking consent")[0]
    assert (best.model, best.version) == ("retail-credit-risk-scorer", "3.0")


def test_audit_chain_verifies_and_names_the_demo_actor(registry: Registry) -> None:
    with registry.database.read() as session:
        report = verify_chain(session)
        events = [(event.actor, event.action) for event in list_events(session)]
    assert report.ok, report.describe()
    assert report.events == len(events) > 0
    # Imports and identities are the build's; each signed act (sign-off, grant, retirement)
    # is its signer's.
    assert {actor for actor, _ in events} == {"demo", GRACE, JONAS}
    assert {action for actor, action in events if actor != "demo"} == {
        "checklist.stored",
        "checklist.frozen",
        "review.opened",
        "review.signed",
        "card_version.status_changed",
        "identity.granted",
        "identity.retired",
    }
    with registry.database.read() as session:
        whole = verify_registry(session, TrustAnchors())
    assert whole.ok, list(whole.lines())
    assert whole.head is not None and whole.head.what == "retirement"
    actions = [action for _, action in events]
    assert actions.count("bundle.imported") == 14
    assert "card_version.superseded" in actions
    assert actions.count("identity.created") == actions.count("identity.retired") == 2
    assert actions.count("review.signed") == 6
    # The sign-offs come between the rounds: 3.0 was approved before 3.1 arrived.
    signed = actions.index("review.signed")
    assert actions[:signed].count("bundle.imported") == 6


def test_every_demo_event_is_in_the_vocabulary_and_reads_in_words(registry: Registry) -> None:
    records = AuditTrail(registry.database).events(limit=100_000)
    assert len(records) > 50
    for record in records:
        assert AuditAction.known(record.action), f"{record.action} is not in the vocabulary"
        sentence = describe(record)
        assert record.action not in sentence, sentence
        assert f"{record.object_type} {record.object_id}" not in sentence, sentence
    imported = [r for r in records if r.action == AuditAction.CARD_VERSION_IMPORTED]
    assert imported and all(r.bundle_file.endswith(".cardbundle") for r in imported)
    assert all(" from bundle " in describe(r) for r in imported)


def test_the_demo_shows_every_step_of_the_review_life_cycle(registry: Registry) -> None:
    newest = {model.name: model.status for model in registry.models()}
    assert newest == {
        "retail-credit-risk-scorer": "in review",
        "card-fraud-detector": "changes requested",
        "support-ticket-router": "approved",
        "store-demand-forecaster": "submitted",
        "ed-triage-note-classifier": "submitted",
        "contact-centre-asr-en": "submitted",
    }
    assert [(v.version, v.status) for v in registry.versions("store-demand-forecaster")] == [
        ("3.0", "approved"),
        ("3.1", "submitted"),
    ]
    reviews = Reviews(registry.database, Identities(registry.database))

    (forecaster,) = reviews.reviews_for("store-demand-forecaster", "3.0")
    assert (forecaster.template_id, forecaster.status, forecaster.approvals) == (
        "standard",
        "approved",
        1,
    )
    (approval,) = forecaster.signatures
    assert (approval.signer_name, approval.signer_role) == ("Grace Adeyemi (demo)", "approver")
    licence = next(r for r in approval.responses if r.item == "licence-stated")
    assert (licence.answer, licence.automatic, licence.evidence) == (
        "na",
        "fail",
        "license is empty",
    )
    assert "no licence field" in licence.note

    (fraud,) = reviews.reviews_for("card-fraud-detector", "4.3")
    (changes,) = fraud.signatures
    assert (fraud.status, changes.decision, changes.signer_email) == (
        "changes requested",
        "changes",
        JONAS,
    )
    failed = {r.item: r for r in changes.responses if r.answer == "fail"}
    assert set(failed) == {"subgroup-metrics", "no-format-problems"}
    assert "false positive rate as NA" in failed["subgroup-metrics"].note
    assert failed["no-format-problems"].automatic == "fail"
    assert "new merchants" in changes.comment

    (scorer,) = reviews.reviews_for("retail-credit-risk-scorer", "3.0")
    assert (scorer.template_id, scorer.status, scorer.approvals, scorer.quorum) == (
        "high-risk",
        "in review",
        1,
        2,
    )
    # The 18-24 adverse impact ratio is 0.78: the officer signs first, as the fair lending
    # escalation the high-risk checklist names; the round waits for a second approval.
    assert [s.signer_email for s in scorer.signatures] == [JONAS]
    assert scorer.signatures[0].escalations.signed == ("fair-lending",)
    air = next(r for r in scorer.signatures[0].responses if r.item == "adverse-impact")
    assert (air.answer, air.automatic) == ("pass", "fail")
    assert "age 18-24 (applications-oot-holdout, test) = 0.78" in air.evidence
    assert "(2.1: 0.81)" in air.evidence
    (approved,) = reviews.reviews_for("retail-credit-risk-scorer", "2.1")
    assert (approved.status, approved.approvals) == ("approved", 2)
    answered = {r.item: r.answer for r in scorer.signatures[0].responses}
    assert answered["independent-validation"] == answered["human-oversight"] == "pass"
    assert reviews.reviews_for("support-ticket-router", "1.1")[0].status == "approved"
    assert reviews.reviews_for("ed-triage-note-classifier", "1.2.0") == []


def test_every_demo_signature_verifies(registry: Registry) -> None:
    with registry.database.read() as session:
        report = verify_signoffs(session)
    assert report.ok, [problem.describe() for problem in report.problems]
    assert (report.reviews, report.signatures) == (5, 6)


def test_the_reviewers_keys_lived_only_in_the_builds_keyring(
    demo_build: DemoBuild, registry: Registry
) -> None:
    (used,) = demo_build.watch.built
    assert used.most_held == 2  # the approver's and the officer's, while signing
    assert used.entries == {}
    assert demo_build.watch.real_keyring_calls == 0
    people = Identities(registry.database).list_all()
    assert [(p.name, p.email, p.role) for p in people] == [
        ("Grace Adeyemi (demo)", GRACE, "approver"),
        ("Jonas Lindqvist (demo)", JONAS, "officer"),
    ]
    # Retired, so never offered for signing; the certificates stay for verification.
    assert all(not p.active and p.retired_reason == RETIRED_REASON for p in people)
    assert all(p.certificate_pem.startswith("-----BEGIN CERTIFICATE-----") for p in people)
    assert not any(path.suffix == ".pem" for path in demo_build.folder.rglob("*"))


def test_the_builds_keyring_is_never_chosen_by_keyring_itself() -> None:
    assert demo.MemoryKeyring is MemoryKeyring
    assert not MemoryKeyring.viable
    assert not any(isinstance(b, MemoryKeyring) for b in get_all_keyring())


def test_sample_reviews_name_known_reviewers_and_versions() -> None:
    reviewers, sign_offs = read_sample_reviews(SAMPLES / SAMPLE_REVIEWS)
    assert {r.role for r in reviewers.values()} == {"approver", "officer"}
    assert all("(demo)" in r.name and r.email.endswith(".example") for r in reviewers.values())
    assert [(s.model, s.version, s.decision) for s in sign_offs] == [
        ("store-demand-forecaster", "3.0", "approve"),
        ("support-ticket-router", "1.1", "approve"),
        ("card-fraud-detector", "4.3", "changes"),
        ("retail-credit-risk-scorer", "2.1", "approve"),
        ("retail-credit-risk-scorer", "2.1", "approve"),
        ("retail-credit-risk-scorer", "3.0", "approve"),
    ]


def test_bundles_are_written_beside_the_registry_and_pass_the_checks(demo_folder: Path) -> None:
    bundles = sorted((demo_folder / BUNDLES_FOLDER).glob("*.cardbundle"))
    assert len(bundles) == 14
    opened = open_bundle(demo_folder / BUNDLES_FOLDER / "clinical-ai-2026-06.cardbundle")
    assert opened.signature_status == "valid"
    assert opened.manifest.team == "Clinical AI"
    assert [a.path for a in opened.manifest.attachments] == [
        "ed-triage-note-classifier/sensitivity-by-group.svg"
    ]


def test_index_lists_every_sample_folder_in_round_order() -> None:
    bundles, signers = read_sample_index(SAMPLES / SAMPLES_INDEX)
    folders = sorted(child.name for child in SAMPLES.iterdir() if child.is_dir())
    assert [bundle.folder for bundle in bundles] == folders
    rounds = [bundle.round for bundle in bundles]
    assert rounds == sorted(rounds) and set(rounds) == {1, 2, 3}
    assert set(signers) == {b.signer for b in bundles if b.signer}
    raw = json.loads((SAMPLES / SAMPLES_INDEX).read_text(encoding="utf-8"))
    assert len(raw["bundles"]) == len(bundles)


def test_progress_is_reported_to_the_end(tmp_path: Path) -> None:
    seen: list[tuple[int, int, str]] = []
    path = build_demo_registry(
        tmp_path, progress=lambda done, total, what: seen.append((done, total, what))
    )
    assert path == tmp_path / "registry.sqlite3" and path.is_file()
    assert seen[0][0] == 0 and seen[-1][0] == seen[-1][1]
    steps = [what for _, _, what in seen]
    assert "Importing clinical-ai-2026-10.cardbundle" in steps
    signing = steps.index("Signing the review of store-demand-forecaster 3.0")
    assert steps[signing - 1 : signing + 2] == [
        "Importing supply-chain-2026-03.cardbundle",
        "Signing the review of store-demand-forecaster 3.0",
        "Importing retail-credit-risk-2026-06.cardbundle",
    ]
    done = [d for d, _, _ in seen]
    assert done == sorted(done)
    assert len(set(done)) == len(done)


def test_building_over_an_existing_registry_is_refused(demo_folder: Path) -> None:
    before = (demo_folder / "registry.sqlite3").stat().st_size
    with pytest.raises(FileExistsError, match="already exists"):
        build_demo_registry(demo_folder)
    assert (demo_folder / "registry.sqlite3").stat().st_size == before


def test_samples_inside_a_zip_are_copied_out_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = tmp_path / "resources.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for path in sorted(SAMPLES.rglob("*")):
            if path.is_file():
                zipped.write(path, "samples/" + path.relative_to(SAMPLES).as_posix())
    monkeypatch.setattr(demo, "samples_resource", lambda: zipfile.Path(archive, "samples/"))
    registry = Registry(Database.open(str(build_demo_registry(tmp_path / "demo"))))
    try:
        assert registry.model("ed-triage-note-classifier").latest_version == "1.2.0"
        assert registry.count_card_versions() == 14
    finally:
        registry.database.dispose()


def test_a_broken_sample_is_a_bug_that_names_its_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    samples = tmp_path / "samples"
    shutil.copytree(SAMPLES, samples)
    (samples / "02-payments-risk-r1" / "card-fraud-detector.json").write_text(
        '{"this is": "no card"}', encoding="utf-8"
    )
    monkeypatch.setattr(demo, "samples_resource", lambda: samples)
    with pytest.raises(DemoSamplesError, match="02-payments-risk-r1 is refused") as raised:
        build_demo_registry(tmp_path / "demo")
    assert "not a model card in a known format" in str(raised.value)
    assert not (tmp_path / "demo" / "registry.sqlite3").exists()


def test_a_sample_review_the_rules_refuse_is_a_bug_that_names_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, watch: KeyringWatch
) -> None:
    samples = tmp_path / "samples"
    shutil.copytree(SAMPLES, samples)
    reviews = json.loads((samples / SAMPLE_REVIEWS).read_text(encoding="utf-8"))
    fraud = next(s for s in reviews["sign_offs"] if s["model"] == "card-fraud-detector")
    fraud["answers"]["subgroup-metrics"]["note"] = ""
    (samples / SAMPLE_REVIEWS).write_text(json.dumps(reviews), encoding="utf-8")
    monkeypatch.setattr(demo, "samples_resource", lambda: samples)
    with pytest.raises(DemoSamplesError) as raised:
        build_demo_registry(tmp_path / "demo")
    assert str(raised.value) == (
        "reviews.json: the review of card-fraud-detector 4.3 is refused: "
        "subgroup-metrics.note: a fail needs a note saying what is wrong"
    )
    (used,) = watch.built
    assert used.most_held == 2 and used.entries == {}  # emptied even though the build failed
    assert watch.real_keyring_calls == 0


def test_a_sample_review_after_a_round_with_no_bundles_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    samples = tmp_path / "samples"
    shutil.copytree(SAMPLES, samples)
    reviews = json.loads((samples / SAMPLE_REVIEWS).read_text(encoding="utf-8"))
    reviews["sign_offs"][0]["after_round"] = 4
    (samples / SAMPLE_REVIEWS).write_text(json.dumps(reviews), encoding="utf-8")
    monkeypatch.setattr(demo, "samples_resource", lambda: samples)
    with pytest.raises(DemoSamplesError, match="comes after round 4, which has no bundles"):
        build_demo_registry(tmp_path / "demo")
    assert not (tmp_path / "demo" / "registry.sqlite3").exists()
