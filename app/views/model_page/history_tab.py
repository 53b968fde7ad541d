"""The History tab: the audit events of one model, in the order they happened.

Events are read a page at a time by id from the hash-chained audit trail;
the whole trail, with its verification, is in Tools ▸ Audit trail.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QLabel, QTableView, QVBoxLayout, QWidget

from countersign.services.audit.trail import event_details, list_events
from countersign.services.storage.database import Database
from countersign.views.presentation import local_time
from countersign.views.widgets.list_table import ListTableModel, set_up_row_table

HEADERS = ("When", "Action", "By", "Object", "Details")

PAGE_SIZE = 200
"""Events fetched per page."""

_Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class HistoryEvent:
    """One audit event as the History tab shows it (plain data, no session)."""

    id: int
    at: str
    actor: str
    action: str
    object: str
    details: str


def load_history(
    database: Database, model_name: str, after_id: int = 0, limit: int = PAGE_SIZE
) -> list[HistoryEvent]:
    """The next ``limit`` events of ``model_name`` after event ``after_id``."""
    with database.read() as session:
        return [
            HistoryEvent(
                id=event.id,
                at=event.at,
                actor=event.actor,
                action=event.action,
                object=f"{event.object_type} {event.object_id}",
                details=_details_text(event_details(event)),
            )
            for event in list_events(session, model_name=model_name, after_id=after_id, limit=limit)
        ]


def _details_text(details: dict[str, Any]) -> str:
    parts = []
    for key, value in details.items():
        shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        parts.append(f"{key}: {shown}")
    return "; ".join(parts)


class HistoryTableModel(ListTableModel[HistoryEvent]):
    """A model's audit events, oldest first, fetched lazily by id."""

    def __init__(
        self, database: Database, parent: QObject | None = None, *, page_size: int = PAGE_SIZE
    ) -> None:
        super().__init__(HEADERS, parent)
        self._database = database
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
        """Cell text; the exact time and full details as tooltips."""
        if role == Qt.ItemDataRole.DisplayRole:
            return (local_time(item.at), item.action, item.actor, item.object, item.details)[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == 0:
                return f"{item.at} (event {item.id})"
            if column == 4:
                return item.details or None
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
        after = self._rows[-1].id if self._rows else 0
        page = load_history(self._database, self._model_name, after, self._page_size)
        if len(page) < self._page_size:
            self._exhausted = True
        return page


class HistoryTab(QWidget):
    """Lists what happened to one model, from the audit trail."""

    def __init__(self, database: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = HistoryTableModel(database, self)
        intro = QLabel(
            "What happened to this model, from the tamper-evident audit trail "
            "(Tools ▸ Audit trail… shows every event and verifies the chain).",
            self,
        )
        intro.setWordWrap(True)
        self.table = QTableView(self)
        set_up_row_table(self.table, self.model, "Model history", (124, 170, 90, 130))
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
