"""Metric trends across a model's card versions: matched by place, approved versions marked."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from countersign.services.demo import build_demo_registry
from countersign.services.diff.metric_diff import MetricKey
from countersign.services.diff.metric_trends import (
    MetricTrend,
    TrendPoint,
    model_trends,
    short_places,
)
from countersign.services.registry import NotFound, Registry
from countersign.services.storage.database import Database


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    db = Database.open(str(build_demo_registry(tmp_path_factory.mktemp("demo"))))
    yield Registry(db)
    db.dispose()


def test_each_result_is_lined_up_across_the_versions(demo: Registry) -> None:
    trends = model_trends(demo, "retail-credit-risk-scorer")
    assert trends.versions == (("2.0", False), ("2.1", True), ("3.0", False))
    assert trends.metrics()[0] == "AUC"
    old_people = next(t for t in trends.of_metric("AUC") if t.key.slice == "age 65+")
    assert [(p.version, p.value) for p in old_people.points] == [
        ("2.0", 0.794),
        ("2.1", 0.788),
        ("3.0", 0.781),
    ]
    assert old_people.rule.direction == "higher"
    # A slice new in 3.0 has no value before it, and is not charted with one number.
    consent = next(t for t in trends.of_metric("AUC") if t.key.slice.startswith("open-banking"))
    assert [p.value is None for p in consent.points] == [True, True, False]
    assert consent not in trends.charted()
    # Up to 2.1 (what that version's report shows): the later version is left out.
    earlier = model_trends(demo, "retail-credit-risk-scorer", up_to="2.1")
    assert [version for version, _ in earlier.versions] == ["2.0", "2.1"]


def test_approved_versions_are_marked(demo: Registry) -> None:
    trends = model_trends(demo, "support-ticket-router")
    assert trends.versions[-1] == ("1.1", True)
    assert all(trend.points[-1].approved for trend in trends.trends)


def test_unknown_model_is_refused(demo: Registry) -> None:
    with pytest.raises(NotFound):
        model_trends(demo, "nosuch")


def _trend(dataset: str, split: str, slice_: str) -> MetricTrend:
    point = TrendPoint("1.0", False, 0.5, "0.5")
    return MetricTrend(MetricKey("auc", dataset, split, slice_), "higher", (point,))


def test_places_shared_are_said_once(tmp_path: Path) -> None:
    same = [_trend("holdout", "test", ""), _trend("holdout", "test", "age 65+")]
    assert short_places(same) == ("holdout / test", ["whole set", "age 65+"])
    mixed = [_trend("holdout", "test", ""), _trend("other", "", "x")]
    assert short_places(mixed) == ("", ["holdout / test", "other / x"])
