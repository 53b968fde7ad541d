"""Which way is better for a metric, read from a card's metric name by the metric policy.

Cards name their metrics freely ("Test WER", "eval_loss", "top-1 error",
"Adverse impact ratio", "Bias (forecast / actual - 1)"), so the name (and the
card's metric type, when the name says nothing) is cut into lowercase words
and the policy's terms are looked for in it, each term a run of words.  The
name before a qualifier ("recall *at* 0.5% false positive rate", "precision@10")
is read first.  When several terms are found:

* a term of the officer's policy wins over a shipped one (the longest first);
* among shipped terms, a target wins over a direction, and "lower is better"
  wins over "higher is better", because "top-1 error" and "error rate" hold
  words of both kinds.

Anything else is "unknown": Countersign never guesses a verdict.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Literal

from countersign.models.metric_policy import MetricPolicy, MetricTerm, metric_words

Direction = Literal["higher", "lower", "target", "unknown"]
"""Whether a higher or a lower value is better, a value close to a target, or nobody said."""

Verdict = Literal["better", "worse", "same", "unknown"]
"""How a metric moved between two card versions, judged by its rule."""

QUALIFIERS = frozenset({"at", "for", "on", "by", "with", "when", "under", "given", "per", "in"})
"""Words after which a name qualifies its metric: "recall at 0.5% false positive rate" is a recall."""

_KIND_RANK = {"target": 0, "lower": 1, "higher": 2}


@dataclass(frozen=True)
class MetricRule:
    """What the policy says about one metric: its direction, or its target."""

    direction: Direction
    target: float | None = None
    target_label: str = ""
    term: str = ""
    """The policy term that decided it (empty when unknown)."""

    def words(self) -> str:
        """The rule as an officer reads it: "higher is better", "closer to 1 (parity) is better"."""
        if self.direction == "target" and self.target is not None:
            label = f" ({self.target_label})" if self.target_label else ""
            return f"closer to {self.target:g}{label} is better"
        if self.direction == "unknown":
            return "direction unknown"
        return f"{self.direction} is better"

    def verdict_words(self, verdict: Verdict) -> str:
        """A verdict with its reason: "better (higher is better)", "better (towards parity)"."""
        if verdict not in ("better", "worse"):
            return verdict if verdict == "same" else f"({self.words()})"
        if self.direction == "target" and self.target is not None:
            goal = self.target_label or f"{self.target:g}"
            return f"{verdict} ({'towards' if verdict == 'better' else 'away from'} {goal})"
        return f"{verdict} ({self.words()})"


UNKNOWN = MetricRule("unknown")


@dataclass(frozen=True)
class _Spelling:
    words: tuple[str, ...]
    term: MetricTerm
    rank: tuple[int, int, int]
    """Lower wins: (officer 0 / shipped 1, kind, longer first)."""


class MetricJudge:
    """The rules of a metric policy (the shipped one, extended and overridden by the officer's).

    An officer's term with the same name as a shipped one replaces it, aliases
    and all.
    """

    def __init__(self, shipped: MetricPolicy, officer: MetricPolicy | None = None) -> None:
        self.shipped = shipped
        self.officer = officer
        replaced = {metric_words(term.name) for term in officer.metrics} if officer else set()
        self._index: dict[str, list[_Spelling]] = defaultdict(list)
        for source, policy in enumerate((officer, shipped)):
            if policy is None:
                continue
            for term in policy.metrics:
                if source == 1 and metric_words(term.name) in replaced:
                    continue
                kind = 0 if source == 0 else _KIND_RANK[_kind(term)]
                for spelling in term.spellings():
                    words = tuple(word for word in spelling if word != "@")
                    if words:
                        rank = (source, kind, -len(words))
                        self._index[words[0]].append(_Spelling(words, term, rank))
        self._cache: dict[tuple[str, str], MetricRule] = {}

    def terms(self) -> list[tuple[MetricTerm, str]]:
        """Every term in force with where it comes from ("office" or "shipped"), the office's first."""
        out = [(term, "office") for term in self.officer.metrics] if self.officer else []
        names = {metric_words(term.name) for term, _ in out}
        out.extend(
            (term, "shipped")
            for term in self.shipped.metrics
            if metric_words(term.name) not in names
        )
        return out

    def rule(self, name: str, metric_type: str = "") -> MetricRule:
        """The rule for the metric called ``name``; ``metric_type`` decides when the name does not."""
        key = (name, metric_type)
        found = self._cache.get(key)
        if found is None:
            found = UNKNOWN
            for text in (name, metric_type):
                found = self._rule_of(text)
                if found.direction != "unknown":
                    break
            if len(self._cache) < 100_000:
                self._cache[key] = found
        return found

    def _rule_of(self, text: str) -> MetricRule:
        words = metric_words(text)
        # The metric is named before its qualifiers ("recall at 0.5% false positive rate",
        # "precision@10", "accuracy per class"); only if that head says nothing, the rest is read.
        for end, word in enumerate(words):
            if end and (word in QUALIFIERS or word == "@"):
                head = self._best(words[:end])
                if head.direction != "unknown":
                    return head
                break
        return self._best(words)

    def _best(self, words: tuple[str, ...]) -> MetricRule:
        plain = [word for word in words if word != "@"]
        best: _Spelling | None = None
        for start, word in enumerate(plain):
            for spelling in self._index.get(word, ()):
                end = start + len(spelling.words)
                if tuple(plain[start:end]) == spelling.words and (
                    best is None or spelling.rank < best.rank
                ):
                    best = spelling
        if best is None:
            return UNKNOWN
        term = best.term
        if term.target is not None:
            return MetricRule("target", term.target, term.target_label, term.name)
        assert term.direction is not None
        return MetricRule(term.direction, term=term.name)


def _kind(term: MetricTerm) -> str:
    return "target" if term.target is not None else str(term.direction)


def verdict(rule: MetricRule, old: float | None, new: float | None) -> Verdict:
    """Whether moving from ``old`` to ``new`` (on one scale) is an improvement under ``rule``."""
    if old is None or new is None or rule.direction == "unknown":
        return "unknown"
    if rule.direction == "target" and rule.target is not None:
        before, after = abs(old - rule.target), abs(new - rule.target)
        # Rounded to the digits cards state, so 0.9 -> 1.1 around 1 is "same", not a float's whim.
        before, after = round(before, 12), round(after, 12)
    elif rule.direction == "higher":
        before, after = -old, -new
    else:
        before, after = old, new
    if after == before:
        return "same"
    return "better" if after < before else "worse"
