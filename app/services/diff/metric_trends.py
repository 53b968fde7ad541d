"""How each metric result moved across all the card versions of a model.

A trend is one metric measured in one place (name, dataset, split, slice,
matched as the Compare tab matches them: case and spacing left out) with its
value in every card version, oldest first, and whether each version is
approved.  The model page charts them, and the review report draws them.
"""

from __future__ import annotations

from dataclasses import dataclass

from countersign.models.vocabulary import CardStatus
from countersign.services.diff.metric_diff import MetricKey
from countersign.services.policy.policies import judge_in_force
from countersign.services.policy.terms import MetricRule
from countersign.services.registry import Registry

LINE_COLOURS = (
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#9467bd",
    "#ff7f0e",
    "#17becf",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
)
"""A line colour per place measured, told apart on light and dark backgrounds; the
window's Trends tab and the report's charts use the same ones."""


@dataclass(frozen=True)
class TrendPoint:
    """A metric's value in one card version (None where the version does not report it)."""

    version: str
    approved: bool
    value: float | None
    text: str
    """The value as the card wrote it ("0.912", "NA", "20.0 ± 1.2"); empty when not reported."""


@dataclass(frozen=True)
class MetricTrend:
    """One metric in one place across the versions, with which way is better."""

    key: MetricKey
    rule: MetricRule
    points: tuple[TrendPoint, ...]

    @property
    def where(self) -> str:
        """Dataset / split / slice, or "all data" when the card names none."""
        key = self.key
        return " / ".join(part for part in (key.dataset, key.split, key.slice) if part) or (
            "all data"
        )

    @property
    def numbers(self) -> int:
        """How many versions give this result a number."""
        return sum(1 for point in self.points if point.value is not None)


def short_places(trends: list[MetricTrend]) -> tuple[str, list[str]]:
    """What ``trends`` share (``applications-oot-holdout / test``) and what sets each apart.

    Where every trend names the same dataset and split, each is told by its slice
    alone ("whole set" for none), and the shared part is said once; else each keeps
    its whole place.
    """
    shared = {(trend.key.dataset, trend.key.split) for trend in trends}
    if len(shared) != 1 or len(trends) < 2:
        return "", [trend.where for trend in trends]
    dataset, split = shared.pop()
    common = " / ".join(part for part in (dataset, split) if part)
    return common, [trend.key.slice or "whole set" for trend in trends]


@dataclass(frozen=True)
class ModelTrends:
    """Every metric trend of a model, and its versions in order."""

    model: str
    versions: tuple[tuple[str, bool], ...]
    """Each card version, oldest first, and whether it is approved."""
    trends: tuple[MetricTrend, ...]

    def metrics(self) -> list[str]:
        """The metric names, in the order the cards list them."""
        return list(dict.fromkeys(trend.key.name for trend in self.trends))

    def of_metric(self, name: str) -> list[MetricTrend]:
        """The trends of metric ``name``, one per place it was measured."""
        return [trend for trend in self.trends if trend.key.name == name]

    def charted(self, minimum: int = 2) -> list[MetricTrend]:
        """The trends with at least ``minimum`` numbers: those a line can be drawn for."""
        return [trend for trend in self.trends if trend.numbers >= minimum]


def model_trends(registry: Registry, model: str, *, up_to: str | None = None) -> ModelTrends:
    """Read the card versions of ``model`` (all, or the oldest up to ``up_to``) and line their
    metric results up (NotFound for an unknown model)."""
    summaries = registry.versions(model)
    if up_to is not None:
        last = next((i for i, v in enumerate(summaries) if v.version == up_to), len(summaries) - 1)
        summaries = summaries[: last + 1]
    versions = tuple((v.version, v.status == CardStatus.APPROVED) for v in summaries)
    values: dict[tuple[str, ...], dict[str, tuple[float | None, str]]] = {}
    shown: dict[tuple[str, ...], tuple[MetricKey, MetricRule]] = {}
    with registry.database.read() as session:
        judge = judge_in_force(session)
    for summary in summaries:
        card = registry.card_version(model, summary.version).card
        for result in card.quantitative_analyses.results:
            key = MetricKey(result.name, result.dataset, result.split, result.slice)
            match = tuple(" ".join(part.split()).casefold() for part in vars(key).values())
            # The newest wording of the name wins (a team may fix "auc" into "AUC").
            shown[match] = (key, judge.rule(result.name, result.type))
            values.setdefault(match, {}).setdefault(
                summary.version, (_number(result.numeric, result.value), result.value)
            )
    trends = []
    for match, (key, rule) in shown.items():
        by_version = values[match]
        points = tuple(
            TrendPoint(version, approved, *by_version.get(version, (None, "")))
            for version, approved in versions
        )
        trends.append(MetricTrend(key, rule, points))
    return ModelTrends(model, versions, tuple(trends))


def _number(numeric: float | None, text: str) -> float | None:
    """The value on one scale: a percentage is a fraction, as most cards state them."""
    if numeric is None:
        return None
    return numeric / 100 if "%" in text else numeric
