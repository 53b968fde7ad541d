"""The shipped high-risk checklist limits how long an approval holds (issue 13, point 3):
12 months for a high-risk card, 6 for a critical one, and an approval must say until when.

Version 3 of the template brought the limit; approvals signed under version 2 keep what they
signed (no expiry), and a round opened under version 2 is finished under it.
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path

import pytest

from countersign.cli import main
from countersign.services.reviews.checklists import built_in_templates
from countersign.services.reviews.conditions import add_months, today
from tests.helpers.keyring_memory import MemoryKeyring
from tests.helpers.registry import native_card, write_card
from tests.helpers.signoff import cli_identities, cli_json, table_counts

ANA, BEA, OLA = "ana@example.org", "bea@example.org", "ola@example.org"
HIGH_RISK = next(t for t in built_in_templates() if t.id == "high-risk")


@pytest.fixture
def answers(
    db: Path, memory_keyring: MemoryKeyring, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> Path:
    """A high-risk card imported; Ola the officer, Ana and Bea approvers."""
    card = write_card(tmp_path, "1.0.json", native_card("credit-scorer", "1.0"))
    assert main(["import", str(card)]) == 0
    cli_identities(db, memory_keyring, [(OLA, "officer"), (ANA, "approver"), (BEA, "approver")])
    path = tmp_path / "answers.yaml"
    path.write_text("".join(f"{i.id}: {{answer: pass, note: Checked.}}\n" for i in HIGH_RISK.items))
    capsys.readouterr()
    return path


def _approve(answers: Path, version: str, identity: str, *extra: str) -> list[str]:
    return [
        "review",
        f"credit-scorer@{version}",
        "--template",
        "high-risk",
        "--responses",
        str(answers),
        "--decision",
        "approve",
        "--identity",
        identity,
        *extra,
    ]


def _under_version_2(argv: list[str]) -> list[str]:
    return [*argv[:3], "high-risk@2", *argv[4:]]


def test_the_shipped_template_states_the_limit_per_tier(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (HIGH_RISK.version, dict(HIGH_RISK.validity_months)) == (3, {"high": 12, "critical": 6})
    # The EU AI Act checklist, chosen instead for the same cards, never skips the re-review.
    eu = next(t for t in built_in_templates() if t.id == "eu-ai-act-high-risk")
    assert (eu.version, dict(eu.validity_months)) == (2, {"high": 12, "critical": 6})
    assert main(["checklist", "show", "high-risk"]) == 0
    out = capsys.readouterr().out
    assert "an approval holds at most 12 months for high, 6 months for critical risk" in out
    shown = cli_json(capsys, ["checklist", "show", "high-risk", "--json"])
    assert shown["validity_months"] == {"high": 12, "critical": 6}


def test_an_approval_of_a_high_risk_card_must_expire_within_12_months(
    answers: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    latest = add_months(today(), 12)
    # The dry run says what an approval must give before anyone signs.
    assert main(["review", "credit-scorer@1.0", "--template", "high-risk", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert (
        "An approval of a high risk card must say until when it holds under high-risk@3: "
        f"--expires on or before {latest} (at most 12 months)." in out
    )
    before = table_counts(answers.parent / "registry.sqlite3")
    assert main(_approve(answers, "1.0", ANA)) == 1
    assert (
        "an approval of a high risk card must say until when it holds: the checklist allows at "
        f"most 12 months; give an expiry date (--expires YYYY-MM-DD, on or before {latest})"
    ) in capsys.readouterr().err
    too_late = add_months(today(), 13).isoformat()
    assert main(_approve(answers, "1.0", ANA, "--expires", too_late)) == 1
    assert f"the expiry date {too_late} is beyond what the checklist allows for a high risk" in (
        capsys.readouterr().err
    )
    assert table_counts(answers.parent / "registry.sqlite3") == before

    for who in (ANA, BEA):
        assert main(_approve(answers, "1.0", who, "--expires", latest.isoformat())) == 0
    shown = cli_json(capsys, ["show", "credit-scorer@1.0", "--json"])
    review = shown["reviews"][0]
    assert [s["expires_on"] for s in review["signatures"]] == [latest.isoformat()] * 2
    assert (review["template"]["version"], review["status"]) == (3, "approved")


def test_approvals_under_version_2_keep_no_expiry(
    answers: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A registry that used version 2 holds it (frozen); import it as such a registry has it.
    shipped = importlib.resources.files("countersign.resources") / "checklists" / "high-risk.yaml"
    old = shipped.read_text(encoding="utf-8").replace("version: 3\n", "version: 2\n")
    old = old.replace("validity_months: {high: 12, critical: 6}\n", "")
    (tmp_path / "high-risk-2.yaml").write_text(old)
    assert main(["checklist", "import", str(tmp_path / "high-risk-2.yaml")]) == 0
    # Under version 2 an approval needs no expiry.
    assert main(_under_version_2(_approve(answers, "1.0", ANA))) == 0
    # A round opened under version 2 is finished under it, and says so if asked for another.
    capsys.readouterr()
    assert main(_approve(answers, "1.0", BEA)) == 1
    assert (
        "the open review of credit-scorer 1.0 uses checklist high-risk@2; sign it with that "
        "template, not high-risk@3" in capsys.readouterr().err
    )
    assert main(_under_version_2(_approve(answers, "1.0", BEA))) == 0
    shown = cli_json(capsys, ["show", "credit-scorer@1.0", "--json"])
    review = shown["reviews"][0]
    assert (review["template"]["version"], review["status"]) == (2, "approved")
    assert [s["expires_on"] for s in review["signatures"]] == [None, None]
    # A new round takes the newest version, which asks for an expiry.
    card = write_card(tmp_path, "1.1.json", native_card("credit-scorer", "1.1"))
    assert main(["import", str(card)]) == 0
    assert main(_approve(answers, "1.1", ANA)) == 1
    assert "must say until when it holds" in capsys.readouterr().err
