"""``countersign review``: a scripted sign-off, its refusals, ``show --json`` and ``audit --verify``."""

from __future__ import annotations

import base64
import json
import sqlite3
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from countersign.cli import main
from countersign.services.identities.certificates import load_certificate
from countersign.services.reviews.checklists import built_in_templates
from tests.helpers.keyring_memory import MemoryKeyring
from tests.helpers.registry import native_card, write_card
from tests.helpers.signoff import (
    cli_identities,
    cli_json,
    expires_option,
    medium_card,
    table_counts,
)

ANA, BEA = "ana@example.org", "bea@example.org"
STANDARD = next(t for t in built_in_templates() if t.id == "standard")


def _responses(folder: Path, name: str = "responses.yaml", **override: str) -> Path:
    """Every standard item answered pass with a note, as YAML; ``override`` item=raw YAML."""
    lines = []
    for item in STANDARD.items:
        raw = override.get(item.id.replace("-", "_"), "{answer: pass, note: Checked.}")
        if raw != "OMIT":
            lines.append(f"{item.id}: {raw}")
    lines += [f"{key}: {value}" for key, value in override.items() if key.startswith("x-")]
    path = folder / name
    path.write_text("\n".join(lines) + "\n")
    return path


def _review(responses: Path, identity: str = ANA, decision: str = "approve") -> list[str]:
    return [
        "review",
        "credit-scorer@1.0",
        "--template",
        "standard",
        "--responses",
        str(responses),
        "--decision",
        decision,
        "--comment",
        "Documentation is complete.",
        "--identity",
        identity,
    ]


@pytest.fixture
def registry(
    db: Path, memory_keyring: MemoryKeyring, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> Path:
    card = write_card(tmp_path, "v1.json", medium_card())
    assert main(["import", str(card), "--team", "Risk"]) == 0
    cli_identities(db, memory_keyring, [(ANA, "approver"), (BEA, "approver")])
    capsys.readouterr()
    return db


def test_signed_approval_shows_in_show_json_and_verifies(
    registry: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(_review(_responses(tmp_path))) == 0
    out = capsys.readouterr().out
    assert "signed: approve credit-scorer 1.0 for staging against standard@1" in out
    assert "review 1: approved (1 of 1 approval)" in out
    assert "credit-scorer 1.0 for staging: approved" in out

    shown = cli_json(capsys, ["show", "credit-scorer@1.0", "--json"])
    assert shown["status"] == "approved"
    [review] = shown["reviews"]
    assert (review["status"], review["quorum"], review["approvals"]) == ("approved", 1, 1)
    assert review["template"] == {
        "id": "standard",
        "version": 1,
        "title": "Standard model card review",
    }
    [signature] = review["signatures"]
    assert signature["signer"]["email"] == ANA
    assert signature["decision"] == "approve"
    assert signature["comment"] == "Documentation is complete."
    responses = {r["item"]: r for r in signature["responses"]}
    assert responses["licence-stated"]["automatic"] == {
        "result": "pass",
        "evidence": "license has 11 characters: “proprietary”",
    }
    assert responses["monitoring-plan"] == {
        "item": "monitoring-plan",
        "answer": "pass",
        "note": "Checked.",
        "automatic": None,
    }
    listed = cli_json(capsys, ["identity", "list", "--json"])
    ana = next(i for i in listed if i["email"] == ANA)
    assert signature["signer"]["fingerprint"] == ana["fingerprint"]
    capsys.readouterr()
    assert main(["identity", "export-cert", ANA]) == 0
    public = load_certificate(capsys.readouterr().out).public_key()
    assert isinstance(public, ec.EllipticCurvePublicKey)
    # show --json carries everything needed to check the signature without Countersign.
    payload = {
        "format": "countersign-sign-off",
        "format_version": 2,
        "chain": signature["chain"],
        "stage": "staging",
        "artifacts": [],
        "card_version_sha256": shown["sha256"],
        "model": shown["model"],
        "version": shown["version"],
        "template": {"id": "standard", "version": 1},
        "responses": signature["responses"],
        "decision": signature["decision"],
        "comment": signature["comment"],
        "signed_at": signature["signed_at"],
        "signer_fingerprint": signature["signer"]["fingerprint"],
    }
    data = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    public.verify(
        base64.b64decode(signature["signature"]), data.encode(), ec.ECDSA(hashes.SHA256())
    )

    models = cli_json(capsys, ["models", "--json"])
    assert models[0]["status"] == "approved"
    verified = cli_json(capsys, ["audit", "--verify", "--json"])
    assert verified["ok"] is True
    assert verified["signoffs"] == {"ok": True, "reviews": 1, "signatures": 1, "problems": []}
    assert main(["show", "credit-scorer@1.0"]) == 0
    assert "review 1  staging  standard@1  approved (1 of 1 approval)" in capsys.readouterr().out


def test_changed_review_row_fails_verification(
    registry: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(_review(_responses(tmp_path))) == 0
    raw = sqlite3.connect(registry)
    raw.execute(
        "UPDATE review_responses SET answer = 'na', note = 'Not needed.' "
        "WHERE item_id = 'monitoring-plan'"
    )
    raw.commit()
    raw.close()
    capsys.readouterr()
    assert main(["audit", "--verify"]) == 1
    captured = capsys.readouterr()
    assert "Audit chain intact" in captured.out
    assert "Sign-offs BROKEN: 2 problems in 1 review" in captured.err
    assert (
        "review 1 of credit-scorer 1.0: the sign-off by ana@example.org (signature 1) no "
        "longer matches its rows" in captured.err
    )
    assert main(["audit", "--verify", "--json"]) == 1


@pytest.mark.parametrize(
    ("responses", "message"),
    [
        (
            {"monitoring_plan": "OMIT"},
            "responses.yaml: monitoring-plan: required item not answered: monitoring-plan",
        ),
        (
            {"x-model-is-good": "{answer: pass}"},
            "responses.yaml: x-model-is-good: unknown checklist item 'x-model-is-good'",
        ),
        (
            {"owner_contact": "{answer: maybe}"},
            "responses.yaml: owner-contact.answer: the answer is 'maybe'; answer one of pass",
        ),
        (
            {"owner_contact": "{answer: pass, score: 3}"},
            "responses.yaml: owner-contact.score: unknown key 'score'",
        ),
        (
            {"monitoring_plan": "{answer: fail}"},
            "responses.yaml: monitoring-plan.note: a fail needs a note saying what is wrong",
        ),
    ],
)
def test_refusals_name_the_field_and_store_nothing(
    registry: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    responses: dict[str, str],
    message: str,
) -> None:
    before = table_counts(registry)
    assert main(_review(_responses(tmp_path, **responses))) == 1
    assert message in capsys.readouterr().err
    assert table_counts(registry) == before


def test_wrong_passphrase_is_refused(
    registry: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    before = table_counts(registry)
    monkeypatch.setenv("COUNTERSIGN_PASSPHRASE", "not the passphrase")
    assert main(_review(_responses(tmp_path))) == 1
    assert "countersign: the passphrase is wrong; nothing was signed or changed" in (
        capsys.readouterr().err
    )
    assert table_counts(registry) == before


def test_self_approval_is_refused(
    db: Path, memory_keyring: MemoryKeyring, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    card = write_card(tmp_path, "v1.json", medium_card())  # owned by risk-analytics@example.com
    assert main(["import", str(card)]) == 0
    cli_identities(db, memory_keyring, [("risk-analytics@example.com", "approver")])
    before = table_counts(db)
    capsys.readouterr()
    assert main(_review(_responses(tmp_path), identity="risk-analytics@example.com")) == 1
    assert "is named among the owners or developers of credit-scorer 1.0" in (
        capsys.readouterr().err
    )
    assert table_counts(db) == before


def test_second_signature_by_the_same_reviewer_is_refused(
    db: Path, memory_keyring: MemoryKeyring, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    card = write_card(tmp_path, "fraud.json", native_card("credit-scorer", "1.0"))  # high risk
    assert main(["import", str(card)]) == 0
    cli_identities(db, memory_keyring, [(ANA, "approver")])
    high = next(t for t in built_in_templates() if t.id == "high-risk")
    responses = tmp_path / "high.yaml"
    responses.write_text(
        "\n".join(f"{item.id}: {{answer: pass, note: Checked.}}" for item in high.items)
    )
    argv = [*_review(responses), *expires_option()]
    argv[argv.index("standard")] = "high-risk"
    signed = cli_json(capsys, [*argv, "--json"])
    assert (signed["status"], signed["review"]["status"], signed["review"]["approvals"]) == (
        "in review",
        "in review",
        1,
    )
    assert len(signed["payload_sha256"]) == 64
    before = table_counts(db)
    assert main(argv) == 1
    assert "ana@example.org already signed this review of credit-scorer 1.0" in (
        capsys.readouterr().err
    )
    assert table_counts(db) == before


def test_dry_run_lists_the_automatic_checks_and_every_problem_at_once(
    registry: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = _responses(
        tmp_path,
        monitoring_plan="{answer: fail}",
        licence_stated="{answer: maybe}",
        intended_use="OMIT",
        **{"x-unknown": "{answer: pass}"},
    )
    argv = _review(bad)
    before = table_counts(registry)
    assert main([*argv, "--dry-run"]) == 1
    captured = capsys.readouterr()
    assert "nothing is signed or stored" in captured.out
    assert "PASS  licence-stated" in captured.out
    assert "ASK   monitoring-plan" in captured.out
    problems = captured.err
    assert "5 problems:" in problems
    for expected in (
        "licence-stated.answer: the answer is 'maybe'",
        "x-unknown: unknown checklist item 'x-unknown'",
        "required items not answered: intended-use",
        "monitoring-plan.note: a fail needs a note saying what is wrong",
        "required item 'monitoring-plan' is answered fail, so the card cannot be approved",
    ):
        assert expected in problems
    assert table_counts(registry) == before  # nothing stored

    # Without answers: the automatic results alone, and exit 0.
    assert main(["review", "credit-scorer@1.0", "--template", "standard", "--dry-run"]) == 0
    assert "No problems" in capsys.readouterr().out
    # A good file passes the dry run, and signing still needs the passphrase step.
    assert main([*_review(_responses(tmp_path, "good.yaml")), "--dry-run"]) == 0
    assert "the sign-off would be accepted" in capsys.readouterr().out
    assert table_counts(registry) == before


def test_signing_without_responses_is_wrong_usage(
    registry: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["review", "credit-scorer@1.0", "--template", "standard"]) == 2
    assert "--responses, --decision, --identity needed to sign" in capsys.readouterr().err
