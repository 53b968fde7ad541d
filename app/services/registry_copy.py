"""Copying one registry into another (an officer's SQLite file into the team's PostgreSQL).

Two cases, told apart by the audit chains:

- **a copy**: the destination's chain is the start of the source's (an empty
  registry, or one this source was copied into before).  What arrives is what
  left: every row keeps its id, so the events, their hashes and every signed
  sign-off verify in the destination exactly as in the source; rows that change
  after they are written (statuses, browse columns) take the source's values.
- **a merge**: both registries grew apart since they parted (an officer worked
  on a copy offline while the team went on).  The source's events after the
  fork are kept verbatim as a merged segment (:mod:`~countersign.services.merging`),
  sealed by one ``registry.merged`` event appended to the destination's chain;
  the source's rows arrive with the destination's ids (the seal maps them), and
  rows the destination holds already are matched, not doubled.  Work on the same
  model or identity on both sides since the fork is refused by name: a card's
  statuses, reviews and versions move on one side at a time.  The same work on
  both sides is not refused: a model where the source only imported what the
  destination holds (the same bundle imported on each side) keeps the
  destination's rows, and the source's events on it are merged with the rest
  (:mod:`~countersign.services.merging.same_work`).

Either way:

- the source must verify (its audit chain, every signed act and sign-off, every
  row against its event), and so must the destination before a merge, or
  nothing is copied;
- a card version the destination holds for the same model and version with
  other content is a conflict, refused by name, and nothing is copied (so is a
  checklist template, metric policy or identity that differs, and other stages);
- copying again copies only what is new, and says "nothing to copy" when nothing
  is (idempotent): events already merged are recognised by their hashes;
- the whole copy is one write transaction of the destination, verified again
  inside that transaction before it is committed: it lands whole, verified, or
  not at all.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, and_, insert, select
from sqlalchemy.orm import Session

from countersign.errors import CountersignError
from countersign.models.card import ModelCard
from countersign.models.tables import Base, CardVersion, Identity, MergedEvent, Model
from countersign.models.vocabulary import AuditAction, AuditObject
from countersign.services.audit.seal import MergeSeal, Point
from countersign.services.audit.trail import EventDraft, append_events
from countersign.services.integrity.registry_check import verify_registry
from countersign.services.merging.fork import (
    Chains,
    MergePlan,
    MergeRefused,
    Touched,
    plan_merge,
    read_chains,
    touched_by,
    touched_here,
)
from countersign.services.merging.rows import merge_rows, stage_lists
from countersign.services.merging.same_work import same_work
from countersign.services.reviews.stages import settle_model_tiers
from countersign.services.storage import dialect
from countersign.services.storage.database import Database, os_user
from countersign.services.storage.server import PasswordPrompt
from countersign.services.trust.anchors import TrustAnchors


class CopyRefused(CountersignError):
    """The registry copy was refused; nothing was written to the destination."""


@dataclass(frozen=True)
class CopyReport:
    """What a copy wrote: rows per table (only those with rows), and the events verified."""

    inserted: dict[str, int]
    updated: dict[str, int]
    events: int
    signatures: int
    merged: int = 0
    """Events of the source merged as a segment (0: a plain copy, or nothing new)."""
    fork: int = 0
    """The last event both chains share, for a merge."""

    def describe(self) -> str:
        """One or two sentences for the officer."""
        if not self.inserted and not self.updated and not self.merged:
            return (
                f"Nothing to copy: the destination already holds all of it "
                f"({self.events} audit events and {self.signatures} signatures verified)."
            )
        added = ", ".join(f"{count} {table}" for table, count in self.inserted.items())
        merged = (
            f"Merged {self.merged} events of work done in the source since the registries "
            f"parted (after event {self.fork}), kept verbatim and sealed by one new event; "
            if self.merged
            else ""
        )
        return (
            f"{merged}{'c' if merged else 'C'}opied {added or 'no new rows'}"
            f"{f' and refreshed {sum(self.updated.values())} rows' if self.updated else ''}; "
            f"verified on arrival: {self.events} audit events in one chain and "
            f"{self.signatures} signatures."
        )


def copy_registry(source: Database, target: Database) -> CopyReport:
    """Copy ``source`` into ``target`` (see the module's rules); returns what was written."""
    with source.read() as reading:
        _require_verified(reading, f"the source {source.location}")
        with target.write() as writing:
            _refuse_conflicts(reading, writing)
            chains = read_chains(reading, writing)
            if not chains.target_is_prefix:
                return _merge(reading, writing, chains, (source.location, target.location))
            inserted, updated = _copy_rows(reading, writing)
            writing.flush()
            chain, signatures = _require_verified(writing, f"the copy in {target.location}")
            return CopyReport(inserted, updated, chain, signatures)


def _require_verified(session: Session, what: str) -> tuple[int, int]:
    check = verify_registry(session, TrustAnchors())
    if not check.ok:
        if not check.chain.ok:
            first = check.chain.describe()
        elif check.problems:  # a signed act or a role first: what sign-offs fail by
            first = check.problems[0]
        else:
            first = check.signoffs.problems[0].describe()
        raise CopyRefused(f"{what} does not verify, nothing was copied: {first}")
    return check.chain.events, check.signoffs.signatures


def _merge(
    reading: Session, writing: Session, chains: Chains, where: tuple[str, str]
) -> CopyReport:
    """Merge the source's work after the fork (see the module); refused whole or landed whole."""
    source, target = where
    events, signatures = _require_verified(writing, f"the destination {target}")
    try:
        plan = plan_merge(reading, writing, chains)
    except MergeRefused as refusal:
        raise CopyRefused(str(refusal)) from None
    if not plan.events:
        return CopyReport({}, {}, events, signatures)
    theirs = touched_by(plan.events)
    ours = touched_here(writing, chains.fork, plan.lineage)
    # A model both sides worked on the same way (the same bundle imported on each) is the
    # destination's: its rows stand, the source's events on it are kept in the segment.
    same = same_work((reading, writing), plan.events, ours.models & theirs.models)
    theirs = dataclasses.replace(theirs, models=theirs.models - same)
    _refuse_work_on_both_sides((reading, writing), (ours, theirs), chains)
    _refuse_two_certificates_for_one_person(reading, writing)
    _refuse_other_stages(reading, writing)
    connection = writing.connection()
    rows = merge_rows(reading.connection(), connection, theirs)
    if rows.conflicts:
        raise CopyRefused(
            "the destination holds other content under the same name, nothing was copied: "
            f"{_listed(rows.conflicts)}"
        )
    if rows.new_card_versions:
        _index(connection, writing, rows.new_card_versions)
    # A classification merged in is in force for its model's newest version, whichever
    # side's versions that is: the model's listed risk tier says so.
    settle_model_tiers(connection)
    dialect.after_rows_copied(connection, Base.metadata.sorted_tables)
    _seal(
        writing,
        plan,
        MergeSeal(
            source, plan.fork, _head(plan), len(plan.events), plan.continues, rows.sealed_ids()
        ),
    )
    writing.flush()
    events, signatures = _require_verified(writing, f"the merge into {target}")
    return CopyReport(
        rows.inserted, rows.updated, events, signatures, merged=len(plan.events), fork=chains.fork
    )


def _head(plan: MergePlan) -> Point:
    last = plan.events[-1]
    return Point(int(last["id"]), str(last["hash"]))


def _seal(session: Session, plan: MergePlan, seal: MergeSeal) -> None:
    """Append the merge event, then keep the source's events verbatim under its id."""
    (merge_id,) = append_events(
        session,
        [
            EventDraft(
                AuditAction.REGISTRY_MERGED,
                AuditObject.REGISTRY,
                f"{seal.head.seq}",
                os_user(),
                seal.as_json(),
            )
        ],
    )
    session.connection().execute(
        insert(MergedEvent.__table__),  # type: ignore[arg-type]
        [{**event, "segment": merge_id} for event in plan.events],
    )


def _refuse_work_on_both_sides(
    sessions: tuple[Session, Session], sides: tuple[Touched, Touched], chains: Chains
) -> None:
    reading, writing = sessions
    ours, theirs = sides
    models = sorted(ours.models & theirs.models)
    # An identity both sides changed conflicts only where they disagree (role, retirement):
    # the same officer founding a fresh laptop registry with the same credential does not.
    identities = {
        fingerprint
        for fingerprint in ours.identities & theirs.identities
        if _standing(reading, fingerprint) != _standing(writing, fingerprint)
    }
    emails = {
        fingerprint: email
        for fingerprint, email in writing.execute(
            select(Identity.fingerprint, Identity.email).where(
                Identity.fingerprint.in_(sorted(identities))
            )
        ).tuples()
    }
    named = [
        *models,
        *(f"identity {emails.get(fp, '?')} ({fp[:16]}…)" for fp in sorted(identities)),
        *(["the metric policy"] if ours.policy and theirs.policy else []),
    ]
    if named:
        raise CopyRefused(
            "both registries worked on the same models or identities since they parted "
            f"(after event {chains.fork}), so their work cannot be merged: {_listed(named)}; "
            "nothing was copied (a model's versions, reviews and statuses move on in one "
            "registry at a time: redo that work in one of them)"
        )


def _standing(session: Session, fingerprint: str) -> tuple[Any, ...] | None:
    row = session.execute(
        select(Identity.role, Identity.retired_at, Identity.email).where(
            Identity.fingerprint == fingerprint
        )
    ).first()
    return tuple(row) if row is not None else None


def _refuse_two_certificates_for_one_person(reading: Session, writing: Session) -> None:
    """An active identity of the source whose e-mail names another active certificate here."""
    query = select(Identity.email, Identity.fingerprint).where(Identity.retired_at.is_(None))
    ours = {email: fingerprint for email, fingerprint in writing.execute(query).tuples()}
    clashes = sorted(
        email
        for email, fingerprint in reading.execute(query).tuples()
        if ours.get(email, fingerprint) != fingerprint
    )
    if clashes:
        raise CopyRefused(
            "the destination has another active identity (another certificate) for "
            f"{_listed(clashes)}; nothing was copied (retire one of them first)"
        )


def _refuse_other_stages(reading: Session, writing: Session) -> None:
    theirs, ours = stage_lists(reading.connection(), writing.connection())
    if theirs != ours:
        raise CopyRefused(
            f"the source's stages ({' → '.join(theirs)}) are not the destination's "
            f"({' → '.join(ours)}); nothing was copied"
        )


def _listed(names: Sequence[str]) -> str:
    shown = ", ".join(sorted(names)[:10])
    return shown + (f" and {len(names) - 10} more" if len(names) > 10 else "")


def _refuse_conflicts(source: Session, target: Session) -> None:
    query = select(Model.name, CardVersion.version, CardVersion.sha256).join(
        CardVersion, CardVersion.model_id == Model.id
    )
    theirs = {(row[0], row[1]): row[2] for row in target.execute(query)}
    conflicts = [
        f"{name} {version}"
        for name, version, sha256 in source.execute(query)
        if theirs.get((name, version), sha256) != sha256
    ]
    if conflicts:
        raise CopyRefused(
            "the destination holds other content for the same model version, nothing was "
            f"copied: {', '.join(sorted(conflicts)[:10])}"
            f"{f' and {len(conflicts) - 10} more' if len(conflicts) > 10 else ''}"
            " (a card version never changes: send one of them as a new version)"
        )


def _copy_rows(source: Session, target: Session) -> tuple[dict[str, int], dict[str, int]]:
    inserted: dict[str, int] = {}
    updated: dict[str, int] = {}
    connection = target.connection()
    for table in Base.metadata.sorted_tables:
        keys = list(table.primary_key.columns)
        rows = [dict(row._mapping) for row in source.connection().execute(select(table))]
        present = {
            tuple(row._mapping[c.name] for c in keys): row
            for row in connection.execute(select(table))
        }
        new: list[dict[str, Any]] = []
        for row in rows:
            key = tuple(row[c.name] for c in keys)
            stored = present.get(key)
            if stored is None:
                new.append(row)
            elif dict(stored._mapping) != row:
                _update(connection, table, keys, row)
                updated[table.name] = updated.get(table.name, 0) + 1
        if new:
            connection.execute(table.insert(), new)
            inserted[table.name] = len(new)
            if table.name == "card_versions":
                _index(connection, target, new)
    dialect.after_rows_copied(connection, Base.metadata.sorted_tables)
    return inserted, updated


def _update(connection: Any, table: Table, keys: list[Any], row: dict[str, Any]) -> None:
    where = and_(*(column == row[column.name] for column in keys))
    values = {name: value for name, value in row.items() if name not in {c.name for c in keys}}
    connection.execute(table.update().where(where).values(**values))


def _index(connection: Any, target: Session, versions: list[dict[str, Any]]) -> None:
    models = {
        row[0]: (row[1], row[2]) for row in target.execute(select(Model.id, Model.name, Model.team))
    }
    dialect.index_card_versions(
        connection,
        (
            dialect.SearchRow(
                row["id"],
                models[row["model_id"]][0],
                row["version"],
                models[row["model_id"]][1],
                ModelCard.model_validate_json(row["canonical_json"]).canonical_forms()[1],
            )
            for row in versions
        ),
    )


def copy_between(
    source: str, target: str, *, ask_password: PasswordPrompt | None = None
) -> CopyReport:
    """Open the registries ``source`` and ``target`` (what ``--db`` takes) and copy one into the other.

    The source must exist; a missing SQLite destination is made, a PostgreSQL one must
    have been made by ``registry init``.
    """
    with (
        Database.open(source, create=False, ask_password=ask_password) as opened_source,
        Database.open(target, create=True, ask_password=ask_password) as opened_target,
    ):
        return copy_registry(opened_source, opened_target)
