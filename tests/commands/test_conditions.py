"""Issue 13, point 3, from the command line: an approval with conditions and an expiry.

import → review with ``--condition`` and ``--expires`` → the signature verifies
(``audit --verify``, ``verify`` of the report) → ``status``, ``gate`` and the
report say until when it holds → on a later day (``--as-of``, or the clock moved
on) the approval is expired everywhere: ``status``, ``gate``, the report,
``publish`` → a re-review opens a new round → and the refusals.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from countersign.cli import main
from countersign.services.reviews.checklists import built_in_templates
from countersign.services.storage import database
from tests.helpers.keyring_memory import MemoryKeyring
from tests.helpers.registry import write_card
from tests.helpers.reports import pdf_words
from tests.helpers.signoff import cli_json, medium_card

ANA, OLGA = "ana@example.org", "olga@example.org"
MODEL = "credit-scorer"
CONDITIONS = ("Re-validate on the 2027 data.", "Monitor the 65+ slice monthly.")


@pytest.fixture
def registry(
    db: Path, memory_keyring: MemoryKeyring, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> Path:
    """A medium-risk card imported; Olga the officer, Ana an approver."""
    card = write_card(tmp_path, "credit.json", medium_card(MODEL, "1.0"))
    assert main(["import", str(card)]) == 0
    for email in (OLGA, ANA):
        argv = ["identity", "create", "--name", email.split("@")[0].title(), "--email", email]
        assert main(argv) == 0
    assert main(["identity", "grant", ANA, "--role", "approver", "--identity", OLGA]) == 0
    items = next(t for t in built_in_templates() if t.id == "standard").items
    answers = tmp_path / "answers.yaml"
    answers.write_text("".join(f"{i.id}: {{answer: pass, note: Checked.}}\n" for i in items))
    capsys.readouterr()
    return answers


def _review(answers: Path, *extra: str) -> int:
    return main(
        [
            "review",
            f"{MODEL}@1.0",
            "--stage",
            "staging",
            "--template",
            "standard",
            "--responses",
            str(answers),
            "--decision",
            "approve",
            "--identity",
            ANA,
            *extra,
        ]
    )


def test_an_approval_expires_everywhere(  # noqa: PLR0915  # one story, read top to bottom
    registry: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    today = database.utc_today()
    until = today + datetime.timedelta(days=30)
    after = until + datetime.timedelta(days=1)
    terms = ["--condition", CONDITIONS[0], "--condition", CONDITIONS[1], "--expires", str(until)]
    assert _review(registry, *terms) == 0
    out = capsys.readouterr().out
    assert f"the approval holds until {until}" in out
    assert f"condition 2: {CONDITIONS[1]}" in out

    # Signed: the registry's rows re-derive the payload with the conditions and the date.
    assert main(["audit", "--verify"]) == 0
    capsys.readouterr()
    shown = cli_json(capsys, ["show", f"{MODEL}@1.0", "--json"])
    signed = shown["reviews"][0]["signatures"][0]
    assert signed["conditions"] == list(CONDITIONS) and signed["expires_on"] == str(until)

    status = cli_json(capsys, ["status", MODEL, "--json"])
    assert status["stages"][0] == {
        "stage": "staging",
        "approved": "1.0",
        "approved_at": status["stages"][0]["approved_at"],
        "expires_on": str(until),
        "expired": False,
        "in_review": [],
    }
    assert status["versions"][0]["stages"]["staging"]["conditions"] == list(CONDITIONS)
    assert main(["gate", f"{MODEL}@1.0", "--stage", "staging"]) == 0
    assert f"until {until}" in capsys.readouterr().out
    # Another day: the last day it holds, and the day after.
    assert main(["gate", f"{MODEL}@1.0", "--stage", "staging", "--as-of", str(until)]) == 0
    assert main(["gate", f"{MODEL}@1.0", "--stage", "staging", "--as-of", str(after)]) == 1
    assert f"the approval for staging expired: it held until {until}" in capsys.readouterr().out
    assert main(["status", MODEL, "--as-of", str(after)]) == 0
    assert f"1.0 EXPIRED (the approval held until {until})" in capsys.readouterr().out

    report = tmp_path / "before.pdf"
    assert main(["export-pdf", f"{MODEL}@1.0", "-o", str(report), "--identity", ANA]) == 0
    assert main(["verify", str(report)]) == 0
    capsys.readouterr()
    words = pdf_words(report)
    assert f"APPROVED for staging on {today} by Ana, until {until}" in words
    assert f"(1) {CONDITIONS[0]} (2) {CONDITIONS[1]}" in words
    trust = tmp_path / "ana.pem"
    assert main(["identity", "export-cert", ANA, "-o", str(trust)]) == 0
    evidence = ["gate", "--evidence", str(report), "--stage", "staging", "--trust", str(trust)]
    assert main(evidence) == 0
    assert main([*evidence, "--as-of", str(after)]) == 1
    assert "the approval for staging expired" in capsys.readouterr().out

    # The clock moves past the expiry: the approval is expired wherever it shows.
    monkeypatch.setattr(database, "utc_today", lambda: after)
    assert main(["status", MODEL]) == 0
    assert "staging      1.0 EXPIRED" in capsys.readouterr().out
    assert main(["gate", f"{MODEL}@1.0", "--stage", "staging"]) == 1
    assert main(evidence) == 1  # the report signed before the expiry says until when it held
    capsys.readouterr()
    expired = tmp_path / "after.pdf"
    assert main(["export-pdf", f"{MODEL}@1.0", "-o", str(expired), "--identity", ANA]) == 0
    assert f"EXPIRED for staging: the approval of {today} held until {until}" in pdf_words(expired)
    published = tmp_path / "published"
    assert main(["publish", f"{MODEL}@1.0", "-o", str(published), "--identity", ANA]) == 1
    assert f"expired (it held until {until})" in capsys.readouterr().err
    assert not published.exists()

    # A re-review opens a new round for the stage; once approved again, it holds again.
    assert _review(registry, "--expires", str(after + datetime.timedelta(days=90))) == 0
    capsys.readouterr()
    assert main(["gate", f"{MODEL}@1.0", "--stage", "staging"]) == 0
    shown = cli_json(capsys, ["show", f"{MODEL}@1.0", "--json"])
    assert [r["status"] for r in shown["reviews"]] == ["approved", "approved"]
    assert main(["audit", "--verify"]) == 0


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--expires", "tomorrow"], "--expires: 'tomorrow' is not a date; write it as YYYY-MM-DD"),
        (["--expires", "2027-02-30"], "--expires: '2027-02-30' is not a date of the calendar"),
        (["--expires", "2001-01-01"], "the expiry date 2001-01-01 is in the past"),
        (["--condition", "x" * 301], "condition 1 has 301 characters"),
        (["--condition", "ok\x1b]0;owned\x07"], r"condition 1 holds a control character"),
        (["--condition", "  "], "condition 1 is empty"),
    ],
)
def test_bad_terms_are_refused_and_nothing_is_signed(
    registry: Path, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    assert _review(registry, *extra) == 1
    err = capsys.readouterr().err
    assert message in err
    assert "\x1b" not in err
    assert cli_json(capsys, ["show", f"{MODEL}@1.0", "--json"])["reviews"] == []


def test_a_bad_as_of_date_is_wrong_usage(
    registry: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["gate", f"{MODEL}@1.0", "--stage", "staging", "--as-of", "2027-13-01"])
    assert stopped.value.code == 2
    assert "'2027-13-01' is not a date; write it as YYYY-MM-DD" in capsys.readouterr().err


def test_a_re_review_of_an_approval_that_holds_is_an_officers(
    registry: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _review(registry) == 0
    assert _review(registry) == 1
    assert "or an officer asks for a re-review: --re-review" in capsys.readouterr().err
    assert _review(registry, "--re-review") == 1
    assert "ana@example.org has the role approver; only an officer asks for a re-review" in (
        capsys.readouterr().err
    )
