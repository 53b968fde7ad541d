"""``countersign queue``: the home screen's lists, as text with header rows and as JSON."""

from __future__ import annotations

import dataclasses
import datetime
import json
from pathlib import Path

import pytest

from countersign.cli import main
from countersign.services.reviews.conditions import ApprovalTerms
from countersign.services.storage import database
from tests.helpers.signoff import PASSPHRASE, medium_card, workbench

ANA, OLGA = "ana@example.org", "olga@example.org"


def _queue(capsys: pytest.CaptureFixture[str], *options: str) -> str:
    assert main(["queue", *options]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    return captured.out


def test_queue_prints_each_list_with_a_header_row(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with workbench(tmp_path, str(db)) as bench:
        for model in ("credit-scorer", "fraud-model", "triage"):
            bench.import_card(medium_card(model, "1.0"), team="Risk")
        bench.person(OLGA, role="officer")
        bench.person(ANA)
        bench.sign(ANA, model="credit-scorer")
        bench.sign(OLGA, "changes", model="fraud-model", comment="Name the holdout.")
        out = _queue(capsys)
        lines = out.splitlines()
        assert lines[0].startswith("Your identities: ")
        assert "Olga" in lines[0] and "<ana@example.org>" in lines[0]
        assert "Versions to review (1)" in lines
        header = lines[lines.index("Versions to review (1)") + 1].split()
        assert header == ["Model", "Version", "Team", "Risk", "tier", "Imported", "Warnings"]
        assert lines[lines.index("Versions to review (1)") + 2].split()[:3] == [
            "triage",
            "1.0",
            "Risk",
        ]
        assert "Rounds awaiting my signature (0)" in lines
        assert "  no open round waits for your signature" in lines
        assert "Changes requested, awaiting the team (1)" in lines
        assert any(line.split()[:2] == ["fraud-model", "1.0"] for line in lines)
        approved = lines.index("Approved for each stage (1)")
        assert lines[approved + 1].split() == ["Model", "Team", "Staging", "Production"]
        assert lines[approved + 2].split() == ["credit-scorer", "Risk", "1.0", "-"]
        assert "Approvals expiring soon (0)" in lines
        assert "  no approval ends within 30 days" in lines
        assert "Recent imports with warnings (0)" in lines
        assert "  no warnings in the 1,000 newest card versions" in lines

        limited = _queue(capsys, "--limit", "1").splitlines()
        assert "Versions to review (1)" in limited  # one row: nothing more to say
        assert not any("more row" in line for line in limited)

        data = json.loads(_queue(capsys, "--json"))
        assert sorted(data["officer"]["identities"]) == [ANA, OLGA]
        assert data["stages"] == ["staging", "production"]
        assert data["expiring"] == {"total": 0, "shown": 0, "rows": [], "within_days": 30}
        assert data["to_review"]["total"] == 1
        assert data["to_review"]["rows"][0]["model"] == "triage"
        assert data["changes_requested"]["rows"][0]["comment"] == "Name the holdout."
        assert data["approved"]["rows"] == [
            {
                "model": "credit-scorer",
                "team": "Risk",
                "stages": {"staging": "1.0", "production": None},
            }
        ]


def test_queue_says_when_the_lists_go_on(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with workbench(tmp_path, str(db)) as bench:
        for model in ("a-model", "b-model", "c-model"):
            bench.import_card(medium_card(model, "1.0"))
        out = _queue(capsys, "--limit", "2").splitlines()
    assert out[0] == "Your identities: none on this workstation (countersign identity create)"
    assert "  … and 1 more row (countersign queue --limit N)" in out
    assert "  none: no identity of yours is on this workstation to sign with" in out
    assert "  nothing waits for a review: every imported card version is in a round" not in out


@pytest.mark.parametrize("limit", ["0", "many", "100001"])
def test_queue_refuses_a_limit_that_is_no_count(
    db: Path, capsys: pytest.CaptureFixture[str], limit: str
) -> None:
    with pytest.raises(SystemExit) as exit_status:
        main(["queue", "--limit", limit])
    assert exit_status.value.code == 2
    assert "--limit" in capsys.readouterr().err


def test_queue_on_a_missing_registry_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "nowhere.sqlite3"
    monkeypatch.setenv("COUNTERSIGN_DB", str(missing))
    assert main(["queue"]) == 1
    assert "nowhere.sqlite3" in capsys.readouterr().err
    assert not missing.exists()


def test_queue_lists_an_approval_that_expires_soon(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(database, "utc_today", lambda: datetime.date(2026, 12, 5))
    with workbench(tmp_path, str(db)) as bench:
        bench.import_card(medium_card("credit-scorer", "1.0"), team="Risk")
        bench.person(OLGA, role="officer")
        bench.person(ANA)
        request = dataclasses.replace(
            bench.request(ANA),
            terms=ApprovalTerms(("Monthly drift report.",), datetime.date(2026, 12, 6)),
        )
        bench.reviews.sign(request, PASSPHRASE)
        lines = _queue(capsys).splitlines()
        data = json.loads(_queue(capsys, "--json"))
    heading = lines.index("Approvals expiring soon (1)")
    assert lines[heading + 1].split() == [
        "Model",
        "Version",
        "Stage",
        "Expires",
        "When",
        "Conditions",
    ]
    assert lines[heading + 2].split() == [
        "credit-scorer",
        "1.0",
        "staging",
        "2026-12-06",
        "in",
        "1",
        "day",
        "Monthly",
        "drift",
        "report.",
    ]
    assert data["expiring"]["rows"] == [
        {
            "model": "credit-scorer",
            "version": "1.0",
            "stage": "staging",
            "expires_on": "2026-12-06",
            "days_left": 1,
            "expired": False,
            "conditions": ["Monthly drift report."],
        }
    ]
