"""Importing loose cards and bundles: outcomes, idempotence, supersession, all-or-nothing."""

from __future__ import annotations

import gc
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from countersign.formats.bundle import create_bundle
from countersign.services.audit.trail import verify_chain
from countersign.services.importing import importer as importer_module
from countersign.services.importing.importer import Importer, LooseCardInfo
from countersign.services.importing.landing import land_plan
from countersign.services.importing.plan import ImportPlan
from countersign.services.registry import Registry
from countersign.services.storage.database import Database
from tests.helpers import bundles
from tests.helpers.registry import (
    Place,
    audit_actions,
    last_audit_details,
    native_card,
    place_of,
    raw_connection,
    row_counts,
    write_card,
)


@pytest.fixture
def db(registry_db: str) -> Iterator[Database]:
    database = Database.open(registry_db)
    yield database
    database.dispose()


def _db_path(db: Database) -> Place:
    return place_of(db)


def test_loose_card_lands_as_new_model(db: Database, tmp_path: Path) -> None:
    path = write_card(tmp_path, "scorer.json", native_card("credit-scorer", "1.0"))
    report = Importer(db, actor="officer").import_file(path, LooseCardInfo(team="Risk Analytics"))
    assert report.ok and report.landed
    assert [(c.model, c.version, c.outcome) for c in report.plan.cards] == [
        ("credit-scorer", "1.0", "new model")
    ]
    registry = Registry(db)
    model = registry.model("credit-scorer")
    assert (model.team, model.risk_tier, model.latest_version, model.status) == (
        "Risk Analytics",
        "high",
        "1.0",
        "submitted",
    )
    detail = registry.card_version("credit-scorer", "1.0")
    assert detail.card.quantitative_analyses.results[1].slice == "age < 25"
    assert registry.original(detail.summary.id) == ("scorer.json", path.read_bytes())
    assert audit_actions(_db_path(db)) == ["model.created", "card_version.imported"]


def test_each_import_event_records_the_hash_of_the_bytes_as_received(
    db: Database, tmp_path: Path
) -> None:
    """A bundle card's hash is its manifest's (checked when the bundle was opened), a loose
    card's its file's; each is the SHA-256 of the original bytes stored."""
    bundle = bundles.write(tmp_path, "incoming.cardbundle", bundles.good_bundle())
    Importer(db).import_file(bundle)
    loose = write_card(tmp_path, "other.json", native_card("other-model", "1.0"))
    Importer(db).import_file(loose)
    with raw_connection(_db_path(db)) as connection:
        stored = dict(connection.execute("SELECT id, original FROM card_versions").fetchall())
        recorded = {
            int(object_id): json.loads(details)["original_sha256"]
            for object_id, details in connection.execute(
                "SELECT object_id, details_json FROM audit_events "
                "WHERE action = 'card_version.imported'"
            )
        }
    assert len(recorded) == 3
    assert recorded == {
        cv_id: hashlib.sha256(bytes(original)).hexdigest() for cv_id, original in stored.items()
    }


def test_reimporting_the_same_card_changes_nothing_and_says_so(
    db: Database, tmp_path: Path
) -> None:
    path = write_card(tmp_path, "scorer.json", native_card("credit-scorer", "1.0"))
    Importer(db).import_file(path)
    before = row_counts(_db_path(db))
    report = Importer(db).import_file(path)
    assert report.ok and not report.landed
    assert report.plan.cards[0].outcome == "unchanged"
    assert row_counts(_db_path(db)) == before


def test_new_version_supersedes_the_open_older_one(db: Database, tmp_path: Path) -> None:
    importer = Importer(db)
    importer.import_file(write_card(tmp_path, "v1.json", native_card("credit-scorer", "1.0")))
    report = importer.import_file(
        write_card(tmp_path, "v2.json", native_card("credit-scorer", "2.0", license="apache-2.0"))
    )
    assert report.plan.cards[0].outcome == "new version"
    versions = Registry(db).versions("credit-scorer")
    assert [(v.version, v.status, v.seq) for v in versions] == [
        ("1.0", "superseded", 1),
        ("2.0", "submitted", 2),
    ]
    assert Registry(db).model("credit-scorer").version_count == 2
    assert "card_version.superseded" in audit_actions(_db_path(db))


def test_a_new_model_with_two_versions_in_one_bundle_lands_as_it_stands_after(
    db: Database, tmp_path: Path
) -> None:
    """A model the bundle creates is written with its newest version, count and risk at once;
    its creation event keeps its first card's risk, and its older version is superseded."""
    importer = Importer(db)
    importer.import_file(write_card(tmp_path, "v1.json", native_card("credit-scorer", "1.0")))
    folder = tmp_path / "cards"
    folder.mkdir()
    write_card(folder, "a.json", native_card("fraud-detector", "1.0", risk_rating="low"))
    write_card(folder, "b.json", native_card("fraud-detector", "2.0", risk_rating="critical"))
    write_card(folder, "c.json", native_card("credit-scorer", "2.0", risk_rating=""))
    bundle = tmp_path / "two.cardbundle"
    create_bundle(folder, bundle, "Fraud Team", producer="tests")
    assert importer.import_file(bundle).landed
    registry = Registry(db)
    created = registry.model("fraud-detector")
    assert (created.team, created.risk_tier, created.latest_version, created.status) == (
        "Fraud Team",
        "critical",
        "2.0",
        "submitted",
    )
    assert created.version_count == 2
    assert [(v.version, v.status, v.seq) for v in registry.versions("fraud-detector")] == [
        ("1.0", "superseded", 1),
        ("2.0", "submitted", 2),
    ]
    existing = registry.model("credit-scorer")
    assert (existing.team, existing.risk_tier, existing.latest_version) == (
        "Fraud Team",
        "high",  # the new version states none: the stored tier stays
        "2.0",
    )
    assert existing.version_count == 2
    with raw_connection(_db_path(db)) as connection:
        events = connection.execute(
            "SELECT action, model_name, details_json FROM audit_events WHERE id > 2 ORDER BY id"
        ).fetchall()
    assert [(action, model) for action, model, _ in events] == [
        ("bundle.imported", ""),
        ("model.created", "fraud-detector"),
        ("card_version.imported", "fraud-detector"),
        ("card_version.imported", "fraud-detector"),
        ("card_version.imported", "credit-scorer"),
        ("card_version.superseded", "credit-scorer"),
        ("card_version.superseded", "fraud-detector"),
    ]
    assert json.loads(events[1][2]) == {"team": "Fraud Team", "risk_tier": "low"}
    assert json.loads(events[5][2]) == {"version": "1.0", "by_version": "2.0"}
    with db.read() as session:
        assert verify_chain(session).ok


def test_changed_content_under_an_existing_version_is_refused(db: Database, tmp_path: Path) -> None:
    importer = Importer(db)
    importer.import_file(write_card(tmp_path, "v1.json", native_card("credit-scorer", "1.0")))
    before = row_counts(_db_path(db))
    changed = write_card(tmp_path, "v1b.json", native_card("credit-scorer", "1.0", license="mit"))
    report = importer.import_file(changed)
    assert not report.ok and not report.landed
    assert "already in the registry with different content" in report.plan.reason()
    after = row_counts(_db_path(db))
    assert after == {**before, "audit_events": before["audit_events"] + 1}
    assert audit_actions(_db_path(db))[-1] == "import.refused"
    assert "different content" in last_audit_details(_db_path(db))["reason"]


def test_loose_card_without_version_needs_the_option(db: Database, tmp_path: Path) -> None:
    card = native_card("credit-scorer", "")
    path = write_card(tmp_path, "card.json", card)
    report = Importer(db).import_file(path)
    assert "does not state its version; pass --version" in report.plan.reason()
    assert Importer(db).import_file(path, LooseCardInfo(version="3.1")).landed


def test_bundle_lands_whole_with_its_provenance(db: Database, tmp_path: Path) -> None:
    folder = tmp_path / "cards"
    folder.mkdir()
    write_card(folder, "a.json", native_card("credit-scorer", "1.0"))
    write_card(folder, "b.json", native_card("fraud-detector", "0.9"))
    bundle = tmp_path / "risk.cardbundle"
    create_bundle(folder, bundle, "Risk Analytics", producer="tests")
    report = Importer(db).import_file(bundle)
    assert report.ok and report.landed
    assert sorted(c.outcome for c in report.plan.cards) == ["new model", "new model"]
    summary = Registry(db).card_version("fraud-detector").summary
    assert summary.bundle is not None
    assert (summary.bundle.file_name, summary.bundle.team, summary.bundle.signature_status) == (
        "risk.cardbundle",
        "Risk Analytics",
        "absent",
    )
    with db.read() as session:
        assert verify_chain(session).ok
    again = Importer(db).import_file(bundle)
    assert again.ok and not again.landed
    assert {c.outcome for c in again.plan.cards} == {"unchanged"}


def test_bundle_with_one_conflicting_card_lands_nothing(db: Database, tmp_path: Path) -> None:
    importer = Importer(db)
    importer.import_file(write_card(tmp_path, "v1.json", native_card("credit-scorer", "1.0")))
    before = row_counts(_db_path(db))
    folder = tmp_path / "cards"
    folder.mkdir()
    write_card(folder, "a.json", native_card("credit-scorer", "1.0", license="mit"))
    write_card(folder, "b.json", native_card("fraud-detector", "0.9"))
    bundle = tmp_path / "mixed.cardbundle"
    create_bundle(folder, bundle, "Risk Analytics", producer="tests")
    report = importer.import_file(bundle)
    assert not report.ok
    outcomes = {c.model: c.outcome for c in report.plan.cards}
    assert outcomes == {"credit-scorer": "refused", "fraud-detector": "new model"}
    assert "nothing from mixed.cardbundle was imported" in report.plan.reason()
    assert row_counts(_db_path(db)) == {**before, "audit_events": before["audit_events"] + 1}


def test_search_finds_imported_card_text(db: Database, tmp_path: Path) -> None:
    Importer(db).import_file(write_card(tmp_path, "a.json", native_card("credit-scorer", "1.0")))
    hits = Registry(db).search("thin cred")
    assert [(h.model, h.version) for h in hits] == [("credit-scorer", "1.0")]
    assert Registry(db).search('"; DROP TABLE models; --') == []


def test_a_cyclonedx_bom_lands_one_card_version_per_model(db: Database, tmp_path: Path) -> None:
    fixture = Path(__file__).parents[2] / "fixtures" / "cards" / "cyclonedx"
    path = fixture / "payments-ml-bom.json"
    report = Importer(db, actor="officer").import_file(path, LooseCardInfo(team="Payments"))
    assert report.ok and report.landed
    assert [(c.model, c.version, c.outcome) for c in report.plan.cards] == [
        ("card-fraud-detector", "4.4", "new model"),
        ("chargeback-predictor", "1.2", "new model"),
    ]
    detail = Registry(db).card_version("card-fraud-detector", "4.4")
    assert detail.summary.source_format == "cyclonedx"
    assert detail.card.quantitative_analyses.results[0].numeric == 0.962
    assert [a.path for a in detail.attachments] == ["embedded/graphic-01-roc.png"]
    chosen = Importer(db).import_file(
        path, LooseCardInfo(model="chargeback-predictor", version="1.3")
    )
    assert [(c.model, c.version) for c in chosen.plan.cards] == [("chargeback-predictor", "1.3")]


def test_a_bundle_entry_takes_the_model_its_manifest_names_from_a_bom(
    db: Database, tmp_path: Path
) -> None:
    fixture = Path(__file__).parents[2] / "fixtures" / "cards" / "cyclonedx"
    content = (fixture / "payments-ml-bom.json").read_bytes()
    manifest = {
        "format": "countersign-bundle",
        "format_version": 1,
        "team": "Payments",
        "created": bundles.CREATED,
        "producer": bundles.PRODUCER,
        "cards": [
            {
                "path": "payments-ml-bom.json",
                "model": "chargeback-predictor",
                "version": "1.2",
                "sha256": bundles.sha256_hex(content),
                "format": "cyclonedx",
            }
        ],
        "attachments": [],
    }
    path = bundles.write(
        tmp_path,
        "payments.cardbundle",
        bundles.bundle_of(manifest, [("payments-ml-bom.json", content)]),
    )
    report = Importer(db, actor="officer").import_file(path)
    assert report.ok and report.landed, report.plan.reason()
    [card] = report.plan.cards
    assert (card.model, card.version) == ("chargeback-predictor", "1.2")
    assert card.read is not None and card.read.card.model_details.model_type == "regression"


def test_a_card_of_two_megabytes_of_distinct_words_lands_and_is_searchable(
    db: Database, tmp_path: Path
) -> None:
    # PostgreSQL's tsvector holds at most 1 MB: the index takes the card's first part.
    words = " ".join(f"w{number:07d}x" for number in range(180_000))
    card = native_card(
        "wordy-model",
        "1.0",
        model_details={
            "name": "wordy-model",
            "version": "1.0",
            "summary": "Wordy.",
            "description": words,
        },
    )
    report = Importer(db).import_file(write_card(tmp_path, "wordy.json", card))
    assert report.ok and report.landed
    assert [hit.model for hit in Registry(db).search("w0000001x")] == ["wordy-model"]


def test_the_collector_skips_older_objects_while_landing_and_only_then(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    frozen: list[int] = []

    def landing(session: Session, plan: ImportPlan, actor: str) -> None:
        frozen.append(gc.get_freeze_count())
        land_plan(session, plan, actor)
        if plan.cards[0].model == "broken":
            raise RuntimeError("the disk went away")

    monkeypatch.setattr(importer_module, "land_plan", landing)
    importer = Importer(db)
    assert importer.import_file(write_card(tmp_path, "a.json", native_card("scorer", "1"))).landed
    with pytest.raises(RuntimeError, match="disk went away"):
        importer.import_file(write_card(tmp_path, "b.json", native_card("broken", "1")))
    assert len(frozen) == 2 and min(frozen) > 0  # what reading left was frozen while landing
    assert gc.get_freeze_count() == 0  # and is no longer, landed or not
    assert [m.name for m in Registry(db).models()] == ["scorer"]
