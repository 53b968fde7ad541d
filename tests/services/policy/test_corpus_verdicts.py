"""The shipped metric policy judges the metrics real cards report (issue 13).

Counted over the distinct metric names with a number in the shared corpus and
in the demo's sample cards: at least 95% of them have a direction or a target.
A name whose results are never a number (a confusion matrix) cannot be judged
by any policy and is not counted; nor are the placeholder names of the
lorem-ipsum example card (Latin filler, not metric names).
"""

from __future__ import annotations

from pathlib import Path

from countersign.formats.base import CardRefused
from countersign.formats.detect import read_cards
from countersign.services.demo import samples_resource
from countersign.services.policy.policies import shipped_judge

PLACEHOLDER_CARDS = {"intel-mcg-lorem-ipsum-example.json"}
"""Corpus cards whose metric names are filler text ("Lorem", "ad culpa fugiat enim")."""

SHARE_JUDGED = 0.95


def _names(files: list[Path]) -> set[tuple[str, str]]:
    """(name, type) of every metric result with a number, in every card of ``files``."""
    found: set[tuple[str, str]] = set()
    for path in files:
        try:
            cards = read_cards(path.read_bytes(), path.name)
        except CardRefused:
            continue  # schemas and fragments in the corpus: no card, no metric names
        for read in cards:
            found.update(
                (result.name, result.type)
                for result in read.card.quantitative_analyses.results
                if result.numeric is not None
            )
    return found


def _unjudged(names: set[tuple[str, str]]) -> list[str]:
    judge = shipped_judge()
    return sorted({name for name, kind in names if judge.rule(name, kind).direction == "unknown"})


def test_the_shipped_policy_judges_the_metrics_of_the_corpus_and_the_demo(corpus: Path) -> None:
    corpus_files = [
        p
        for p in sorted(corpus.rglob("*"))
        if p.is_file() and p.name != "SOURCES.md" and p.name not in PLACEHOLDER_CARDS
    ]
    samples = Path(str(samples_resource()))
    demo_files = [p for p in sorted(samples.glob("[0-9][0-9]-*/*")) if p.is_file()]
    names = _names(corpus_files) | _names(demo_files)
    distinct = {name for name, _ in names}
    unjudged = _unjudged(names)
    assert len(distinct) >= 45, sorted(distinct)  # the count is over a real set of names
    assert 1 - len(unjudged) / len(distinct) >= SHARE_JUDGED, unjudged
    # What is left has no direction anyone could state without the office's say.
    assert unjudged == ["Approval rate", "flag rate (share of notes flagged for a second look)"]
    judge = shipped_judge()
    for name in ("KS statistic", "Adverse impact ratio", "Bias (forecast / actual - 1)"):
        assert judge.rule(name).direction != "unknown", name
