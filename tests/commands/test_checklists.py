"""``countersign checklists``, ``checklist show`` and ``checklist import``, refusals included."""

from __future__ import annotations

from pathlib import Path

import pytest

from countersign.cli import main
from tests.helpers.signoff import cli_json, table_counts

TEMPLATE = """\
id: fairness-review
version: 1
title: Fairness review
risk_tiers: [high, critical]
quorum: 2
items:
  - id: age-gap
    text: The AUC gap between age bands is reported.
    check: {kind: metric_at_least, metric: auc, value: 0.75, slice: "age < 25"}
"""


def test_list_and_show(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    listed = cli_json(capsys, ["checklists", "--json"])
    assert [(t["id"], t["version"], t["quorum"], t["frozen"]) for t in listed] == [
        ("eu-ai-act-high-risk", 2, 2, False),
        ("high-risk", 3, 2, False),
        ("standard", 1, 1, False),
    ]
    shown = cli_json(capsys, ["checklist", "show", "high-risk", "--json"])
    assert shown["title"] == "High-risk model card review"
    assert shown["source"] == "built-in"
    assert [item["id"] for item in shown["items"]][:3] == [
        "owner-contact",
        "intended-use",
        "out-of-scope-uses",
    ]
    capsys.readouterr()
    assert main(["checklist", "show", "standard"]) == 0
    text = capsys.readouterr().out
    assert "licence-stated  [required]" in text
    assert "automatic check: intended_use.out_of_scope has at least 1 entry" in text
    assert main(["checklists"]) == 0
    assert "standard@1" in capsys.readouterr().out
    eu = next(t for t in listed if t["id"] == "eu-ai-act-high-risk")
    assert eu["by_choice"] is True
    assert {"EU AI Act Annex IV(9)", "EU AI Act Art. 14", "NIST AI RMF 1.0 MEASURE 2.11"} <= set(
        eu["references"]
    )
    shown = cli_json(capsys, ["checklist", "show", "eu-ai-act-high-risk", "--json"])
    assert shown["items"][0]["references"][0] == {
        "framework": "eu-ai-act",
        "clause": "Annex IV(1)(a)",
        "label": "EU AI Act Annex IV(1)(a)",
    }
    assert main(["checklist", "show", "high-risk"]) == 0
    assert "    evidences: EU AI Act Art. 14; EU AI Act Annex IV(2)(e)" in capsys.readouterr().out


def test_import(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "fairness.yaml"
    path.write_text(TEMPLATE)
    assert main(["checklist", "import", str(path)]) == 0
    assert "checklist fairness-review@1 (Fairness review): imported" in capsys.readouterr().out
    assert main(["checklist", "import", str(path)]) == 0
    assert "nothing changed" in capsys.readouterr().out
    shown = cli_json(capsys, ["checklist", "show", "fairness-review@1", "--json"])
    assert shown["items"][0]["check"] == {
        "kind": "metric_at_least",
        "metric": "auc",
        "value": 0.75,
        "dataset": "",
        "slice": "age < 25",
    }


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ("kind: metric_at_least", "kind: shell"),
            "fairness.yaml: items[0].check.kind: unknown check kind 'shell'",
        ),
        (("quorum: 2", "quorum: many"), "fairness.yaml: quorum: input should be a valid integer"),
        (("  - id: age-gap\n", "  - id: age-gap\n    weight: 3\n"), "items[0].weight: unknown key"),
        (("version: 1\n", ""), "fairness.yaml: version: required, but missing"),
    ],
)
def test_import_refusals_name_file_and_field(
    db: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    change: tuple[str, str],
    message: str,
) -> None:
    main(["checklists"])  # creates the registry, so that its row counts can be compared
    before = table_counts(db)
    path = tmp_path / "fairness.yaml"
    path.write_text(TEMPLATE.replace(*change))
    capsys.readouterr()
    assert main(["checklist", "import", str(path)]) == 1
    assert message in capsys.readouterr().err
    assert table_counts(db) == before


def test_unknown_template(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["checklist", "show", "nope"]) == 1
    assert (
        "no checklist template 'nope'; the templates are eu-ai-act-high-risk, high-risk, standard"
        in (capsys.readouterr().err)
    )
