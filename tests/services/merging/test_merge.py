"""registry copy of two registries that grew apart: an officer's offline work merged into the team's.

The team registry is copied to a laptop; both then import and sign (a stage
approval, a grant and a classification offline; an import and an approval on
the team side); the laptop's work is merged into the team registry, which
verifies whole afterwards, serves the offline approval to ``gate`` and keeps
its own work.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from countersign.cli import main
from countersign.services.audit.records import AuditTrail
from countersign.services.audit.trail import TRAIL_START, event_hash, verify_chain
from countersign.services.deployment.evidence import evidence_gate
from countersign.services.deployment.records import ClassifyRequest, GateQuestion
from countersign.services.integrity.registry_check import verify_registry
from countersign.services.registry_copy import CopyRefused, copy_between
from countersign.services.reports.data import gather_report
from countersign.services.reports.reports import ReportSigner
from countersign.services.reviews.signoff_verification import verify_signoffs
from countersign.services.storage.database import Database
from countersign.services.trust.anchors import TrustAnchors
from tests.helpers.registry import raw_connection, row_counts
from tests.helpers.signoff import PASSPHRASE, Workbench, medium_card, table_counts, workbench
from tests.services.merging.sides import ANA, OLGA, registry_problems, team_and_laptop

BEA = "bea@example.org"


@dataclass
class Forked:
    """The team's registry and the laptop's copy of it, both with work since the copy."""

    team: Workbench
    laptop: Workbench
    team_db: str

    @property
    def laptop_db(self) -> str:
        return str(self.laptop.db.location)


@pytest.fixture
def forked(tmp_path: Path, registry_db: str) -> Iterator[Forked]:
    """Team (SQLite, then PostgreSQL) and a SQLite laptop copied from it, then both at work."""

    def team_approves(team: Workbench) -> None:
        team.sign(ANA, stage="staging", comment="Team approves.")

    with team_and_laptop(tmp_path, registry_db, team_approves) as (team, laptop):
        laptop.import_card(medium_card("fraud-model", "1.0"))
        laptop.person(BEA, "reviewer")
        laptop.services.deployment.classify(
            ClassifyRequest("fraud-model", None, "medium", "Scores card fraud.", OLGA), PASSPHRASE
        )
        laptop.sign(ANA, model="fraud-model", stage="staging", comment="Approved offline.")
        team.import_card(medium_card("churn-model", "1.0"))
        team.sign(ANA, model="churn-model", stage="staging", comment="Team approves churn.")
        yield Forked(team, laptop, registry_db)


def _rows(db: str, query: str) -> list[tuple[Any, ...]]:
    with raw_connection(db if db.startswith("postgresql") else Path(db)) as connection:
        return [tuple(row) for row in connection.execute(query)]


def _verified(db: str) -> None:
    database = Database.open(db)
    try:
        with database.read() as session:
            check = verify_registry(session, TrustAnchors())
            assert check.ok, [*check.lines()]
            assert verify_signoffs(session).ok
    finally:
        database.dispose()


def test_offline_work_is_merged_verified_and_served(
    forked: Forked, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["registry", "copy", forked.laptop_db, forked.team_db]) == 0
    said = capsys.readouterr().out
    assert "Merged" in said and "verified on arrival" in said, said
    _verified(forked.team_db)
    check = forked.team.services.integrity.verify()
    assert check.ok and "events of work merged from other registries" in check.chain.describe()
    deployment = forked.team.services.deployment
    question = GateQuestion("staging")
    assert deployment.gate("fraud-model", "1.0", question).ok
    assert deployment.gate("churn-model", "1.0", question).ok  # the team's own work
    assert deployment.gate("credit-scorer", "1.0", question).ok
    statuses = forked.team.statuses()
    assert statuses["fraud-model@1.0"] == statuses["churn-model@1.0"] == "approved"
    assert forked.team.services.registry.model("fraud-model").risk_tier == "medium"
    assert [hit.model for hit in forked.team.services.registry.search("fraud")] == ["fraud-model"]
    bea = next(i for i in forked.team.identities.list_all() if i.email == BEA)
    assert bea.role == "reviewer"


def test_a_models_history_shows_the_work_merged_into_it_just_before_its_merge(
    forked: Forked,
) -> None:
    copy_between(forked.laptop_db, forked.team_db)
    trail = AuditTrail(forked.team.db)
    history = trail.events(model_name="fraud-model")
    actions = [record.action for record in history]
    # The merge (which names no model) is listed, right after the work it merged.
    assert actions[-1] == "registry.merged" and "review.signed" in actions
    assert "model.classified" in actions and "card_version.imported" in actions
    merge = history[-1]
    assert merge.merged_by is None and merge.model_name == ""
    assert all(record.merged_by == merge.id for record in history[:-1])
    assert [r.position for r in history] == sorted(r.position for r in history)
    assert trail.events(model_name="fraud-model", after=merge.key) == []
    signed = trail.events(model_name="fraud-model", action="review.signed")
    assert [(r.action, r.merged_by) for r in signed] == [("review.signed", merge.id)]
    merges = trail.events(model_name="fraud-model", action="registry.merged")
    assert merges == [merge]
    churn = trail.events(model_name="churn-model")  # the team's own: no merge among them
    assert "review.signed" in [r.action for r in churn] and {r.merged_by for r in churn} == {None}
    assert "registry.merged" not in [r.action for r in churn]
    for size in (1, 2, 3):  # pages of any size give the same history
        paged: list[Any] = []
        while page := trail.events(
            model_name="fraud-model", after=paged[-1].key if paged else TRAIL_START, limit=size
        ):
            paged += page
        assert paged == history


def test_the_whole_trail_lists_merged_work_just_before_its_merge(forked: Forked) -> None:
    copy_between(forked.laptop_db, forked.team_db)
    trail = AuditTrail(forked.team.db)
    whole = trail.events(limit=10_000)
    (merge,) = [r for r in whole if r.action == "registry.merged"]
    merged = [r for r in whole if r.merged_by is not None]
    at = whole.index(merge)
    assert len(merged) == 8 and whole[at - 8 : at] == merged  # just before the merge
    assert whole[at - 9] == trail.event(merge.id - 1)  # and after the event before the merge
    assert {r.merged_by for r in merged} == {merge.id}
    assert [r.id for r in merged] == list(range(merged[0].id, merged[0].id + 8))
    assert max(r.at for r in merged) <= merge.at  # done before the merge sealed them
    own = [r.id for r in whole if r.merged_by is None]
    assert own == list(range(1, len(own) + 1))  # the registry's own chain, whole
    assert [r.key for r in whole] == sorted(r.key for r in whole)
    for size in (1, 3, 5):  # pages of any size, a segment across several, give the same trail
        paged: list[Any] = []
        while page := trail.events(after=paged[-1].key if paged else TRAIL_START, limit=size):
            assert len(page) <= size
            paged += page
        assert paged == whole
    fraud = trail.events(model_name="fraud-model")  # filters apply to merged work too
    assert fraud and {r.merged_by for r in fraud} == {merge.id, None}
    signed = [(r.model_name, r.merged_by) for r in trail.events(action="review.signed")]
    assert signed == [("credit-scorer", None), ("churn-model", None), ("fraud-model", merge.id)]
    assert trail.merged_event(merge.id, merged[0].id) == merged[0]
    assert trail.merged_event(merge.id, 999) is None


@pytest.mark.parametrize("registry_db", ["sqlite"], indirect=True)
def test_the_command_line_verifies_and_gates_merged_work(
    forked: Forked, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["registry", "copy", forked.laptop_db, forked.team_db]) == 0
    capsys.readouterr()
    assert main(["--db", forked.team_db, "audit", "--verify"]) == 0
    out = capsys.readouterr().out
    assert "Audit chain intact" in out and "8 events of work merged" in out, out
    assert main(["--db", forked.team_db, "gate", "fraud-model@1.0", "--stage", "staging"]) == 0
    assert main(["--db", forked.team_db, "status", "fraud-model"]) == 0
    assert "approved" in capsys.readouterr().out
    assert main(["registry", "copy", forked.laptop_db, forked.team_db]) == 0
    assert "Nothing to copy" in capsys.readouterr().out


@pytest.mark.parametrize("registry_db", ["sqlite"], indirect=True)
def test_audit_lists_merged_work_just_before_its_merge(
    forked: Forked, capsys: pytest.CaptureFixture[str]
) -> None:
    copy_between(forked.laptop_db, forked.team_db)
    assert main(["--db", forked.team_db, "audit", "--model", "fraud-model"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert "ana@example.org approved card version 1.0 of fraud-model (for staging" in "".join(
        listed[:-1]
    )
    assert all(line.endswith("(merged by event 17)") for line in listed[:-1])
    assert "merged 8 events of work done in" in listed[-1] and listed[-1].lstrip().startswith("17")
    assert main(["--db", forked.team_db, "audit", "--json", "--model", "fraud-model"]) == 0
    events = json.loads(capsys.readouterr().out)
    assert [e.get("merged_by") for e in events] == [17] * (len(events) - 1) + [None]
    assert events[-1]["action"] == "registry.merged" and events[-1]["id"] == 17
    assert events[-1]["model"] == ""
    # The whole trail (no --model) lists the merged work too, just before its merge.
    assert main(["--db", forked.team_db, "audit", "--json"]) == 0
    whole = json.loads(capsys.readouterr().out)
    at = [e["action"] for e in whole].index("registry.merged")
    assert whole[at]["id"] == 17 and "merged_by" not in whole[at]
    assert [e.get("merged_by") for e in whole[at - 8 : at]] == [17] * 8
    assert whole[at - 9]["id"] == 16 and "merged_by" not in whole[at - 9]
    assert sum("merged_by" in e for e in whole) == 8
    assert {"review.signed", "model.classified"} <= {e["action"] for e in whole[at - 8 : at]}
    assert main(["--db", forked.team_db, "audit"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "merged 8 events of work done in" in lines[at]
    assert all(line.endswith("(merged by event 17)") for line in lines[at - 8 : at])
    assert "ana@example.org approved card version 1.0 of fraud-model" in "".join(lines[at - 8 : at])
    assert not any("(merged by" in line for line in lines[at:])


def test_merging_again_copies_nothing_and_later_work_continues_the_segment(
    forked: Forked,
) -> None:
    first = copy_between(forked.laptop_db, forked.team_db)
    assert first.merged > 0
    before = row_counts(forked.team_db), table_counts(forked.team_db)
    again = copy_between(forked.laptop_db, forked.team_db)
    assert "Nothing to copy" in again.describe()
    assert (row_counts(forked.team_db), table_counts(forked.team_db)) == before
    forked.laptop.import_card(medium_card("fraud-model", "2.0"))
    later = copy_between(forked.laptop_db, forked.team_db)
    assert later.merged > 0 and later.inserted["card_versions"] == 1
    _verified(forked.team_db)
    seals = [
        json.loads(row[0])
        for row in _rows(
            forked.team_db,
            "SELECT details_json FROM audit_events WHERE action = 'registry.merged' ORDER BY id",
        )
    ]
    assert len(seals) == 2
    assert seals[1]["fork"] == seals[0]["head"] and seals[1]["continues"] is not None
    assert forked.team.statuses()["fraud-model@2.0"] == "submitted"
    assert "Nothing to copy" in copy_between(forked.laptop_db, forked.team_db).describe()


# -- refusals: nothing is written ---------------------------------------------------


def test_the_same_model_version_with_other_content_is_refused_by_name(forked: Forked) -> None:
    forked.laptop.import_card(medium_card("churn-model", "1.0", license="mit"))
    before = row_counts(forked.team_db), table_counts(forked.team_db)
    with pytest.raises(CopyRefused, match=r"same model version.*: churn-model 1\.0"):
        copy_between(forked.laptop_db, forked.team_db)
    assert (row_counts(forked.team_db), table_counts(forked.team_db)) == before


def test_work_on_the_same_model_on_both_sides_is_refused_by_name(forked: Forked) -> None:
    forked.laptop.import_card(medium_card("credit-scorer", "2.0"))
    forked.team.import_card(medium_card("credit-scorer", "1.1"))
    before = row_counts(forked.team_db), table_counts(forked.team_db)
    with pytest.raises(
        CopyRefused, match=r"both registries worked on the same models.*: credit-scorer; nothing"
    ):
        copy_between(forked.laptop_db, forked.team_db)
    assert (row_counts(forked.team_db), table_counts(forked.team_db)) == before


def test_an_offline_sign_off_by_someone_retired_here_meanwhile_is_refused(forked: Forked) -> None:
    forked.team.identities.retire(ANA, "Left the bank.", signer=forked.team.officer())
    before = row_counts(forked.team_db), table_counts(forked.team_db)
    with pytest.raises(
        CopyRefused, match=r"the merge into .* does not verify.*ana@example.org.*retired"
    ):
        copy_between(forked.laptop_db, forked.team_db)
    assert (row_counts(forked.team_db), table_counts(forked.team_db)) == before


def test_a_source_that_does_not_verify_is_refused(forked: Forked) -> None:
    with raw_connection(Path(forked.laptop_db)) as connection:
        connection.execute("UPDATE signatures SET comment = 'Approved!' WHERE comment LIKE 'Appr%'")
    before = row_counts(forked.team_db), table_counts(forked.team_db)
    with pytest.raises(CopyRefused, match=r"the source .* does not verify, nothing was copied"):
        copy_between(forked.laptop_db, forked.team_db)
    assert (row_counts(forked.team_db), table_counts(forked.team_db)) == before


# -- attacks on what was merged: verification names the break ------------------------

ONLY_SQLITE = pytest.mark.parametrize("registry_db", ["sqlite"], indirect=True)
UNGUARDED = (
    "DROP TRIGGER merged_events_no_update",
    "DROP TRIGGER merged_events_no_delete",
    "DROP TRIGGER audit_events_no_update",
    "DROP TRIGGER audit_events_no_delete",
)


@pytest.fixture
def merged(forked: Forked) -> tuple[Forked, int]:
    """The laptop's work merged into the team's SQLite registry, its guards dropped; the merge's id."""
    copy_between(forked.laptop_db, forked.team_db)
    with raw_connection(Path(forked.team_db)) as connection:
        for statement in UNGUARDED:
            connection.execute(statement)
        (merge_id,) = connection.execute(
            "SELECT id FROM audit_events WHERE action = 'registry.merged'"
        ).fetchone()
    return forked, merge_id


def _tamper(forked: Forked, *statements: str) -> None:
    with raw_connection(Path(forked.team_db)) as connection:
        for statement in statements:
            connection.execute(statement)


def _chain(forked: Forked) -> Any:
    database = Database.open(forked.team_db)
    try:
        with database.read() as session:
            return verify_chain(session)
    finally:
        database.dispose()


_COLUMNS = ("id", "at", "actor", "action", "object_type", "object_id", "model_name", "details_json")


def _rehash_from(forked: Forked, first: int) -> None:
    """Re-seal every main-chain event from ``first`` on, as someone who can write the file could."""
    with raw_connection(Path(forked.team_db)) as connection:
        prev = connection.execute("SELECT hash FROM audit_events WHERE id = ?", (first - 1,))
        prev_hash = prev.fetchone()[0]
        rows = connection.execute(
            f"SELECT {', '.join(_COLUMNS)} FROM audit_events WHERE id >= ? ORDER BY id", (first,)
        )
        for row in rows.fetchall():
            sealed = {**dict(zip(_COLUMNS, row, strict=True)), "prev_hash": prev_hash}
            prev_hash = event_hash(sealed)
            connection.execute(
                "UPDATE audit_events SET prev_hash = ?, hash = ? WHERE id = ?",
                (sealed["prev_hash"], prev_hash, sealed["id"]),
            )


@ONLY_SQLITE
def test_an_edited_merged_event_breaks_the_chain_at_its_merge(merged: tuple[Forked, int]) -> None:
    forked, merge_id = merged
    _tamper(forked, "UPDATE merged_events SET actor = 'mallory' WHERE id = 14")
    chain = _chain(forked)
    assert not chain.ok and chain.first_broken == merge_id
    assert "merged event 14: its content no longer matches its hash" in chain.reason


@ONLY_SQLITE
def test_a_removed_merged_event_breaks_the_chain(merged: tuple[Forked, int]) -> None:
    forked, merge_id = merged
    _tamper(forked, "DELETE FROM merged_events WHERE id = (SELECT max(id) FROM merged_events)")
    chain = _chain(forked)
    assert not chain.ok and chain.first_broken == merge_id
    assert "it sealed 8 events ending at event 19" in chain.reason and "7 are kept" in chain.reason
    _tamper(forked, "DELETE FROM merged_events WHERE id = 14")
    assert "events 14 to 14 are missing" in _chain(forked).reason


@ONLY_SQLITE
def test_a_changed_id_map_is_named(merged: tuple[Forked, int]) -> None:
    forked, merge_id = merged
    details = json.loads(
        _rows(forked.team_db, f"SELECT details_json FROM audit_events WHERE id = {merge_id}")[0][0]
    )
    signatures = details["ids"]["signatures"]
    (source_id,) = signatures
    signatures[source_id] = 1  # the team's own sign-off of credit-scorer
    text = json.dumps(details).replace("'", "''")
    _tamper(forked, f"UPDATE audit_events SET details_json = '{text}' WHERE id = {merge_id}")
    chain = _chain(forked)
    assert not chain.ok and chain.first_broken == merge_id
    assert "its content no longer matches its hash" in chain.reason
    _rehash_from(forked, merge_id)  # the chain re-sealed: the rows no longer match their events
    assert _chain(forked).ok
    problems = " ".join(registry_problems(forked.team_db))
    assert "it is not the sign-off merged event 18 (brought in by event 17)" in problems, problems
    assert "fraud-model 1.0: the sign-off by ana@example.org (signature 3)" in problems
    assert "no audit event records it" in problems


@ONLY_SQLITE
def test_a_changed_sealed_head_is_named(merged: tuple[Forked, int]) -> None:
    forked, merge_id = merged
    details = json.loads(
        _rows(forked.team_db, f"SELECT details_json FROM audit_events WHERE id = {merge_id}")[0][0]
    )
    last = _rows(forked.team_db, "SELECT id, prev_hash FROM merged_events ORDER BY id DESC")[0]
    details["head"] = {"seq": last[0] - 1, "hash": last[1]}
    details["events"] -= 1
    text = json.dumps(details).replace("'", "''")
    _tamper(forked, f"UPDATE audit_events SET details_json = '{text}' WHERE id = {merge_id}")
    chain = _chain(forked)
    assert not chain.ok and chain.first_broken == merge_id
    # The last merged event dropped and the chain re-sealed: the rows it recorded are named.
    _tamper(forked, f"DELETE FROM merged_events WHERE id = {last[0]}")
    _rehash_from(forked, merge_id)
    assert _chain(forked).ok
    problems = " ".join(registry_problems(forked.team_db))
    assert "fraud-model 1.0 is marked 'approved', but its events" in problems, problems


@ONLY_SQLITE
def test_a_merged_row_changed_after_the_merge_is_named(merged: tuple[Forked, int]) -> None:
    forked, _merge_id = merged
    _tamper(forked, "UPDATE signatures SET comment = 'Approved!' WHERE comment LIKE 'Appr%'")
    problems = " ".join(registry_problems(forked.team_db))
    assert "fraud-model 1.0: the sign-off by ana@example.org" in problems, problems


@ONLY_SQLITE
def test_merged_events_no_merge_sealed_are_named(merged: tuple[Forked, int]) -> None:
    forked, merge_id = merged
    _tamper(
        forked,
        "INSERT INTO merged_events SELECT 3, id, at, actor, action, object_type, object_id, "
        f"model_name, details_json, prev_hash, hash FROM merged_events WHERE segment = {merge_id}",
    )
    chain = _chain(forked)
    assert not chain.ok and chain.first_broken == 3 and "merged nothing" in chain.reason


TEMPLATE = """\
id: model-validation
version: 1
title: Model validation sign-off
risk_tiers: [medium, high]
quorum: 1
items:
  - id: owner
    text: An owner is named.
    check: {kind: list_not_empty, field: owners}
"""


def test_a_checklist_template_held_with_other_content_is_refused_by_name(forked: Forked) -> None:
    for bench, title in ((forked.team, "Team's"), (forked.laptop, "Laptop's")):
        path = bench.folder / "validation.yaml"
        path.write_text(TEMPLATE.replace("Model validation", title))
        bench.checklists.import_file(path)
    before = row_counts(forked.team_db), table_counts(forked.team_db)
    with pytest.raises(
        CopyRefused,
        match=r"other content under the same name.*: checklist template model-validation@1",
    ):
        copy_between(forked.laptop_db, forked.team_db)
    assert (row_counts(forked.team_db), table_counts(forked.team_db)) == before


def test_a_registry_with_other_stages_is_refused(forked: Forked, tmp_path: Path) -> None:
    with workbench(tmp_path / "fresh") as fresh:
        fresh.services.deployment.set_stages(["dev", "live"])
        fresh.import_card(medium_card("edge-model", "1.0"))
    before = row_counts(forked.team_db), table_counts(forked.team_db)
    with pytest.raises(CopyRefused, match=r"stages \(dev → live\) are not the destination's"):
        copy_between(str(tmp_path / "fresh" / "registry.sqlite3"), forked.team_db)
    assert (row_counts(forked.team_db), table_counts(forked.team_db)) == before


def test_a_copy_of_a_registry_with_merged_work_carries_it_and_verifies(
    forked: Forked, tmp_path: Path
) -> None:
    copy_between(forked.laptop_db, forked.team_db)
    onward = str(tmp_path / "onward.sqlite3")
    report = copy_between(forked.team_db, onward)
    assert report.inserted["merged_events"] == 8 and not report.merged
    _verified(onward)
    assert "Nothing to copy" in copy_between(forked.team_db, onward).describe()


@ONLY_SQLITE
def test_an_offline_approval_makes_a_report_that_verifies_and_passes_the_evidence_gate(
    forked: Forked, tmp_path: Path
) -> None:
    copy_between(forked.laptop_db, forked.team_db)
    report = tmp_path / "fraud-model-1.0.pdf"
    reports = forked.team.services.reports
    reports.export("fraud-model", "1.0", ReportSigner(OLGA, PASSPHRASE), report)
    verified = reports.verify(report)
    assert verified.ok, [check.describe() for check in verified.checks]
    officer = tmp_path / "olga.pem"
    officer.write_text(forked.team.identities.get(OLGA).certificate_pem)
    approver = tmp_path / "ana.pem"
    approver.write_text(forked.team.identities.get(ANA).certificate_pem)
    gate = evidence_gate(report, GateQuestion("staging"), trust=[officer, approver])
    assert gate.ok, [check for check in gate.checks if not check.ok]
    data = gather_report(forked.team.db, "fraud-model", "1.0", exported_at="2026-12-05T12:00:00Z")
    lines = [line.text for line in data.audit]
    assert (
        "Merged by event 17: ana@example.org approved card version 1.0 of fraud-model "
        "(for staging, checklist standard@1)" in lines
    )


@pytest.mark.parametrize("registry_db", ["sqlite"], indirect=True)
def test_a_reports_audit_excerpt_lists_merged_work_just_before_its_merge(forked: Forked) -> None:
    copy_between(forked.laptop_db, forked.team_db)
    forked.team.sign(ANA, model="fraud-model", stage="production", comment="Team goes on.")
    data = gather_report(forked.team.db, "fraud-model", "1.0", exported_at="2026-12-05T12:00:00Z")
    said = [(line.id, line.action, line.text) for line in data.audit]
    at = [action for _id, action, _text in said].index("Work merged from another registry")
    assert said[at][0] == 17 and "merged 8 events of work done in" in said[at][2]
    before, after = said[:at], said[at + 1 :]
    assert before and all(i == 17 and t.startswith("Merged by event 17: ") for i, _a, t in before)
    assert "Card version imported" in [a for _i, a, _t in before]
    # The team's own work after the merge follows it, unmarked.
    assert after and all(i > 17 and not t.startswith("Merged") for i, _a, t in after)
    assert any("for production" in t for _i, _a, t in after)


POLICY = """\
version: 1
title: Retail credit policy
metrics:
  - name: approval rate
    direction: higher
"""


def test_the_metric_policy_changed_on_both_sides_is_refused(forked: Forked) -> None:
    for bench, version in ((forked.team, "1"), (forked.laptop, "2")):
        path = bench.folder / "policy.yaml"
        path.write_text(POLICY.replace("version: 1", f"version: {version}"))
        bench.services.policies.import_file(path)
    before = row_counts(forked.team_db), table_counts(forked.team_db)
    with pytest.raises(CopyRefused, match=r"same models or identities.*: the metric policy; "):
        copy_between(forked.laptop_db, forked.team_db)
    assert (row_counts(forked.team_db), table_counts(forked.team_db)) == before


def test_an_identity_changed_on_both_sides_is_refused_by_name(forked: Forked) -> None:
    forked.team.identities.grant(ANA, "reviewer", forked.team.officer())
    forked.laptop.identities.grant(ANA, "officer", forked.laptop.officer())
    with pytest.raises(CopyRefused, match=r": identity ana@example.org \([0-9a-f]{16}…\); nothing"):
        copy_between(forked.laptop_db, forked.team_db)


def test_one_person_with_two_active_certificates_is_refused(forked: Forked) -> None:
    forked.team.person("carl@example.org", "reviewer")
    forked.laptop.person("carl@example.org", "reviewer")
    before = row_counts(forked.team_db), table_counts(forked.team_db)
    with pytest.raises(CopyRefused, match=r"another active identity .* for carl@example.org"):
        copy_between(forked.laptop_db, forked.team_db)
    assert (row_counts(forked.team_db), table_counts(forked.team_db)) == before


def test_a_source_that_merged_work_itself_is_refused(forked: Forked) -> None:
    copy_between(forked.laptop_db, forked.team_db)
    forked.team.import_card(medium_card("later-model", "1.0"))
    with pytest.raises(CopyRefused, match=r"the source itself merged work .*its event \d+"):
        copy_between(forked.team_db, forked.laptop_db)
