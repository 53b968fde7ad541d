"""Metric results of two card versions, matched by what they measure, with how each moved.

Results are matched by (name, dataset, split, slice), never by position, with
case and spacing left out of the match.  Each matched pair carries the numeric
delta (new minus old) and, where the metric policy knows the metric's direction
or target (:mod:`countersign.services.policy.terms`), whether the change is better or worse.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from operator import eq
from typing import Any, Literal

from countersign.models.card import MetricResult
from countersign.services.policy.policies import shipped_judge
from countersign.services.policy.terms import Direction, MetricJudge, MetricRule, Verdict, verdict

MetricKind = Literal["added", "removed", "changed", "unchanged"]
"""How a metric result fared between the versions."""

METRICS_PATH = "quantitative_analyses.results"
"""Where metric results sit in the canonical card."""

_METRIC_FIELDS = ("name", "value", "type", "task", "threshold", "confidence_interval", "details")


@dataclass(frozen=True)
class MetricKey:
    """What identifies a metric result across card versions."""

    name: str
    dataset: str = ""
    split: str = ""
    slice: str = ""

    def label(self) -> str:
        """The key as an officer reads it: ``auc on holdout-2026 / test / age < 25``."""
        where = " / ".join(part for part in (self.dataset, self.split, self.slice) if part)
        return f"{self.name} on {where}" if where else self.name

    def path(self) -> str:
        """The path of the result in the card."""
        parts = [
            f"{name}={json.dumps(value, ensure_ascii=False)}"
            for name, value in (
                ("name", self.name),
                ("dataset", self.dataset),
                ("split", self.split),
                ("slice", self.slice),
            )
            if value
        ]
        return f"{METRICS_PATH}[{', '.join(parts)}]"


@dataclass(frozen=True)
class MetricChange:
    """A metric result of either version, matched with its counterpart in the other."""

    key: MetricKey
    kind: MetricKind
    old: MetricResult | None
    new: MetricResult | None
    delta: float | None
    rule: MetricRule
    verdict: Verdict
    changed_fields: tuple[str, ...] = ()

    @property
    def direction(self) -> Direction:
        """Higher or lower is better, a target, or unknown (the policy's rule for the metric)."""
        return self.rule.direction

    @property
    def path(self) -> str:
        """The path of the result in the card."""
        return self.key.path()


def diff_metrics(
    old: list[MetricResult],
    new: list[MetricResult],
    *,
    ignore_whitespace: bool = False,
    judge: MetricJudge | None = None,
) -> list[MetricChange]:
    """Match metric results by (name, dataset, split, slice) and say how each moved.

    Only results added, removed or changed are listed, in the new version's
    order with removed results last.  Duplicate keys are paired identical
    first, then in order.  ``judge`` holds the metric policy in force (the
    shipped one when None).
    """
    return diff_metrics_counted(old, new, ignore_whitespace=ignore_whitespace, judge=judge)[0]


def diff_metrics_counted(
    old: list[MetricResult],
    new: list[MetricResult],
    *,
    ignore_whitespace: bool = False,
    judge: MetricJudge | None = None,
) -> tuple[list[MetricChange], int]:
    """:func:`diff_metrics`, and how many results stayed the same."""
    pair = _Pairing(ignore_whitespace, judge or shipped_judge())
    # A metric result holds only plain values, so its field dict is its dump; plain
    # dicts and tuples keep a card of thousands of results within milliseconds.
    old_fields = [vars(result) for result in old]
    new_fields = [vars(result) for result in new]
    # Results equal at the same position pair at once (the identical-first rule).
    in_place = list(map(eq, old_fields, new_fields))
    in_place += [False] * (max(len(old), len(new)) - len(in_place))
    unchanged = sum(in_place[: min(len(old), len(new))])
    waiting: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for i in range(len(old)):
        if not in_place[i]:
            waiting[_key_of(old_fields[i])].append(i)
    changes: list[MetricChange] = []
    for j in range(len(new)):
        if in_place[j]:
            continue
        fields = new_fields[j]
        queue = waiting.get(_key_of(fields))
        if not queue:
            changes.append(pair.change(None, new[j], None, fields))
            continue
        chosen = next((i for i in queue if old_fields[i] == fields), queue[0])
        queue.remove(chosen)
        change = pair.change(old[chosen], new[j], old_fields[chosen], fields)
        if change.kind == "unchanged":
            unchanged += 1
        else:
            changes.append(change)
    leftovers = sorted(i for queue in waiting.values() for i in queue)
    changes.extend(pair.change(old[i], None, old_fields[i], None) for i in leftovers)
    return changes, unchanged


def _key_of(fields: dict[str, Any]) -> tuple[str, ...]:
    return (
        _normal(fields["name"]),
        _normal(fields["dataset"]),
        _normal(fields["split"]),
        _normal(fields["slice"]),
    )


@dataclass(frozen=True)
class _Pairing:
    ignore_whitespace: bool
    judge: MetricJudge

    def change(
        self,
        old: MetricResult | None,
        new: MetricResult | None,
        old_dump: dict[str, Any] | None,
        new_dump: dict[str, Any] | None,
    ) -> MetricChange:
        shown = new if new is not None else old
        assert shown is not None
        key = MetricKey(shown.name, shown.dataset, shown.split, shown.slice)
        rule = self.judge.rule(shown.name, shown.type)
        if old is None or new is None or old_dump is None or new_dump is None:
            kind: MetricKind = "added" if old is None else "removed"
            return MetricChange(key, kind, old, new, None, rule, "unknown")
        if old_dump == new_dump:
            changed: tuple[str, ...] = ()
        else:
            changed = tuple(
                name
                for name in _METRIC_FIELDS
                if not _same_value(old_dump[name], new_dump[name], self.ignore_whitespace)
            )
        scaled = _on_one_scale(old, new)
        delta = None if scaled is None else round(scaled[1] - scaled[0], 12)
        # Judged on fractions: a target of 1 means 100% where a card states percentages.
        judged = verdict(rule, _fraction(old), _fraction(new))
        kind = "changed" if changed else "unchanged"
        return MetricChange(key, kind, old, new, delta, rule, judged, changed)


@lru_cache(maxsize=8192)
def _normal(text: str) -> str:
    return " ".join(text.split()).casefold()


def _same_value(old: Any, new: Any, ignore_whitespace: bool) -> bool:
    if old == new:
        return True
    return (
        ignore_whitespace
        and isinstance(old, str)
        and isinstance(new, str)
        and old.split() == new.split()
    )


def _on_one_scale(old: MetricResult, new: MetricResult) -> tuple[float, float] | None:
    """Both numbers; a percentage against a fraction is put on the same scale first."""
    if old.numeric is None or new.numeric is None:
        return None
    old_number, new_number = old.numeric, new.numeric
    old_percent, new_percent = "%" in old.value, "%" in new.value
    if old_percent and not new_percent:
        old_number /= 100
    elif new_percent and not old_percent:
        new_number /= 100
    return old_number, new_number


def _fraction(result: MetricResult) -> float | None:
    if result.numeric is None:
        return None
    return result.numeric / 100 if "%" in result.value else result.numeric
