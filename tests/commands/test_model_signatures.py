"""The command line's side of OpenSSF model signatures: a team's whole path, then the attack.

The team signs its model folder with ``model_signing`` (a P-256 key made
here), writes the bundle with ``countersign bundle create --artifact …
--model-signature …``; the officer trusts the team's certificate with
``countersign trust add CERT.pem --team NAME`` and imports.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from countersign.cli import main
from tests.helpers.bundles import NATIVE_CARDS, TEAM, TeamSigner, make_signer
from tests.helpers.model_signatures import model_folder, sign_model


@pytest.fixture
def team(tmp_path: Path) -> TeamSigner:
    return make_signer("Credit Risk Analytics model signing")


def _create(tmp_path: Path, model: Path, signature: Path | None) -> Path:
    cards = tmp_path / "cards"
    cards.mkdir()
    shutil.copy(NATIVE_CARDS / "credit-scorer-v1.json", cards / "credit-scorer.json")
    output = tmp_path / "credit-scorer.cardbundle"
    command = ["bundle", "create", str(cards), "-o", str(output), "--team", TEAM]
    for path in sorted(model.iterdir()):
        command += ["--artifact", str(path)]
    if signature is not None:
        command += ["--model-signature", str(signature)]
    assert main(command) == 0
    return output


def _trust(tmp_path: Path, team: TeamSigner) -> None:
    _key, certificate = team.write(tmp_path)
    assert main(["trust", "add", str(certificate), "--team", TEAM]) == 0


def test_a_team_signed_bundle_imports_with_its_files_verified(
    db: Path, tmp_path: Path, team: TeamSigner, capsys: pytest.CaptureFixture[str]
) -> None:
    model = model_folder(tmp_path / "model")
    signature = sign_model(model.folder, team, tmp_path / "model.sig")
    bundle = _create(tmp_path, model.folder, signature)
    assert "model signature model-signatures/model.sig of credit-scorer.json" in (
        capsys.readouterr().out
    )
    _trust(tmp_path, team)
    listed = capsys.readouterr().out
    assert f"trusted for the model signatures of team {TEAM}" in listed
    assert main(["trust", "list"]) == 0
    assert f"model signatures of team {TEAM}" in capsys.readouterr().out

    assert main(["import", str(bundle)]) == 0
    out = capsys.readouterr().out
    assert "model file model.safetensors SHA-256 " in out
    assert (
        f"signed by the team: verified (OpenSSF model signature, team certificate SHA-256 {team.fingerprint()[:16]}…)"
        in out
    )
    assert main(["show", "credit-scorer@1.0.0", "--json"]) == 0
    artifacts = json.loads(capsys.readouterr().out)["artifacts"]
    assert {a["name"]: a["team_signature"] for a in artifacts} == {
        "config.json": "verified",
        "model.safetensors": "verified",
    }


def test_a_bundle_whose_model_signature_fails_is_refused_by_name(
    db: Path, tmp_path: Path, team: TeamSigner, capsys: pytest.CaptureFixture[str]
) -> None:
    """The attack: weights swapped after the team signed them, the manifest rewritten to match."""
    model = model_folder(tmp_path / "model")
    signature = sign_model(model.folder, team, tmp_path / "model.sig")
    (model.folder / "model.safetensors").write_bytes(b"backdoored weights")
    bundle = _create(tmp_path, model.folder, signature)
    _trust(tmp_path, team)
    capsys.readouterr()
    assert main(["import", str(bundle), "--json"]) == 1
    (report,) = json.loads(capsys.readouterr().out)
    assert report["refused"] is True and report["landed"] is False
    assert (
        "model-signatures/model.sig: FAILED: model.safetensors: the team signed SHA-256"
        in (report["reason"])
    )
    assert report["reason"].endswith("nothing from credit-scorer.cardbundle was imported")
    (card,) = report["cards"]
    assert {a["team_signature"] for a in card["artifacts"]} == {"failed"}
    assert main(["models", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_an_unsigned_bundle_imports_with_its_files_not_signed(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = model_folder(tmp_path / "model")
    bundle = _create(tmp_path, model.folder, None)
    capsys.readouterr()
    assert main(["import", str(bundle)]) == 0
    out = capsys.readouterr().out
    assert out.count("signed by the team: not signed") == 2
    assert main(["show", "credit-scorer@1.0.0"]) == 0
    assert "model file config.json SHA-256 " in capsys.readouterr().out
