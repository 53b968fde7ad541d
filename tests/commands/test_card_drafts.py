"""``countersign card new`` and ``card check``: model info in, a card and what is missing out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from countersign.cli import main
from countersign.formats.detect import read_card
from countersign.services.importing.importer import Importer
from countersign.services.storage.database import Database
from tests.helpers.drafts import full_model_info

FLOW_YAML = """\
name: ImageClassifier
version: 1.0
metrics:
  accuracy: 0.92
limitations: May misclassify rare images
"""


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_card_new_from_yaml_writes_a_readme_that_imports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    info = _write(tmp_path, "info.yaml", yaml.safe_dump(full_model_info()))
    output = tmp_path / "README.md"
    assert main(["card", "new", "--from", str(info), "-o", str(output)]) == 0
    out = capsys.readouterr().out
    assert f"wrote {output} (Hugging Face README) for retail-churn-predictor 2.1" in out
    assert "would fail" not in out
    read = read_card(output.read_bytes(), output.name)
    assert read.source_format == "huggingface" and read.warnings == []
    with Database.open(str(tmp_path / "r.sqlite3")) as database:
        report = Importer(database, actor="t").import_file(output)
    assert report.landed and report.plan.cards[0].warnings == []


def test_card_new_flow_example_as_native_and_its_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    info = _write(tmp_path, "info.yaml", FLOW_YAML)
    output = tmp_path / "card.txt"
    assert main(["card", "new", "--from", str(info), "-o", str(output), "--format", "native"]) == 0
    out = capsys.readouterr().out
    assert "(Countersign JSON) for ImageClassifier 1.0" in out
    assert "9 required items of standard@1 would fail: owner-contact" in out
    card = read_card(output.read_bytes(), "card.json").card
    assert card.model_details.version == "1.0"  # YAML's number 1.0 kept as the text 1.0

    assert main(["card", "check", str(output)]) == 1
    out = capsys.readouterr().out
    assert "FAIL owner-contact [required]" in out
    assert "ASK  monitoring-plan [required]" in out
    assert out.rstrip().endswith("9 required items would fail")


def test_card_check_json_on_a_complete_card_exits_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    info = _write(tmp_path, "info.json", json.dumps(full_model_info()))
    output = tmp_path / "card.json"
    assert main(["card", "new", "--from", str(info), "-o", str(output)]) == 0
    capsys.readouterr()
    assert main(["card", "check", str(output), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is True and report["required_failing"] == []
    assert report["template"] == {
        "id": "standard",
        "version": 1,
        "title": "Standard model card review",
    }
    states = {item["item"]: item["state"] for item in report["items"]}
    assert states["monitoring-plan"] == "manual" and states["owner-contact"] == "pass"
    assert set(report["items"][0]) == {
        "item",
        "text",
        "required",
        "state",
        "automatic",
        "evidence",
    }
    assert main(["card", "check", str(output), "--template", "high-risk", "--json"]) == 1
    assert "decision-thresholds" in json.loads(capsys.readouterr().out)["required_failing"]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("name: x\nlimitation: y\n", "info.yaml: limitation: unknown key (did you mean"),
        ("metrics:\n  accuracy: true\n", "info.yaml: metrics.accuracy.value: expected a number"),
        ("name: [x\n", "info.yaml: not valid YAML"),
        ("- name: x\n", "info.yaml: model info is a mapping of keys to values, not a list"),
        ("\xff", "info.yaml: byte 0"),
    ],
)
def test_bad_model_info_is_refused_naming_file_and_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, words: str
) -> None:
    info = tmp_path / "info.yaml"
    info.write_bytes(text.encode("latin-1") if text == "\xff" else text.encode())
    output = tmp_path / "card.json"
    assert main(["card", "new", "--from", str(info), "-o", str(output)]) == 1
    assert words in capsys.readouterr().err
    assert not output.exists()


def test_alias_bombs_and_huge_files_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 8)]
    bomb = _write(tmp_path, "bomb.yaml", "\n".join(lines) + "\n")
    assert main(["card", "new", "--from", str(bomb), "-o", str(tmp_path / "c.json")]) == 1
    assert "bomb.yaml: YAML aliases expand" in capsys.readouterr().err
    huge = tmp_path / "huge.yaml"
    huge.write_bytes(b"#" * (4 * 1024 * 1024 + 1))
    assert main(["card", "new", "--from", str(huge), "-o", str(tmp_path / "c.json")]) == 1
    assert "huge.yaml: the file is over 4 MiB" in capsys.readouterr().err
    assert main(["card", "new", "--from", str(tmp_path / "none.yaml"), "-o", "x.json"]) == 1
    assert "none.yaml: cannot be read" in capsys.readouterr().err
    assert not (tmp_path / "c.json").exists()


def test_card_check_refuses_what_is_no_card_and_unknown_templates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("COUNTERSIGN_DB", raising=False)
    junk = _write(tmp_path, "junk.json", '{"hello": 1}')
    assert main(["card", "check", str(junk)]) == 1
    assert "junk.json" in capsys.readouterr().err
    info = _write(tmp_path, "info.yaml", FLOW_YAML)
    card = tmp_path / "card.json"
    assert main(["card", "new", "--from", str(info), "-o", str(card)]) == 0
    assert main(["card", "check", str(card), "--template", "nope"]) == 1
    assert "no shipped checklist template 'nope'" in capsys.readouterr().err


def test_card_check_finds_a_template_imported_into_the_registry(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COUNTERSIGN_DB", str(tmp_path / "r.sqlite3"))
    assert main(["registry", "init"]) == 0  # only import and registry init make one
    template = _write(
        tmp_path,
        "team.yaml",
        "id: team-minimum\nversion: 1\ntitle: Team minimum\nrisk_tiers: [unknown]\n"
        "items:\n  - id: licence\n    text: A licence is stated.\n"
        "    check: {kind: field_present, field: license}\n",
    )
    assert main(["checklist", "import", str(template)]) == 0
    card = tmp_path / "card.json"
    info = _write(tmp_path, "info.yaml", FLOW_YAML + "license: mit\n")
    assert main(["card", "new", "--from", str(info), "-o", str(card)]) == 0
    capsys.readouterr()
    assert main(["card", "check", str(card), "--template", "team-minimum"]) == 0
    assert main(["card", "check", str(card), "--template", str(template)]) == 0
    assert "1 of 1 items pass" in capsys.readouterr().out


def test_deep_json_and_a_missing_output_folder_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deep = _write(tmp_path, "deep.json", '{"name": ' + "[" * 100 + "]" * 100 + "}")
    assert main(["card", "new", "--from", str(deep), "-o", str(tmp_path / "c.json")]) == 1
    assert "deep.json: character" in capsys.readouterr().err
    info = _write(tmp_path, "info.yaml", FLOW_YAML)
    target = tmp_path / "absent" / "README.md"
    assert main(["card", "new", "--from", str(info), "-o", str(target)]) == 1
    assert f"{target}: the folder {target.parent} does not exist" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deep.json", "info.yaml"]
