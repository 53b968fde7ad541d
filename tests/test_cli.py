"""The `countersign` command, run in-process as a user would run it."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path

import pytest

from countersign.cli import main
from countersign.services.storage.database import Database, os_user
from tests.helpers.registry import native_card, row_counts, write_card


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "registry.sqlite3"
    Database.open(str(path), create=True).dispose()  # as `registry init` makes it
    monkeypatch.setenv("COUNTERSIGN_DB", str(path))
    return path


def _json(capsys: pytest.CaptureFixture[str], argv: list[str]) -> object:
    capsys.readouterr()
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_import_show_versions_models(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    v1 = write_card(tmp_path, "v1.json", native_card("credit-scorer", "1.0"))
    v2 = write_card(tmp_path, "v2.json", native_card("credit-scorer", "2.0", license="mit"))
    assert main(["import", str(v1), "--team", "Risk"]) == 0
    assert "new model    credit-scorer 1.0" in capsys.readouterr().out
    assert main(["import", str(v2)]) == 0
    assert "new version  credit-scorer 2.0" in capsys.readouterr().out

    models = _json(capsys, ["models", "--json"])
    assert models == [
        {
            "name": "credit-scorer",
            "team": "Risk",
            "risk_tier": "high",
            "latest_version": "2.0",
            "status": "submitted",
            "versions": 2,
            "last_activity": models[0]["last_activity"],  # type: ignore[index]
        }
    ]
    versions = _json(capsys, ["versions", "credit-scorer", "--json"])
    assert [(v["version"], v["status"]) for v in versions] == [  # type: ignore[union-attr]
        ("1.0", "superseded"),
        ("2.0", "submitted"),
    ]
    shown = _json(capsys, ["show", "credit-scorer@1.0", "--json"])
    assert isinstance(shown, dict)
    assert shown["card"]["license"] == "proprietary"
    assert shown["source_format"] == "native-json"
    assert len(shown["sha256"]) == 64
    assert shown["bundle"] is None

    assert main(["show", "credit-scorer"]) == 0
    text = capsys.readouterr().out
    assert "credit-scorer 2.0  (submitted)" in text
    assert "Scores are poorly calibrated for applicants with thin credit files." in text


def test_reimport_says_nothing_changed(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    card = write_card(tmp_path, "v1.json", native_card("credit-scorer", "1.0"))
    assert main(["import", str(card)]) == 0
    assert main(["import", str(card)]) == 0
    out = capsys.readouterr().out
    assert "unchanged    credit-scorer 1.0" in out
    assert "already in the registry: nothing changed" in out


def test_refused_bundle_exits_1_and_changes_nothing(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = write_card(tmp_path, "v1.json", native_card("credit-scorer", "1.0"))
    assert main(["import", str(good)]) == 0
    before = row_counts(db)
    bad = tmp_path / "evil.cardbundle"
    with zipfile.ZipFile(bad, "w") as archive:
        archive.writestr("card.md", "# hello")
    assert main(["import", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "evil.cardbundle" in err and "manifest.json" in err
    assert "nothing was imported" in err
    after = row_counts(db)
    assert after == {**before, "audit_events": before["audit_events"] + 1}
    assert main(["audit", "--verify"]) == 0


def test_not_a_card_is_refused(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "list.json"
    path.write_text("[1, 2, 3]")
    assert main(["import", str(path), "--version", "1"]) == 1
    assert "list.json: the JSON holds a list, not a model card object" in capsys.readouterr().err


def test_missing_model_is_refused(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", "nobody"]) == 1
    assert "no model named 'nobody' in the registry" in capsys.readouterr().err


def test_wrong_usage_exits_2(db: Path) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["import"])
    assert exit_info.value.code == 2


def test_audit_lists_and_detects_tampering(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", str(write_card(tmp_path, "a.json", native_card("m", "1")))]) == 0
    events = _json(capsys, ["audit", "--json"])
    assert [e["action"] for e in events] == ["model.created", "card_version.imported"]  # type: ignore[union-attr]
    assert main(["audit"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert [line.split("Z  ", 1)[1] for line in listed] == [
        f"{os_user():<12} Model m created (risk tier high)",
        f"{os_user():<12} Card version 1 of m imported from a.json (Countersign JSON)",
    ]
    assert _json(capsys, ["audit", "--verify", "--json"]) == {
        "ok": True,
        "events": 2,
        "first_broken": None,
        "reason": "",
        "signoffs": {"ok": True, "reviews": 0, "signatures": 0, "problems": []},
    }
    raw = sqlite3.connect(db)
    raw.execute("DROP TRIGGER audit_events_no_update")
    raw.execute("UPDATE audit_events SET actor = 'mallory' WHERE id = 1")
    raw.commit()
    raw.close()
    assert main(["audit", "--verify"]) == 1
    assert "Audit chain BROKEN at event 1" in capsys.readouterr().err


def test_bundle_create_then_import(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "cards"
    folder.mkdir()
    write_card(folder, "scorer.json", native_card("credit-scorer", "1.0"))
    output = tmp_path / "risk.cardbundle"
    assert main(["bundle", "create", str(folder), "-o", str(output), "--team", "Risk"]) == 0
    assert "credit-scorer 1.0" in capsys.readouterr().out
    report = _json(capsys, ["import", str(output), "--json"])
    assert isinstance(report, list)
    assert report[0]["kind"] == "bundle" and report[0]["landed"] is True
    assert report[0]["signature"] == "absent"
    assert report[0]["cards"][0]["outcome"] == "new model"


def test_an_unwritable_output_is_a_sentence_not_a_traceback(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "cards"
    folder.mkdir()
    write_card(folder, "scorer.json", native_card("credit-scorer", "1.0"))
    output = tmp_path / "no-such-folder" / "risk.cardbundle"
    assert main(["bundle", "create", str(folder), "-o", str(output), "--team", "Risk"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("countersign: ")
    assert "no-such-folder" in err
    assert "Traceback" not in err


def test_a_full_disk_while_writing_a_bundle_names_the_bundle(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno
    import os

    from countersign.formats.bundle import writer

    def full_disk(_descriptor: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    # At the operating system's boundary: the bytes are handed over, the disk refuses them.
    monkeypatch.setattr(writer.os, "fsync", full_disk)
    folder = tmp_path / "cards"
    folder.mkdir()
    write_card(folder, "scorer.json", native_card("credit-scorer", "1.0"))
    output = tmp_path / "out" / "risk.cardbundle"
    output.parent.mkdir()
    assert main(["bundle", "create", str(folder), "-o", str(output), "--team", "Risk"]) == 1
    err = capsys.readouterr().err
    assert err == (
        f"countersign: {output}: cannot be written (No space left on device); nothing was written\n"
    )
    assert list(output.parent.iterdir()) == []  # no half-written bundle, no temporary file
