"""Audit events in words: one sentence per event, read through the audit trail service."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import FrozenInstanceError
from pathlib import Path
from typing import Any

import pytest

from countersign.formats.bundle import create_bundle
from countersign.models.vocabulary import AuditAction
from countersign.services.audit.records import AuditRecord, AuditTrail, parse_details
from countersign.services.audit.trail import key_of
from countersign.services.audit.wording import (
    _SENTENCES,
    action_label,
    describe,
    details_summary,
    object_words,
)
from countersign.services.importing.importer import Importer
from countersign.services.storage.database import Database
from tests.helpers.registry import native_card, write_card

SHA = "ab" * 32


def _record(action: str, object_type: str, object_id: str, **details: Any) -> AuditRecord:
    model = str(details.pop("model", "acme/scorer"))
    bundle_file = str(details.pop("bundle_file", ""))
    text = json.dumps(details)
    return AuditRecord(
        id=7,
        at="2026-11-23T16:37:53.123456Z",
        actor="olga@example.org",
        action=action,
        object_type=object_type,
        object_id=object_id,
        model_name=model,
        details_json=text,
        hash="1" * 64,
        prev_hash="0" * 64,
        details=parse_details(text),
        bundle_file=bundle_file,
    )


SENTENCES = [
    (
        _record("model.created", "model", "13", team="Risk Analytics", risk_tier="high"),
        "Model acme/scorer created (team Risk Analytics, risk tier high)",
    ),
    (
        _record(
            "bundle.imported",
            "bundle",
            SHA,
            file="risk.cardbundle",
            team="Risk Analytics",
            signature="valid",
            signer="CN=Risk Analytics",
            cards=[{"model": "acme/scorer", "version": "3.1", "outcome": "new version"}],
            model="",
            bundle_file="risk.cardbundle",
        ),
        "Bundle risk.cardbundle imported from team Risk Analytics"
        " (signed by CN=Risk Analytics): acme/scorer 3.1",
    ),
    (
        _record(
            "card_version.imported",
            "card_version",
            "13",
            version="3.1",
            sha256=SHA,
            source_format="huggingface",
            file="README.md",
            bundle=SHA,
            warnings=2,
            bundle_file="risk.cardbundle",
        ),
        "Card version 3.1 of acme/scorer imported from bundle risk.cardbundle"
        " (card README.md, Hugging Face README, 2 warnings)",
    ),
    (
        _record("card_version.superseded", "card_version", "12", version="3.0", by_version="3.1"),
        "Card version 3.0 of acme/scorer superseded by version 3.1",
    ),
    (
        _record(
            "card_version.status_changed",
            "card_version",
            "13",
            version="3.1",
            to="approved",
            review=4,
            **{"from": "in review"},
        ),
        "Card version 3.1 of acme/scorer changed status from in review to approved",
    ),
    (
        _record(
            "card_version.published",
            "card_version",
            "13",
            version="3.1",
            folder="scorer-3.1",
            files={"card.json": SHA, "report.pdf": SHA},
        ),
        "Card version 3.1 of acme/scorer published to folder scorer-3.1 (2 files)",
    ),
    (
        _record(
            "card_version.attested",
            "card_version",
            "13",
            version="3.1",
            stage="production",
            file="scorer.intoto.json",
        ),
        "Card version 3.1 of acme/scorer: approval for production attested in scorer.intoto.json",
    ),
    (
        _record(
            "import.refused",
            "file",
            "bad.cardbundle",
            file="bad.cardbundle",
            reason="manifest.json: missing",
            model="",
        ),
        "Import of bad.cardbundle refused: manifest.json: missing",
    ),
    (
        _record("review.opened", "review", "4", version="3.1", template="standard@1"),
        "Review of card version 3.1 of acme/scorer opened with checklist standard@1",
    ),
    (
        _record(
            "review.signed",
            "signature",
            "9",
            version="3.1",
            decision="changes",
            signer="ana@example.org",
            template="standard@1",
        ),
        "ana@example.org requested changes to card version 3.1 of acme/scorer"
        " (checklist standard@1)",
    ),
    (
        _record("review.superseded", "review", "4", version="3.0", by_version="3.1"),
        "Review of card version 3.0 of acme/scorer closed: superseded by version 3.1",
    ),
    (
        _record("checklist.stored", "checklist_template", "standard@1", title="Standard", model=""),
        "Checklist template standard@1 “Standard” stored",
    ),
    (
        _record("checklist.frozen", "checklist_template", "standard@1", model=""),
        "Checklist template standard@1 frozen: a review uses it, so it never changes again",
    ),
    (
        _record(
            "checklist.imported",
            "checklist_template",
            "bank@2",
            title="Bank",
            source="bank.yaml",
            model="",
        ),
        "Checklist template bank@2 “Bank” imported from bank.yaml",
    ),
    (
        _record("checklist.replaced", "checklist_template", "bank@2", model=""),
        "Checklist template bank@2 replaced",
    ),
    (
        _record(
            "policy.imported",
            "metric_policy",
            "version 2",
            model="",
            title="Bank policy",
            source="bank.yaml",
            terms="2 terms added, 1 term changed",
        ),
        "Metric policy version 2 “Bank policy” imported from bank.yaml "
        "(2 terms added, 1 term changed)",
    ),
    (
        _record("policy.replaced", "metric_policy", "version 2", model="", source="bank.yaml"),
        "Metric policy version 2 replaced from bank.yaml",
    ),
    (
        _record("policy.frozen", "metric_policy", "version 2", model="", title="Bank policy"),
        "Metric policy version 2 “Bank policy” frozen: a sign-off used it",
    ),
    (
        _record(
            "registry.merged", "registry", "merge", model="", source="laptop.sqlite3", events=12
        ),
        "olga@example.org merged 12 events of work done in laptop.sqlite3 (verified, kept verbatim)",
    ),
    (
        _record(
            "report.exported",
            "card_version",
            "13",
            version="3.1",
            status="approved",
            file="scorer-3.1.pdf",
            pages=1,
        ),
        "Signed report of card version 3.1 of acme/scorer (approved) exported to"
        " scorer-3.1.pdf (1 page)",
    ),
    (
        _record(
            "identity.created",
            "identity",
            SHA,
            name="Ana Approver",
            email="ana@example.org",
            role="approver",
            model="",
        ),
        "Identity of Ana Approver <ana@example.org> created (approver, self-signed certificate)",
    ),
    (
        _record(
            "identity.imported", "identity", SHA, email="ana@example.org", role="officer", model=""
        ),
        "Identity of ana@example.org imported from a PKCS#12 file (officer)",
    ),
    (
        _record("identity.passphrase_changed", "identity", SHA, email="ana@example.org", model=""),
        "Passphrase of the key of ana@example.org changed",
    ),
    (
        _record("identity.retired", "identity", SHA, email="ana@example.org", reason="left"),
        "Identity of ana@example.org retired: it signs no more (left)",
    ),
    (
        _record("identity.granted", "identity", SHA, email="ana@example.org", role="approver"),
        "ana@example.org granted the role approver by olga@example.org (signed)",
    ),
    (
        _record("audit.checkpoint", "audit", "41", events=41, hash=SHA),
        "Audit trail checkpoint signed by olga@example.org up to event 41",
    ),
    (
        _record("stages.set", "registry", "stages", to=["test", "production"], model=""),
        "Stages set to test → production",
    ),
    (
        _record("model.classified", "classification", "1", version="3.1", tier="high", reason="ED"),
        "olga@example.org classified card version 3.1 of acme/scorer as high risk: ED",
    ),
    (
        _record(
            "approval.revoked", "revocation", "1", version="3.1", stage="production", reason="Drift"
        ),
        "olga@example.org revoked the approval of card version 3.1 of acme/scorer for production: "
        "Drift",
    ),
]


@pytest.mark.parametrize(
    ("record", "sentence"), SENTENCES, ids=[record.action for record, _ in SENTENCES]
)
def test_each_action_reads_as_a_sentence(record: AuditRecord, sentence: str) -> None:
    assert describe(record) == sentence
    assert record.action not in sentence


def test_every_action_has_a_sentence_and_a_test() -> None:
    assert set(_SENTENCES) == set(AuditAction)
    assert {record.action for record, _ in SENTENCES} == {action.value for action in AuditAction}


def test_within_a_model_the_model_is_not_named_again() -> None:
    record, sentence = SENTENCES[2]
    assert describe(record, within_model=True) == sentence.replace(" of acme/scorer", "")
    created, sentence = SENTENCES[0]
    assert describe(created, within_model=True) == sentence  # it names the model it created


def test_an_action_this_version_does_not_know_still_reads_as_words() -> None:
    record = _record("stage.gate_opened", "card_version", "13", version="3.1")
    assert action_label(record.action) == "Stage gate opened"
    assert describe(record) == "Stage gate opened: card version 3.1 of acme/scorer"
    assert action_label("card_version.imported") == "Card version imported"


def test_details_of_the_wrong_shape_never_break_the_sentence() -> None:
    odd = _record("review.signed", "signature", "9", version=["3.1"], decision=5, signer=None)
    assert describe(odd) == "olga@example.org signed off a card version of acme/scorer (decision 5)"
    unreadable = AuditRecord(7, "t", "me", "bundle.imported", "bundle", SHA, "", "not json", "", "")
    assert describe(unreadable) == f"Bundle {SHA[:12]}… imported"
    assert dict(parse_details("[1, 2]")) == {}


def test_objects_are_named_in_words_not_ids() -> None:
    assert object_words(_record("x.y", "card_version", "13", version="3.1")) == (
        "card version 3.1 of acme/scorer"
    )
    assert object_words(_record("x.y", "bundle", SHA, bundle_file="b.cardbundle")) == (
        "bundle b.cardbundle"
    )
    assert object_words(_record("x.y", "identity", SHA, email="a@b.org")) == "identity a@b.org"
    assert object_words(_record("x.y", "model", "13")) == "model acme/scorer"
    assert object_words(_record("x.y", "gadget", SHA, model="")) == f"gadget {SHA[:12]}…"


def test_details_summary_is_short_and_names_each_field() -> None:
    summary = details_summary({"sha256": SHA, "cards": [1, 2], "file": "x.json"})
    assert summary == "sha256: abababababab…; cards: 2 items; file: x.json"
    assert len(details_summary({"reason": "x" * 500})) == 140
    assert details_summary({"bundle": "", "team": "Payments", "signer": None}) == "team: Payments"


@pytest.fixture
def trail(tmp_path: Path) -> AuditTrail:
    database = Database.open(str(tmp_path / "registry.sqlite3"))
    importer = Importer(database, actor="officer")
    importer.import_file(write_card(tmp_path, "v1.json", native_card("credit-scorer", "1.0")))
    folder = tmp_path / "cards"
    folder.mkdir()
    write_card(folder, "fraud.json", native_card("fraud-detector", "0.9"))
    create_bundle(folder, tmp_path / "fraud.cardbundle", "Payments", producer="tests")
    importer.import_file(tmp_path / "fraud.cardbundle")
    return AuditTrail(database)


def test_the_trail_gives_plain_frozen_records_with_the_bundle_named(trail: AuditTrail) -> None:
    records = trail.events()
    assert [r.action for r in records] == [
        "model.created",
        "card_version.imported",
        "bundle.imported",
        "model.created",
        "card_version.imported",
    ]
    imported = records[-1]
    assert imported.bundle_file == "fraud.cardbundle"
    assert describe(imported).startswith(
        "Card version 0.9 of fraud-detector imported from bundle fraud.cardbundle"
    )
    assert records[1].bundle_file == ""  # a loose card came in no bundle
    with pytest.raises(FrozenInstanceError):
        imported.actor = "mallory"  # type: ignore[misc]
    with pytest.raises(TypeError):
        imported.details["version"] = "6.6"  # type: ignore[index]


def test_the_trail_pages_filters_and_reads_one_event(trail: AuditTrail) -> None:
    assert [r.id for r in trail.events(after=key_of(1), limit=2)] == [2, 3]
    assert [r.model_name for r in trail.events(action="card_version.imported")] == [
        "credit-scorer",
        "fraud-detector",
    ]
    assert [r.id for r in trail.events(model_name="fraud-detector")] == [4, 5]
    third = trail.event(3)
    assert third is not None and third.action == "bundle.imported"
    assert third.bundle_file == "fraud.cardbundle"
    assert trail.event(99) is None
    assert trail.verify().ok and trail.verify().events == 5


def test_the_trail_sees_a_changed_event(trail: AuditTrail) -> None:
    raw = sqlite3.connect(trail.database.location)
    raw.execute("DROP TRIGGER audit_events_no_update")
    raw.execute("UPDATE audit_events SET actor = 'mallory' WHERE id = 2")
    raw.commit()
    raw.close()
    report = trail.verify()
    assert (report.ok, report.first_broken) == (False, 2)
    changed = trail.event(2)
    assert changed is not None and changed.actor == "mallory"
