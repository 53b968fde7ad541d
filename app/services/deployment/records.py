"""What the deployment services return: plain, frozen records (no session)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from countersign.models.vocabulary import StageStatus
from countersign.services.reviews.stages import ClassificationInfo, StageState


@dataclass(frozen=True)
class VersionStages:
    """One card version with its status for every stage."""

    version: str
    sha256: str
    status: str
    stages: tuple[StageState, ...]
    classification: ClassificationInfo | None
    card_rating: str

    def status_for(self, stage: str) -> str:
        """The version's status for ``stage``."""
        return next((s.status for s in self.stages if s.stage == stage), StageStatus.NOT_REQUESTED)


@dataclass(frozen=True)
class StageSummary:
    """One stage of a model: the newest version approved for it and what is in review."""

    stage: str
    approved: str | None
    approved_at: str | None
    in_review: tuple[str, ...]
    expires_on: str | None = None
    """The last day the approval of :attr:`approved` holds (None: it does not expire)."""
    expired: bool = False
    """Whether that approval's expiry date has passed (it no longer counts)."""


@dataclass(frozen=True)
class ModelStages:
    """What is where for one model: per stage, and per version."""

    model: str
    stages: tuple[StageSummary, ...]
    versions: tuple[VersionStages, ...]

    @property
    def summary(self) -> str:
        """``production 3.1 · staging 3.2 in review`` (the last stage first)."""
        parts = []
        shown: set[str] = set()  # a version approved further on is not repeated for earlier stages
        for stage in reversed(self.stages):
            if stage.approved and stage.expired:
                parts.append(f"{stage.stage} {stage.approved} expired")
            elif stage.approved and stage.approved not in shown:
                parts.append(f"{stage.stage} {stage.approved}")
                shown.add(stage.approved)
            parts.extend(f"{stage.stage} {v} in review" for v in stage.in_review)
        return " · ".join(parts)


@dataclass(frozen=True)
class GateQuestion:
    """What the gate is asked: this stage, perhaps this model file, on this day (today)."""

    stage: str
    artifact_sha256: str | None = None
    as_of: datetime.date | None = None
    """The day expiry is judged on; None for today."""


@dataclass(frozen=True)
class GateCheck:
    """One check of the gate, said in words."""

    check: str
    ok: bool
    detail: str

    def as_json(self) -> dict[str, Any]:
        """The documented JSON of one check."""
        return {"check": self.check, "ok": self.ok, "detail": self.detail}


@dataclass(frozen=True)
class GateResult:
    """The gate's answer: may this card version (these files) go to this stage?"""

    mode: str
    stage: str
    model: str = ""
    version: str = ""
    card_sha256: str = ""
    checks: tuple[GateCheck, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        """True only when every check holds (and there was at least one)."""
        return bool(self.checks) and all(c.ok for c in self.checks)

    @property
    def failed(self) -> list[GateCheck]:
        """The checks that failed."""
        return [c for c in self.checks if not c.ok]

    def as_json(self) -> dict[str, Any]:
        """The documented, stable JSON of ``countersign gate --json``."""
        return {
            "ok": self.ok,
            "mode": self.mode,
            "model": self.model,
            "version": self.version,
            "stage": self.stage,
            "card_sha256": self.card_sha256,
            "checks": [c.as_json() for c in self.checks],
            "failed": [c.check for c in self.failed],
        }


@dataclass(frozen=True)
class ClassifyRequest:
    """An officer's risk classification as asked: from ``version`` (None: the newest) on."""

    model: str
    version: str | None
    tier: str
    reason: str
    email: str
    """The officer who signs it."""


@dataclass(frozen=True)
class RevokeRequest:
    """An officer's revocation as asked: ``version``'s approval for ``stage`` withdrawn."""

    model: str
    version: str | None
    stage: str
    reason: str
    email: str
    """The officer who signs it."""
