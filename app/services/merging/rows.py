"""Bringing the source's rows over in a merge: each matched to the row this registry holds, or new.

A row is known by what it is, not by its id (ids were handed out on each side
on its own): a model by its name, a card version by its model and version, an
identity by its certificate's fingerprint, a sign-off by its review and
signer, and so on.  A row the destination holds already is mapped to it, and
must agree in what never changes (a card version's SHA-256, a certificate, a
signature); a disagreement is a conflict, named.  What changes as work goes on
(a status, a role, a model's browse columns) takes the source's values for the
models and identities only the source worked on since the fork, and keeps the
destination's otherwise.  A new row gets the next free id, its foreign keys
read through the ids of the rows they point to.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Table, func, select

from countersign.models.tables import Base
from countersign.services.audit.seal import ID_TABLES
from countersign.services.merging.fork import Touched

Row = dict[str, Any]


@dataclass(frozen=True)
class _Spec:
    """How one table's rows are known and compared."""

    key: tuple[str, ...]
    same: tuple[str, ...] = ()
    """Columns that never change: a row with the same key and other values here is a conflict."""
    owner: str = ""
    """Whose work moves the other columns on: ``model`` or ``identity`` (``""``: nobody's)."""
    name: Callable[[Row], str] = field(default=lambda row: "")


_SPECS: Mapping[str, _Spec] = {
    "models": _Spec(("name",), owner="model"),
    "bundles": _Spec(("sha256",)),
    "card_versions": _Spec(("model_id", "version"), ("sha256",), owner="model"),
    "attachments": _Spec(("card_version_id", "path"), ("sha256",)),
    "identities": _Spec(
        ("fingerprint",),
        ("certificate_pem", "email"),
        owner="identity",
        name=lambda row: f"identity {row['email']} ({str(row['fingerprint'])[:16]}…)",
    ),
    "checklist_templates": _Spec(
        ("template_id", "version"),
        ("sha256",),
        name=lambda row: f"checklist template {row['template_id']}@{row['version']}",
    ),
    "metric_policies": _Spec(
        ("version",), ("sha256",), name=lambda row: f"metric policy version {row['version']}"
    ),
    "reviews": _Spec(
        ("card_version_id", "template_record_id", "stage", "opened_at"), owner="model"
    ),
    "signatures": _Spec(("review_id", "identity_id"), ("signature",)),
    "review_responses": _Spec(("signature_id", "item_id"), ("answer", "note")),
    "stages": _Spec(("name",), ("position",), name=lambda row: f"stage {row['name']}"),
    "classifications": _Spec(("card_version_id", "identity_id", "signed_at"), ("signature",)),
    "revocations": _Spec(("card_version_id", "stage"), ("signature",)),
}
"""Every table a merge brings rows of (the audit trail and merged events are the chain's)."""


@dataclass
class RowMerge:
    """What bringing the rows over did: per table, rows added and refreshed, and the ids."""

    inserted: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    ids: dict[str, dict[int, int]] = field(default_factory=dict)
    conflicts: list[str] = field(default_factory=list)
    new_card_versions: list[Row] = field(default_factory=list)

    def sealed_ids(self) -> dict[str, dict[str, int]]:
        """The ids events name that differ here, per table: what the merge event seals."""
        return {
            table: {
                str(old): new for old, new in sorted(self.ids.get(table, {}).items()) if old != new
            }
            for table in sorted(set(ID_TABLES.values()))
            if any(old != new for old, new in self.ids.get(table, {}).items())
        }


@dataclass(frozen=True)
class _Owners:
    """Who owns each model's and identity's changing columns: the source when only it worked on them."""

    source: Touched
    model_names: dict[int, str]
    """This registry's model ids (after the merge's inserts) → names."""
    card_models: dict[int, int]
    """This registry's card version ids → model ids."""

    def source_owns(self, spec: _Spec, table: str, row: Row) -> bool:
        if spec.owner == "identity":
            return str(row["fingerprint"]) in self.source.identities
        if spec.owner != "model":
            return False
        if table == "models":
            return str(row["name"]) in self.source.models
        if table == "card_versions":
            model_id = row["model_id"]
        else:
            model_id = self.card_models.get(row["card_version_id"])
        return self.model_names.get(model_id, "") in self.source.models


def merge_rows(source: Connection, target: Connection, touched: Touched) -> RowMerge:
    """Bring every row of the source over (see the module); conflicts are listed, not written."""
    merger = _Merger(source, target, RowMerge(), _Owners(touched, {}, {}))
    for table in Base.metadata.sorted_tables:
        spec = _SPECS.get(table.name)
        if spec is None:
            continue
        merger.merge_table(table, spec)
        if table.name == "models":
            merger.owners.model_names.update(
                {r[0]: r[1] for r in target.execute(select(table.c.id, table.c.name))}
            )
        elif table.name == "card_versions":
            merger.owners.card_models.update(
                {r[0]: r[1] for r in target.execute(select(table.c.id, table.c.model_id))}
            )
    return merger.merge


@dataclass(frozen=True)
class _Merger:
    """One pass over the tables: both sides, what it did so far, and whose columns are whose."""

    source: Connection
    target: Connection
    merge: RowMerge
    owners: _Owners

    def merge_table(self, table: Table, spec: _Spec) -> None:
        """Map or add each source row of ``table``."""
        merge = self.merge
        ours = {
            _key(row, spec): row
            for row in (dict(r._mapping) for r in self.target.execute(select(table)))
        }
        next_id = (self.target.scalar(select(func.max(table.c.id))) or 0) + 1
        ids = merge.ids.setdefault(table.name, {})
        new: list[Row] = []
        rows = self.source.execute(select(table).order_by(table.c.id))
        for theirs in (dict(r._mapping) for r in rows):
            row = _remapped(table, theirs, merge.ids)
            stored = ours.get(_key(row, spec))
            if stored is None:
                ids[theirs["id"]], row["id"] = next_id, next_id
                next_id += 1
                new.append(row)
                continue
            ids[theirs["id"]] = stored["id"]
            if any(stored[column] != row[column] for column in spec.same):
                merge.conflicts.append(spec.name(row) or f"{table.name} {_key(row, spec)}")
                continue
            self.refresh(table, spec, (stored, row))
        if new and not merge.conflicts:
            self.target.execute(table.insert(), new)
            merge.inserted[table.name] = len(new)
            if table.name == "card_versions":
                merge.new_card_versions.extend(new)

    def refresh(self, table: Table, spec: _Spec, rows: tuple[Row, Row]) -> None:
        """A row both hold: take the source's changing columns when the source owns them."""
        stored, theirs = rows
        changing = [c for c in stored if c != "id" and c not in spec.key and c not in spec.same]
        if self.owners.source_owns(spec, table.name, stored):
            values = {c: theirs[c] for c in changing if stored[c] != theirs[c]}
        else:  # nobody's: fill in what only the source knows (a template frozen there)
            values = {c: theirs[c] for c in changing if stored[c] is None and theirs[c] is not None}
        if values:
            self.target.execute(table.update().where(table.c.id == stored["id"]).values(**values))
            self.merge.updated[table.name] = self.merge.updated.get(table.name, 0) + 1


def _remapped(table: Table, row: Row, ids: Mapping[str, Mapping[int, int]]) -> Row:
    """``row`` with each foreign key read through the ids of the table it points to."""
    out = dict(row)
    for column in table.c:
        for foreign in column.foreign_keys:
            value = out[column.name]
            if value is not None:
                out[column.name] = ids[foreign.column.table.name][value]
    return out


def _key(row: Row, spec: _Spec) -> tuple[Any, ...]:
    return tuple(row[column] for column in spec.key)


def stage_lists(source: Connection, target: Connection) -> tuple[Sequence[str], Sequence[str]]:
    """Both registries' stages in order."""
    table = Base.metadata.tables["stages"]
    query = select(table.c.name).order_by(table.c.position)
    return list(source.scalars(query)), list(target.scalars(query))
