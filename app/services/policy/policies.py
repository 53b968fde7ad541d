"""The metric policy in force: the shipped one, and the officer's versions in the registry.

Countersign ships ``resources/policies/metrics.yaml``.  An officer imports
their own policy file (same format); each import is a version in the registry
and the newest is in force, extending the shipped terms and, term for term,
overriding them.  A version is frozen by the first sign-off made under it:
from then on its content never changes, so a changed policy comes as a new
version.  Every import is audited with what changed.

Policy files are untrusted: parsed with the bounded YAML loader and validated
by :class:`~countersign.models.metric_policy.MetricPolicy`; a refusal names the
file and the field and stores nothing.
"""

from __future__ import annotations

import hashlib
import importlib.resources
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from countersign.errors import CountersignError, InputRefused
from countersign.formats.limits import load_yaml_mapping
from countersign.models.card import canonical_json
from countersign.models.metric_policy import MetricPolicy, MetricTerm
from countersign.models.tables import MetricPolicyRecord
from countersign.models.vocabulary import AuditAction, AuditObject
from countersign.plain_files import read_plain
from countersign.services.audit.trail import EventDraft, append_events
from countersign.services.policy.terms import MetricJudge
from countersign.services.storage.database import Database, os_user, utc_now

MAX_POLICY_BYTES = 1024 * 1024
"""A policy file larger than this is refused (the shipped one is about 6 KiB)."""

SHIPPED_FILE = "resources/policies/metrics.yaml"

ImportOutcome = Literal["imported", "unchanged", "replaced"]


class PolicyRefused(InputRefused):
    """A metric policy file that is not a valid policy, naming the file and the field."""


class PolicyFrozen(CountersignError):
    """A policy version a sign-off was made under cannot change; it needs a new version."""


@dataclass(frozen=True)
class PolicyVersion:
    """One stored version of the officer's policy and where it stands."""

    policy: MetricPolicy
    source: str
    sha256: str
    stored_at: str
    stored_by: str
    frozen: bool


@dataclass(frozen=True)
class TermChange:
    """A metric term added, removed or changed between two policy versions."""

    name: str
    kind: Literal["added", "removed", "changed"]
    old: str
    new: str

    def line(self) -> str:
        """The change in words: "changed  approval rate: higher is better → lower is better"."""
        if self.kind == "added":
            return f"added    {self.name}: {self.new}"
        if self.kind == "removed":
            return f"removed  {self.name}: {self.old}"
        return f"changed  {self.name}: {self.old} → {self.new}"


def policy_sha256(policy: MetricPolicy) -> str:
    """SHA-256 of the policy's canonical JSON: what "the same policy" means."""
    return hashlib.sha256(policy_json(policy).encode("utf-8")).hexdigest()


def policy_json(policy: MetricPolicy) -> str:
    """The policy as canonical JSON, as the registry stores it."""
    return canonical_json(policy.model_dump(mode="json"))


def parse_policy(data: bytes, file: str) -> MetricPolicy:
    """Read a policy file (YAML, or JSON which is YAML) or refuse it, naming file and field."""
    try:
        value = load_yaml_mapping(
            data,
            file,
            MAX_POLICY_BYTES,
            too_big="the file is larger than 1 MiB; it is not a metric policy",
            not_a_mapping="a metric policy is a mapping with version, title and metrics",
        )
    except InputRefused as refusal:
        raise PolicyRefused(file, refusal.field, refusal.reason) from None
    try:
        return MetricPolicy.model_validate(value)
    except ValidationError as error:
        raise _refusal(file, error) from None


def _refusal(file: str, error: ValidationError) -> PolicyRefused:
    problems = error.errors(include_url=False)
    first = problems[0]
    where = "".join(
        f"[{part}]" if isinstance(part, int) else f".{part}" for part in first["loc"]
    ).lstrip(".")
    reason = _reason(first["type"], str(first["msg"]))
    if len(problems) > 1:
        more = len(problems) - 1
        reason += f" (and {more} more problem{'s' if more > 1 else ''})"
    return PolicyRefused(file, where or "policy", reason)


def _reason(kind: str, message: str) -> str:
    if kind == "missing":
        return "required, but missing"
    if kind == "extra_forbidden":
        return "unknown key (a typo?); it is not part of a metric policy"
    message = message.removeprefix("Value error, ")
    return message[0].lower() + message[1:] if message else "invalid"


@cache
def shipped_policy() -> MetricPolicy:
    """The policy shipped in ``resources/policies/metrics.yaml``."""
    entry = importlib.resources.files("countersign.resources") / "policies" / "metrics.yaml"
    return parse_policy(entry.read_bytes(), SHIPPED_FILE)


@cache
def shipped_judge() -> MetricJudge:
    """The rules of the shipped policy alone (no registry at hand)."""
    return MetricJudge(shipped_policy())


_JUDGES: dict[str, MetricJudge] = {}


def judge_in_force(session: Session) -> MetricJudge:
    """The rules in force in the registry: the shipped policy with the newest officer's version."""
    row = _newest(session)
    if row is None:
        return shipped_judge()
    judge = _JUDGES.get(row.sha256)
    if judge is None:
        officer = MetricPolicy.model_validate_json(row.content_json)
        judge = MetricJudge(shipped_policy(), officer)
        if len(_JUDGES) > 16:
            _JUDGES.clear()
        _JUDGES[row.sha256] = judge
    return judge


def freeze_policy_in_force(session: Session, actor: str) -> None:
    """In the caller's write transaction (a sign-off): freeze the officer's policy in force."""
    row = _newest(session)
    if row is None or row.frozen_at is not None:
        return
    row.frozen_at = utc_now()
    append_events(session, [_event(AuditAction.POLICY_FROZEN, row, actor)])


def term_changes(old: MetricPolicy | None, new: MetricPolicy) -> list[TermChange]:
    """What ``new`` adds, removes and changes against ``old`` (None: the shipped policy)."""
    before = _rules(old if old is not None else shipped_policy())
    after = _rules(new)
    out = [
        TermChange(name, "changed", rule, after[name])
        for name, rule in before.items()
        if name in after and after[name] != rule
    ]
    out.extend(
        TermChange(name, "added", "", rule) for name, rule in after.items() if name not in before
    )
    if old is not None:
        out.extend(
            TermChange(name, "removed", rule, "")
            for name, rule in before.items()
            if name not in after
        )
    return out


def _rules(policy: MetricPolicy) -> dict[str, str]:
    return {term.name: _term_words(term) for term in policy.metrics}


def _term_words(term: MetricTerm) -> str:
    aliases = f" (also {', '.join(term.aliases)})" if term.aliases else ""
    return term.rule() + aliases


def _newest(session: Session) -> MetricPolicyRecord | None:
    return session.scalar(
        select(MetricPolicyRecord).order_by(MetricPolicyRecord.version.desc()).limit(1)
    )


def _version_of(row: MetricPolicyRecord) -> PolicyVersion:
    return PolicyVersion(
        MetricPolicy.model_validate_json(row.content_json),
        row.source,
        row.sha256,
        row.stored_at,
        row.stored_by,
        row.frozen_at is not None,
    )


def _event(action: AuditAction, row: MetricPolicyRecord, actor: str, terms: str = "") -> EventDraft:
    details = {"title": row.title, "sha256": row.sha256, "source": row.source}
    if terms:
        details["terms"] = terms
    return EventDraft(action, AuditObject.METRIC_POLICY, f"version {row.version}", actor, details)


def _changes_summary(changes: list[TermChange]) -> str:
    counts = {
        kind: sum(1 for c in changes if c.kind == kind) for kind in ("added", "changed", "removed")
    }
    parts = [
        f"{count} term{'s' if count != 1 else ''} {kind}" for kind, count in counts.items() if count
    ]
    return ", ".join(parts) or "no term changed"


class Policies:
    """The metric policy of one registry, for the command line and the window."""

    def __init__(self, database: Database, actor: str | None = None) -> None:
        self.database = database
        self.actor = actor or os_user()

    def judge(self) -> MetricJudge:
        """The rules in force."""
        with self.database.read() as session:
            return judge_in_force(session)

    def versions(self) -> list[PolicyVersion]:
        """The officer's stored versions, oldest first (empty: only the shipped policy)."""
        with self.database.read() as session:
            rows = session.scalars(select(MetricPolicyRecord).order_by(MetricPolicyRecord.version))
            return [_version_of(row) for row in rows]

    def history(self) -> list[tuple[PolicyVersion, list[TermChange]]]:
        """Each stored version, oldest first, with what it changed against the one before it
        (the first against the shipped policy)."""
        out: list[tuple[PolicyVersion, list[TermChange]]] = []
        previous: MetricPolicy | None = None
        for version in self.versions():
            out.append((version, term_changes(previous, version.policy)))
            previous = version.policy
        return out

    def import_file(self, path: Path) -> tuple[PolicyVersion, ImportOutcome, list[TermChange]]:
        """Validate and store a policy file as a version; a changed frozen version is refused.

        Returns the version, what happened, and what it changes against the
        version in force before it (or the shipped policy).
        """
        try:
            if path.stat().st_size > MAX_POLICY_BYTES:
                raise PolicyRefused(path.name, "", "the file is larger than 1 MiB")
            data = read_plain(path)
        except OSError as error:
            raise PolicyRefused(path.name, "", f"cannot be read: {error.strerror}") from None
        policy = parse_policy(data, path.name)
        digest = policy_sha256(policy)
        with self.database.write() as session:
            newest = _newest(session)
            previous = (
                MetricPolicy.model_validate_json(newest.content_json)
                if newest is not None
                else None
            )
            row = session.scalar(
                select(MetricPolicyRecord).where(MetricPolicyRecord.version == policy.version)
            )
            if row is not None and row.sha256 == digest:
                return _version_of(row), "unchanged", []
            self._refuse_stale(path.name, policy, row, newest)
            outcome: ImportOutcome = "imported" if row is None else "replaced"
            if row is None:
                row = MetricPolicyRecord(version=policy.version, frozen_at=None)
                session.add(row)
            row.title = policy.title
            row.content_json = policy_json(policy)
            row.sha256 = digest
            row.source = path.name
            row.stored_at = utc_now()
            row.stored_by = self.actor
            session.flush()
            changes = term_changes(previous, policy)
            action = (
                AuditAction.POLICY_IMPORTED
                if outcome == "imported"
                else AuditAction.POLICY_REPLACED
            )
            append_events(session, [_event(action, row, self.actor, _changes_summary(changes))])
            return _version_of(row), outcome, changes

    @staticmethod
    def _refuse_stale(
        file: str,
        policy: MetricPolicy,
        row: MetricPolicyRecord | None,
        newest: MetricPolicyRecord | None,
    ) -> None:
        if row is not None and row.frozen_at is not None:
            raise PolicyFrozen(
                f"{file}: metric policy version {policy.version} is frozen: a sign-off was made "
                f"under it on {row.frozen_at[:10]}, so it cannot change. Give the changed policy "
                f"a new version (version: {_next_version(newest)}); nothing was imported"
            )
        if row is None and newest is not None and policy.version < newest.version:
            raise PolicyFrozen(
                f"{file}: version {policy.version} is older than version {newest.version}, the "
                f"policy in force; give it version {_next_version(newest)}; nothing was imported"
            )


def _next_version(newest: MetricPolicyRecord | None) -> int:
    return newest.version + 1 if newest is not None else 1
