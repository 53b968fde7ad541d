"""``countersign trust`` and ``audit checkpoint``: trust kept outside the registry, checkpoints kept elsewhere."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from countersign.cli import main
from countersign.services.trust.store import TrustStore
from tests.helpers.keyring_memory import MemoryKeyring
from tests.helpers.signoff import cli_identities, cli_json

OLGA = "olga@example.org"


@pytest.fixture
def registry(db: Path, memory_keyring: MemoryKeyring, capsys: pytest.CaptureFixture[str]) -> Path:
    cli_identities(db, memory_keyring, [(OLGA, "officer"), ("ana@example.org", "approver")])
    capsys.readouterr()
    return db


def test_pinning_asks_for_the_fingerprint_to_be_checked(
    registry: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["trust", "list"]) == 0
    assert capsys.readouterr().out.startswith("No certificate is trusted on this workstation yet")
    assert main(["trust", "pin", OLGA]) == 1  # no terminal to confirm in, and no --yes
    captured = capsys.readouterr()
    assert "certificate SHA-256 " in captured.out
    assert "compare the fingerprint with the officer's own, then pin with --yes" in captured.err
    assert TrustStore().entries() == []

    assert main(["trust", "pin", OLGA, "--yes"]) == 0
    assert "pinned on this workstation" in capsys.readouterr().out
    pinned = cli_json(capsys, ["trust", "list", "--json"])
    assert [entry["label"] for entry in pinned] == ["Olga <olga@example.org>"]
    verdict = cli_json(capsys, ["audit", "--verify", "--json"])
    assert verdict["ok"] is True and verdict["anchored"] is True
    assert verdict["signed_head"]["act"] == "grant"

    assert main(["trust", "remove", pinned[0]["fingerprint"][:12]]) == 0
    assert "no longer trusted: Olga <olga@example.org>" in capsys.readouterr().out
    assert TrustStore().entries() == []


def test_a_certificate_file_can_be_trusted_and_given_once(
    registry: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    certificate = tmp_path / "olga.pem"
    assert main(["identity", "export-cert", OLGA, "-o", str(certificate)]) == 0
    capsys.readouterr()
    verdict = cli_json(capsys, ["audit", "--verify", "--json", "--trust", str(certificate)])
    assert verdict["ok"] is True and verdict["anchored"] is True
    assert TrustStore().entries() == []  # --trust pins nothing
    assert main(["trust", "add", str(certificate), "--label", "Olga (officer)"]) == 0
    assert "trusted: " in capsys.readouterr().out
    assert main(["trust", "add", str(certificate)]) == 0
    assert "already trusted: " in capsys.readouterr().out
    assert [e.label for e in TrustStore().entries()] == ["Olga (officer)"]


def test_a_checkpoint_is_written_signed_and_checked(
    registry: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    checkpoint = tmp_path / "checkpoint.json"
    assert main(["audit", "checkpoint", "-o", str(checkpoint), "--identity", OLGA]) == 0
    out = capsys.readouterr().out
    assert out.startswith("checkpoint: event ") and f"signed by {OLGA}" in out
    signed = json.loads(checkpoint.read_text())
    assert signed["act"]["act"] == "checkpoint"
    assert signed["act"]["chain"]["seq"] > 0
    assert main(["audit", "--verify", "--checkpoint", str(checkpoint)]) == 0
    assert "Checkpoint holds: event " in capsys.readouterr().out
    garbage = tmp_path / "garbage.json"
    garbage.write_text("{}")
    assert main(["audit", "--verify", "--checkpoint", str(garbage)]) == 1
    assert capsys.readouterr().err == (f"countersign: {garbage}: is not a Countersign checkpoint\n")
