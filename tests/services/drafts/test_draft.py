"""Card drafts: saving in both formats, opening any card, what is missing, clean imports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from countersign.formats.detect import read_card
from countersign.services.drafts import (
    CardDraft,
    DraftRefused,
    create_model_card,
    open_draft,
)
from countersign.services.importing.importer import Importer
from countersign.services.registry import Registry
from countersign.services.reviews.errors import TemplateNotFound
from countersign.services.storage.database import Database
from tests.helpers.drafts import FLOW_EXAMPLE, full_model_info


def _import_clean(path: Path, db: Path) -> None:
    """Import ``path`` into a real SQLite registry; it must land with no warnings."""
    database = Database.open(str(db))
    report = Importer(database, actor="tester").import_file(path)
    assert report.ok, report.plan.reason()
    assert report.landed
    (card,) = report.plan.cards
    assert card.outcome == "new model"
    assert card.warnings == []
    assert Registry(database).card_version(card.model).warnings == []


def test_flow_example_saved_as_native_imports_with_no_warnings(tmp_path: Path) -> None:
    draft = create_model_card(FLOW_EXAMPLE)
    saved = draft.save(tmp_path / "ImageClassifier.json")
    assert draft.format == "native" and draft.path == saved
    assert read_card(saved.read_bytes(), saved.name).card == draft.card
    _import_clean(saved, tmp_path / "registry.sqlite3")


def test_full_card_saved_as_readme_has_model_index_and_imports_clean(tmp_path: Path) -> None:
    draft = create_model_card(full_model_info(), tmp_path / "README.md")
    text = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert draft.format == "huggingface"
    assert "model-index:" in text and "churn-holdout-2026" in text
    assert draft.import_warnings() == []
    assert read_card(text.encode(), "README.md").card == draft.card
    _import_clean(tmp_path / "README.md", tmp_path / "registry.sqlite3")


def test_missing_lists_failing_checks_with_evidence_required_first() -> None:
    missing = create_model_card(FLOW_EXAMPLE).missing()
    ids = [item.item for item in missing]
    assert ids[:3] == ["owner-contact", "intended-use", "out-of-scope-uses"]
    assert "metrics-reported" not in ids  # the accuracy result is there
    limitations = next(item for item in missing if item.item == "limitations-specific")
    assert "at least 80" in limitations.evidence
    assert all(item.required for item in missing)


def test_missing_counts_the_warnings_a_readme_import_would_record() -> None:
    draft = CardDraft(create_model_card(FLOW_EXAMPLE).card, format="huggingface")
    missing = {item.item: item for item in draft.missing()}
    assert "no-format-problems" in missing
    assert not missing["no-format-problems"].required
    assert "names no dataset" in missing["no-format-problems"].evidence
    assert draft.missing()[-1].item == "no-format-problems"


def test_a_full_card_misses_nothing_and_leaves_the_manual_items() -> None:
    draft = create_model_card(full_model_info())
    report = draft.completeness("standard")
    assert report.missing == []
    assert [item.item for item in report.manual] == ["monitoring-plan"]
    high = draft.completeness("high-risk@3")
    assert "decision-thresholds" in [item.item for item in high.required_failing]


def test_unknown_template_is_refused_naming_the_shipped_ones() -> None:
    with pytest.raises(TemplateNotFound, match="standard@1"):
        create_model_card(FLOW_EXAMPLE).missing("strict")


def test_opening_and_saving_a_readme_keeps_front_matter_keys_and_extras(tmp_path: Path) -> None:
    source = tmp_path / "README.md"
    source.write_text(
        "---\n"
        "library_name: transformers\n"
        "pipeline_tag: text-classification\n"
        "license: apache-2.0\n"
        "thumbnail: https://example.com/t.png\n"
        "widget:\n- text: I love it\n"
        "---\n\n# Model Card for sentiment\n\nSentiment of reviews.\n\n"
        "## Uses\n\nProduct reviews in English.\n\n"
        "## Acknowledgements\n\nThanks to the labelling team.\n",
        encoding="utf-8",
    )
    draft = open_draft(source)
    assert draft.format == "huggingface"
    draft.card.intended_use.text = "Product reviews in English, ranked for the support team."
    draft.save()
    text = source.read_text(encoding="utf-8")
    front = text.split("---\n")[1]
    keys = [
        line.split(":")[0]
        for line in front.splitlines()
        if line and line[0] != " " and line[0] != "-"
    ]
    assert keys[:5] == ["library_name", "pipeline_tag", "license", "thumbnail", "widget"]
    assert "Acknowledgements" in text and "Thanks to the labelling team." in text
    again = open_draft(source)
    assert again.card == draft.card
    assert again.card.extra_sections == draft.card.extra_sections


def test_opening_and_saving_native_keeps_every_field(tmp_path: Path) -> None:
    draft = create_model_card(
        {
            **full_model_info(),
            "model_details.citation": "Churn, 2026",
            "extra_sections": [{"title": "Monitoring", "text": "Weekly.", "source": "x"}],
        }
    )
    path = draft.save(tmp_path / "card.json")
    opened = open_draft(path)
    opened.save()
    assert open_draft(path).card == draft.card
    assert json.loads(path.read_text())["format"] == "countersign-card"


def test_other_formats_open_as_drafts_that_save_native(fixtures: Path, tmp_path: Path) -> None:
    sources = sorted((fixtures / "cards").rglob("*.json"))
    other = next(p for p in sources if "sagemaker" in str(p))
    draft = open_draft(other)
    assert draft.format == "native"
    assert draft.path is None  # the SageMaker original is never overwritten
    saved = draft.save(tmp_path / "converted.json")
    assert read_card(saved.read_bytes(), saved.name).card == draft.card


def test_files_that_are_no_card_are_refused_naming_them(tmp_path: Path) -> None:
    junk = tmp_path / "notes.json"
    junk.write_text('{"hello": 1}', encoding="utf-8")
    with pytest.raises(DraftRefused, match=r"notes\.json"):
        open_draft(junk)
    with pytest.raises(DraftRefused, match="cannot be read"):
        open_draft(tmp_path / "absent.md")


def test_saving_needs_a_path_and_an_existing_folder(tmp_path: Path) -> None:
    draft = create_model_card(FLOW_EXAMPLE)
    with pytest.raises(DraftRefused, match="no file yet"):
        draft.save()
    with pytest.raises(DraftRefused, match="does not exist"):
        draft.save(tmp_path / "absent" / "card.json")
    with pytest.raises(DraftRefused, match="not one of"):
        draft.save(tmp_path / "card.txt", "pdf")  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


def test_opening_a_card_takes_the_files_in_its_folder_as_attachments(tmp_path: Path) -> None:
    path = create_model_card(FLOW_EXAMPLE, tmp_path / "ImageClassifier.md").path
    assert path is not None
    folder = tmp_path / "ImageClassifier"
    folder.mkdir()
    (folder / "roc.png").write_bytes(b"png")
    (folder / "sheet.csv").write_text("a,b\n", encoding="utf-8")
    (folder / "nested").mkdir()
    assert [p.name for p in open_draft(path).attachments] == ["roc.png", "sheet.csv"]
    assert open_draft(tmp_path / "ImageClassifier.md").format == "huggingface"
