"""Thresholds and regression limits: what they read, the evidence they give, and the refusals
of templates that state them badly (naming the file and the field)."""

from __future__ import annotations

import pytest

from countersign.models.checklist import Regression, Threshold
from countersign.services.reviews.checklists import parse_template
from countersign.services.reviews.checks import run_check
from countersign.services.reviews.errors import TemplateRefused
from countersign.services.reviews.thresholds import Baseline
from tests.helpers.signoff import fair_lending_card

AIR = Threshold(kind="threshold", metric="adverse impact ratio", op=">=", value=0.8)


def test_a_threshold_reads_every_slice_and_names_the_one_that_fails() -> None:
    result = run_check(AIR, fair_lending_card("2.0"))
    assert result.result == "fail"
    assert result.evidence == (
        "adverse impact ratio at least 0.8 on every slice: "
        "age 18-24 (holdout-2026, test) = 0.78, needs at least 0.8; "
        "gender female (holdout-2026, test) = 0.96"
    )
    assert [(m.where, m.value, m.passed) for m in result.measurements] == [
        ("age 18-24 (holdout-2026, test)", "0.78", False),
        ("gender female (holdout-2026, test)", "0.96", True),
    ]
    assert run_check(AIR, fair_lending_card("2.0", young_air="0.80")).passed


def test_threshold_evidence_quotes_the_last_approved_value() -> None:
    baseline = Baseline("1.0", "staging", fair_lending_card("1.0", young_air="0.81"))
    result = run_check(AIR, fair_lending_card("2.0"), baseline=baseline)
    assert "age 18-24 (holdout-2026, test) = 0.78, needs at least 0.8 (1.0: 0.81)" in (
        result.evidence
    )
    assert result.baseline == "1.0 (last approved for staging)"
    assert result.measurements[0].previous == "0.81"


@pytest.mark.parametrize(
    ("scope", "expected"),
    [
        ({"slice": "gender female"}, "pass"),
        ({"slice": "age 18-24"}, "fail"),
        ({"slice": "overall"}, "fail"),  # no whole-set result is reported: nothing to hold
        ({"dataset": "another-set"}, "fail"),
        ({"dataset": "HOLDOUT-2026", "split": "test", "slice": "Gender  Female"}, "pass"),
    ],
)
def test_a_threshold_on_a_named_dataset_split_or_slice(
    scope: dict[str, str], expected: str
) -> None:
    check = Threshold(kind="threshold", metric="Adverse impact ratio", op=">=", value=0.8, **scope)
    assert run_check(check, fair_lending_card("2.0")).result == expected


def test_every_comparison_and_a_value_that_is_no_number() -> None:
    card = fair_lending_card("2.0")
    for op, passed in ((">", False), ("<", False), ("<=", True), (">=", True)):
        check = Threshold(kind="threshold", metric="AUC", op=op, value=0.87)
        assert run_check(check, card).passed is passed, op
    missing = run_check(Threshold(kind="threshold", metric="KS", op=">", value=0.3), card)
    assert (missing.result, missing.evidence) == (
        "fail",
        "no KS result reported on every slice",
    )
    assert missing.measurements == ()
    text = card.model_copy(deep=True)
    text.quantitative_analyses.results[0] = text.quantitative_analyses.results[0].model_copy(
        update={"value": "NA", "numeric": None}
    )
    na = run_check(Threshold(kind="threshold", metric="AUC", op=">", value=0.5), text)
    assert na.result == "fail" and "whole set (holdout-2026, test) = NA, needs above 0.5" in (
        na.evidence
    )


def test_a_regression_limit_compares_with_the_last_approved_version() -> None:
    check = Regression(kind="regression", metric="AUC", better="higher", tolerance=0.01)
    alone = run_check(check, fair_lending_card("2.0", auc="0.80"))
    assert alone.passed and "no earlier version is approved" in alone.evidence
    baseline = Baseline("1.0", "staging", fair_lending_card("1.0", auc="0.87"))
    fell = run_check(check, fair_lending_card("2.0", auc="0.855"), baseline=baseline)
    assert fell.result == "fail"
    assert fell.evidence == (
        "AUC not lower than in the last approved version by more than 0.01 on every slice; "
        "compared with 1.0 (last approved for staging): whole set (holdout-2026, test) 0.855, "
        "was 0.87 (-0.015): worse by more than allowed"
    )
    # Exactly the tolerance is allowed (decimal figures, read as floats).
    assert run_check(check, fair_lending_card("2.0", auc="0.86"), baseline=baseline).passed
    lower_better = Regression(kind="regression", metric="AUC", better="lower", tolerance=0.0)
    assert not run_check(lower_better, fair_lending_card("2.0", auc="0.88"), [], baseline).passed


def test_without_better_the_metric_policy_says_which_way_is_worse() -> None:
    """The automatic checks read the metric policy: a direction, or a target such as parity."""
    auc = Regression(kind="regression", metric="AUC", tolerance=0.01)
    baseline = Baseline("1.0", "staging", fair_lending_card("1.0", young_air="0.90", auc="0.87"))
    assert not run_check(auc, fair_lending_card("2.0", auc="0.85"), [], baseline).passed
    assert run_check(auc, fair_lending_card("2.0", auc="0.90"), [], baseline).passed
    assert "AUC not worse (by the metric policy) than" in auc.rule
    # Adverse impact ratio: closer to 1 is better, so 0.90 -> 0.97 is better and
    # 0.90 -> 0.86 (away from parity) is worse, though both numbers changed.
    air = Regression(
        kind="regression", metric="adverse impact ratio", tolerance=0.01, slice="age 18-24"
    )
    assert run_check(air, fair_lending_card("2.0", young_air="0.97"), [], baseline).passed
    assert not run_check(air, fair_lending_card("2.0", young_air="0.86"), [], baseline).passed
    # From above parity, a move further up is worse too.
    above = Baseline("1.0", "staging", fair_lending_card("1.0", young_air="1.05"))
    assert not run_check(air, fair_lending_card("2.0", young_air="1.10"), [], above).passed


def test_a_regression_on_a_metric_the_policy_cannot_judge_fails_and_says_why() -> None:
    check = Regression(kind="regression", metric="approval rate", tolerance=0.01)
    result = run_check(check, fair_lending_card("2.0"))
    assert result.result == "fail"
    assert "the metric policy states no direction or target for approval rate" in result.evidence


TEMPLATE = """\
id: fair-lending
version: 1
title: Fair lending
risk_tiers: [high]
escalations:
  officer-review: {text: A governance officer approves, role: officer}
items:
  - id: air
    text: Adverse impact ratio at least 0.80 on every slice.
    check: {kind: threshold, metric: Adverse impact ratio, op: ">=", value: 0.80}
    escalation: officer-review
  - id: owner
    text: An owner is named.
    check: {kind: list_not_empty, field: owners}
"""


def test_the_template_reads_thresholds_and_escalations() -> None:
    template = parse_template(TEMPLATE.encode(), "fair.yaml")
    item = template.items[0]
    assert isinstance(item.check, Threshold) and item.check.value == 0.8
    escalation = template.escalation_of(item)
    assert escalation is not None
    assert escalation.describe() == "an approval by an officer"


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        (('op: ">="', 'op: "=~"'), "items[0].check.op", "unknown comparison '=~'"),
        (("value: 0.80", "value: high"), "items[0].check.value", "valid number"),
        (("value: 0.80", "value: .nan"), "items[0].check.value", "finite number"),
        (
            ("escalation: officer-review", "escalation: the-board"),
            "items[0].escalation",
            "unknown escalation 'the-board'; this template's escalations are officer-review",
        ),
        (
            ("field: owners}", "field: owners}\n    escalation: officer-review"),
            "items[1].escalation",
            "only an item with a threshold or regression check escalates",
        ),
        (
            ("role: officer", "role: king"),
            "escalations.officer-review.role",
            "unknown role 'king'; an escalation asks for an approval by an approver or an officer",
        ),
        (
            (", role: officer", ""),
            "escalations.officer-review",
            "an escalation asks for a role (role: officer) or more approvals",
        ),
        (("metric: Adverse impact ratio, ", ""), "items[0].check.metric", "required"),
    ],
)
def test_bad_thresholds_are_refused_naming_file_and_field(
    change: tuple[str, str], field: str, reason: str
) -> None:
    with pytest.raises(TemplateRefused) as refused:
        parse_template(TEMPLATE.replace(*change).encode(), "fair.yaml")
    assert refused.value.file == "fair.yaml"
    assert refused.value.field == field
    assert reason.lower() in refused.value.reason.lower()
