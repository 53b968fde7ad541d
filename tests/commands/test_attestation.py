"""Issue 20: approval attestations from `publish` and `attest`, checked by securesystemslib and the gate.

The envelope is verified by securesystemslib's DSSE code and the statement
read by in-toto's attestation bindings and the shipped JSON Schema, none of
them Countersign's; then ``countersign gate --evidence`` reads it.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
import os
import shutil
import subprocess
import sys
from importlib.resources import files
from pathlib import Path

import jsonschema
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from google.protobuf import json_format
from in_toto_attestation.v1 import statement_pb2
from in_toto_attestation.v1.statement import Statement
from securesystemslib.exceptions import VerificationError

from countersign.cli import main
from countersign.services.identities.certificates import make_self_signed, pem_of
from countersign.services.storage import database
from tests.helpers.attestation import (
    ANA,
    MODEL,
    OLGA,
    WEIGHTS,
    approved_registry,
    independent_verify,
    with_payload,
)
from tests.helpers.keyring_memory import MemoryKeyring

PREDICATE_TYPE = "https://countersign.invalid/attestation/approval/v1"


@pytest.fixture
def folder(
    db: Path, memory_keyring: MemoryKeyring, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> Path:
    approved_registry(tmp_path)
    capsys.readouterr()
    return tmp_path


def _schema() -> dict[str, object]:
    text = files("countersign.resources").joinpath("attestation/approval-v1.schema.json")
    schema: dict[str, object] = json.loads(text.read_text("utf-8"))
    return schema


def test_publish_writes_an_attestation_an_independent_verifier_accepts(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    published = folder / "published"
    assert main(["publish", f"{MODEL}@1.0", "-o", str(published), "--identity", OLGA]) == 0
    out = capsys.readouterr().out
    envelope = published / "attestations/staging.intoto.json"
    certificate = published / "attestations/staging.intoto.pem"
    assert "attestations/staging.intoto.json" in out and "attestations/staging.intoto.pem" in out
    assert "approval attestation: staging, signed by Olga" in out
    assert certificate.read_bytes() == (folder / f"{OLGA}.pem").read_bytes()

    statement = independent_verify(envelope, certificate)
    proto = json_format.Parse(json.dumps(statement), statement_pb2.Statement())
    Statement.copy_from_pb(proto).validate()  # in-toto's own rules for a v1 statement
    jsonschema.validate(statement, _schema())
    card = hashlib.sha256((published / "card.canonical.json").read_bytes()).hexdigest()
    assert statement["predicateType"] == PREDICATE_TYPE
    assert statement["subject"] == [
        {"name": "model.onnx", "digest": {"sha256": hashlib.sha256(WEIGHTS).hexdigest()}},
        {"name": "card.canonical.json", "digest": {"sha256": card}},
    ]
    predicate = statement["predicate"]
    assert predicate["model"] == MODEL and predicate["version"] == "1.0"
    assert predicate["stage"] == "staging" and predicate["decision"] == "approve"
    assert predicate["card_sha256"] == card
    assert predicate["template"] == {"id": "standard", "version": 1}
    assert predicate["quorum"] == 1
    assert [a["email"] for a in predicate["approvers"]] == [ANA]
    assert predicate["attested_by"]["email"] == OLGA
    assert predicate["classification"]["tier"] == "unknown"
    assert predicate["classification"]["by"] is None
    assert "conditions" not in predicate and "expires" not in predicate
    # The attestation is one of the published files: SHA256SUMS covers it.
    sums = (published / "SHA256SUMS").read_text()
    assert f"{hashlib.sha256(envelope.read_bytes()).hexdigest()}  attestations/" in sums


def test_any_changed_payload_byte_fails_the_independent_verifier(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    envelope = folder / "approval.intoto.json"
    attest = ["attest", f"{MODEL}@1.0", "--stage", "staging", "-o", str(envelope)]
    assert main([*attest, "--identity", OLGA]) == 0
    certificate = folder / "approval.intoto.pem"
    statement = independent_verify(envelope, certificate)
    payload = base64.b64decode(json.loads(envelope.read_text())["payload"])

    changed_subject = json.loads(payload)
    changed_subject["subject"][0]["digest"]["sha256"] = "0" * 64
    changed_predicate = json.loads(payload)
    changed_predicate["predicate"]["stage"] = "production"
    for number, statement_changed in enumerate((changed_subject, changed_predicate)):
        tampered = with_payload(
            envelope, json.dumps(statement_changed).encode(), folder / f"t{number}.json"
        )
        with pytest.raises(VerificationError):
            independent_verify(tampered, certificate)
    for at in range(len(payload)):
        flipped = bytearray(payload)
        flipped[at] ^= 0x01
        tampered = with_payload(envelope, bytes(flipped), folder / "flipped.json")
        with pytest.raises(VerificationError):
            independent_verify(tampered, certificate)
    assert statement["predicate"]["stage"] == "staging"


def test_attest_writes_the_envelope_and_certificate_and_audits_it(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    envelope = folder / "approval.intoto.json"
    attest = ["attest", f"{MODEL}@1.0", "--stage", "staging", "-o", str(envelope)]
    assert main([*attest, "--identity", OLGA]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"attested: {MODEL} 1.0 approved for staging, signed by Olga <{OLGA}>\n")
    assert "(in-toto statement in a DSSE envelope, 2 subjects)" in out
    assert f"{folder / 'approval.intoto.pem'} (the signer's certificate)" in out
    assert main(["audit", "--json", "--model", MODEL]) == 0
    events = json.loads(capsys.readouterr().out)
    attested = [e for e in events if e["action"] == "card_version.attested"]
    assert len(attested) == 1
    assert attested[0]["details"]["envelope_sha256"] == (
        hashlib.sha256(envelope.read_bytes()).hexdigest()
    )
    assert main(["audit", "--verify"]) == 0


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--stage", "production", "--identity", OLGA],
            "is not approved for production (its status there: not requested)",
        ),
        (["--stage", "qa", "--identity", OLGA], "'qa' is not a stage of this registry"),
        (["--stage", "staging", "--identity", ANA], "only an officer signs"),
    ],
)
def test_attest_refusals_write_nothing(
    folder: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    envelope = folder / "refused.intoto.json"
    assert main(["attest", f"{MODEL}@1.0", "-o", str(envelope), *argv]) == 1
    assert message in capsys.readouterr().err
    assert not envelope.exists() and not (folder / "refused.intoto.pem").exists()


def _gate(*argv: str) -> list[str]:
    return ["gate", "--evidence", *argv]


def test_gate_reads_the_attestation(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    envelope = folder / "approval.intoto.json"
    attest = ["attest", f"{MODEL}@1.0", "--stage", "staging", "-o", str(envelope)]
    assert main([*attest, "--identity", OLGA]) == 0
    capsys.readouterr()
    trust = ["--trust", str(folder / f"{OLGA}.pem")]
    weights = ["--artifact", str(folder / "model.onnx")]
    assert main(_gate(str(envelope), "--stage", "staging", *trust, *weights)) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == f"PASS: {MODEL} 1.0 for staging"
    assert "ok   signature: signed by Olga (SHA-256 " in out
    assert "ok   subjects: the card " in out and "1 approver(s) of 1 needed" in out
    assert "ok   stage: approved for staging on " in out
    assert "ok   not expired: the approval has no expiry" in out
    assert "ok   artifact: model.onnx (SHA-256 " in out

    # Trusted by keyid alone: the certificate beside it may go.
    (folder / "approval.intoto.pem").unlink()
    assert main(_gate(str(envelope), "--stage", "staging", *trust, "--json")) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["mode"] == "attestation" and answer["ok"] is True
    assert (
        answer["card_sha256"]
        == json.loads(base64.b64decode(json.loads(envelope.read_text())["payload"]))["predicate"][
            "card_sha256"
        ]
    )


def test_gate_refuses_a_changed_or_untrusted_attestation(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    envelope = folder / "approval.intoto.json"
    attest = ["attest", f"{MODEL}@1.0", "--stage", "staging", "-o", str(envelope)]
    assert main([*attest, "--identity", OLGA]) == 0
    capsys.readouterr()
    trust = ["--trust", str(folder / f"{OLGA}.pem")]

    assert main(_gate(str(envelope), "--stage", "production", *trust)) == 1
    assert "FAIL stage: the attestation is for staging, not 'production'" in capsys.readouterr().out
    assert main(_gate(str(envelope), "--stage", "staging", *trust, "--artifact-sha256", "ab" * 32))
    assert "FAIL artifact: no approved model file has SHA-256" in capsys.readouterr().out
    assert main(_gate(str(envelope), "--stage", "staging", "--trust", str(folder / f"{ANA}.pem")))
    out = capsys.readouterr().out
    assert "FAIL signature: signed by Olga (SHA-256 " in out
    assert "which is not among the certificates you trust" in out

    payload = json.loads(base64.b64decode(json.loads(envelope.read_text())["payload"]))
    payload["subject"][0]["digest"]["sha256"] = hashlib.sha256(b"other weights").hexdigest()
    tampered = with_payload(envelope, json.dumps(payload).encode(), folder / "t.intoto.json")
    (folder / "t.intoto.pem").write_bytes((folder / "approval.intoto.pem").read_bytes())
    other = ["--artifact-sha256", hashlib.sha256(b"other weights").hexdigest()]
    assert main(_gate(str(tampered), "--stage", "staging", *trust, *other)) == 1
    out = capsys.readouterr().out
    assert out.startswith("FAIL: ")
    assert "FAIL signature: the envelope's signature does not verify" in out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "cannot be read as a DSSE envelope"),
        (b'{"payloadType": "text/plain", "payload": "", "signatures": []}', "payloadType: "),
        (
            b'{"payloadType": "application/vnd.in-toto+json", "payload": "%%%", "signatures": []}',
            "payload: not valid base64",
        ),
        (
            b'{"payloadType": "application/vnd.in-toto+json", "payload": "e30=", "signatures": []}',
            "signatures: a list of at least one is expected",
        ),
        (
            b'{"payloadType": "application/vnd.in-toto+json", "payload": "e30=",'
            b' "signatures": [{"keyid": "x", "sig": "AA=="}]}',
            "payload: _type is not https://in-toto.io/Statement/v1",
        ),
    ],
)
def test_gate_refuses_what_is_no_attestation_by_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, message: str
) -> None:
    bad = tmp_path / "bad.intoto.json"
    bad.write_bytes(content)
    key = ec.generate_private_key(ec.SECP256R1())
    officer = tmp_path / "officer.pem"
    officer.write_text(pem_of(make_self_signed(key, "Olga", OLGA, "officer")))
    trust = ["--trust", str(officer)]
    assert main(_gate(str(bad), "--stage", "staging", *trust)) == 1
    err = capsys.readouterr().err
    assert str(bad) in err and message in err
    assert "Traceback" not in err


REPO = Path(__file__).resolve().parents[2]


def _readme_step(first_line: str) -> str:
    """The README's shell block that starts with ``first_line``, as the README shows it."""
    text = (REPO / "README.md").read_text("utf-8")
    blocks = text.split("```sh\n")[1:]
    (block,) = [b.split("```", 1)[0] for b in blocks if b.startswith(first_line)]
    return block


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed (scripts/setup.sh test installs it)")
    return found


@pytest.mark.parametrize(
    "step",
    [
        "# pipeline step: stock DSSE verification with openssl and jq",
        "# pipeline step: stock DSSE verification with securesystemslib",
    ],
)
def test_the_readme_stock_verifier_steps_run_as_written(
    folder: Path, capsys: pytest.CaptureFixture[str], step: str
) -> None:
    _tool("jq")
    _tool("openssl")
    published = folder / "published"
    assert main(["publish", f"{MODEL}@1.0", "-o", str(published), "--identity", OLGA]) == 0
    shutil.copy(folder / f"{OLGA}.pem", published / "officer.pem")
    shutil.copy(folder / "model.onnx", published / "model.onnx")
    # The README gates production; this registry approved staging.
    script = _readme_step(step).replace("production", "staging")
    environment = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}

    def run() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", "-c", script],
            cwd=published,
            capture_output=True,
            text=True,
            check=False,
            env=environment,
        )

    passed = run()
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert ("Verified OK" in passed.stdout) or ("attestation verified: " + MODEL in passed.stdout)
    (published / "model.onnx").write_bytes(b"other weights")
    assert run().returncode != 0
    (published / "model.onnx").write_bytes(WEIGHTS)
    envelope = published / "attestations/staging.intoto.json"
    payload = json.loads(base64.b64decode(json.loads(envelope.read_text())["payload"]))
    payload["predicate"]["quorum"] = 2
    with_payload(envelope, json.dumps(payload).encode(), envelope)
    failed = run()
    assert failed.returncode != 0
    assert "Verification failure" in failed.stdout + failed.stderr or (
        "VerificationError" in failed.stderr
    )


def test_a_revocation_exported_later_stops_the_attestation(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    envelope = folder / "approval.intoto.json"
    attest = ["attest", f"{MODEL}@1.0", "--stage", "staging", "-o", str(envelope)]
    assert main([*attest, "--identity", OLGA]) == 0
    revoke = ["revoke", f"{MODEL}@1.0", "--stage", "staging", "--reason", "Drift found."]
    assert main([*revoke, "--identity", OLGA]) == 0
    revocations = folder / "revocations.json"
    assert main(["revocations", "export", "-o", str(revocations)]) == 0
    capsys.readouterr()
    trust = ["--trust", str(folder / f"{OLGA}.pem")]
    assert main(_gate(str(envelope), "--stage", "staging", *trust)) == 0  # it cannot know
    capsys.readouterr()
    later = ["--revocations", str(revocations)]
    assert main(_gate(str(envelope), "--stage", "staging", *trust, *later)) == 1
    out = capsys.readouterr().out
    assert "FAIL not revoked: the approval for staging was revoked on " in out
    assert out.rstrip().endswith("Drift found.")
    # A revoked approval is not attested again.
    assert main([*attest[:-1], str(folder / "again.intoto.json"), "--identity", OLGA]) == 1
    assert "is not approved for staging (its status there: revoked)" in capsys.readouterr().err


def test_the_folder_gate_checks_the_attestation_it_holds(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    published = folder / "published"
    assert main(["publish", f"{MODEL}@1.0", "-o", str(published), "--identity", OLGA]) == 0
    trust = [f"--trust={folder / f'{email}.pem'}" for email in (OLGA, ANA)]
    capsys.readouterr()
    assert main(_gate(str(published), "--stage", "staging", *trust)) == 0
    out = capsys.readouterr().out
    assert "ok   attestation: attestations/staging.intoto.json: signed by Olga (SHA-256 " in out

    # Someone rewrites the attestation and SHA256SUMS to match: the signature gives it away.
    envelope = published / "attestations/staging.intoto.json"
    payload = json.loads(base64.b64decode(json.loads(envelope.read_text())["payload"]))
    payload["subject"][0]["digest"]["sha256"] = hashlib.sha256(b"other weights").hexdigest()
    with_payload(envelope, json.dumps(payload).encode(), envelope)
    sums = published / "SHA256SUMS"
    sums.write_text(
        "".join(
            f"{hashlib.sha256((published / name).read_bytes()).hexdigest()}  {name}\n"
            for name in (line.split("  ", 1)[1] for line in sums.read_text().splitlines())
        )
    )
    assert main(_gate(str(published), "--stage", "staging", *trust)) == 1
    out = capsys.readouterr().out
    assert "ok   published folder: " in out
    assert (
        "FAIL attestation: attestations/staging.intoto.json: signature: the envelope's "
        "signature does not verify" in out
    )


def test_conditions_and_expiry_are_attested_and_gated(
    db: Path,
    memory_keyring: MemoryKeyring,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    expires = datetime.datetime.now(datetime.UTC).date() + datetime.timedelta(days=90)
    terms = ("--condition", "Monitor drift weekly.", "--expires", expires.isoformat())
    approved_registry(tmp_path, terms)
    envelope = tmp_path / "approval.intoto.json"
    attest = ["attest", f"{MODEL}@1.0", "--stage", "staging", "-o", str(envelope)]
    assert main([*attest, "--identity", OLGA]) == 0
    statement = independent_verify(envelope, tmp_path / "approval.intoto.pem")
    jsonschema.validate(statement, _schema())
    assert statement["predicate"]["conditions"] == ["Monitor drift weekly."]
    assert statement["predicate"]["expires"] == expires.isoformat()
    capsys.readouterr()
    trust = ["--trust", str(tmp_path / f"{OLGA}.pem")]
    gate = _gate(str(envelope), "--stage", "staging", *trust)
    assert main(gate) == 0
    out = capsys.readouterr().out
    assert "; conditions: Monitor drift weekly." in out
    assert f"ok   not expired: the approval holds until {expires}" in out
    later = expires + datetime.timedelta(days=1)
    assert main([*gate, "--as-of", later.isoformat()]) == 1
    assert f"FAIL not expired: the approval expired: it held until {expires}" in (
        capsys.readouterr().out
    )
    # Once expired, the approval is no longer attested.
    monkeypatch.setattr(database, "utc_today", lambda: later)
    assert main([*attest[:-1], str(tmp_path / "late.intoto.json"), "--identity", OLGA]) == 1
    assert "is not approved for staging (its status there: expired)" in capsys.readouterr().err
