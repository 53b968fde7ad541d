"""Copying one registry into another (an officer's SQLite file into the team's PostgreSQL).

What arrives is what left: every row keeps its id, so the audit chain's
events, their hashes and every signed sign-off verify in the destination
exactly as in the source.  The copy is checked before and after:

- the source must verify (its audit chain and every sign-off), or nothing is copied;
- a card version the destination holds for the same model and version with
  other content is a conflict, refused by name, and nothing is copied;
- the destination must hold nothing the source does not: its audit chain must be
  the start of the source's (a registry copied before, or an empty one).
  Merging two chains that grew apart is not done here; the refusal says so;
- a copy made again copies only what is new, and says "nothing to copy" when
  nothing is (idempotent); rows that change after they are written (statuses,
  browse columns) take the source's values.

The whole copy is one write transaction of the destination: it lands whole or not at all,
and it is verified again inside that transaction before it is committed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, and_, select
from sqlalchemy.orm import Session

from countersign.errors import CountersignError
from countersign.models.card import ModelCard
from countersign.models.tables import AuditEvent, Base, CardVersion, Model
from countersign.services.audit.trail import verify_chain
from countersign.services.reviews.signoff_verification import verify_signoffs
from countersign.services.storage import dialect
from countersign.services.storage.database import Database
from countersign.services.storage.server import PasswordPrompt


class CopyRefused(CountersignError):
    """The registry copy was refused; nothing was written to the destination."""


@dataclass(frozen=True)
class CopyReport:
    """What a copy wrote: rows per table (only those with rows), and the events verified."""

    inserted: dict[str, int]
    updated: dict[str, int]
    events: int
    signatures: int

    def describe(self) -> str:
        """One or two sentences for the officer."""
        if not self.inserted and not self.updated:
            return (
                f"Nothing to copy: the destination already holds all of it "
                f"({self.events} audit events and {self.signatures} signatures verified)."
            )
        added = ", ".join(f"{count} {table}" for table, count in self.inserted.items())
        return (
            f"Copied {added or 'no new rows'}"
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
            _refuse_other_work(reading, writing, target.location)
            inserted, updated = _copy_rows(reading, writing)
            writing.flush()
            chain, signatures = _require_verified(writing, f"the copy in {target.location}")
            return CopyReport(inserted, updated, chain, signatures)


def _require_verified(session: Session, what: str) -> tuple[int, int]:
    chain = verify_chain(session)
    if not chain.ok:
        raise CopyRefused(f"{what} does not verify, nothing was copied: {chain.describe()}")
    signoffs = verify_signoffs(session)
    if not signoffs.ok:
        first = signoffs.problems[0].describe()
        raise CopyRefused(f"{what} does not verify, nothing was copied: {first}")
    return chain.events, signoffs.signatures


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


def _refuse_other_work(source: Session, target: Session, where: str) -> None:
    ours = {row[0]: row[1] for row in source.execute(select(AuditEvent.id, AuditEvent.hash))}
    for event_id, digest in target.execute(select(AuditEvent.id, AuditEvent.hash)):
        if ours.get(event_id) != digest:
            raise CopyRefused(
                f"{where} holds work that is not in the source (audit event {event_id} differs): "
                "copying merges into an empty registry or one this source was copied into "
                "before; nothing was copied"
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
    opened_source = Database.open(source, create=False, ask_password=ask_password)
    try:
        opened_target = Database.open(target, create=True, ask_password=ask_password)
        try:
            return copy_registry(opened_source, opened_target)
        finally:
            opened_target.dispose()
    finally:
        opened_source.dispose()
