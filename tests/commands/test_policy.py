"""``countersign policy show [--json]`` and ``policy import FILE``, and ``diff`` judged by it."""

from __future__ import annotations

from pathlib import Path

import pytest

from countersign.cli import main
from tests.helpers.signoff import cli_json

POLICY = """\
version: 1
title: Retail credit policy
metrics:
  - name: approval rate
    direction: higher
"""


def test_show_lists_the_shipped_terms(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shown = cli_json(capsys, ["policy", "show", "--json"])
    assert shown["versions"] == []
    terms = {term["name"]: term for term in shown["terms"]}
    assert terms["adverse impact ratio"]["direction"] == "target"
    assert terms["adverse impact ratio"]["target"] == 1
    assert terms["adverse impact ratio"]["rule"] == "closer to 1 (parity) is better"
    assert "air" in terms["adverse impact ratio"]["aliases"]
    assert terms["ks statistic"]["direction"] == "higher"
    assert {term["source"] for term in shown["terms"]} == {"shipped"}
    assert main(["policy", "show"]) == 0
    text = capsys.readouterr().out
    assert "In force: the shipped terms" in text
    assert "bias" in text and "closer to 0 (no bias) is better" in text


def test_import_then_show_and_audit(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "credit.yaml"
    path.write_text(POLICY)
    assert main(["policy", "import", str(path)]) == 0
    out = capsys.readouterr().out
    assert "metric policy version 1 (Retail credit policy): imported" in out
    assert "added    approval rate: higher is better" in out
    shown = cli_json(capsys, ["policy", "show", "--json"])
    assert [(v["version"], v["source"], v["frozen"], v["in_force"]) for v in shown["versions"]] == [
        (1, "credit.yaml", False, True)
    ]
    assert shown["terms"][0] == {
        "name": "approval rate",
        "aliases": [],
        "direction": "higher",
        "target": None,
        "target_label": "",
        "rule": "higher is better",
        "note": "",
        "source": "office",
    }
    assert main(["audit"]) == 0
    assert "Metric policy version 1 “Retail credit policy” imported from credit.yaml" in (
        capsys.readouterr().out
    )


def test_a_hostile_policy_is_refused_with_file_and_field(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("version: 1\ntitle: T\nmetrics: [{name: a, direction: up}]\n")
    assert main(["policy", "import", str(path)]) == 1
    err = capsys.readouterr().err
    assert "bad.yaml: metrics[0].direction:" in err
    assert "Traceback" not in err
    assert cli_json(capsys, ["policy", "show", "--json"])["versions"] == []


def test_what_a_policy_file_names_reaches_the_terminal_escaped(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A title, a term and a file name with a direction override print as visible escapes."""
    path = tmp_path / "retail\u202ecod.yaml"
    path.write_text(
        POLICY.replace("Retail credit policy", "Retail \u202epolicy").replace(
            "approval rate", "approval \u202erate"
        )
    )
    assert main(["policy", "import", str(path)]) == 0
    assert main(["policy", "show"]) == 0
    out = capsys.readouterr().out
    assert "\u202e" not in out
    assert "Retail \\u202epolicy" in out and "approval \\u202erate" in out
