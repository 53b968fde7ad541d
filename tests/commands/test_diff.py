"""``countersign diff MODEL V1 V2``: readable text and JSON, run in-process as an officer would."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from countersign.cli import main
from tests.helpers.registry import native_card, write_card


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A registry with two card versions of ``loan-default-scorer`` that really differ."""
    path = tmp_path / "registry.sqlite3"
    monkeypatch.setenv("COUNTERSIGN_DB", str(path))
    old = native_card("loan-default-scorer", "1.0")
    new = native_card(
        "loan-default-scorer",
        "1.1",
        license="apache-2.0",
        quantitative_analyses={
            "results": [
                {
                    "name": "auc",
                    "value": "0.89",
                    "numeric": 0.89,
                    "dataset": "holdout-2026",
                    "split": "test",
                },
                {
                    "name": "auc",
                    "value": "0.79",
                    "numeric": 0.79,
                    "dataset": "holdout-2026",
                    "split": "test",
                    "slice": "age < 25",
                },
                {
                    "name": "log loss",
                    "value": "0.41",
                    "numeric": 0.41,
                    "dataset": "holdout-2026",
                    "split": "test",
                },
            ]
        },
        caveats_and_recommendations={
            "limitations": [
                "Scores are poorly calibrated for applicants with thin or absent credit files.",
                "Not validated for business loans.",
            ]
        },
    )
    for name, card in (("v1.json", old), ("v2.json", new)):
        assert main(["import", str(write_card(tmp_path, name, card))]) == 0
    return path


def test_text_lists_field_paths_metric_deltas_then_text(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["diff", "loan-default-scorer", "1.0", "1.1"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == "loan-default-scorer: 1.0 (superseded) → 1.1 (submitted)"
    assert lines[1] == "7 changes: 4 fields, 3 metrics (1 better, 1 worse)."
    assert '  changed  model_details.version: "1.0" → "1.1"' in lines
    assert '  changed  license: "proprietary" → "apache-2.0"' in lines
    assert (
        '  changed  caveats_and_recommendations.limitations[0]: "Scores are poorly calibrated for'
        ' applicants with thin credit files." → "Scores are poorly calibrated for applicants with'
        ' thin or absent credit files."'
    ) in lines
    assert (
        '  added    caveats_and_recommendations.limitations[1]: "Not validated for business loans."'
        in lines
    )
    assert (
        "  changed  auc on holdout-2026 / test: 0.87 → 0.89  +0.02  better (higher is better)"
        in lines
    )
    assert (
        "  changed  auc on holdout-2026 / test / age < 25: 0.81 → 0.79  -0.02  worse (higher is better)"
        in lines
    )
    assert "  added    log loss on holdout-2026 / test: — → 0.41" in lines
    assert lines.index("Fields") < lines.index("Metrics")


def test_text_changes_come_last(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = "Ranking retail loan applications for manual review.\n\nNever for automated rejection."
    for version, body in (
        ("2.0", text),
        ("2.1", text.replace("manual review", "second-line review")),
    ):
        card = native_card("loan-default-scorer", version, intended_use={"text": body})
        assert main(["import", str(write_card(tmp_path, f"t{version}.json", card))]) == 0
    capsys.readouterr()
    assert main(["diff", "loan-default-scorer", "2.0", "2.1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "  changed  intended_use.text (text, see below)" in lines
    start = lines.index("Text changes")
    assert lines[start + 1 :] == [
        "  intended_use.text",
        "    @@ -1,3 +1,3 @@",
        "    -Ranking retail loan applications for [-manual-] review.",
        "    +Ranking retail loan applications for {+second-line+} review.",
        "     ",
        "     Never for automated rejection.",
    ]


def test_json_lists_every_change(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["diff", "loan-default-scorer", "1.0", "1.1", "--json"]) == 0
    document: dict[str, Any] = json.loads(capsys.readouterr().out)
    assert document["model"] == "loan-default-scorer"
    assert document["old"]["version"] == "1.0" and document["new"]["version"] == "1.1"
    assert len(document["new"]["sha256"]) == 64
    summary = document["summary"]
    assert summary["changes"] == 7
    assert (summary["fields_changed"], summary["metrics_changed"]) == (4, 3)
    assert (summary["metrics_better"], summary["metrics_worse"]) == (1, 1)
    by_path = {c["path"]: c for c in document["changes"]}
    assert by_path["license"] == {
        "path": "license",
        "kind": "changed",
        "section": "Licence, data sets and tags",
        "old": "proprietary",
        "new": "apache-2.0",
    }
    young = by_path[
        'quantitative_analyses.results[name="auc", dataset="holdout-2026", split="test", slice="age < 25"]'
    ]
    assert (young["kind"], young["old"], young["new"]) == ("changed", "0.81", "0.79")
    assert young["delta"] == pytest.approx(-0.02)
    assert (young["direction"], young["verdict"]) == ("higher", "worse")
    assert young["metric"] == {
        "name": "auc",
        "dataset": "holdout-2026",
        "split": "test",
        "slice": "age < 25",
    }
    loss = by_path[
        'quantitative_analyses.results[name="log loss", dataset="holdout-2026", split="test"]'
    ]
    assert (loss["kind"], loss["old"], loss["new"], loss["delta"], loss["direction"]) == (
        "added",
        None,
        "0.41",
        None,
        "lower",
    )
    assert all({"path", "kind", "old", "new"} <= set(c) for c in document["changes"])


def test_identical_versions_say_so(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["diff", "loan-default-scorer", "1.1", "1.1"]) == 0
    assert "No changes: the two card versions say the same." in capsys.readouterr().out


def test_unknown_model_or_version_exits_1_with_the_reason(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["diff", "no-such-model", "1.0", "1.1"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "countersign: no model named 'no-such-model' in the registry" in captured.err
    assert main(["diff", "loan-default-scorer", "1.0", "7.0", "--json"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "countersign: loan-default-scorer has no version '7.0'" in captured.err


def test_missing_arguments_are_wrong_usage(db: Path) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["diff", "loan-default-scorer", "1.0"])
    assert exit_info.value.code == 2


def test_whole_card_ends_with_the_rendered_card_diff(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["diff", "loan-default-scorer", "1.0", "1.1", "--whole-card"]) == 0
    lines = capsys.readouterr().out.splitlines()
    start = lines.index("Whole card")
    body = lines[start + 1 :]
    assert "  -**Licence:** [-proprietary-]" in body
    assert "  +**Licence:** {+apache-2.0+}" in body
    assert "  +- Not validated for business loans." in body
    assert all(line.startswith("  ") for line in body)
