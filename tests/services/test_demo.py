"""The demo registry: sample bundles in every format, imported round by round."""

from __future__ import annotations

import json
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.formats.bundle import open_bundle
from app.services import demo
from app.services.audit import list_events, verify_chain
from app.services.database import Database
from app.services.demo import (
    BUNDLES_FOLDER,
    SAMPLES_INDEX,
    DemoSamplesError,
    build_demo_registry,
    read_sample_index,
    samples_resource,
)
from app.services.registry import Registry

SAMPLES = Path(str(samples_resource()))


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One demo registry for the whole module: building it is the slow part."""
    folder = tmp_path_factory.mktemp("demo")
    build_demo_registry(folder)
    return folder


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
        ("2.1", "superseded"),
        ("3.0", "submitted"),
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
    assert {actor for actor, _ in events} == {"demo"}
    actions = [action for _, action in events]
    assert actions.count("bundle.imported") == 14
    assert "card_version.superseded" in actions


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
    assert "Importing clinical-ai-2026-10.cardbundle" in [what for _, _, what in seen]
    done = [d for d, _, _ in seen]
    assert done == sorted(done)


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
