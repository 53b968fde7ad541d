"""The gate over an approval attestation: expiry, conditions, predicate type, issuer trust."""

from __future__ import annotations

import dataclasses
import datetime
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from countersign.services.attestation.dsse import sign_envelope
from countersign.services.attestation.statement import (
    ApprovalFacts,
    StatementRefused,
    approval_statement,
)
from countersign.services.deployment.attestation_gate import attestation_gate
from countersign.services.deployment.records import GateQuestion, GateResult
from countersign.services.identities.certificates import make_self_signed, pem_of
from tests.helpers.attestation import FACTS
from tests.helpers.signoff import issued_pkcs12


def _signed(tmp_path: Path, facts: ApprovalFacts, payload: bytes | None = None) -> Path:
    key = ec.generate_private_key(ec.SECP256R1())
    certificate = make_self_signed(key, "Olga", "olga@example.org", "officer")
    envelope = sign_envelope(payload or approval_statement(facts), key, certificate)
    path = tmp_path / "a.intoto.json"
    path.write_bytes(envelope.file_bytes())
    (tmp_path / "a.intoto.pem").write_text(pem_of(certificate))
    return path


def _gate(tmp_path: Path, path: Path, as_of: datetime.date | None = None) -> GateResult:
    question = GateQuestion("production", as_of=as_of)
    return attestation_gate(path, question, trust=[tmp_path / "a.intoto.pem"])


def test_conditions_are_shown_and_a_future_expiry_holds(tmp_path: Path) -> None:
    today = datetime.datetime.now(datetime.UTC).date()
    facts = dataclasses.replace(
        FACTS, conditions=("Monitor drift weekly.",), expires=today.isoformat()
    )
    path = _signed(tmp_path, facts)
    result = _gate(tmp_path, path)
    assert result.ok, result.failed
    details = {c.check: c.detail for c in result.checks}
    assert details["stage"].endswith("; conditions: Monitor drift weekly.")
    assert details["not expired"] == f"the approval holds until {today}"  # its last day
    assert (result.model, result.version, result.card_sha256) == ("scorer", "2.0", "c" * 64)


def test_an_expired_approval_fails(tmp_path: Path) -> None:
    yesterday = datetime.datetime.now(datetime.UTC).date() - datetime.timedelta(days=1)
    path = _signed(tmp_path, dataclasses.replace(FACTS, expires=yesterday.isoformat()))
    result = _gate(tmp_path, path)
    assert [c.check for c in result.failed] == ["not expired"]
    assert result.failed[0].detail == f"the approval expired: it held until {yesterday}"


def test_the_expiry_is_judged_on_the_day_asked(tmp_path: Path) -> None:
    path = _signed(tmp_path, dataclasses.replace(FACTS, expires="2027-06-30"))
    assert _gate(tmp_path, path, datetime.date(2027, 6, 30)).ok
    late = _gate(tmp_path, path, datetime.date(2027, 7, 1))
    assert [c.detail for c in late.failed] == ["the approval expired: it held until 2027-06-30"]


def test_an_expiry_that_is_no_date_fails(tmp_path: Path) -> None:
    path = _signed(tmp_path, dataclasses.replace(FACTS, expires="next spring"))
    result = _gate(tmp_path, path)
    assert result.failed[0].detail == "the expiry 'next spring' is not a date"


def test_a_card_subject_other_than_the_predicate_card_fails(tmp_path: Path) -> None:
    statement = json.loads(approval_statement(FACTS))
    statement["subject"][-1]["digest"]["sha256"] = "e" * 64
    path = _signed(tmp_path, FACTS, json.dumps(statement).encode())
    result = _gate(tmp_path, path)
    assert [c.check for c in result.failed] == ["subjects"]
    assert "subject is not the card the predicate names" in result.failed[0].detail


def test_another_predicate_type_is_refused_by_name(tmp_path: Path) -> None:
    statement = json.loads(approval_statement(FACTS))
    statement["predicateType"] = "https://slsa.dev/provenance/v1"
    path = _signed(tmp_path, FACTS, json.dumps(statement).encode())
    with pytest.raises(StatementRefused) as refused:
        _gate(tmp_path, path)
    assert str(refused.value) == (
        f'{path}: payload: predicateType "https://slsa.dev/provenance/v1" is not '
        "Countersign's approval (https://countersign.invalid/attestation/approval/v1)"
    )


def test_an_officer_certificate_issued_by_a_trusted_issuer_counts(tmp_path: Path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    _, leaf, issuer = issued_pkcs12("olga@example.org", None, common_name="Olga", key=key)
    path = tmp_path / "a.intoto.json"
    path.write_bytes(sign_envelope(approval_statement(FACTS), key, leaf).file_bytes())
    (tmp_path / "a.intoto.pem").write_text(pem_of(leaf))
    (tmp_path / "issuer.pem").write_text(pem_of(issuer))
    question = GateQuestion("production")
    result = attestation_gate(path, question, trust=[tmp_path / "issuer.pem"])
    assert result.ok, result.failed
    assert result.checks[0].detail.startswith("signed by Olga (SHA-256 ")
    # Without the certificate beside it, nothing the pipeline trusts verifies the signature.
    (tmp_path / "a.intoto.pem").unlink()
    again = attestation_gate(path, question, trust=[tmp_path / "issuer.pem"])
    assert [c.check for c in again.failed] == ["signature"]
