"""Checklist templates: the questions a review answers, and the automatic checks behind some.

A template is YAML written by the governance office (or shipped in
``resources/checklists``) and validated by :class:`ChecklistTemplate`.  An
item may carry one automatic check, chosen from a closed set of kinds over a
closed set of card paths: the file describes *what* to check, never code to
run.  A template is frozen once a review has used it, so a change is a new
``version``.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from countersign.models.vocabulary import APPROVING_ROLES

RiskTier = Literal["unknown", "low", "medium", "high", "critical"]
"""The risk tiers a template can apply to; a card with no rating counts as ``unknown``."""


TextField = Literal[
    "model_details",
    "model_details.summary",
    "model_details.description",
    "model_details.version",
    "model_details.date",
    "model_details.model_type",
    "model_details.architecture",
    "model_details.citation",
    "intended_use",
    "intended_use.text",
    "factors",
    "factors.text",
    "metrics",
    "metrics.text",
    "metrics.decision_thresholds",
    "evaluation_data",
    "evaluation_data.text",
    "evaluation_data.preprocessing",
    "training_data",
    "training_data.text",
    "training_data.preprocessing",
    "quantitative_analyses",
    "quantitative_analyses.text",
    "ethical_considerations",
    "ethical_considerations.text",
    "caveats_and_recommendations",
    "caveats_and_recommendations.text",
    "license",
]
"""Card paths whose text a ``field_present`` check measures.

A section name (``ethical_considerations``) stands for all the text in that
section, lists included, so that a check holds whichever way a format filled it.
"""

ListField = Literal[
    "model_details.developers",
    "model_details.references",
    "intended_use.primary_uses",
    "intended_use.primary_users",
    "intended_use.out_of_scope",
    "factors.relevant",
    "factors.evaluation",
    "metrics.measures",
    "evaluation_data.datasets",
    "training_data.datasets",
    "quantitative_analyses.results",
    "ethical_considerations.risks",
    "caveats_and_recommendations.limitations",
    "caveats_and_recommendations.tradeoffs",
    "caveats_and_recommendations.recommendations",
    "owners",
    "datasets",
    "tags",
    "languages",
    "base_model",
]
"""Card paths holding lists, for ``list_not_empty`` (and ``field_present``)."""

_SLUG = r"^[a-z0-9][a-z0-9._-]{0,63}$"
MAX_ITEMS = 200
"""A template with more items than this is refused (real ones have 10 to 40)."""


class _Part(BaseModel):
    """Base of every template part: unknown keys are refused, so typos show."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class FieldPresent(_Part):
    """The text at ``field`` is there, at least ``min_length`` characters once trimmed."""

    kind: Literal["field_present"]
    field: TextField | ListField
    min_length: int = Field(default=1, ge=1, le=100_000)


class ListNotEmpty(_Part):
    """The list at ``field`` has at least ``min_items`` entries."""

    kind: Literal["list_not_empty"]
    field: ListField
    min_items: int = Field(default=1, ge=1, le=10_000)


class _MetricBound(_Part):
    metric: str = Field(min_length=1, max_length=200)
    value: float = Field(allow_inf_nan=False)
    dataset: str = Field(default="", max_length=300)
    slice: str = Field(default="", max_length=300)


class MetricAtLeast(_MetricBound):
    """Every reported result named ``metric`` (on ``dataset``/``slice`` if given) is >= ``value``.

    Without ``slice`` only overall results (those with no slice) count.
    """

    kind: Literal["metric_at_least"]


class MetricAtMost(_MetricBound):
    """Every reported result named ``metric`` (on ``dataset``/``slice`` if given) is <= ``value``."""

    kind: Literal["metric_at_most"]


ThresholdOp = Literal[">=", ">", "<=", "<"]
"""How a threshold compares a reported value with its limit."""

OP_WORDS: dict[str, str] = {">=": "at least", ">": "above", "<=": "at most", "<": "below"}
"""Each threshold comparison in words."""


class _MetricScope(_Part):
    """Which results of a metric a threshold reads: every slice, or a named dataset/split/slice.

    Left empty, a field matches every value; ``slice: overall`` names the
    results reported for the whole set (no slice).
    """

    metric: str = Field(min_length=1, max_length=200)
    dataset: str = Field(default="", max_length=300)
    split: str = Field(default="", max_length=300)
    slice: str = Field(default="", max_length=300)

    @property
    def scope(self) -> str:
        """Where the threshold applies, in words (``on every slice``, ``for slice age 18-24``)."""
        parts = [
            f"on {self.dataset}" if self.dataset else "",
            f"({self.split})" if self.split else "",
        ]
        parts.append(f"for slice {self.slice}" if self.slice else "on every slice")
        return " ".join(part for part in parts if part)


class Threshold(_MetricScope):
    """Every reported result of ``metric`` in scope compares ``op`` with ``value``.

    ``adverse impact ratio >= 0.80`` on every slice: one slice below fails the check.
    """

    kind: Literal["threshold"]
    op: ThresholdOp
    value: float = Field(allow_inf_nan=False)

    @property
    def rule(self) -> str:
        """The threshold in words: ``Adverse impact ratio at least 0.8 on every slice``."""
        return f"{self.metric} {OP_WORDS[self.op]} {self.value:g} {self.scope}"


class Regression(_MetricScope):
    """No result of ``metric`` in scope is worse than the last approved version's by more than
    ``tolerance``.

    ``better`` says which way is better (``higher`` for AUC); without it the
    metric policy in force decides: its direction, or its target (a ratio worse
    when it moves away from 1 by more than the tolerance).
    """

    kind: Literal["regression"]
    better: Literal["higher", "lower"] | None = None
    tolerance: float = Field(ge=0, allow_inf_nan=False)

    @property
    def rule(self) -> str:
        """The limit in words: ``AUC not lower than the last approved by more than 0.01``."""
        if self.better is None:
            worse = "worse (by the metric policy)"
        else:
            worse = "lower" if self.better == "higher" else "higher"
        return (
            f"{self.metric} not {worse} than in the last approved version by more than "
            f"{self.tolerance:g} {self.scope}"
        )


class LicenseIn(_Part):
    """The card states a licence, and it is one of ``allowed`` (compared without case)."""

    kind: Literal["license_in"]
    allowed: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(
        min_length=1, max_length=200
    )


class NoFormatWarnings(_Part):
    """The card was read with no format warnings (nothing broken inside it)."""

    kind: Literal["no_format_warnings"]


AutomaticCheck = Annotated[
    FieldPresent
    | ListNotEmpty
    | MetricAtLeast
    | MetricAtMost
    | Threshold
    | Regression
    | LicenseIn
    | NoFormatWarnings,
    Field(discriminator="kind"),
]
"""One automatic check: a closed set of kinds, told apart by ``kind``."""

CHECK_KINDS = (
    "field_present",
    "list_not_empty",
    "metric_at_least",
    "metric_at_most",
    "threshold",
    "regression",
    "license_in",
    "no_format_warnings",
)


class TemplateFieldError(ValueError):
    """A template problem that belongs to one field of the file (a cross-reference)."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field


class Escalation(_Part):
    """What passing a failed threshold takes, beyond a note: more approvals, or a role's.

    ``role``: one approval of the round must come from an identity holding
    that role (an officer, say); a plain approval is refused until it has
    signed.  ``approvals``: the round needs that many approvals more than the
    template's quorum.  An escalation may ask both.
    """

    text: str = Field(min_length=1, max_length=300)
    role: str = Field(default="", max_length=20)
    approvals: int = Field(default=0, ge=0, le=10)

    @field_validator("role")
    @classmethod
    def _approving_role(cls, role: str) -> str:
        if role and role not in APPROVING_ROLES:
            raise ValueError(
                f"unknown role {role!r}; an escalation asks for an approval by an "
                f"{' or an '.join(APPROVING_ROLES)}"
            )
        return role

    @model_validator(mode="after")
    def _asks_something(self) -> Escalation:
        if not self.role and not self.approvals:
            raise ValueError("an escalation asks for a role (role: officer) or more approvals")
        return self

    def describe(self) -> str:
        """What it takes, in words: ``an approval by an officer``, ``1 more approval``."""
        parts = []
        if self.role:
            article = "an" if self.role[0] in "aeiou" else "a"
            parts.append(f"an approval by {article} {self.role}")
        if self.approvals:
            parts.append(f"{self.approvals} more approval{'s' if self.approvals > 1 else ''}")
        return " and ".join(parts)


Framework = Literal["eu-ai-act", "nist-ai-rmf", "iso-42001", "sr-11-7"]
"""The frameworks a checklist item can cite."""

FRAMEWORK_NAMES: dict[str, str] = {
    "eu-ai-act": "EU AI Act",
    "nist-ai-rmf": "NIST AI RMF 1.0",
    "iso-42001": "ISO/IEC 42001",
    "sr-11-7": "SR 11-7",
}
"""Each framework as an officer names it."""

_CLAUSES: dict[str, tuple[str, str]] = {
    "eu-ai-act": (
        r"^(Art\. [1-9]\d{0,2}(\(\d{1,2}\))?(\([a-z]\))?|Annex [IVX]{1,5}(\(\d{1,2}\))?(\([a-z]\))?)$",
        "an article or annex point of Regulation (EU) 2024/1689: Art. 10(2)(f), Annex IV(2)(g)",
    ),
    "nist-ai-rmf": (
        r"^(GOVERN|MAP|MEASURE|MANAGE)( [1-9](\.[1-9]\d?)?)?$",
        "a function, category or subcategory: MEASURE, MAP 1, MEASURE 2.11",
    ),
    "iso-42001": (
        r"^A\.([2-9]|10)(\.\d{1,2}){0,2}$",
        "an Annex A control of ISO/IEC 42001:2023: A.6.2.4, A.7.5",
    ),
    "sr-11-7": (
        r"^[A-Za-z][A-Za-z0-9 ,.:;()'/-]{0,99}$",
        "a section of the guidance in words: Model validation: effective challenge",
    ),
}
"""Per framework: the pattern a clause must match, and what it should look like."""


class ClauseRef(_Part):
    """A clause of a framework that an item evidences: ``eu-ai-act`` ``Art. 14(4)``."""

    framework: Framework
    clause: str = Field(min_length=1, max_length=100)

    @model_validator(mode="after")
    def _clause_of_framework(self) -> ClauseRef:
        pattern, example = _CLAUSES[self.framework]
        if not re.fullmatch(pattern, self.clause):
            raise ValueError(
                f"{self.clause!r} is not a clause of {FRAMEWORK_NAMES[self.framework]}; "
                f"write {example}"
            )
        return self

    def label(self) -> str:
        """The reference as an officer cites it: ``EU AI Act Art. 14(4)``."""
        return f"{FRAMEWORK_NAMES[self.framework]} {self.clause}"


class ChecklistItem(_Part):
    """One question of a checklist: what to confirm, how, and whether it must be answered."""

    id: str = Field(pattern=_SLUG)
    text: str = Field(min_length=1, max_length=2000)
    guidance: str = Field(default="", max_length=10_000)
    required: bool = True
    check: AutomaticCheck | None = None
    escalation: str = Field(default="", max_length=64)
    """The id of the template's escalation a failed threshold (or regression) check needs."""
    references: list[ClauseRef] = Field(default_factory=list, max_length=20)
    """The framework clauses the item evidences (for the report's controls table)."""


class ChecklistTemplate(_Part):
    """A versioned checklist: the items, the risk tiers it is for, and the approvals needed."""

    id: str = Field(pattern=_SLUG)
    version: int = Field(ge=1, le=1_000_000)
    title: str = Field(min_length=1, max_length=300)
    description: str = Field(default="", max_length=10_000)
    risk_tiers: list[RiskTier] = Field(min_length=1)
    stages: list[str] = Field(default_factory=list, max_length=20)
    """The deployment stages the template serves; empty for every stage."""
    quorum: int = Field(default=1, ge=1, le=20)
    escalations: dict[Annotated[str, Field(pattern=_SLUG)], Escalation] = Field(
        default_factory=dict, max_length=20
    )
    """What a failed threshold item takes to pass, by id; items name one with ``escalation``."""
    by_choice: bool = False
    """Used only when the officer chooses it: where another template applies, that one is the
    default (the EU AI Act template beside the high-risk review)."""
    validity_months: dict[RiskTier, Annotated[int, Field(ge=1, le=120)]] = Field(
        default_factory=dict
    )
    """Per risk tier, the longest an approval may hold, in months; a tier named here needs an expiry."""
    items: list[ChecklistItem] = Field(min_length=1, max_length=MAX_ITEMS)

    @field_validator("risk_tiers")
    @classmethod
    def _distinct_tiers(cls, tiers: list[RiskTier]) -> list[RiskTier]:
        if len(set(tiers)) != len(tiers):
            raise ValueError("a risk tier is listed twice")
        return tiers

    @model_validator(mode="after")
    def _distinct_item_ids(self) -> ChecklistTemplate:
        seen: set[str] = set()
        for item in self.items:
            if item.id in seen:
                raise ValueError(f"item id {item.id!r} is used twice; item ids must be unique")
            seen.add(item.id)
        for index, item in enumerate(self.items):
            if not item.escalation:
                continue
            field = f"items[{index}].escalation"
            if not isinstance(item.check, Threshold | Regression):
                raise TemplateFieldError(
                    field, "only an item with a threshold or regression check escalates"
                )
            if item.escalation not in self.escalations:
                known = ", ".join(self.escalations) or "none (add an escalations: section)"
                raise TemplateFieldError(
                    field,
                    f"unknown escalation {item.escalation!r}; this template's escalations are "
                    f"{known}",
                )
        return self

    @property
    def reference(self) -> str:
        """``id@version``, how the officer names one version of a template."""
        return f"{self.id}@{self.version}"

    def references(self) -> list[ClauseRef]:
        """Every clause the template's items cite, once each, in item order."""
        return list(dict.fromkeys(ref for item in self.items for ref in item.references))

    def item(self, item_id: str) -> ChecklistItem | None:
        """The item with ``item_id``, or None."""
        return next((item for item in self.items if item.id == item_id), None)

    def escalation_of(self, item: ChecklistItem) -> Escalation | None:
        """The escalation ``item`` names, if any."""
        return self.escalations.get(item.escalation) if item.escalation else None

    def serves_stage(self, stage: str) -> bool:
        """Whether the template may be used for a review round for ``stage``."""
        return not self.stages or stage in self.stages

    def default_for(self, risk_tier: str) -> bool:
        """Whether the template applies to ``risk_tier`` and may be picked without being chosen."""
        return self.applies_to(risk_tier) and not self.by_choice

    def applies_to(self, risk_tier: str) -> bool:
        """Whether cards of ``risk_tier`` (empty meaning unknown) may be reviewed with this template."""
        return (risk_tier or "unknown") in self.risk_tiers
