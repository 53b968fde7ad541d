"""Checklist templates: the shipped ones, refusals naming file and field, import and freezing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from countersign.services.reviews.checklists import built_in_templates, parse_template
from countersign.services.reviews.errors import TemplateFrozen, TemplateNotFound, TemplateRefused
from tests.helpers.registry import audit_actions
from tests.helpers.signoff import Workbench, medium_card, table_counts, workbench

MINIMAL = """\
id: model-validation
version: 1
title: Model validation sign-off
risk_tiers: [medium, high]
quorum: 1
items:
  - id: auc-floor
    text: AUC on the holdout is at least 0.8.
    check: {kind: metric_at_least, metric: auc, value: 0.8, dataset: holdout-2026}
  - id: owner
    text: An owner is named.
    required: false
    check: {kind: list_not_empty, field: owners}
"""


@pytest.fixture
def bench(tmp_path: Path, registry_db: str) -> Iterator[Workbench]:
    with workbench(tmp_path, registry_db) as made:
        yield made


def test_shipped_templates_are_standard_and_high_risk() -> None:
    templates = {t.id: t for t in built_in_templates()}
    assert set(templates) == {"standard", "high-risk", "eu-ai-act-high-risk"}
    standard, high = templates["standard"], templates["high-risk"]
    assert (standard.version, standard.quorum, standard.risk_tiers) == (
        1,
        1,
        ["unknown", "low", "medium"],
    )
    assert (high.quorum, high.risk_tiers) == (2, ["high", "critical"])
    for template in (standard, high):
        ids = {item.id for item in template.items}
        # The governance practice the issue names, item by item.
        assert {
            "intended-use",
            "out-of-scope-uses",
            "evaluation-data",
            "subgroup-metrics",
            "limitations-specific",
            "ethical-risks",
            "training-data-provenance",
            "monitoring-plan",
            "owner-contact",
        } <= ids
        assert all(item.text and item.guidance for item in template.items)
    assert {"human-oversight", "sensitive-data", "independent-validation"} <= {
        item.id for item in high.items
    }
    licence = high.item("licence-approved")
    assert licence is not None and licence.check is not None
    assert licence.check.kind == "license_in"


def test_every_shipped_item_cites_the_clauses_it_evidences() -> None:
    for template in built_in_templates():
        for item in template.items:
            assert item.references, f"{template.reference} {item.id} cites no clause"
    high = next(t for t in built_in_templates() if t.id == "high-risk")
    oversight = high.item("human-oversight")
    assert oversight is not None
    assert [ref.label() for ref in oversight.references][:2] == [
        "EU AI Act Art. 14",
        "EU AI Act Annex IV(2)(e)",
    ]


def test_the_eu_ai_act_template_covers_annex_iv_and_articles_9_to_15() -> None:
    eu = next(t for t in built_in_templates() if t.id == "eu-ai-act-high-risk")
    assert (eu.quorum, eu.risk_tiers, eu.by_choice) == (2, ["high", "critical"], True)
    clauses = {ref.clause for ref in eu.references() if ref.framework == "eu-ai-act"}
    annex_points = {c.split(")")[0] + ")" for c in clauses if c.startswith("Annex IV(")}
    assert annex_points == {f"Annex IV({n})" for n in range(1, 10)}
    articles = {c.split("(")[0] for c in clauses if c.startswith("Art. ")}
    assert {f"Art. {n}" for n in range(9, 16)} <= articles
    frameworks = {ref.framework for ref in eu.references()}
    assert frameworks == {"eu-ai-act", "nist-ai-rmf", "iso-42001", "sr-11-7"}


@pytest.mark.parametrize(
    ("reference", "reason"),
    [
        ("{framework: eu-ai-act, clause: Article 10}", "is not a clause of EU AI Act"),
        ("{framework: nist-ai-rmf, clause: MEASURE two}", "is not a clause of NIST AI RMF"),
        ("{framework: iso-42001, clause: A.11.2}", "is not a clause of ISO/IEC 42001"),
        ("{framework: gdpr, clause: Art. 5}", "input should be 'eu-ai-act'"),
        ("{framework: sr-11-7}", "required, but missing"),
        ("{framework: sr-11-7, clause: ok, page: 3}", "unknown key"),
    ],
)
def test_a_bad_clause_reference_is_refused_naming_the_item(reference: str, reason: str) -> None:
    text = (
        "id: t\nversion: 1\ntitle: T\nrisk_tiers: [high]\nitems:\n"
        f"  - {{id: a, text: A, references: [{reference}]}}\n"
    )
    refused = _refusal(text)
    assert refused.file == "mine.yaml"
    assert refused.field.startswith("items[0].references[0]")
    assert reason.casefold() in refused.reason.casefold()


def _refusal(text: str) -> TemplateRefused:
    with pytest.raises(TemplateRefused) as refused:
        parse_template(text.encode(), "mine.yaml")
    return refused.value


def test_minimal_template_parses() -> None:
    template = parse_template(MINIMAL.encode(), "mine.yaml")
    assert template.reference == "model-validation@1"
    assert template.items[1].required is False
    assert template.applies_to("high") and not template.applies_to("")


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        (
            ("kind: metric_at_least", "kind: run_python"),
            "items[0].check.kind",
            "unknown check kind 'run_python'",
        ),
        (
            ("dataset: holdout-2026", "dataset: holdout-2026, code: x"),
            "items[0].check.code",
            "unknown key",
        ),
        (("field: owners", "field: owners.__class__"), "items[1].check.field", "not a card field"),
        (("value: 0.8", "value: high"), "items[0].check.value", "valid number"),
        (("quorum: 1", "quorum: 0"), "quorum", "greater than or equal to 1"),
        (("[medium, high]", "[medium, extreme]"), "risk_tiers[1]", "input should be"),
        (("id: owner\n", "id: auc-floor\n"), "", "item id 'auc-floor' is used twice"),
        (("id: model-validation", "id: Model Validation!"), "id", "should match pattern"),
        (("title: Model validation sign-off\n", ""), "title", "required, but missing"),
    ],
)
def test_invalid_templates_are_refused_naming_the_field(
    change: tuple[str, str], field: str, reason: str
) -> None:
    refusal = _refusal(MINIMAL.replace(*change))
    assert refusal.file == "mine.yaml"
    assert refusal.field == field
    assert reason.lower() in refusal.reason.lower()


def test_hostile_and_broken_files_are_refused() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(8)
    )
    assert "alias bomb" in _refusal(bomb).reason
    assert "not valid YAML" in _refusal("id: [unclosed\n").reason
    assert "mapping with id, version, title and items" in _refusal("- a list\n").reason
    with pytest.raises(TemplateRefused, match=r"mine.yaml: byte 0: the file is not UTF-8"):
        parse_template(b"\xff\xfe id: x", "mine.yaml")
    # A Python tag is not code to run: the safe loader refuses it as YAML it cannot read.
    assert "not valid YAML" in _refusal("id: !!python/object/apply:os.system [ls]\n").reason


def test_import_then_unchanged_then_replaced_while_unused(bench: Workbench) -> None:
    path = bench.folder / "validation.yaml"
    path.write_text(MINIMAL)
    info, outcome = bench.checklists.import_file(path)
    assert (info.reference, outcome, info.stored, info.frozen) == (
        "model-validation@1",
        "imported",
        True,
        False,
    )
    assert bench.checklists.import_file(path)[1] == "unchanged"
    path.write_text(MINIMAL.replace("at least 0.8.", "at least 0.80."))
    assert bench.checklists.import_file(path)[1] == "replaced"
    assert audit_actions(bench.path)[-2:] == ["checklist.imported", "checklist.replaced"]
    listed = [i.reference for i in bench.checklists.list_templates()]
    assert listed == ["eu-ai-act-high-risk@2", "high-risk@3", "model-validation@1", "standard@1"]


def test_used_template_is_frozen_and_a_change_needs_a_new_version(bench: Workbench) -> None:
    path = bench.folder / "validation.yaml"
    path.write_text(MINIMAL)
    bench.checklists.import_file(path)
    bench.import_card(medium_card())
    bench.person("ana@example.org")
    bench.sign("ana@example.org", template="model-validation")
    assert bench.checklists.get("model-validation").frozen
    path.write_text(MINIMAL.replace("quorum: 1", "quorum: 2"))
    before = table_counts(bench.path)
    with pytest.raises(TemplateFrozen) as refused:
        bench.checklists.import_file(path)
    assert "validation.yaml: checklist template model-validation@1 is frozen" in str(refused.value)
    assert "version: 2" in str(refused.value)
    assert table_counts(bench.path) == before
    assert bench.checklists.get("model-validation").template.quorum == 1
    path.write_text(MINIMAL.replace("quorum: 1", "quorum: 2").replace("version: 1", "version: 2"))
    assert bench.checklists.import_file(path)[1] == "imported"
    newest = bench.checklists.get("model-validation")
    assert (newest.template.version, newest.template.quorum) == (2, 2)
    assert bench.checklists.get("model-validation@1").template.quorum == 1


def test_shipped_template_is_stored_and_frozen_on_first_use(bench: Workbench) -> None:
    assert not bench.checklists.get("standard").stored
    bench.import_card(medium_card())
    bench.person("ana@example.org")
    bench.sign("ana@example.org")
    info = bench.checklists.get("standard@1")
    assert (info.stored, info.frozen, info.source) == (True, True, "built-in")
    assert "checklist.stored" in audit_actions(bench.path)
    assert "checklist.frozen" in audit_actions(bench.path)


def test_unknown_template(bench: Workbench) -> None:
    with pytest.raises(TemplateNotFound, match=r"no checklist template 'nope'; the templates are"):
        bench.checklists.get("nope")
    with pytest.raises(TemplateNotFound, match=r"has no version 9 \(it has 1\)"):
        bench.checklists.get("standard@9")
