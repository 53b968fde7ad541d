"""The card draft editor: typing, preview and completeness, round trips, bundles, the menu."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel, QSettings
from pytestqt.qtbot import QtBot

from countersign.formats.bundle import open_bundle
from countersign.services.drafts import CardDraft, create_model_card, open_draft
from countersign.services.importing.importer import Importer
from countersign.services.reviews.checklists import built_in_templates
from countersign.services.storage.database import Database
from countersign.services.workstation import ServiceOptions, open_services
from countersign.views.drafts.editor import DraftEditor
from countersign.views.main_window import MainWindow
from tests.helpers.bundles import make_signer
from tests.helpers.drafts import FLOW_EXAMPLE, full_model_info

README = """\
---
library_name: transformers
pipeline_tag: text-classification
license: apache-2.0
thumbnail: https://example.com/t.png
widget:
- text: I love it
---

# Model Card for sentiment

Sentiment of product reviews.

## Uses

Product reviews in English.

## Acknowledgements

Thanks to the labelling team.
"""


@pytest.fixture
def make_editor(qtbot: QtBot, tmp_path: Path) -> Iterator[type[DraftEditor]]:
    """Build editors on the shipped templates; each is closed without asking at the end.

    Not given to ``qtbot.addWidget``: pytest-qt would close an edited editor, which asks
    whether to save, before this fixture could say no.
    """
    made: list[DraftEditor] = []

    def build(draft: CardDraft | None = None) -> DraftEditor:
        editor = DraftEditor(list(built_in_templates()), draft, folder=tmp_path)
        editor.show()
        made.append(editor)
        return editor

    yield build  # type: ignore[misc]
    for editor in made:
        editor.discard_changes()
        editor.close()
        editor.deleteLater()
    qtbot.wait(1)


def _import(path: Path, tmp_path: Path) -> list[tuple[str, str, list[object]]]:
    database = Database.open(str(tmp_path / "registry.sqlite3"))
    try:
        report = Importer(database, actor="officer").import_file(path)
        assert report.ok and report.landed, report.plan.reason()
        return [(c.model, c.outcome, list(c.warnings)) for c in report.plan.cards]
    finally:
        database.dispose()


def test_typing_updates_preview_and_completeness_after_a_pause(
    qtbot: QtBot, make_editor: type[DraftEditor]
) -> None:
    editor = make_editor()
    assert "appears here as you fill in the form" in editor.preview.toPlainText()
    assert editor.completeness.verdict.text().startswith("10 required items missing")
    editor.form.set_field("model_details.name", "ImageClassifier")
    editor.form.set_field("owners", "Vision team <vision@example.com>")
    assert editor.modified and "(edited)" in editor.windowTitle()
    qtbot.waitUntil(lambda: "ImageClassifier" in editor.preview.toPlainText(), timeout=3000)
    assert "vision@example.com" in editor.preview.toPlainText()
    assert editor.completeness.verdict.text().startswith("9 required items missing")
    editor.completeness.choose("high-risk")
    assert editor.completeness.template.id == "high-risk"
    assert "required items missing" in editor.completeness.verdict.text()


def test_metrics_table_edits_reach_the_card(make_editor: type[DraftEditor]) -> None:
    editor = make_editor(create_model_card(FLOW_EXAMPLE))
    form = editor.form
    form.add_metric_button.click()
    model = form.metrics_model
    assert model.rowCount() == 2
    for column, text in enumerate(("f1", "0.88", "imagenet-val", "validation", "", "")):
        if text:
            model.setData(model.index(1, column), text)
    editor.refresh_now()
    results = editor.draft.card.quantitative_analyses.results
    assert [(r.name, r.value, r.numeric, r.dataset) for r in results] == [
        ("accuracy", "0.92", 0.92, ""),
        ("f1", "0.88", 0.88, "imagenet-val"),
    ]
    assert "imagenet-val" in editor.preview.toPlainText()
    # Not selectRow(): it reads the keyboard modifiers, which an earlier test may leave held.
    form.metrics_table.selectionModel().select(
        model.index(0, 0),
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )
    form.remove_metric_button.click()
    editor.refresh_now()
    assert [r.name for r in editor.draft.card.quantitative_analyses.results] == ["f1"]


def test_a_full_draft_saved_as_readme_imports_with_no_warnings(
    tmp_path: Path, make_editor: type[DraftEditor]
) -> None:
    editor = make_editor()
    card = create_model_card(full_model_info()).card
    editor.form.set_field("model_details.name", card.model_details.name)
    editor.form.set_field("model_details.version", card.model_details.version)
    editor.form.set_field("license", "proprietary")
    editor.form.set_field("owners", "Customer Analytics <customer-analytics@example.com>")
    editor.form.set_field("intended_use.text", card.intended_use.text)
    editor.form.set_field("intended_use.out_of_scope", "Pricing decisions")
    editor.form.set_field("factors.text", card.factors.text)
    editor.form.set_field("evaluation_data.text", card.evaluation_data.text)
    editor.form.set_field("training_data.text", card.training_data.text)
    editor.form.set_field("ethical_considerations.text", card.ethical_considerations.text)
    editor.form.set_field(
        "caveats_and_recommendations.limitations",
        "\n".join(card.caveats_and_recommendations.limitations),
    )
    editor.form.metrics_model.set_results(card.quantitative_analyses.results)
    editor.form.metrics_model.edited.emit()
    editor.refresh_now()
    assert editor.completeness.verdict.text().startswith("Every required automatic check passes")
    path = tmp_path / "README.md"
    assert editor.save_as(path)
    assert not editor.modified and editor.draft.path == path
    assert _import(path, tmp_path) == [("retail-churn-predictor", "new model", [])]


def test_opening_and_saving_a_readme_keeps_front_matter_and_extra_sections(
    tmp_path: Path, make_editor: type[DraftEditor]
) -> None:
    path = tmp_path / "README.md"
    path.write_text(README, encoding="utf-8")
    editor = make_editor()
    editor.open_file(path)
    assert editor.draft.format == "huggingface"
    assert "Acknowledgements" in editor.form.extras_note.text()
    editor.form.set_field("model_details.version", "1.2")
    assert editor.save()
    text = path.read_text(encoding="utf-8")
    front = text.split("---\n")[1]
    for key in ("library_name: transformers", "pipeline_tag: text-classification", "thumbnail:"):
        assert key in front
    assert "widget:" in front and "version: '1.2'" in front
    assert "Thanks to the labelling team." in text
    reopened = open_draft(path)
    assert reopened.card.extra_sections == editor.draft.card.extra_sections
    assert reopened.card.model_details.version == "1.2"


def test_fields_the_form_has_no_place_for_survive_an_edit(
    tmp_path: Path, make_editor: type[DraftEditor]
) -> None:
    draft = create_model_card(
        {
            **full_model_info(),
            "references": ["https://example.com/paper"],
            "owners": [
                {"name": "Customer Analytics", "contact": "ca@example.com", "role": "owner"}
            ],
            "training_data": {"datasets": [{"name": "crm-2025", "link": "https://x.example"}]},
            "extra_sections": {"Monitoring": "Weekly drift report."},
        }
    )
    draft.save(tmp_path / "card.json")
    editor = make_editor(open_draft(tmp_path / "card.json"))
    editor.form.set_field("model_details.summary", "A new summary.")
    editor.form.set_field("training_data.datasets", "crm-2025\ncrm-2026")
    assert editor.save()
    card = open_draft(tmp_path / "card.json").card
    assert card.model_details.summary == "A new summary."
    assert card.model_details.references[0].reference == "https://example.com/paper"
    assert card.owners[0].role == "owner"
    assert [(d.name, d.link) for d in card.training_data.datasets] == [
        ("crm-2025", "https://x.example"),
        ("crm-2026", ""),
    ]
    assert card.extra_sections[0].title == "Monitoring"
    assert card.quantitative_analyses.results == draft.card.quantitative_analyses.results


def test_export_bundle_of_two_drafts_signed_imports_clean(
    tmp_path: Path, make_editor: type[DraftEditor]
) -> None:
    other = create_model_card(FLOW_EXAMPLE, tmp_path / "ImageClassifier.json")
    plot = tmp_path / "roc.png"
    plot.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 32)
    editor = make_editor(create_model_card(full_model_info(), format="huggingface"))
    editor.form.add_attachments([plot, plot])
    assert editor.form.attachments.count() == 1 and editor.modified
    dialog = editor.export_bundle()
    dialog.add_drafts([other.path] if other.path else [])
    assert dialog.list.count() == 2
    assert not dialog.export()
    assert "Say which team" in dialog.problem.text()
    key, cert = make_signer().write(tmp_path, b"team pass")
    dialog.team.setText("Customer Analytics")
    dialog.key.setText(str(key))
    dialog.cert.setText(str(cert))
    dialog.passphrase.setText("team pass")
    output = tmp_path / "out.cardbundle"
    dialog.output.setText(str(output))
    assert dialog.export()
    bundle = open_bundle(output)
    assert bundle.signature_status == "valid"
    assert [a.path for a in bundle.manifest.attachments] == ["retail-churn-predictor/roc.png"]
    assert _import(output, tmp_path) == [
        ("retail-churn-predictor", "new model", []),
        ("ImageClassifier", "new model", []),
    ]


def test_export_refusals_are_shown_and_write_nothing(
    tmp_path: Path, make_editor: type[DraftEditor]
) -> None:
    editor = make_editor(create_model_card({"name": "no-version"}))
    dialog = editor.export_bundle()
    dialog.team.setText("Vision")
    dialog.output.setText(str(tmp_path / "b.cardbundle"))
    assert not dialog.export()
    assert "model_details.version" in dialog.problem.text()
    junk = tmp_path / "junk.json"
    junk.write_text('{"a": 1}', encoding="utf-8")
    dialog.add_drafts([junk])
    assert "junk.json" in dialog.problem.text()
    assert not (tmp_path / "b.cardbundle").exists()
    dialog.reject()


def test_file_menu_opens_new_and_existing_drafts(qtbot: QtBot, tmp_path: Path) -> None:
    services = open_services(str(tmp_path / "registry.sqlite3"), ServiceOptions(actor="officer"))
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(services, settings)
    qtbot.addWidget(window)
    assert window.commands["new_draft"].text() == "&New card draft…"
    assert window.commands["open_draft"].text() == "&Open draft…"
    window.commands["new_draft"].trigger()
    (editor,) = window.draft_editors
    assert isinstance(editor, DraftEditor)
    path = create_model_card(FLOW_EXAMPLE, tmp_path / "ImageClassifier.json").path
    assert path is not None
    opened = window.open_draft(path)
    assert isinstance(opened, DraftEditor)
    assert opened.form.field("model_details.name").text() == "ImageClassifier"
    editor.close()
    qtbot.waitUntil(lambda: len(window.draft_editors) == 1)
    assert window.draft_editors[0] is opened
    opened.close()
    qtbot.waitUntil(lambda: not window.draft_editors)
    services.close()
