"""The home screen's tables: one item model for every list of the officer's desk.

Each list comes from :class:`~countersign.services.desk.service.DeskService`
with its total and its first page, read off the GUI thread with the rest of
the desk; the model shows that page and reads the next one (a few indexed
rows) when the table scrolls to its end, so a list of 10,000 versions to
review costs what a page costs.  What each column shows is declared in
:data:`COLUMNS`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt

from countersign.errors import CountersignError
from countersign.models.safe_text import display_text
from countersign.models.vocabulary import DeskList
from countersign.services.counting import counted
from countersign.services.desk.records import (
    ApprovedWhere,
    AwaitingSignature,
    ChangesRequested,
    DeskPage,
    Expiring,
    ImportWarnings,
    Officer,
    ToReview,
)
from countersign.views.presentation import local_date, local_time
from countersign.views.widgets.list_table import ListTableModel

if TYPE_CHECKING:
    # Only named here: the home screen is built before SQLAlchemy is imported (a first look).
    from countersign.services.desk.service import AnyPage, DeskService

PAGE_SIZE = 100
"""Rows read each time a table scrolls to the end of what it holds."""

NAME_ROLE = Qt.ItemDataRole.UserRole + 1
"""Data role giving the model name of a row."""

VERSION_ROLE = Qt.ItemDataRole.UserRole + 2
"""Data role giving the card version a row is about (empty: the model's newest)."""

NOT_STATED = "—"
"""Shown for an empty cell (an empty cell reads as missing data)."""

_Index = QModelIndex | QPersistentModelIndex
DeskRowType = (
    ToReview | AwaitingSignature | ChangesRequested | ApprovedWhere | Expiring | ImportWarnings
)


@dataclass(frozen=True)
class Column:
    """One column of a home table: its title, its tip, and the text a row shows in it."""

    title: str
    tip: str
    text: Callable[[Any], str]
    width: int = 0
    """Its width in pixels at 1x (0: sized by the table)."""


def _or_dash(text: str) -> str:
    return display_text(text) if text else NOT_STATED


_MODEL = Column("Model", "The model's name", lambda r: display_text(r.model))
"""The model's name: it takes the room the short columns leave (with any sentence column)."""
_VERSION = Column("Version", "The card version", lambda r: display_text(r.version), 70)
_TEAM = Column("Team", "The team that sent the model", lambda r: _or_dash(r.team), 160)

COLUMNS: dict[DeskList, tuple[Column, ...]] = {
    DeskList.TO_REVIEW: (
        _MODEL,
        _VERSION,
        _TEAM,
        Column(
            "Risk tier",
            "The officer's risk classification of the model, else the risk tier its card states",
            lambda r: _or_dash(r.risk_tier),
            70,
        ),
        Column(
            "Imported", "When the card version arrived", lambda r: local_date(r.imported_at), 90
        ),
        Column("Warnings", "Problems the reader noted in the card", lambda r: str(r.warnings), 70),
    ),
    DeskList.AWAITING_SIGNATURE: (
        _MODEL,
        _VERSION,
        Column("Stage", "The stage the round is for", lambda r: r.stage or "any", 80),
        Column("Checklist", "The round's checklist", lambda r: display_text(r.template), 150),
        Column(
            "Approvals",
            "Approvals so far, of the checklist's quorum",
            lambda r: f"{r.approvals} of {r.quorum}",
            80,
        ),
        Column("Opened", "When the round was opened", lambda r: local_date(r.opened_at), 90),
        Column(
            "Signed by",
            "Who has signed the round so far",
            lambda r: display_text(", ".join(r.signed_by)) or NOT_STATED,
        ),
    ),
    DeskList.CHANGES_REQUESTED: (
        _MODEL,
        _VERSION,
        _TEAM,
        Column("Stage", "The stage the round was for", lambda r: r.stage or "any", 80),
        Column(
            "Requested", "When changes were requested", lambda r: local_date(r.requested_at), 90
        ),
        Column("By", "Who requested them", lambda r: _or_dash(r.requested_by)),
    ),
    DeskList.EXPIRING: (
        _MODEL,
        _VERSION,
        Column("Stage", "The stage the approval is for", lambda r: r.stage or "any", 80),
        Column("Expires", "The last day the approval holds", lambda r: r.expires_on, 90),
        Column("When", "From today", lambda r: r.when, 130),
        Column(
            "Conditions",
            "The conditions the approval was signed with",
            lambda r: display_text("; ".join(r.conditions)) or NOT_STATED,
        ),
    ),
    DeskList.IMPORT_WARNINGS: (
        _MODEL,
        _VERSION,
        Column(
            "Imported", "When the card version arrived", lambda r: local_date(r.imported_at), 90
        ),
        Column("Warnings", "Problems the reader noted", lambda r: str(r.warnings), 70),
        Column("First warning", "The first problem, in words", lambda r: display_text(r.first)),
    ),
}
"""The columns of each list but the approved one, whose columns are the registry's stages."""


def _approved_for(stage: str) -> Callable[[Any], str]:
    """The cell text of the approved list's column for ``stage``."""

    def text(row: ApprovedWhere) -> str:
        return _or_dash(row.approved_for(stage))

    return text


def approved_columns(stages: Sequence[str]) -> tuple[Column, ...]:
    """The approved list's columns: the model, its team, then one per stage in order."""
    return (
        _MODEL,
        _TEAM,
        *(
            Column(
                stage.capitalize(),
                f"The card version approved for {stage} (revoked approvals left out)",
                _approved_for(stage),
                90,
            )
            for stage in stages
        ),
    )


class DeskTableModel(ListTableModel[DeskRowType]):
    """One list of the desk: its first page as read with the desk, then a page more at a time."""

    def __init__(
        self,
        desk: DeskService | None,
        kind: DeskList,
        parent: QObject | None = None,
        *,
        page_size: int = PAGE_SIZE,
    ) -> None:
        self.columns = COLUMNS.get(kind, approved_columns(()))
        super().__init__([c.title for c in self.columns], parent, header_tips=self._tips())
        self._desk = desk
        self.kind = kind
        self._page_size = page_size
        self._officer = Officer((), ())
        self.total = 0

    def _tips(self) -> list[str]:
        return [c.tip for c in self.columns]

    def show_page(self, page: AnyPage, officer: Officer, stages: Sequence[str] = ()) -> None:
        """Show the first page of the list (read with the desk), forgetting what was shown."""
        if self.kind == DeskList.APPROVED:
            self.columns = approved_columns(stages)
            self._headers = tuple(c.title for c in self.columns)
            self._header_tips = tuple(self._tips())
        self._officer = officer
        self.total = page.total
        self.set_rows(page.rows)

    def cell(self, item: DeskRowType, column: int, role: int) -> Any:
        """Cell text; the whole text as a tooltip, with the comment of a request for changes."""
        text = self.columns[column].text(item)
        if role == Qt.ItemDataRole.DisplayRole:
            return text
        if role == Qt.ItemDataRole.ToolTipRole:
            return _tip(item, text)
        if role == NAME_ROLE:
            return item.model
        if role == VERSION_ROLE:
            return item.version
        return None

    def canFetchMore(self, parent: _Index) -> bool:  # noqa: N802 - Qt API
        """Whether the list has rows not read yet (and a desk service to read them from)."""
        return self._desk is not None and not parent.isValid() and len(self._rows) < self.total

    def fetchMore(self, parent: _Index) -> None:  # noqa: N802 - Qt API
        """Read the next page (indexed: a few milliseconds however long the list)."""
        if self._desk is None or not self.canFetchMore(parent):
            return
        try:
            page: DeskPage[Any] = self._desk.page(
                self.kind, self._officer, len(self._rows), self._page_size
            )
        except CountersignError:
            return  # the registry could not be read just now: asked again on the next scroll
        if not page.rows:
            self.total = len(self._rows)  # the list shrank since it was counted
            return
        start = len(self._rows)
        self.beginInsertRows(QModelIndex(), start, start + len(page.rows) - 1)
        self._rows.extend(page.rows)
        self.endInsertRows()

    def caption(self) -> str:
        """How many rows the list has, in words (``1 version``, ``2 rounds``)."""
        return counted(self.total, *_NOUNS[self.kind])


_NOUNS: dict[DeskList, tuple[str, str]] = {
    DeskList.TO_REVIEW: ("card version", "card versions"),
    DeskList.AWAITING_SIGNATURE: ("round", "rounds"),
    DeskList.CHANGES_REQUESTED: ("card version", "card versions"),
    DeskList.APPROVED: ("model", "models"),
    DeskList.EXPIRING: ("approval", "approvals"),
    DeskList.IMPORT_WARNINGS: ("card version", "card versions"),
}


def _tip(item: DeskRowType, text: str) -> str:
    """The cell's whole text; a request for changes adds its comment, an import its time."""
    if isinstance(item, ChangesRequested) and item.comment:
        return f"{text}\n\n{display_text(item.requested_by)}: “{display_text(item.comment)}”"
    if isinstance(item, ImportWarnings | ToReview):
        return f"{text}\n\nImported {local_time(item.imported_at)}"
    return text
