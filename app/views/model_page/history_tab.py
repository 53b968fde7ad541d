"""The History tab: the audit events of one model, in the order they happened.

Events are read a page at a time from the hash-chained audit trail, work merged
from another registry just before the event that merged it (as everywhere);
the whole trail, with its verification, is in Tools ▸ Audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QLabel, QTableView, QVBoxLayout, QWidget

from countersign.models.safe_text import display_text
from countersign.services.audit.records import AuditTrail
from countersign.services.audit.trail import TRAIL_START, TrailKey
from countersign.services.audit.wording import action_label, describe_in_trail, details_summary
from countersign.views.presentation import local_time
from countersign.views.widgets.list_table import ListTableModel, set_up_row_table

HEADERS = ("When", "Action", "By", "What happened")

PAGE_SIZE = 200
"""Events fetched per page."""

_Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class HistoryEvent:
    """One audit event as the History tab shows it, in words (plain data, no session)."""

    id: int
    """The event's place in this registry's chain (for merged work: the event that merged it)."""
    key: TrailKey
    """Where it stands in the whole trail (what the next page is read after)."""
    at: str
    actor: str
    action: str
    """The kind of event, labelled."""
    text: str
    """What happened, in one sentence."""
    details: str
    """The stored details on one line, for the tooltip."""


def load_history(
    trail: AuditTrail, model_name: str, after: TrailKey = TRAIL_START, limit: int = PAGE_SIZE
) -> list[HistoryEvent]:
    """The next ``limit`` events of ``model_name`` after the event whose key is ``after``:
    the work merged into it from other registries just before the event that merged it."""
    return [
        HistoryEvent(
            id=record.position,
            key=record.key,
            at=record.at,
            actor=record.actor,
            action=action_label(record.action),
            text=describe_in_trail(record, within_model=True),
            details=details_summary(record.details),
        )
        for record in trail.events(model_name=model_name, after=after, limit=limit)
    ]


class HistoryTableModel(ListTableModel[HistoryEvent]):
    """A model's audit events, oldest first, fetched lazily by id."""

    def __init__(
        self, trail: AuditTrail, parent: QObject | None = None, *, page_size: int = PAGE_SIZE
    ) -> None:
        super().__init__(HEADERS, parent)
        self._trail = trail
        self._page_size = page_size
        self._model_name = ""
        self._exhausted = True
        self._announcing = False

    def set_model_name(self, model_name: str) -> None:
        """Show the events of ``model_name`` (the first page is read now)."""
        # No rows are inserted while a change is announced (see ModelsTableModel).
        self._announcing = True
        try:
            self.beginResetModel()
            self._model_name = model_name
            self._rows = []
            self._exhausted = not model_name
            if model_name:
                self._rows = self._next_page()
            self.endResetModel()
        finally:
            self._announcing = False

    def cell(self, item: HistoryEvent, column: int, role: int) -> Any:
        """Cell text; the exact time, and the whole sentence with the stored details, as tooltips."""
        if role == Qt.ItemDataRole.DisplayRole:
            cells = (local_time(item.at), item.action, item.actor, item.text)
            return display_text(cells[column])
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == 0:
                return f"{item.at} (event {item.id})"
            if column == 3:
                return (
                    f"{item.text}\n\nStored details: {item.details}" if item.details else item.text
                )
        return None

    def canFetchMore(self, parent: _Index) -> bool:  # noqa: N802 - Qt API
        """Whether the trail may hold more events of this model."""
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent: _Index) -> None:  # noqa: N802 - Qt API
        """Read the next page of events."""
        if parent.isValid() or self._exhausted or self._announcing:
            return
        page = self._next_page()
        if page:
            start = len(self._rows)
            self._announcing = True
            try:
                self.beginInsertRows(QModelIndex(), start, start + len(page) - 1)
                self._rows.extend(page)
                self.endInsertRows()
            finally:
                self._announcing = False

    def _next_page(self) -> list[HistoryEvent]:
        after = self._rows[-1].key if self._rows else TRAIL_START
        page = load_history(self._trail, self._model_name, after, self._page_size)
        if len(page) < self._page_size:
            self._exhausted = True
        return page


class HistoryTab(QWidget):
    """Lists what happened to one model, from the audit trail."""

    def __init__(self, trail: AuditTrail, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = HistoryTableModel(trail, self)
        intro = QLabel(
            "What happened to this model, from the tamper-evident audit trail "
            "(Tools ▸ Audit trail… shows every event and verifies the chain).",
            self,
        )
        intro.setWordWrap(True)
        self.table = QTableView(self)
        set_up_row_table(self.table, self.model, "Model history", (118, 160, 110))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)

    def show_model(self, model_name: str) -> None:
        """Show the events of ``model_name``."""
        self.model.set_model_name(model_name)

    def clear(self) -> None:
        """Show nothing."""
        self.model.set_model_name("")
