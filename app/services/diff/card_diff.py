"""What changed between two card versions, field by field, metric by metric, line by line.

Both versions are compared on their canonical form, so a card re-sent in
another format, or with its YAML reformatted, shows only what its team really
changed.  The rules an officer can rely on:

* a field change has a path (``model_details.summary``,
  ``caveats_and_recommendations.limitations[2]``,
  ``training_data.datasets[name="IMDB"].description``), a kind (added,
  removed, changed) and the old and new values;
* metric results are matched by (name, dataset, split, slice), never by
  position, and carry the numeric delta and whether it is better or worse
  where the metric policy knows its direction or target (:mod:`countersign.services.policy`);
* list items are matched by content: a reordering is no change, an item found
  on both sides with edits is one "changed" item (paired by its name where it
  has one, else by similarity), and only the rest are added or removed;
* a long text field carries a line diff with the changed words marked;
* the whole rendered card (:func:`countersign.services.diff.card_text.card_as_text`) is
  compared as one aligned text, for reading top to bottom.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from itertools import product
from typing import Any, Literal

from pydantic import BaseModel

from countersign.models.card import ModelCard
from countersign.services.diff.card_text import card_as_text, card_sections
from countersign.services.diff.metric_diff import MetricChange, diff_metrics_counted
from countersign.services.diff.text_diff import TextDiff, diff_texts
from countersign.services.policy.policies import judge_in_force
from countersign.services.policy.terms import MetricJudge
from countersign.services.registry import CardVersionDetail, Registry

ChangeKind = Literal["added", "removed", "changed"]
"""A field or item that only the new version has, only the old one has, or both with edits."""

SECTION_TITLES = {
    "model_details": "Model details",
    "intended_use": "Intended use",
    "factors": "Factors",
    "metrics": "Metrics",
    "evaluation_data": "Evaluation data",
    "training_data": "Training data",
    "quantitative_analyses": "Quantitative analyses",
    "ethical_considerations": "Ethical considerations",
    "caveats_and_recommendations": "Caveats and recommendations",
    "license": "Licence, data sets and tags",
    "risk_rating": "Licence, data sets and tags",
    "base_model": "Licence, data sets and tags",
    "datasets": "Licence, data sets and tags",
    "languages": "Licence, data sets and tags",
    "tags": "Licence, data sets and tags",
    "owners": "Owners",
    "extra_sections": "Other sections",
}
"""The card section (as :mod:`countersign.services.diff.card_text` titles it) of each top-level field."""

KEYED_LISTS = {
    "training_data.datasets": "name",
    "evaluation_data.datasets": "name",
    "ethical_considerations.risks": "name",
    "owners": "name",
    "extra_sections": "title",
    "model_details.references": "reference",
}
"""Lists of objects and the member that names an item, used to pair edited items."""

LABEL_LISTS = frozenset({"tags", "languages"})
"""Lists of short labels: an edited label is one removed and one added, never "changed"."""

LONG_TEXT = 160
"""A changed text longer than this (or with a line break) gets a line diff."""

SIMILAR_ITEMS = 0.5
"""Likeness in words (0 to 1) from which an unmatched old and new item are one edited item."""

SIMILAR_SHORT_ITEMS = 0.6
"""Likeness in letters from which two short unmatched items are one edited item."""

SHORT_ITEM = 80
"""Items up to this many characters are compared letter by letter."""

KEY_IN_PATH = 60
"""An item named in more characters than this is shown in a path by its position instead."""

PAIRING_BUDGET = 2_500
"""Old x new unmatched items past which items are not paired by likeness (added and removed)."""

_WORD = re.compile(r"\w+")
_SKIPPED = frozenset({"format", "format_version"})


@dataclass(frozen=True)
class FieldChange:
    """One changed field or list item: where it is, what happened, and the values."""

    path: str
    kind: ChangeKind
    old: Any
    new: Any
    section: str
    text: TextDiff | None = None
    """A line diff of the old and new text, for a long text field."""


@dataclass(frozen=True)
class SectionChange:
    """A section of the rendered card that appeared, disappeared or changed."""

    title: str
    kind: ChangeKind


@dataclass
class CardDiff:
    """Everything that differs between an old and a new card version."""

    fields: list[FieldChange]
    metrics: list[MetricChange]
    """Metric results added, removed or changed (unchanged ones are only counted)."""
    unchanged_metrics: int = 0
    sections: list[SectionChange] = field(default_factory=list)
    text: TextDiff | None = None
    ignore_whitespace: bool = False

    @property
    def change_count(self) -> int:
        """Fields, list items and metric results that changed."""
        return len(self.fields) + len(self.metrics)

    @property
    def identical(self) -> bool:
        """Whether the two versions say the same (under the whitespace rule chosen)."""
        return self.change_count == 0

    def verdicts(self) -> dict[str, int]:
        """How many changed metrics got better, worse, stayed the same, or cannot be judged."""
        counts = {"better": 0, "worse": 0, "same": 0, "unknown": 0}
        for metric in self.metrics:
            if metric.kind == "changed":
                counts[metric.verdict] += 1
        return counts


@dataclass(frozen=True)
class VersionComparison:
    """Two card versions of one model and what changed between them."""

    old: CardVersionDetail
    new: CardVersionDetail
    diff: CardDiff


def compare_versions(
    registry: Registry,
    model: str,
    old_version: str,
    new_version: str,
    *,
    ignore_whitespace: bool = False,
) -> VersionComparison:
    """Read two card versions of ``model`` and compare them (NotFound if either is missing).

    Metric changes are judged by the registry's metric policy in force.
    """
    old = registry.card_version(model, old_version)
    new = registry.card_version(model, new_version)
    with registry.database.read() as session:
        judge = judge_in_force(session)
    return VersionComparison(
        old, new, diff_cards(old.card, new.card, ignore_whitespace=ignore_whitespace, judge=judge)
    )


def diff_cards(
    old: ModelCard,
    new: ModelCard,
    *,
    ignore_whitespace: bool = False,
    whole_text: bool = True,
    judge: MetricJudge | None = None,
) -> CardDiff:
    """Compare two cards; ``whole_text`` also aligns their rendered text and sections.

    ``judge`` holds the metric policy in force (the shipped one when None).
    """
    walker = _FieldWalker(ignore_whitespace)
    # Parts equal on both sides are skipped before anything is dumped: a card of
    # thousands of values is compared in milliseconds when little changed.
    for name in ModelCard.model_fields:
        if name in _SKIPPED:
            continue
        old_part, new_part = getattr(old, name), getattr(new, name)
        if old_part == new_part:
            continue
        if name == "quantitative_analyses":
            walker.walk(f"{name}.text", old_part.text, new_part.text)
            continue
        walker.walk(name, _dump(old_part), _dump(new_part))
    old_results = old.quantitative_analyses.results
    new_results = new.quantitative_analyses.results
    metrics, unchanged = (
        ([], len(new_results))
        if old_results == new_results
        else diff_metrics_counted(
            old_results, new_results, ignore_whitespace=ignore_whitespace, judge=judge
        )
    )
    diff = CardDiff(
        walker.changes, metrics, unchanged_metrics=unchanged, ignore_whitespace=ignore_whitespace
    )
    if whole_text:
        diff.sections = _section_changes(old, new, ignore_whitespace)
        diff.text = diff_texts(
            card_as_text(old), card_as_text(new), ignore_whitespace=ignore_whitespace
        )
    return diff


def _dump(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, list):
        return [_dump(item) for item in value]
    return value


# -- fields and list items ----------------------------------------------------------


class _FieldWalker:
    """Walks two canonical card dumps side by side, collecting field changes in card order."""

    def __init__(self, ignore_whitespace: bool) -> None:
        self.ignore_whitespace = ignore_whitespace
        self.changes: list[FieldChange] = []

    def walk_mapping(self, path: str, old: dict[str, Any], new: dict[str, Any]) -> None:
        for key in _keys(old, new):
            self.walk(f"{path}.{key}", old.get(key), new.get(key))

    def walk(self, path: str, old: Any, new: Any) -> None:
        if self._same(old, new):
            return
        if isinstance(old, dict) and isinstance(new, dict):
            self.walk_mapping(path, old, new)
        elif isinstance(old, list) and isinstance(new, list):
            self.walk_list(path, old, new)
        else:
            self.record(path, old, new)

    def record(self, path: str, old: Any, new: Any, kind: ChangeKind | None = None) -> None:
        if kind is None:
            kind = "added" if _empty(old) else "removed" if _empty(new) else "changed"
        text = None
        long_text = (
            isinstance(old, str) and isinstance(new, str) and (_is_long(old) or _is_long(new))
        )
        if kind == "changed" and long_text:
            text = diff_texts(old, new, ignore_whitespace=self.ignore_whitespace)
        section = SECTION_TITLES.get(path.split(".", 1)[0].split("[", 1)[0], "Card")
        self.changes.append(FieldChange(path, kind, old, new, section, text))

    def walk_list(self, path: str, old: list[Any], new: list[Any]) -> None:
        list_path = _unindexed(path)
        key_field = KEYED_LISTS.get(list_path)
        pairs, removed, added = _match_items(
            old, new, key_field, self._identity, list_path not in LABEL_LISTS
        )
        events: list[tuple[int, int, str, Any, Any]] = []
        for i, j in pairs:
            events.append((j, 0, self._item_path(path, key_field, new[j], j), old[i], new[j]))
        for i in removed:
            events.append((i, 1, self._item_path(path, key_field, old[i], i), old[i], None))
        for j in added:
            events.append((j, 2, self._item_path(path, key_field, new[j], j), None, new[j]))
        events.sort(key=lambda e: (e[0], e[1]))
        for _position, order, item_path, old_item, new_item in events:
            if order == 0:
                self.walk(item_path, old_item, new_item)
            else:
                self.record(item_path, old_item, new_item, "removed" if order == 1 else "added")

    def _item_path(self, path: str, key_field: str | None, item: Any, index: int) -> str:
        name_text = str(item.get(key_field) or "") if isinstance(item, dict) else ""
        if key_field is not None and 0 < len(name_text) <= KEY_IN_PATH:
            name = json.dumps(name_text, ensure_ascii=False)
            return f"{path}[{key_field}={name}]"
        return f"{path}[{index}]"

    def _identity(self, value: Any) -> Any:
        if isinstance(value, str):
            return " ".join(value.split()) if self.ignore_whitespace else value
        return _frozen(value, self.ignore_whitespace)

    def _same(self, old: Any, new: Any) -> bool:
        if old == new:
            return True
        if self.ignore_whitespace and isinstance(old, str) and isinstance(new, str):
            return old.split() == new.split()
        return False


def _match_items(
    old: list[Any], new: list[Any], key_field: str | None, identity: Any, by_likeness: bool
) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    """Pair list items: equal content first, then the same name, then likeness."""
    waiting: dict[Any, list[int]] = defaultdict(list)
    for i, item in enumerate(old):
        waiting[identity(item)].append(i)
    for queue in waiting.values():
        queue.reverse()
    unmatched_new: list[int] = []
    for j, item in enumerate(new):
        found = waiting.get(identity(item))
        if found:
            found.pop()
        else:
            unmatched_new.append(j)
    unmatched_old = sorted(i for queue in waiting.values() for i in queue)
    pairs: list[tuple[int, int]] = []
    if key_field is not None and unmatched_old and unmatched_new:
        by_name: dict[str, list[int]] = defaultdict(list)
        for i in unmatched_old:
            by_name[_item_name(old[i], key_field)].append(i)
        rest: list[int] = []
        for j in unmatched_new:
            name = _item_name(new[j], key_field)
            candidates = by_name.get(name) if name else None
            if candidates:
                pairs.append((candidates.pop(0), j))
            else:
                rest.append(j)
        paired_old = {i for i, _ in pairs}
        unmatched_old = [i for i in unmatched_old if i not in paired_old]
        unmatched_new = rest
    if by_likeness and unmatched_old and unmatched_new:
        alike = _pair_by_likeness([old[i] for i in unmatched_old], [new[j] for j in unmatched_new])
        pairs.extend((unmatched_old[p], unmatched_new[q]) for p, q in alike)
        paired_old = {i for i, _ in pairs}
        paired_new = {j for _, j in pairs}
        unmatched_old = [i for i in unmatched_old if i not in paired_old]
        unmatched_new = [j for j in unmatched_new if j not in paired_new]
    return pairs, unmatched_old, unmatched_new


def _pair_by_likeness(old: list[Any], new: list[Any]) -> list[tuple[int, int]]:
    """Greedy pairs of the most alike items, each alike enough to be one edited item.

    Short items (names, identifiers) are compared letter by letter, so that
    "calls-2025" and "calls-2026" pair; longer ones word by word, so that two
    sentences sharing only "the applicants aged" do not.
    """
    if len(old) * len(new) > PAIRING_BUDGET:
        return []
    old_texts = [_item_text(item) for item in old]
    new_texts = [_item_text(item) for item in new]
    old_words = [_WORD.findall(text)[:2_000] for text in old_texts]
    new_words = [_WORD.findall(text)[:2_000] for text in new_texts]
    scored: list[tuple[float, int, int]] = []
    for p, q in product(range(len(old)), range(len(new))):
        if len(old_texts[p]) <= SHORT_ITEM and len(new_texts[q]) <= SHORT_ITEM:
            matcher = SequenceMatcher(None, old_texts[p], new_texts[q], autojunk=False)
            least = SIMILAR_SHORT_ITEMS
        else:
            matcher = SequenceMatcher(None, old_words[p], new_words[q], autojunk=False)
            least = SIMILAR_ITEMS
        if matcher.real_quick_ratio() < least or matcher.quick_ratio() < least:
            continue
        ratio = matcher.ratio()
        if ratio >= least:
            scored.append((ratio, p, q))
    scored.sort(key=lambda s: (-s[0], s[1], s[2]))
    used_old: set[int] = set()
    used_new: set[int] = set()
    pairs: list[tuple[int, int]] = []
    for _ratio, p, q in scored:
        if p not in used_old and q not in used_new:
            used_old.add(p)
            used_new.add(q)
            pairs.append((p, q))
    return pairs


def _item_text(item: Any) -> str:
    parts: list[str] = []
    _texts(item, parts)
    return " ".join(parts)


def _texts(value: Any, out: list[str]) -> None:
    if isinstance(value, str):
        out.append(value)
    elif isinstance(value, dict):
        for key in sorted(value):
            _texts(value[key], out)
    elif isinstance(value, list):
        for item in value:
            _texts(item, out)
    elif value is not None:
        out.append(str(value))


def _item_name(item: Any, key_field: str) -> str:
    if isinstance(item, dict):
        return " ".join(str(item.get(key_field) or "").split()).casefold()
    return ""


def _frozen(value: Any, ignore_whitespace: bool) -> Any:
    if isinstance(value, dict):
        return tuple((k, _frozen(v, ignore_whitespace)) for k, v in sorted(value.items()))
    if isinstance(value, list):
        return tuple(_frozen(v, ignore_whitespace) for v in value)
    if ignore_whitespace and isinstance(value, str):
        return " ".join(value.split())
    return value


def _keys(old: dict[str, Any], new: dict[str, Any]) -> Iterable[str]:
    if old.keys() == new.keys():
        return old.keys()
    return [*old, *(k for k in new if k not in old)]


def _unindexed(path: str) -> str:
    """``training_data.datasets`` for any path to the list itself (no item indices)."""
    parts = []
    for part in path.split("."):
        parts.append(part.split("[", 1)[0])
    return ".".join(parts)


def _empty(value: Any) -> bool:
    return value is None or value in ("", [], {})


def _is_long(text: str) -> bool:
    return "\n" in text or len(text) > LONG_TEXT


# -- sections -----------------------------------------------------------------------


def _section_changes(
    old: ModelCard, new: ModelCard, ignore_whitespace: bool
) -> list[SectionChange]:
    """Sections of the rendered card added, removed or changed (by title, in the new order)."""

    def by_title(card: ModelCard) -> dict[str, list[str]]:
        sections: dict[str, list[str]] = defaultdict(list)
        for section in card_sections(card):
            text = " ".join(section.text.split()) if ignore_whitespace else section.text
            sections[section.title].append(text)
        return sections

    old_sections = by_title(old)
    new_sections = by_title(new)
    changes: list[SectionChange] = []
    for title, texts in new_sections.items():
        if title not in old_sections:
            changes.append(SectionChange(title, "added"))
        elif sorted(old_sections[title]) != sorted(texts):
            changes.append(SectionChange(title, "changed"))
    changes.extend(
        SectionChange(title, "removed") for title in old_sections if title not in new_sections
    )
    return changes
