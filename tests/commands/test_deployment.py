"""Issue 12 end to end from the command line: classify, stages, quorum, publish, gate, revoke.

import → classify → review for staging → review for production with a quorum
of two → publish → gate against the registry and against the evidence with a
trusted certificate → revoke → gate fails; and each refusal of the gate.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from countersign.cli import main
from countersign.services.reviews.checklists import built_in_templates
from tests.helpers.keyring_memory import MemoryKeyring
from tests.helpers.registry import write_card
from tests.helpers.reports import pdf_words
from tests.helpers.signoff import cli_json, expires_option, medium_card

ANA, BEA, OLGA = "ana@example.org", "bea@example.org", "olga@example.org"
MODEL = "triage-classifier"
WEIGHTS = b"\x00weights of the triage model\x01" * 100


def _responses(folder: Path, template: str) -> Path:
    items = next(t for t in built_in_templates() if t.id == template).items
    path = folder / f"{template}.yaml"
    path.write_text("".join(f"{i.id}: {{answer: pass, note: Checked.}}\n" for i in items))
    return path


def _review(folder: Path, stage: str, identity: str, template: str = "high-risk") -> int:
    return main(
        [
            "review",
            f"{MODEL}@1.0",
            "--stage",
            stage,
            "--template",
            template,
            "--responses",
            str(_responses(folder, template)),
            "--decision",
            "approve",
            "--identity",
            identity,
            *(expires_option() if template == "high-risk" else []),
        ]
    )


@pytest.fixture
def imported(
    db: Path, memory_keyring: MemoryKeyring, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> Path:
    """A bundle with one unrated card and its model file imported; Ana, Bea approvers, Olga officer."""
    cards = tmp_path / "cards"
    cards.mkdir()
    card = medium_card(MODEL, "1.0")
    card = card.model_copy(update={"risk_rating": ""})
    write_card(cards, "triage.json", card)
    weights = tmp_path / "model.onnx"
    weights.write_bytes(WEIGHTS)
    bundle = tmp_path / "triage.cardbundle"
    assert (
        main(
            [
                "bundle",
                "create",
                str(cards),
                "-o",
                str(bundle),
                "--team",
                "ED",
                "--artifact",
                str(weights),
            ]
        )
        == 0
    )
    assert main(["import", str(bundle)]) == 0
    # Roles are granted: Olga founds the registry and grants Ana and Bea theirs (signed).
    for email, role in ((OLGA, "officer"), (ANA, "approver"), (BEA, "approver")):
        argv = ["identity", "create", "--name", email.split("@")[0].title(), "--email", email]
        assert main(argv) == 0
        if role != "officer":
            assert main(["identity", "grant", email, "--role", role, "--identity", OLGA]) == 0
    capsys.readouterr()
    return tmp_path


def _trust(folder: Path, capsys: pytest.CaptureFixture[str], *emails: str) -> list[str]:
    out = []
    for email in emails:
        path = folder / f"{email}.pem"
        assert main(["identity", "export-cert", email, "-o", str(path)]) == 0
        out += ["--trust", str(path)]
    capsys.readouterr()
    return out


def test_end_to_end(imported: Path, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: PLR0915  # one story, read top to bottom
    folder = imported
    shown = cli_json(capsys, ["show", f"{MODEL}@1.0", "--json"])
    assert shown["artifacts"] == [
        {"name": "model.onnx", "sha256": hashlib.sha256(WEIGHTS).hexdigest(), "size": len(WEIGHTS)}
    ]
    assert main(["stages"]) == 0
    assert capsys.readouterr().out == "1. staging\n2. production\n"

    # Unclassified and unrated: staging may be approved with the standard checklist's
    # single approval, production only once an officer has classified it.
    assert (
        main(
            ["classify", MODEL, "--tier", "high", "--reason", "Clinical triage.", "--identity", ANA]
        )
        == 1
    )
    assert "only an officer may classify risk" in capsys.readouterr().err
    assert (
        main(
            [
                "classify",
                MODEL,
                "--tier",
                "high",
                "--reason",
                "Clinical safety case.",
                "--identity",
                OLGA,
            ]
        )
        == 0
    )
    assert "classified: triage-classifier high risk from version 1.0 on" in capsys.readouterr().out
    # A lighter checklist than the tier needs is refused; production before staging too.
    assert _review(folder, "staging", ANA, template="standard") == 1
    assert "is high risk" in capsys.readouterr().err
    assert _review(folder, "production", ANA) == 1
    assert (
        "approval for production needs approval for every earlier stage" in capsys.readouterr().err
    )

    assert _review(folder, "staging", ANA) == 0
    assert _review(folder, "staging", BEA) == 0
    assert _review(folder, "production", ANA) == 0
    status = cli_json(capsys, ["status", MODEL, "--json"])
    assert status["summary"] == "production 1.0 in review · staging 1.0"
    assert status["versions"][0]["stages"]["production"]["status"] == "in review"
    assert status["versions"][0]["classification"]["tier"] == "high"
    assert main(["gate", f"{MODEL}@1.0", "--stage", "production"]) == 1
    assert (
        "FAIL approved for production: not approved for production: in review"
        in capsys.readouterr().out
    )
    assert _review(folder, "production", BEA) == 0
    capsys.readouterr()

    published = folder / "published"
    assert main(["publish", f"{MODEL}@1.0", "-o", str(published), "--identity", OLGA]) == 0
    trust = _trust(folder, capsys, OLGA, ANA, BEA)
    words = pdf_words(published / "review-report.pdf")
    assert "APPROVED for production on " in words and " by Ana, Bea " in words
    assert "Risk tier high, classified by Olga <olga@example.org> on " in words
    assert "Clinical safety case.; the card's own rating: none stated" in words
    assert f"model.onnx SHA-256 {hashlib.sha256(WEIGHTS).hexdigest()}" in words
    digest = hashlib.sha256(WEIGHTS).hexdigest()

    registry = cli_json(
        capsys,
        ["gate", f"{MODEL}@1.0", "--stage", "production", "--json", "--artifact-sha256", digest],
    )
    assert registry["ok"] is True and registry["failed"] == []
    assert [c["check"] for c in registry["checks"]] == [
        "approved for staging",
        "approved for production",
        "sign-offs",
        "artifact",
    ]
    evidence = cli_json(
        capsys,
        [
            "gate",
            "--evidence",
            str(published),
            "--stage",
            "production",
            *trust,
            "--artifact",
            str(folder / "model.onnx"),
            "--json",
        ],
    )
    assert evidence["ok"] is True, evidence
    assert evidence["model"] == MODEL and evidence["version"] == "1.0"
    pdf_only = cli_json(
        capsys,
        [
            "gate",
            "--evidence",
            str(published / "review-report.pdf"),
            "--stage",
            "staging",
            *trust,
            "--json",
        ],
    )
    assert pdf_only["ok"] is True

    # Refusals of the evidence gate, each with its reason in words.
    assert main(["gate", "--evidence", str(published), "--stage", "qa", *trust]) == 1
    assert "not 'qa'" in capsys.readouterr().out
    assert (
        main(
            [
                "gate",
                "--evidence",
                str(published),
                "--stage",
                "production",
                *trust,
                "--artifact-sha256",
                "ab" * 32,
            ]
        )
        == 1
    )
    assert "no approved model file has SHA-256" in capsys.readouterr().out
    assert main(["gate", "--evidence", str(published), "--stage", "production", *trust[:2]]) == 1
    out = capsys.readouterr().out
    assert "0 trusted approval(s) of this card for production, 2 needed" in out
    changed = folder / "changed"
    shutil.copytree(published, changed)
    card = json.loads((changed / "card.json").read_text())
    card["intended_use"] = {"primary_uses": ["anything"]}
    (changed / "card.json").write_text(json.dumps(card))
    assert main(["gate", "--evidence", str(changed), "--stage", "production", *trust]) == 1
    assert "card.json was changed" in capsys.readouterr().out
    removed = folder / "removed"
    shutil.copytree(published, removed)
    next((removed / "sign-offs").glob("*.json")).unlink()
    assert main(["gate", "--evidence", str(removed), "--stage", "production", *trust]) == 1
    assert "is listed but missing" in capsys.readouterr().out
    stranger = folder / "stranger.pem"
    assert (
        main(
            [
                "identity",
                "create",
                "--name",
                "Eve",
                "--email",
                "eve@example.org",
            ]
        )
        == 0
    )
    grant = ["identity", "grant", "eve@example.org", "--role", "officer", "--identity", OLGA]
    assert main(grant) == 0
    assert main(["identity", "export-cert", "eve@example.org", "-o", str(stranger)]) == 0
    capsys.readouterr()
    assert (
        main(
            [
                "gate",
                "--evidence",
                str(published),
                "--stage",
                "production",
                "--trust",
                str(stranger),
            ]
        )
        == 1
    )
    assert "among the certificates you trust" in capsys.readouterr().out

    # Revocation: the registry gate fails, publish refuses, the evidence gate with the
    # exported revocations fails; the evidence alone cannot know.
    assert (
        main(
            [
                "revoke",
                f"{MODEL}@1.0",
                "--stage",
                "production",
                "--reason",
                "Drift found.",
                "--identity",
                ANA,
            ]
        )
        == 1
    )
    assert "only an officer may revoke" in capsys.readouterr().err
    assert (
        main(
            [
                "revoke",
                f"{MODEL}@1.0",
                "--stage",
                "production",
                "--reason",
                "Drift found.",
                "--identity",
                OLGA,
            ]
        )
        == 0
    )
    capsys.readouterr()
    assert main(["gate", f"{MODEL}@1.0", "--stage", "production"]) == 1
    assert "was revoked on" in capsys.readouterr().out
    assert main(["gate", f"{MODEL}@1.0", "--stage", "staging"]) == 0
    assert main(["publish", f"{MODEL}@1.0", "-o", str(folder / "again"), "--identity", OLGA]) == 1
    assert "was revoked (Drift found.)" in capsys.readouterr().err
    revocations = folder / "revocations.json"
    assert main(["revocations", "export", "-o", str(revocations)]) == 0
    assert main(["gate", "--evidence", str(published), "--stage", "production", *trust]) == 0
    assert (
        main(
            [
                "gate",
                "--evidence",
                str(published),
                "--stage",
                "production",
                *trust,
                "--revocations",
                str(revocations),
            ]
        )
        == 1
    )
    assert "the approval for production was revoked" in capsys.readouterr().out
    assert main(["audit", "--verify"]) == 0
    report = folder / "revoked.pdf"
    assert main(["export-pdf", f"{MODEL}@1.0", "-o", str(report), "--identity", OLGA]) == 0
    capsys.readouterr()
    assert main(["gate", "--evidence", str(report), "--stage", "production", *trust]) == 1
    assert "the report says the approval for production was revoked" in capsys.readouterr().out
    assert "REVOKED for production on " in pdf_words(report)


def test_gate_usage_is_exit_2(imported: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["gate", "--stage", "production"]) == 2
    assert main(["gate", f"{MODEL}@1.0", "--evidence", "x", "--stage", "production"]) == 2
    assert main(["gate", "--evidence", str(imported), "--stage", "production"]) == 2
    assert "--evidence needs --trust" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        main(["gate", f"{MODEL}@1.0"])
    assert exit_info.value.code == 2


def test_stages_set_before_first_use_only(
    imported: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["stages", "set", "test", "staging", "production"]) == 0
    assert cli_json(capsys, ["stages", "--json"]) == ["test", "staging", "production"]
    assert main(["stages", "set", "a", "a"]) == 1
    assert "a stage is named twice" in capsys.readouterr().err
    assert _review(imported, "test", ANA, template="standard") == 0
    assert main(["stages", "set", "staging", "production"]) == 1
    assert "only be changed before the first review" in capsys.readouterr().err
    events = cli_json(capsys, ["audit", "--json"])
    assert [e["details"]["to"] for e in events if e["action"] == "stages.set"] == [
        ["test", "staging", "production"]
    ]


def test_models_lists_the_officers_tier_over_a_later_cards_rating(
    imported: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`models` and `models --json` give the classification in force, not the newest card's rating."""
    classify = ["classify", MODEL, "--tier", "high", "--reason", "Clinical.", "--identity", OLGA]
    assert main(classify) == 0
    later = write_card(imported, "triage-2.json", medium_card(MODEL, "2.0"))  # the card: medium
    assert main(["import", str(later), "--team", "ED"]) == 0
    capsys.readouterr()
    listed = cli_json(capsys, ["models", "--json"])
    assert [(m["name"], m["latest_version"], m["risk_tier"]) for m in listed] == [
        (MODEL, "2.0", "high")
    ]
    assert main(["models"]) == 0
    row = capsys.readouterr().out.splitlines()[1].split()
    assert row[:2] == [MODEL, "2.0"] and "high" in row and "medium" not in row
