"""Thresholds and regression limits on reported metrics, with the evidence a reviewer reads.

A :class:`~countersign.models.checklist.Threshold` holds every result of a
metric in its scope (every slice, or a named dataset, split or slice) to a
limit; a :class:`~countersign.models.checklist.Regression` compares each with
the same result in the last version of the model approved for the stage (the
*baseline*).  Both give each value found beside the baseline's, so the
reviewer sees the slice, the value now and the value last approved.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

from countersign.models.card import MetricResult, ModelCard
from countersign.models.checklist import OP_WORDS, Regression, Threshold
from countersign.models.vocabulary import AnswerValue
from countersign.services.policy.terms import UNKNOWN, MetricRule

MAX_LISTED = 8
"""Results listed in a check's evidence text; the rest are counted."""

_COMPARE: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
}

_FUZZ = 1e-9
"""Slack for decimal figures read as floats (0.829 - 0.819 is not quite 0.01)."""


@dataclass(frozen=True)
class Baseline:
    """The last version of the model approved for the stage under review, and its card."""

    version: str
    stage: str
    card: ModelCard

    @property
    def label(self) -> str:
        """``2.1 (last approved for staging)``."""
        return f"{self.version} (last approved for {self.stage})"


@dataclass(frozen=True)
class Measurement:
    """One result a threshold read: where, the value now, the baseline's value, and the verdict."""

    where: str
    value: str
    previous: str
    passed: bool
    change: float | None = None
    """The value now minus the baseline's, when both are numbers (regression limits)."""
    slice: str = ""
    """The slice alone (``whole set`` when none), for a table that names the data set apart."""
    data: str = ""
    """The data set and split alone (``applications-oot-holdout, test``)."""


@dataclass(frozen=True)
class MetricVerdict:
    """What a threshold or regression check found: the verdict, evidence text and measurements."""

    passed: bool
    evidence: str
    measurements: tuple[Measurement, ...]
    baseline: str
    """The baseline's label, or empty when no earlier version is approved."""

    @property
    def result(self) -> Literal[AnswerValue.PASS, AnswerValue.FAIL]:
        """``pass`` or ``fail``."""
        return AnswerValue.PASS if self.passed else AnswerValue.FAIL


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def result_key(result: MetricResult) -> tuple[str, str, str, str]:
    """What identifies a result across versions: metric name, dataset, split, slice."""
    return (_fold(result.name), _fold(result.dataset), _fold(result.split), _fold(result.slice))


def where(result: MetricResult) -> str:
    """``age 18-24 (applications-oot-holdout, test)``; the whole set when there is no slice."""
    place = _data(result)
    return f"{result.slice or 'whole set'}" + (f" ({place})" if place else "")


def _data(result: MetricResult) -> str:
    return ", ".join(part for part in (result.dataset, result.split) if part)


def _measured(
    result: MetricResult, previous: str, passed: bool, change: float | None = None
) -> Measurement:
    return Measurement(
        where(result),
        result.value or "(no value)",
        previous,
        passed,
        change,
        result.slice or "whole set",
        _data(result),
    )


def in_scope(check: Threshold | Regression, card: ModelCard) -> list[MetricResult]:
    """The results of ``card`` the check reads, in the card's order."""
    wanted = _fold(check.metric)
    dataset, split, slice_ = _fold(check.dataset), _fold(check.split), _fold(check.slice)
    found = []
    for result in card.quantitative_analyses.results:
        if wanted not in (_fold(result.name), _fold(result.type)):
            continue
        if dataset and _fold(result.dataset) != dataset:
            continue
        if split and _fold(result.split) != split:
            continue
        if slice_ and _fold(result.slice) != ("" if slice_ == "overall" else slice_):
            continue
        found.append(result)
    return found


def _previous(baseline: Baseline | None) -> dict[tuple[str, str, str, str], MetricResult]:
    if baseline is None:
        return {}
    return {result_key(r): r for r in baseline.card.quantitative_analyses.results}


def check_threshold(
    check: Threshold, card: ModelCard, baseline: Baseline | None = None
) -> MetricVerdict:
    """Hold every result in scope to the threshold; list the baseline's value beside each."""
    results = in_scope(check, card)
    label = baseline.label if baseline else ""
    if not results:
        return MetricVerdict(False, f"no {check.metric} result reported {check.scope}", (), label)
    previous = _previous(baseline)
    limit = check.value
    measurements = []
    for result in results:
        before = previous.get(result_key(result))
        ok = result.numeric is not None and _COMPARE[check.op](result.numeric, limit)
        measurements.append(_measured(result, before.value if before else "", ok))
    passed = all(m.passed for m in measurements)
    needs = f"{OP_WORDS[check.op]} {limit:g}"
    shown = _listed(measurements, lambda m: _value_text(m, baseline, needs))
    evidence = f"{check.rule}: {shown}"
    return MetricVerdict(passed, evidence, tuple(measurements), label)


def _value_text(m: Measurement, baseline: Baseline | None, needs: str) -> str:
    text = f"{m.where} = {m.value}"
    if not m.passed:
        text += f", needs {needs}"
    if baseline is not None:
        text += f" ({baseline.version}: {m.previous or 'not reported'})"
    return text


def check_regression(
    check: Regression, card: ModelCard, baseline: Baseline | None, policy: MetricRule = UNKNOWN
) -> MetricVerdict:
    """Compare every result in scope with the baseline's; worse by more than the tolerance fails.

    ``policy`` is the metric policy's rule for the metric, which decides which way
    is worse when the item states no ``better``.
    """
    if check.better is None and policy.direction == "unknown":
        return MetricVerdict(
            False,
            f"{check.rule}: the metric policy states no direction or target for "
            f"{check.metric}, so no change can be judged; the checklist must state `better`, "
            "or the office's policy a term for it",
            (),
            baseline.label if baseline else "",
        )
    if baseline is None:
        return MetricVerdict(
            True,
            f"{check.rule}: no earlier version is approved, so there is nothing to compare with",
            (),
            "",
        )
    now = {result_key(r): r for r in in_scope(check, card)}
    before = in_scope(check, baseline.card)
    if not before:
        return MetricVerdict(
            True,
            f"{check.rule}: {baseline.label} reports no {check.metric} {check.scope}, so there "
            "is nothing to compare with",
            (),
            baseline.label,
        )
    measurements = [_regression(check, now.get(result_key(old)), old, policy) for old in before]
    passed = all(m.passed for m in measurements)
    shown = _listed(measurements, _regression_text)
    evidence = f"{check.rule}; compared with {baseline.label}: {shown}"
    return MetricVerdict(passed, evidence, tuple(measurements), baseline.label)


def _regression(
    check: Regression, new: MetricResult | None, old: MetricResult, policy: MetricRule
) -> Measurement:
    if new is None:
        gone = _measured(old, old.value, False)
        return Measurement(
            gone.where, "not reported", old.value, False, None, gone.slice, gone.data
        )
    if new.numeric is None or old.numeric is None:
        return _measured(new, old.value, False)
    change = new.numeric - old.numeric
    return _measured(
        new,
        old.value,
        _worse_by(check, policy, old.numeric, new.numeric) <= check.tolerance + _FUZZ,
        change,
    )


def _worse_by(check: Regression, policy: MetricRule, old: float, new: float) -> float:
    """How much worse ``new`` is than ``old`` (negative: better), as the item or the policy says."""
    better = check.better or policy.direction
    if better == "target" and policy.target is not None:
        return abs(new - policy.target) - abs(old - policy.target)
    return old - new if better == "higher" else new - old


def _regression_text(m: Measurement) -> str:
    text = f"{m.where} {m.value}, was {m.previous or '(no value)'}"
    if m.change is not None:
        text += f" ({m.change:+.4g})"
    return text + ("" if m.passed else ": worse by more than allowed")


def _listed(measurements: Iterable[Measurement], text: Callable[[Measurement], str]) -> str:
    """Failing results first, then the others, at most :data:`MAX_LISTED` of them."""
    ordered = sorted(measurements, key=lambda m: m.passed)
    shown = "; ".join(text(m) for m in ordered[:MAX_LISTED])
    if len(ordered) > MAX_LISTED:
        shown += f"; … {len(ordered) - MAX_LISTED} more"
    return shown
