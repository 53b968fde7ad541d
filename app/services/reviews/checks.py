"""Automatic checks of checklist items, evaluated over the canonical card.

Each kind of :data:`~countersign.models.checklist.AutomaticCheck` has one evaluator
here; the template names the kind and its parameters, never code.  A result
says pass or fail and gives the evidence, the value found in the card, so that
the reviewer can see why without opening the card.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from countersign.models.card import MetricResult, ModelCard
from countersign.models.checklist import (
    AutomaticCheck,
    FieldPresent,
    LicenseIn,
    ListNotEmpty,
    MetricAtLeast,
    MetricAtMost,
    NoFormatWarnings,
    Regression,
    Threshold,
)
from countersign.models.vocabulary import AnswerValue
from countersign.services.policy.policies import shipped_judge
from countersign.services.policy.terms import MetricJudge
from countersign.services.reviews.thresholds import (
    Baseline,
    Measurement,
    check_regression,
    check_threshold,
)

EVIDENCE_CHARS = 240
"""Evidence quoting card text is cut to this many characters."""


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one automatic check: ``pass`` or ``fail``, and the value found."""

    result: Literal[AnswerValue.PASS, AnswerValue.FAIL]
    evidence: str
    measurements: tuple[Measurement, ...] = ()
    """For a threshold or regression check: each result read, beside the baseline's."""
    baseline: str = ""
    """For a threshold or regression check: the last approved version compared with."""

    @property
    def passed(self) -> bool:
        """Whether the check passed."""
        return self.result == AnswerValue.PASS


def run_check(
    check: AutomaticCheck,
    card: ModelCard,
    warnings: Sequence[dict[str, str]] = (),
    baseline: Baseline | None = None,
    policy: MetricJudge | None = None,
) -> CheckResult:
    """Evaluate ``check`` over ``card``; ``warnings`` are the card version's format warnings.

    ``baseline`` is the model's last approved version, which regression limits
    compare with and threshold evidence quotes; ``policy`` (the metric policy in
    force, the shipped one when not given) says which way is worse for a
    regression limit that does not say it.
    """
    if isinstance(check, Threshold | Regression):
        verdict = (
            check_threshold(check, card, baseline)
            if isinstance(check, Threshold)
            else check_regression(
                check, card, baseline, (policy or shipped_judge()).rule(check.metric)
            )
        )
        return CheckResult(verdict.result, verdict.evidence, verdict.measurements, verdict.baseline)
    if isinstance(check, FieldPresent):
        return _field_present(check, card)
    if isinstance(check, ListNotEmpty):
        return _list_not_empty(check, card)
    if isinstance(check, MetricAtLeast | MetricAtMost):
        return _metric_bound(check, card)
    if isinstance(check, LicenseIn):
        return _license_in(check, card)
    if isinstance(check, NoFormatWarnings):
        return _no_warnings(warnings)
    raise AssertionError(f"unknown check kind {check!r}")  # the schema's union is closed


def card_value(card: ModelCard, path: str) -> Any:
    """The JSON value at a dotted card path (``intended_use.out_of_scope``)."""
    value: Any = card.model_dump(mode="json")
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def card_text(value: Any) -> str:
    """All the text in a card value (a string, a section or a list), one piece per line."""
    parts: list[str] = []
    _collect(value, parts)
    return "\n".join(part.strip() for part in parts if part.strip())


def _collect(value: Any, out: list[str]) -> None:
    if isinstance(value, str):
        out.append(value)
    elif isinstance(value, dict):
        # The card's own field order (text before lists) reads best as evidence.
        for key in value:
            if key not in ("format", "format_version", "numeric"):
                _collect(value[key], out)
    elif isinstance(value, list):
        for item in value:
            _collect(item, out)


def _quote(text: str) -> str:
    flat = " ".join(text.split())
    if len(flat) > EVIDENCE_CHARS:
        flat = flat[: EVIDENCE_CHARS - 1] + "…"
    return f"“{flat}”"


def _field_present(check: FieldPresent, card: ModelCard) -> CheckResult:
    text = card_text(card_value(card, check.field))
    length = len(text)
    if length == 0:
        return CheckResult(AnswerValue.FAIL, f"{check.field} is empty")
    found = f"{check.field} has {length} characters: {_quote(text)}"
    if length < check.min_length:
        return CheckResult(AnswerValue.FAIL, f"{found}; at least {check.min_length} are needed")
    return CheckResult(AnswerValue.PASS, found)


def _list_not_empty(check: ListNotEmpty, card: ModelCard) -> CheckResult:
    value = card_value(card, check.field)
    entries = value if isinstance(value, list) else []
    if not entries:
        return CheckResult(AnswerValue.FAIL, f"{check.field} has no entries")
    shown = "; ".join(_entry_text(entry) for entry in entries[:5])
    more = f"; … {len(entries) - 5} more" if len(entries) > 5 else ""
    noun = "entry" if len(entries) == 1 else "entries"
    found = f"{check.field} has {len(entries)} {noun}: {shown}{more}"
    if len(entries) < check.min_items:
        return CheckResult(AnswerValue.FAIL, f"{found}; at least {check.min_items} are needed")
    return CheckResult(AnswerValue.PASS, found)


def _entry_text(entry: Any) -> str:
    text = ", ".join(line for line in card_text(entry).splitlines())
    flat = " ".join(text.split())
    return flat if len(flat) <= 80 else flat[:79] + "…"


def _describe_result(result: MetricResult) -> str:
    where = ", ".join(part for part in (result.dataset, result.split, result.slice) if part)
    value = result.value or "(no value)"
    return f"{result.name} = {value}" + (f" ({where})" if where else "")


def _matching_results(check: MetricAtLeast | MetricAtMost, card: ModelCard) -> list[MetricResult]:
    wanted = check.metric.strip().casefold()
    dataset = check.dataset.strip().casefold()
    slice_ = check.slice.strip().casefold()
    matches = []
    for result in card.quantitative_analyses.results:
        names = {result.name.strip().casefold(), result.type.strip().casefold()}
        if wanted not in names:
            continue
        if dataset and result.dataset.strip().casefold() != dataset:
            continue
        if result.slice.strip().casefold() != slice_:
            continue
        matches.append(result)
    return matches


def _metric_bound(check: MetricAtLeast | MetricAtMost, card: ModelCard) -> CheckResult:
    at_least = isinstance(check, MetricAtLeast)
    bound = f"{'at least' if at_least else 'at most'} {check.value:g}"
    scope = " ".join(
        part
        for part in (
            f"on {check.dataset}" if check.dataset else "",
            f"for slice {check.slice}" if check.slice else "overall",
        )
        if part
    )
    matches = _matching_results(check, card)
    if not matches:
        return CheckResult(AnswerValue.FAIL, f"no {check.metric} result reported {scope}")
    found = "; ".join(_describe_result(result) for result in matches[:10])
    if len(matches) > 10:
        found += f"; … {len(matches) - 10} more"
    for result in matches:
        if result.numeric is None:
            return CheckResult(
                AnswerValue.FAIL, f"{found}: {result.value or 'an empty value'!r} is not a number"
            )
        if (result.numeric < check.value) if at_least else (result.numeric > check.value):
            return CheckResult(AnswerValue.FAIL, f"{found}: needs {bound}")
    return CheckResult(AnswerValue.PASS, f"{found}: {bound}")


def _license_in(check: LicenseIn, card: ModelCard) -> CheckResult:
    stated = card.license.strip()
    if not stated:
        return CheckResult(AnswerValue.FAIL, "the card states no licence")
    allowed = {entry.strip().casefold() for entry in check.allowed}
    if stated.casefold() in allowed:
        return CheckResult(AnswerValue.PASS, f"license: {stated}")
    return CheckResult(
        AnswerValue.FAIL, f"license: {stated}, which is not one of {', '.join(check.allowed[:20])}"
    )


def _no_warnings(warnings: Sequence[dict[str, str]]) -> CheckResult:
    if not warnings:
        return CheckResult(AnswerValue.PASS, "the card was read with no format warnings")
    shown = "; ".join(
        f"{warning.get('field', '')}: {warning.get('message', '')}" for warning in warnings[:3]
    )
    more = f"; … {len(warnings) - 3} more" if len(warnings) > 3 else ""
    return CheckResult(AnswerValue.FAIL, f"{len(warnings)} format warnings: {shown}{more}")
