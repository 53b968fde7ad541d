"""The done criterion of issue 13's thresholds, through ``countersign review``: the high-risk
template's adverse impact threshold blocks a plain approval of a card whose 18-24 slice is at
0.78 until an officer (the escalation it names) signs; the signatures verify, in the registry
and in the signed report."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from countersign.cli import main
from countersign.services.reviews.checklists import built_in_templates
from tests.helpers.keyring_memory import MemoryKeyring
from tests.helpers.registry import write_card
from tests.helpers.reports import pdf_words
from tests.helpers.signoff import (
    cli_identities,
    cli_json,
    expires_option,
    fair_lending_card,
    table_counts,
)

ANA, BEA, OLA = "ana@example.org", "bea@example.org", "ola@example.org"
HIGH_RISK = next(t for t in built_in_templates() if t.id == "high-risk")
NOTE = "Accepted by the Fair Lending Committee (memo FL-2026-11); monthly report by age band."


@pytest.fixture
def registry(
    db: Path, memory_keyring: MemoryKeyring, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> Path:
    card = write_card(tmp_path, "v2.json", fair_lending_card("2.0"))
    assert main(["import", str(card), "--team", "Risk"]) == 0
    cli_identities(db, memory_keyring, [(OLA, "officer"), (ANA, "approver"), (BEA, "approver")])
    lines = [f"{item.id}: {{answer: pass, note: Checked.}}" for item in HIGH_RISK.items]
    lines = [line for line in lines if not line.startswith("adverse-impact:")]
    (tmp_path / "responses.yaml").write_text(
        "\n".join([*lines, f"adverse-impact: {{answer: pass, note: '{NOTE}'}}"]) + "\n"
    )
    capsys.readouterr()
    return db


def _review(folder: Path, identity: str, *extra: str) -> list[str]:
    return [
        "review",
        "credit-scorer@2.0",
        "--template",
        "high-risk",
        "--responses",
        str(folder / "responses.yaml"),
        "--decision",
        "approve",
        "--identity",
        identity,
        *expires_option(),
        *extra,
    ]


def test_a_plain_approval_waits_for_the_officer(
    registry: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The dry run shows the evidence and the escalation needed.
    assert main(["review", "credit-scorer@2.0", "--template", "high-risk", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "FAIL  adverse-impact" in out
    assert "Escalation fair-lending needed (adverse-impact failed its threshold): Fair " in out
    assert "an approval by an officer; not signed yet." in out
    dry = cli_json(
        capsys, ["review", "credit-scorer@2.0", "--template", "high-risk", "--dry-run", "--json"]
    )
    item = next(i for i in dry["items"] if i["item"] == "adverse-impact")
    assert item["answer"] is None  # the check never answers for the reviewer
    assert item["automatic"]["result"] == "fail"
    assert item["automatic"]["values"][0] == {
        "where": "age 18-24 (holdout-2026, test)",
        "value": "0.78",
        "baseline": None,
        "passed": False,
    }
    assert item["escalation"] == {
        "id": "fair-lending",
        "text": "Fair lending review by a governance officer",
        "asks": "an approval by an officer",
        "needed": True,
    }

    before = table_counts(registry)
    assert main(_review(tmp_path, ANA)) == 1
    err = capsys.readouterr().err
    assert "item 'adverse-impact' failed its threshold" in err
    assert "a plain approval is refused until an officer approves" in err
    assert table_counts(registry) == before

    assert main(_review(tmp_path, OLA)) == 0
    out = capsys.readouterr().out
    assert "signs the escalation fair-lending" in out
    assert "review 1: in review (1 of 2 approvals)" in out
    assert "still needed: 1 more approval(s) of 2" in out

    assert main(_review(tmp_path, ANA)) == 0
    assert "review 1: approved (2 of 2 approvals)" in capsys.readouterr().out

    shown = cli_json(capsys, ["show", "credit-scorer@2.0", "--json"])
    officer, approver = shown["reviews"][0]["signatures"]
    assert officer["escalations"] == {"needed": ["fair-lending"], "signed": ["fair-lending"]}
    assert approver["escalations"] == {"needed": ["fair-lending"], "signed": []}
    assert main(["show", "credit-scorer@2.0"]) == 0
    assert "      fulfils the escalation fair-lending (as officer)" in capsys.readouterr().out
    verified = cli_json(capsys, ["audit", "--verify", "--json"])
    assert verified["ok"] is True, verified


def test_the_signed_report_and_the_offline_gate_count_the_escalation(
    registry: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(_review(tmp_path, OLA)) == 0
    assert main(_review(tmp_path, ANA)) == 0
    # The signed report carries the escalation in its payloads and verifies on its own.
    pdf = tmp_path / "report.pdf"
    assert main(["export-pdf", "credit-scorer@2.0", "-o", str(pdf), "--identity", OLA]) == 0
    capsys.readouterr()
    assert main(["verify", str(pdf), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["valid"] is True
    decision = next(c for c in report["checks"] if c["check"] == "Decision")
    assert "escalation fair-lending signed by ola@example.org" in decision["detail"]

    # The offline gate counts the escalation too: with the officer's certificate trusted
    # the evidence passes; trusting only the approver's, the escalation is missing.
    published = tmp_path / "published"
    assert main(["publish", "credit-scorer@2.0", "-o", str(published), "--identity", OLA]) == 0
    trust: dict[str, list[str]] = {}
    for email in (OLA, ANA):
        cert = tmp_path / f"{email}.pem"
        assert main(["identity", "export-cert", email, "-o", str(cert)]) == 0
        trust[email] = ["--trust", str(cert)]
    capsys.readouterr()
    gate = ["gate", "--evidence", str(published), "--stage", "staging", "--json"]
    passed = cli_json(capsys, [*gate, *trust[OLA], *trust[ANA]])
    assert passed["ok"] is True, passed
    assert main([*gate, *trust[ANA]]) == 1
    refused = json.loads(capsys.readouterr().out)
    staged = next(c for c in refused["checks"] if c["check"] == "approved for staging")
    assert staged["detail"] == (
        "the approvals needed the escalation 'fair-lending' (an approval by an officer), which "
        "no trusted approval fulfils"
    )


def test_a_forged_escalation_fails_audit_verify(
    registry: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(_review(tmp_path, OLA)) == 0
    assert main(_review(tmp_path, ANA)) == 0
    raw = sqlite3.connect(registry)
    raw.execute("UPDATE signatures SET escalations_json = '{}' WHERE id = 1")
    raw.commit()
    raw.close()
    capsys.readouterr()
    assert main(["audit", "--verify"]) == 1
    err = capsys.readouterr().err
    assert "the sign-off by ola@example.org (signature 1) no longer matches its rows" in err


def test_the_report_prints_the_escalations_beside_the_decision(
    registry: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(_review(tmp_path, OLA)) == 0
    assert main(_review(tmp_path, ANA)) == 0
    pdf = tmp_path / "report.pdf"
    assert main(["export-pdf", "credit-scorer@2.0", "-o", str(pdf), "--identity", OLA]) == 0
    words = pdf_words(pdf)
    said = (
        "fair-lending — Fair lending review by a governance officer (an approval by an officer), "
        "needed because adverse-impact failed its threshold: signed by Ola (officer)."
    )
    # On the cover, right under the decision; then under the round's status.
    cover = words.split("1. Card content")[0]
    assert "Approved on " in cover
    assert f"Escalations {said}" in cover
    checklist = words.split("3. Checklist")[-1].split("4. Signatures")[0]
    assert f"Escalation {said}" in checklist
    # Each sign-off says what its answers needed and what it fulfilled.
    signatures = words.split("4. Signatures")[-1]
    officer, approver = signatures.split("Sign-off 2 of 2")
    assert (
        "Escalations needed fair-lending Escalations fulfilled fair-lending, as officer" in officer
    )
    assert (
        "Escalations needed fair-lending Escalations fulfilled none (its signer did not hold "
        "the role asked for) Verification valid" in approver
    )


def test_the_report_says_when_no_one_signed_the_escalation(
    registry: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # An approver sends the card back; their answers needed the officer's escalation.
    assert main([*_review(tmp_path, ANA)[:-6], "--decision", "changes", "--identity", ANA]) == 0
    pdf = tmp_path / "report.pdf"
    assert main(["export-pdf", "credit-scorer@2.0", "-o", str(pdf), "--identity", OLA]) == 0
    cover = pdf_words(pdf).split("1. Card content")[0]
    assert "Changes requested on " in cover
    assert (
        "needed because adverse-impact failed its threshold: NOT signed by an approving officer."
        in cover
    )
