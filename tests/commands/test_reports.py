"""``countersign export-pdf``, ``verify`` and ``publish`` run in-process, exit statuses and words."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from countersign.cli import main
from tests.helpers.keyring_memory import MemoryKeyring
from tests.helpers.registry import write_card
from tests.helpers.reports import ANA, OLGA, markup_card
from tests.helpers.signoff import cli_identities, medium_card

STANDARD_RESPONSES = "\n".join(
    f"{item}: {{answer: pass, note: Checked.}}"
    for item in (
        "owner-contact",
        "intended-use",
        "out-of-scope-uses",
        "evaluation-data",
        "metrics-reported",
        "subgroup-metrics",
        "limitations-specific",
        "ethical-risks",
        "training-data-provenance",
        "licence-stated",
        "monitoring-plan",
        "no-format-problems",
    )
)


@pytest.fixture
def registry(
    db: Path, memory_keyring: MemoryKeyring, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> Path:
    """Version 1.0 approved by Ana, 2.0 submitted; Olga the officer exports."""
    assert (
        main(["import", str(write_card(tmp_path, "v1.json", markup_card())), "--team", "Risk"]) == 0
    )
    cli_identities(db, memory_keyring, [(ANA, "approver"), (OLGA, "officer")])
    responses = tmp_path / "responses.yaml"
    responses.write_text(STANDARD_RESPONSES + "\n")
    review = ["review", "credit-scorer@1.0", "--template", "standard", "--responses"]
    assert main([*review, str(responses), "--decision", "approve", "--identity", ANA]) == 0
    assert main(["import", str(write_card(tmp_path, "v2.json", medium_card(version="2.0")))]) == 0
    capsys.readouterr()
    return db


def test_export_then_verify(
    registry: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pdf = tmp_path / "report.pdf"
    assert main(["export-pdf", "credit-scorer@1.0", "-o", str(pdf), "--identity", OLGA]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"exported: credit-scorer 1.0 (approved) to {pdf}\n")
    assert f"signed by Olga <{OLGA}>" in out

    assert main(["verify", str(pdf)]) == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert lines[0] == "  ok      PDF signature: intact and valid (/ETSI.CAdES.detached, SHA256)"
    assert lines[1] == "  ok      Coverage: the signature covers the whole file"
    assert lines[-1].startswith(f"VALID: {pdf} is an intact report of credit-scorer 1.0 (approved)")

    assert main(["verify", str(pdf), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["valid"] is True and report["status"] == "approved"
    assert [c["check"] for c in report["checks"]][:5] == [
        "PDF signature",
        "Coverage",
        "Signer",
        "Attached files",
        "Card",
    ]


def test_verify_exits_1_on_a_changed_byte(
    registry: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pdf = tmp_path / "report.pdf"
    assert main(["export-pdf", "credit-scorer@1.0", "-o", str(pdf), "--identity", OLGA]) == 0
    data = bytearray(pdf.read_bytes())
    data[data.index(b"ReportLab PDF Library") + 1] ^= 0x20
    pdf.write_bytes(bytes(data))
    capsys.readouterr()
    assert main(["verify", str(pdf)]) == 1
    captured = capsys.readouterr()
    assert "  FAILED  PDF signature: BROKEN: the signed bytes were changed after signing" in (
        captured.out
    )
    assert captured.err.startswith(f"INVALID: {pdf}")


def test_verify_refuses_a_broken_file_by_name(
    registry: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bogus = tmp_path / "bogus.pdf"
    bogus.write_text("<html>not a pdf</html>")
    assert main(["verify", str(bogus)]) == 1
    assert capsys.readouterr().err == (
        f"countersign: {bogus}: is not a PDF file (it does not start with %PDF-)\n"
    )


def test_verify_with_trust_in_another_registry(
    registry: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pdf = tmp_path / "report.pdf"
    cert = tmp_path / "olga.pem"
    assert main(["export-pdf", "credit-scorer@1.0", "-o", str(pdf), "--identity", OLGA]) == 0
    assert main(["identity", "export-cert", OLGA, "-o", str(cert)]) == 0
    approver = tmp_path / "ana.pem"
    assert main(["identity", "export-cert", ANA, "-o", str(approver)]) == 0
    monkeypatch.setenv("COUNTERSIGN_DB", str(tmp_path / "auditor.sqlite3"))
    assert main(["registry", "init"]) == 0  # verify makes no registry of its own
    capsys.readouterr()
    assert main(["verify", str(pdf)]) == 1
    signer = next(line for line in capsys.readouterr().out.splitlines() if "Signer:" in line)
    assert signer.startswith("  FAILED  Signer: ")
    assert signer.endswith(
        "is neither in this registry nor among the certificates you trust (--trust)"
    )
    # The officer's signature alone does not make the approval: its approver must be trusted too.
    assert main(["verify", str(pdf), "--trust", str(cert)]) == 1
    assert "FAILED  Decision: the report claims 'approved'" in capsys.readouterr().out
    assert main(["verify", str(pdf), "--trust", str(cert), "--trust", str(approver)]) == 0
    assert "among the certificates you trust (--trust)" in capsys.readouterr().out


def test_export_refuses_before_asking_the_passphrase(
    registry: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("COUNTERSIGN_PASSPHRASE")
    pdf = tmp_path / "r.pdf"
    assert (
        main(["export-pdf", "credit-scorer@1.0", "-o", str(pdf), "--identity", "x@example.org"])
        == 1
    )
    assert "no identity for x@example.org" in capsys.readouterr().err
    assert main(["export-pdf", "credit-scorer@9", "-o", str(pdf), "--identity", OLGA]) == 1
    assert capsys.readouterr().err == "countersign: credit-scorer has no version '9'\n"
    assert main(["export-pdf", "credit-scorer@1.0", "-o", str(pdf), "--identity", OLGA]) == 1
    assert "set COUNTERSIGN_PASSPHRASE" in capsys.readouterr().err
    assert not pdf.exists()


def test_export_needs_output_and_identity(
    registry: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as usage:
        main(["export-pdf", "credit-scorer@1.0", "--identity", OLGA])
    assert usage.value.code == 2
    assert "-o/--output" in capsys.readouterr().err


def test_publish(registry: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "published"
    assert main(["publish", "credit-scorer@2.0", "-o", str(out), "--identity", OLGA]) == 1
    assert capsys.readouterr().err == (
        "countersign: credit-scorer 2.0 is submitted, not approved; only approved card "
        "versions are published\n"
    )
    assert main(["publish", "credit-scorer@1.0", "-o", str(out)]) == 1
    assert "give --identity EMAIL to sign one now" in capsys.readouterr().err
    assert not out.exists()

    assert main(["publish", "credit-scorer@1.0", "-o", str(out), "--identity", OLGA]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith(
        "published: credit-scorer 1.0 (approved for staging; risk medium, the card's own "
        f"rating) to {out}\n"
    )
    assert printed.rstrip().endswith(
        "  SHA256SUMS\napproval attestation: staging, signed by Olga <olga@example.org> "
        "(in-toto, DSSE: attestations/STAGE.intoto.json, its certificate beside it)"
    )
    assert (out / "README.md").read_text().startswith("---\n")

    assert main(["publish", "credit-scorer@1.0", "-o", str(out), "--identity", OLGA]) == 1
    assert (
        capsys.readouterr().err == f"countersign: {out} is not empty; give a new or empty folder\n"
    )

    again = tmp_path / "again"
    assert (
        main(
            [
                "publish",
                "credit-scorer@1.0",
                "-o",
                str(again),
                "--report",
                str(out / "review-report.pdf"),
            ]
        )
        == 0
    )
    assert (again / "review-report.pdf").read_bytes() == (out / "review-report.pdf").read_bytes()
