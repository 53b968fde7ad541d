"""The registry browser's rows as plain records, and the words for what is approved where.

Light on purpose (the standard library and the vocabulary alone): the
registry service reads these rows through SQLAlchemy, the first look reads
the first page of them with :mod:`sqlite3` before SQLAlchemy is imported, and
both shape them here, so that the two agree cell for cell.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from countersign.models.vocabulary import StageStatus


@dataclass(frozen=True)
class ModelSummary:
    """One row of the registry browser."""

    id: int
    name: str
    team: str
    risk_tier: str
    latest_version: str
    status: str
    version_count: int
    last_activity: str


@dataclass(frozen=True)
class ModelFilter:
    """What the registry browser shows: by status, team, risk tier, or name text."""

    status: str = ""
    team: str = ""
    risk_tier: str = ""
    name_contains: str = ""


SortKey = Literal["name", "team", "risk_tier", "latest_version", "status", "last_activity"]
SORT_KEYS: tuple[SortKey, ...] = (
    "name",
    "team",
    "risk_tier",
    "latest_version",
    "status",
    "last_activity",
)


@dataclass(frozen=True)
class ModelOrder:
    """How models are listed: by ``sort``, ascending unless ``descending``."""

    sort: SortKey = "name"
    descending: bool = False


DEFAULT_STAGE_NAMES = ("staging", "production")
"""The stages of a registry that has not named its own."""

StageRound = tuple[int, int, int, str, str | None, str, int]
"""A review round of a model: model id, card version id, seq, version, stage, status, round id."""


def stage_words(
    model_ids: Sequence[int],
    names: Sequence[str],
    rounds: Iterable[StageRound],
    revoked: set[tuple[int, str]],
    expired: set[int],
) -> dict[int, str]:
    """``production 3.1 · staging 3.2 in review`` for each model id, from its review rounds.

    ``rounds`` in round order; a round without a stage counts for every stage in
    ``names``; ``revoked`` holds (card version id, stage); ``expired`` the approved
    rounds past their expiry.
    """
    # (model, card version, stage) -> the status of its latest round
    latest: dict[tuple[int, int, str], tuple[int, str, str]] = {}
    for model_id, cv_id, seq, version, stage, status, review_id in rounds:
        now = StageStatus.EXPIRED if review_id in expired else status
        for name in names if stage is None else [stage]:
            latest[(model_id, cv_id, name)] = (seq, version, now)
    return {
        model_id: " · ".join(_model_parts(model_id, names, latest, revoked))
        for model_id in model_ids
    }


def _model_parts(
    model_id: int,
    names: Sequence[str],
    latest: dict[tuple[int, int, str], tuple[int, str, str]],
    revoked: set[tuple[int, str]],
) -> list[str]:
    parts: list[str] = []
    shown: set[str] = set()
    for name in reversed(names):
        entries = [
            (seq, version, status, cv_id)
            for (m, cv_id, stage), (seq, version, status) in latest.items()
            if m == model_id and stage == name
        ]
        held = [
            (seq, version, status)
            for seq, version, status, cv_id in entries
            if status in (StageStatus.APPROVED, StageStatus.EXPIRED)
            and (cv_id, name) not in revoked
        ]
        if held:
            _seq, version, status = max(held)
            if status == StageStatus.EXPIRED:
                parts.append(f"{name} {version} expired")
            elif version not in shown:
                parts.append(f"{name} {version}")
                shown.add(version)
        parts.extend(
            f"{name} {version} in review"
            for seq, version, status, _ in sorted(entries)
            if status == StageStatus.IN_REVIEW
        )
    return parts
