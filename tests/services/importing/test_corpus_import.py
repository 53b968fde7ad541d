"""The whole shared corpus of real cards, imported as an officer would import it.

Every card imports (its problems recorded as warnings); every file that is no
card is refused with a message saying what it is instead.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from countersign.services.audit.trail import verify_chain
from countersign.services.importing.importer import Importer, LooseCardInfo
from countersign.services.registry import Registry
from countersign.services.storage.database import Database
from tests.helpers.registry import row_counts

NOT_CARDS = {
    "schemas/awsdocs-sagemaker-model-cards-with-json-schema.md": "documentation of a card schema",
    "schemas/hf-hub-docs-modelcard-metadata-spec.md": "template",
    "schemas/hf-huggingface_hub-modelcard_template.md": "template",
    "schemas/hf-hub-docs-eval_results-spec.yaml": "not a model card",
    "schemas/intel-model_card_gen.schema.v0.0.1.json": "JSON Schema",
    "schemas/mct-model_card.schema.v0.0.1.json": "JSON Schema",
    "schemas/mct-model_card.schema.v0.0.2.json": "JSON Schema",
    "schemas/sagemaker-core-model_card_schema.v0.1.0.json": "JSON Schema",
    "sagemaker/sdk-testdata-translated_clarify_bias.json": "fragment of a SageMaker card",
    "sagemaker/sdk-testdata-translated_clarify_explanation.json": "fragment of a SageMaker card",
    "sagemaker/sdk-testdata-translated_model_monitor_model_quality_binary_classification.json": (
        "fragment of a SageMaker card"
    ),
    "sagemaker/sdk-testdata-translated_model_monitor_model_quality_regression.json": (
        "fragment of a SageMaker card"
    ),
    "sagemaker/sdk-testdata-clarify_bias.json": "not a model card in a known format",
    "sagemaker/sdk-testdata-model_monitor_model_quality_binary_classification.json": (
        "not a model card in a known format"
    ),
}


def _corpus_files(corpus: Path) -> list[Path]:
    return sorted(p for p in corpus.rglob("*") if p.is_file() and p.name != "SOURCES.md")


@pytest.fixture
def imported(corpus: Path, tmp_path: Path) -> tuple[Database, dict[str, str]]:
    """Import every corpus file (as version "corpus", model named after the file)."""
    db = Database.open(str(tmp_path / "registry.sqlite3"))
    importer = Importer(db, actor="officer")
    refusals: dict[str, str] = {}
    for path in _corpus_files(corpus):
        relative = path.relative_to(corpus).as_posix()
        report = importer.import_file(
            path, LooseCardInfo(model=path.stem, version="corpus", team="corpus")
        )
        if report.ok:
            assert report.landed, relative
        else:
            refusals[relative] = report.plan.reason()
    return db, refusals


def test_every_card_imports_and_every_non_card_is_refused_clearly(
    corpus: Path, imported: tuple[Database, dict[str, str]]
) -> None:
    db, refusals = imported
    assert set(refusals) == set(NOT_CARDS)
    for relative, expected in NOT_CARDS.items():
        assert expected in refusals[relative], (relative, refusals[relative])
        assert Path(relative).name in refusals[relative]
    cards = [p for p in _corpus_files(corpus) if p.relative_to(corpus).as_posix() not in NOT_CARDS]
    assert Registry(db).count_models() == len(cards)
    with db.read() as session:
        report = verify_chain(session)
    assert report.ok
    assert row_counts(Path(db.location))["audit_events"] == report.events


def test_named_facts_survive_import(imported: tuple[Database, dict[str, str]]) -> None:
    db, _ = imported
    registry = Registry(db)

    ivanlau = registry.card_version("mirror-ivanlau-wav2vec2-xls-r-300m-cantonese").card
    assert ivanlau.model_details.name == "XLS-R-300M - Chinese_HongKong (Cantonese)"
    wer = [r for r in ivanlau.quantitative_analyses.results if r.type == "wer"]
    assert wer[0].numeric == pytest.approx(0.8111349803079126)
    assert wer[0].dataset == "Common Voice 8"
    assert ivanlau.license == "apache-2.0"

    helsinki = registry.card_version("mirror-helsinki-opus-mt-tc-base-gmw-gmw-62-results").card
    assert (
        len({(r.dataset, r.split, r.slice, r.task) for r in helsinki.quantitative_analyses.results})
        >= 31
    )

    whisper = registry.card_version("plain-openai-whisper-model-card").card
    assert "prone to generating repetitive texts" in whisper.plain_text()

    full = registry.card_version("mct-testdata-full").card
    assert full.model_details.name == "name"
    accuracy = full.quantitative_analyses.results[0]
    assert (accuracy.name, accuracy.value, accuracy.slice) == ("accuracy", "0.9", "overall")
    assert "limitations1" in full.caveats_and_recommendations.limitations


def test_problems_inside_cards_are_warnings_naming_the_field(
    imported: tuple[Database, dict[str, str]],
) -> None:
    db, _ = imported
    registry = Registry(db)

    na = registry.card_version("mirror-drishtisharma-xls-r-hi-cv8-string-NA-metric-values")
    assert any("NA" in w["message"] and "value" in w["field"] for w in na.warnings)
    assert any(r.value == "NA" and r.numeric is None for r in na.card.quantitative_analyses.results)

    invalid_yaml = registry.card_version("mirror-qqhann-xlsr-ja-invalid-yaml")
    assert any(w["field"] == "front matter" for w in invalid_yaml.warnings)
    assert "TODO: add more datasets" in invalid_yaml.card.plain_text()

    no_dataset = registry.card_version("hfhub-fixture-sample_invalid_model_index")
    assert any("dataset" in w["field"] for w in no_dataset.warnings)

    original_name, original = registry.original(invalid_yaml.summary.id)
    assert original_name == "mirror-qqhann-xlsr-ja-invalid-yaml.md"
    assert original.startswith(b"---\nlanguage: ja")
