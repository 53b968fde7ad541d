"""Bundles written from drafts: they import cleanly, signed or not, and refusals name the draft."""

from __future__ import annotations

from pathlib import Path

import pytest

from countersign.formats.bundle import open_bundle
from countersign.services.drafts import CardDraft, DraftRefused, bundle_drafts, create_model_card
from countersign.services.importing.importer import Importer
from countersign.services.storage.database import Database
from tests.helpers.bundles import make_signer, tiny_png
from tests.helpers.drafts import FLOW_EXAMPLE, full_model_info


def test_signed_bundle_of_two_drafts_with_an_attachment_imports_clean(
    tmp_path: Path, registry_db: str
) -> None:
    plot = tmp_path / "roc.png"
    plot.write_bytes(tiny_png())
    readme = create_model_card(full_model_info(), format="huggingface")
    readme.attachments.append(plot)
    native = create_model_card(FLOW_EXAMPLE)
    key, cert = make_signer().write(tmp_path, b"team secret")
    output = tmp_path / "team.cardbundle"
    manifest = bundle_drafts(
        [readme, native],
        output,
        "Customer Analytics",
        sign_key=key,
        sign_cert=cert,
        key_passphrase=b"team secret",
    )
    assert [card.path for card in manifest.cards] == [
        "retail-churn-predictor.md",
        "ImageClassifier.json",
    ]
    assert [a.path for a in manifest.attachments] == ["retail-churn-predictor/roc.png"]
    assert open_bundle(output).signature_status == "valid"
    database = Database.open(registry_db)
    report = Importer(database, actor="t").import_file(output)
    database.dispose()
    assert report.ok and report.landed
    assert [(c.model, c.outcome, c.warnings) for c in report.plan.cards] == [
        ("retail-churn-predictor", "new model", []),
        ("ImageClassifier", "new model", []),
    ]


def test_two_versions_of_one_model_get_distinct_file_names(tmp_path: Path) -> None:
    first = create_model_card(FLOW_EXAMPLE)
    second = create_model_card({**FLOW_EXAMPLE, "version": "1.1"})
    manifest = bundle_drafts([first, second], tmp_path / "b.cardbundle", "Vision")
    assert [card.path for card in manifest.cards] == [
        "ImageClassifier-1.0.json",
        "ImageClassifier-1.1.json",
    ]


@pytest.mark.parametrize(
    ("drafts", "words"),
    [
        ([], "at least one card draft"),
        ([CardDraft()], "model_details.name: the card names no model"),
        ([create_model_card({"name": "m"})], "model_details.version"),
        (
            [create_model_card(FLOW_EXAMPLE), create_model_card(FLOW_EXAMPLE)],
            "one card per model version",
        ),
    ],
)
def test_refusals_name_the_draft_and_write_nothing(
    tmp_path: Path, drafts: list[CardDraft], words: str
) -> None:
    with pytest.raises(DraftRefused, match=words):
        bundle_drafts(drafts, tmp_path / "b.cardbundle", "Vision")
    assert list(tmp_path.iterdir()) == []


def test_an_unreadable_attachment_is_refused_by_name(tmp_path: Path) -> None:
    draft = create_model_card(FLOW_EXAMPLE)
    draft.attachments.append(tmp_path / "gone.png")
    with pytest.raises(DraftRefused, match=r"gone\.png: cannot be read"):
        bundle_drafts([draft], tmp_path / "b.cardbundle", "Vision")
    assert not (tmp_path / "b.cardbundle").exists()
