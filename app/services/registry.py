"""Reading the registry: models, card versions, cards, attachments, search.

Plain data comes out (frozen dataclasses and pydantic cards), never ORM rows,
so that callers on other threads never touch a session.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

from countersign.errors import CountersignError
from countersign.formats.placeholders import count_placeholders
from countersign.models.card import ModelCard
from countersign.models.registry_rows import (
    SORT_KEYS,
    ModelFilter,
    ModelOrder,
    ModelSummary,
    SortKey,
)
from countersign.models.tables import Attachment, Bundle, CardVersion, Model
from countersign.services.stage_summary import stage_summaries
from countersign.services.storage import dialect
from countersign.services.storage.database import Database
from countersign.services.storage.snippets import NO_SNIPPET, Snippet

# Read from here too (the browser, the commands): the rows are defined with the light records.
__all__ = ["SORT_KEYS", "ModelFilter", "ModelOrder", "ModelSummary", "SortKey"]

NAME_ORDER = ModelOrder()
"""The browser's first order: by name, ascending."""


class NotFound(CountersignError):
    """A model, version or attachment the officer named is not in the registry."""


@dataclass(frozen=True)
class BundleInfo:
    """Where a card version came from."""

    file_name: str
    sha256: str
    team: str
    producer: str
    created: str
    signature_status: str
    signer_subject: str | None
    signer_fingerprint: str | None


@dataclass(frozen=True)
class VersionSummary:
    """One card version in a model's timeline."""

    id: int
    model: str
    version: str
    seq: int
    status: str
    sha256: str
    source_format: str
    original_name: str
    imported_at: str
    imported_by: str
    warning_count: int
    bundle: BundleInfo | None


@dataclass(frozen=True)
class AttachmentInfo:
    """An attachment of a card version, without its bytes."""

    id: int
    path: str
    media_type: str
    size: int
    sha256: str


@dataclass(frozen=True)
class CardVersionDetail:
    """Everything about one card version: the card, its warnings and provenance."""

    summary: VersionSummary
    card: ModelCard
    warnings: list[dict[str, str]]
    attachments: list[AttachmentInfo]
    artifacts: tuple[dict[str, Any], ...] = ()
    """The model files the card version names (name, sha256, size), from its bundle's manifest."""

    @property
    def placeholder_sections(self) -> int:
        """How many sections the card left as its template's placeholder (read as empty)."""
        return count_placeholders(self.warnings)


@dataclass(frozen=True)
class SearchHit:
    """A card version matching a full-text search, best first."""

    model_id: int
    model: str
    version: str
    card_version_id: int
    score: float
    status: str = ""
    """The status of the matching card version (not the model's newest)."""
    snippet: Snippet = NO_SNIPPET
    """A few words of the card around the matched ones, which it marks."""


def split_reference(reference: str) -> tuple[str, str | None]:
    """Split ``MODEL@VERSION`` (the last ``@``) into model and version."""
    model, sep, version = reference.rpartition("@")
    if not sep:
        return reference, None
    return model, version or None


class Registry:
    """Read access to the registry for the command line and the window."""

    def __init__(self, database: Database) -> None:
        self.database = database

    # -- models -----------------------------------------------------------------

    def count_models(self, filters: ModelFilter | None = None) -> int:
        """How many models match ``filters``."""
        query = _filtered(select(func.count()).select_from(Model), filters or ModelFilter())
        with self.database.read() as session:
            return int(session.scalar(query) or 0)

    def count_card_versions(self) -> int:
        """How many card versions the registry holds."""
        with self.database.read() as session:
            return int(session.scalar(select(func.count()).select_from(CardVersion)) or 0)

    def models(
        self,
        filters: ModelFilter | None = None,
        *,
        order: ModelOrder = NAME_ORDER,
        offset: int = 0,
        limit: int = 200,
        after: tuple[str, int] | None = None,
    ) -> list[ModelSummary]:
        """A page of models in ``order``.

        With ``after`` (the sort value and id of the last row already shown)
        the page is found by keyset, in time independent of how deep it is;
        ``offset`` is for jumping to an arbitrary row.
        """
        column = getattr(Model, order.sort)
        descending = order.descending
        # Plain rows, not ORM objects: a page of the browser costs the rows and little else.
        query = _filtered(select(*_SUMMARY_COLUMNS), filters or ModelFilter())
        if after is not None:
            value, model_id = after
            if descending:
                query = query.where(or_(column < value, and_(column == value, Model.id < model_id)))
            else:
                query = query.where(or_(column > value, and_(column == value, Model.id > model_id)))
        by = (column.desc(), Model.id.desc()) if descending else (column.asc(), Model.id.asc())
        query = query.order_by(*by).offset(offset if after is None else 0).limit(limit)
        with self.database.read() as session:
            return [ModelSummary(*row) for row in session.execute(query)]

    def model_position(
        self,
        name: str,
        filters: ModelFilter | None = None,
        *,
        order: ModelOrder = NAME_ORDER,
    ) -> int | None:
        """The row (from 0) of model ``name`` in :meth:`models` order, or None if it is not there.

        One count of the matching models that come before it: the browser
        uses it to select a model without fetching every page above it.
        """
        filters = filters or ModelFilter()
        column, descending = getattr(Model, order.sort), order.descending
        with self.database.read() as session:
            found = session.execute(
                _filtered(select(Model.id, column), filters).where(Model.name == name)
            ).first()
            if found is None:
                return None
            model_id, value = found
            if descending:
                before = or_(column > value, and_(column == value, Model.id > model_id))
            else:
                before = or_(column < value, and_(column == value, Model.id < model_id))
            query = _filtered(select(func.count()).select_from(Model), filters).where(before)
            return int(session.scalar(query) or 0)

    def stage_summaries(self, model_ids: list[int]) -> dict[int, str]:
        """``production 3.1 · staging 3.2 in review`` for each model id (one page's worth)."""
        with self.database.read() as session:
            return stage_summaries(session, model_ids)

    def model(self, name: str) -> ModelSummary:
        """The model called ``name``, or :class:`NotFound`."""
        with self.database.read() as session:
            row = session.scalar(select(Model).where(Model.name == name))
            if row is None:
                raise NotFound(f"no model named {name!r} in the registry")
            return _model_summary(row)

    def teams(self) -> list[str]:
        """Every team that has sent a model, for the browser's filter."""
        with self.database.read() as session:
            return [
                t for t in session.scalars(select(Model.team).distinct().order_by(Model.team)) if t
            ]

    # -- versions ---------------------------------------------------------------

    def versions(self, model: str) -> list[VersionSummary]:
        """Every card version of ``model``, oldest first."""
        with self.database.read() as session:
            model_row = session.scalar(select(Model).where(Model.name == model))
            if model_row is None:
                raise NotFound(f"no model named {model!r} in the registry")
            rows = session.execute(
                _version_query()
                .where(CardVersion.model_id == model_row.id)
                .order_by(CardVersion.seq)
            )
            return [
                _version_summary(version, model_name, bundle)
                for version, model_name, bundle in rows
            ]

    def card_version(self, model: str, version: str | None = None) -> CardVersionDetail:
        """One card version (the newest when ``version`` is None), with its card."""
        with self.database.read() as session:
            row = session.execute(where_card_version(_version_query(), model, version)).first()
            if row is None:
                raise card_version_not_found(session, model, version)
            cv, model_name, bundle = row
            attachments = session.execute(
                select(
                    Attachment.id,
                    Attachment.path,
                    Attachment.media_type,
                    Attachment.size,
                    Attachment.sha256,
                )
                .where(Attachment.card_version_id == cv.id)
                .order_by(Attachment.path)
            ).all()
            return CardVersionDetail(
                summary=_version_summary(cv, model_name, bundle),
                card=ModelCard.model_validate_json(cv.canonical_json),
                warnings=list(json.loads(cv.warnings_json)),
                attachments=[AttachmentInfo(*a) for a in attachments],
                artifacts=tuple(json.loads(cv.artifacts_json)),
            )

    def original(self, card_version_id: int) -> tuple[str, bytes]:
        """The original file name and bytes of a card version, as received."""
        with self.database.read() as session:
            row = session.execute(
                select(CardVersion.original_name, CardVersion.original).where(
                    CardVersion.id == card_version_id
                )
            ).first()
            if row is None:
                raise NotFound(f"no card version {card_version_id}")
            return row[0], row[1]

    def attachment_content(self, attachment_id: int) -> bytes:
        """The bytes of one attachment."""
        with self.database.read() as session:
            content = session.scalar(
                select(Attachment.content).where(Attachment.id == attachment_id)
            )
            if content is None:
                raise NotFound(f"no attachment {attachment_id}")
            return content

    # -- search -----------------------------------------------------------------

    def search(self, text: str, limit: int = 20) -> list[SearchHit]:
        """Card versions whose content matches ``text`` (every word as a prefix), best first.

        Current card versions come before superseded ones, each hit with a snippet.
        """
        with self.database.read() as session:
            ranked = dialect.search_card_versions(session.connection(), text, limit)
            if not ranked:
                return []
            ids = [match.card_version_id for match in ranked]
            rows = {
                row[0]: row
                for row in session.execute(
                    select(
                        CardVersion.id,
                        Model.id,
                        Model.name,
                        CardVersion.version,
                        CardVersion.status,
                    )
                    .join(Model, Model.id == CardVersion.model_id)
                    .where(CardVersion.id.in_(ids))
                )
            }
            return [
                SearchHit(
                    model_id=rows[match.card_version_id][1],
                    model=rows[match.card_version_id][2],
                    version=rows[match.card_version_id][3],
                    card_version_id=match.card_version_id,
                    score=match.score,
                    status=rows[match.card_version_id][4],
                    snippet=match.snippet,
                )
                for match in ranked
                if match.card_version_id in rows
            ]


_Row = TypeVar("_Row", bound=tuple[Any, ...])

_SUMMARY_COLUMNS = (
    Model.id,
    Model.name,
    Model.team,
    Model.risk_tier,
    Model.latest_version,
    Model.status,
    Model.version_count,
    Model.last_activity,
)
"""The columns of a :class:`ModelSummary`, in its field order."""


def where_card_version(query: Select[_Row], model: str, version: str | None) -> Select[_Row]:
    """``query`` (over card versions joined to their model) narrowed to ``model``'s ``version``.

    With no ``version``, the newest card version of ``model``.
    """
    query = query.where(Model.name == model)
    if version is None:
        return query.order_by(CardVersion.seq.desc()).limit(1)
    return query.where(CardVersion.version == version)


def card_version_not_found(session: Session, model: str, version: str | None) -> NotFound:
    """Why :func:`where_card_version` found nothing: no such model, or no such version."""
    if session.scalar(select(Model.id).where(Model.name == model)) is None:
        return NotFound(f"no model named {model!r} in the registry")
    if version is None:
        return NotFound(f"{model} has no card versions yet")
    return NotFound(f"{model} has no version {version!r}")


def _filtered(query: Select[_Row], filters: ModelFilter) -> Select[_Row]:
    if filters.status:
        query = query.where(Model.status == filters.status)
    if filters.team:
        query = query.where(Model.team == filters.team)
    if filters.risk_tier:
        query = query.where(Model.risk_tier == filters.risk_tier)
    if filters.name_contains:
        escaped = (
            filters.name_contains.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        )
        query = query.where(Model.name.ilike(f"%{escaped}%", escape="\\"))
    return query


def _version_query() -> Select[tuple[CardVersion, str, Bundle | None]]:
    query = (
        select(CardVersion, Model.name, Bundle)
        .join(Model, Model.id == CardVersion.model_id)
        .outerjoin(Bundle, Bundle.id == CardVersion.bundle_id)
    )
    # An outer join can give no bundle; SQLAlchemy's typing cannot say so.
    return cast(Select[tuple[CardVersion, str, Bundle | None]], query)


def _model_summary(row: Model) -> ModelSummary:
    return ModelSummary(
        id=row.id,
        name=row.name,
        team=row.team,
        risk_tier=row.risk_tier,
        latest_version=row.latest_version,
        status=row.status,
        version_count=row.version_count,
        last_activity=row.last_activity,
    )


def _version_summary(cv: CardVersion, model_name: str, bundle: Bundle | None) -> VersionSummary:
    return VersionSummary(
        id=cv.id,
        model=model_name,
        version=cv.version,
        seq=cv.seq,
        status=cv.status,
        sha256=cv.sha256,
        source_format=cv.source_format,
        original_name=cv.original_name,
        imported_at=cv.imported_at,
        imported_by=cv.imported_by,
        warning_count=len(json.loads(cv.warnings_json)),
        bundle=(
            BundleInfo(
                bundle.file_name,
                bundle.sha256,
                bundle.team,
                bundle.producer,
                bundle.created,
                bundle.signature_status,
                bundle.signer_subject,
                bundle.signer_fingerprint,
            )
            if bundle is not None
            else None
        ),
    )
