"""The audit trail as a table: events read lazily in chain order, and one event in full.

Plain records come from :class:`~countersign.services.audit.records.AuditTrail`
(never ORM objects, never a session here), a page at a time by id, so a long
trail costs only what the officer scrolls through; each event reads in words.
"""

from __future__ import annotations

import bisect
import datetime
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QApplication, QStyle, QWidget

from countersign.errors import RegistryError
from countersign.models.safe_text import display_text
from countersign.models.vocabulary import AuditAction
from countersign.services.audit.records import AuditRecord, AuditTrail
from countersign.services.audit.trail import TRAIL_START, TrailKey, key_of
from countersign.services.audit.wording import action_label, describe_in_trail, details_summary
from countersign.views.widgets.list_table import ListTableModel

AnyIndex = QModelIndex | QPersistentModelIndex

KNOWN_ACTIONS = tuple(AuditAction)
"""Actions offered in the filter before any event is loaded; others are added as seen."""

_BROKEN_BACKGROUND = QColor(220, 40, 40, 90)


@dataclass(frozen=True)
class AuditRow:
    """One event as the table shows it, in words (the full details are read on selection)."""

    id: int
    at: str
    actor: str
    action: str
    model_name: str
    label: str
    """The kind of event in words."""
    text: str
    """What happened, in one sentence (the model is in its own column)."""
    sentence: str
    """What happened, the model named too: the whole sentence for the tooltip."""
    summary: str
    """The stored details on one line, for the tooltip."""
    merged_by: int | None = None
    """For work merged from another registry: the event that merged it (``id`` is then the
    event's id in the registry it was made in)."""

    @property
    def key(self) -> TrailKey:
        """Where the event stands in the whole trail (merged work just before its merge)."""
        return key_of(self.id, self.merged_by)

    @property
    def shown_id(self) -> str:
        """The Event column: merged work keeps its source's id, marked as merged."""
        return str(self.id) if self.merged_by is None else f"{self.id} (merged)"


def local_time(at: str) -> str:
    """A stored UTC timestamp in the officer's local time, to the second."""
    try:
        moment = datetime.datetime.strptime(at, "%Y-%m-%dT%H:%M:%S.%fZ")
    except ValueError:
        return at
    local = moment.replace(tzinfo=datetime.UTC).astimezone()
    return local.strftime("%Y-%m-%d %H:%M:%S")


def audit_row(record: AuditRecord) -> AuditRow:
    """The table row of one audit record (merged work said first, as on the History tab)."""
    return AuditRow(
        id=record.id,
        at=record.at,
        actor=record.actor,
        action=record.action,
        model_name=record.model_name,
        label=action_label(record.action),
        text=describe_in_trail(record, within_model=True),
        sentence=describe_in_trail(record),
        summary=details_summary(record.details),
        merged_by=record.merged_by,
    )


def _broken_mark(column: int, role: int) -> Any:
    """How the event where the chain breaks stands out: an icon, a tip, red, bold."""
    if role == Qt.ItemDataRole.DecorationRole and column == 0:
        return QApplication.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical)
    if role == Qt.ItemDataRole.ToolTipRole and column == 0:
        return "The audit chain breaks at this event"
    if role == Qt.ItemDataRole.BackgroundRole:
        return _BROKEN_BACKGROUND
    if role == Qt.ItemDataRole.FontRole:
        bold = QFont()
        bold.setBold(True)
        return bold
    return None


class AuditEventModel(ListTableModel[AuditRow]):
    """The whole trail in order, read lazily a page at a time (keyset paging by
    :attr:`AuditRow.key`: the work a merge brought comes just before it, even across pages)."""

    load_failed = Signal(str)

    HEADERS = ("Event", "Time", "Actor", "Action", "Model", "What happened")

    def __init__(self, trail: AuditTrail, page_size: int = 200, parent: QWidget | None = None):
        super().__init__(self.HEADERS, parent)
        self._trail = trail
        self._page_size = page_size
        self._keys: list[TrailKey] = []
        self._exhausted = False
        self._model_name: str | None = None
        self._action: str | None = None
        self._broken_id: int | None = None
        self.seen_actions: set[str] = set()
        self._busy = False  # rows are being reset or inserted: asking for more reads none

    # -- filters and marks ------------------------------------------------------

    def set_filter(self, model_name: str | None, action: str | None) -> None:
        """Show only the events of one model and/or one action (None: all)."""
        self._model_name = model_name or None
        self._action = action or None
        self.reload()

    def has_filter(self) -> bool:
        """Whether some events are hidden by a filter."""
        return self._model_name is not None or self._action is not None

    def reload(self) -> None:
        """Forget the rows read so far; they are read again as they are needed."""
        # Whoever listens to modelReset (a view, Qt's model tester) may ask for
        # more rows before endResetModel returns; that waits for the reset to end.
        self._busy = True
        try:
            self.beginResetModel()
            self._rows, self._keys, self._exhausted = [], [], False
            self.endResetModel()
        finally:
            self._busy = False

    def mark_broken(self, event_id: int | None) -> None:
        """Highlight the first broken event of the chain (None: nothing is broken)."""
        old, self._broken_id = self._broken_id, event_id
        for changed in {old, event_id} - {None}:
            row = self.row_of(changed) if changed is not None else None
            if row is not None:
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.HEADERS) - 1))

    def row_of(self, event_id: int) -> int | None:
        """The row showing this registry's own event ``event_id``, if it is read already."""
        key = key_of(event_id)
        position = bisect.bisect_left(self._keys, key)
        if position < len(self._keys) and self._keys[position] == key:
            return position
        return None

    def fetch_until(self, event_id: int) -> int | None:
        """Read pages until ``event_id`` is read (or the trail ends); its row, if shown."""
        while (not self._keys or self._keys[-1] < key_of(event_id)) and self.canFetchMore(
            QModelIndex()
        ):
            self.fetchMore(QModelIndex())
        return self.row_of(event_id)

    def row(self, row: int) -> AuditRow:
        """The event shown in ``row``."""
        return self.item(row)

    def detail(self, row: AuditRow) -> AuditRecord | None:
        """The full event of ``row`` from the registry (None if it is gone)."""
        if row.merged_by is not None:
            return self._trail.merged_event(row.merged_by, row.id)
        return self._trail.event(row.id)

    # -- lazy reading -----------------------------------------------------------

    def canFetchMore(self, parent: AnyIndex) -> bool:  # noqa: N802
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent: AnyIndex) -> None:  # noqa: N802
        if parent.isValid() or self._exhausted or self._busy:
            return
        after = self._keys[-1] if self._keys else TRAIL_START
        try:
            records = self._trail.events(
                model_name=self._model_name,
                action=self._action,
                after=after,
                limit=self._page_size,
            )
            rows = [audit_row(record) for record in records]
        except RegistryError as error:
            self._exhausted = True
            self.load_failed.emit(str(error))
            return
        if len(rows) < self._page_size:
            self._exhausted = True
        if not rows:
            return
        # Whoever listens to the insertion may ask for more rows before it ends: they wait
        # for it, as they wait for a reset (else they would read this page again).
        self._busy = True
        try:
            self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows) + len(rows) - 1)
            self._rows.extend(rows)
            self._keys.extend(row.key for row in rows)
            self.seen_actions.update(row.action for row in rows)
            self.endInsertRows()
        finally:
            self._busy = False

    # -- table ----------------------------------------------------------------------

    def cell(self, row: AuditRow, column: int, role: int) -> Any:
        """Cell text, full values as tooltips; the event where the chain breaks marked red."""
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                row.shown_id,
                local_time(row.at),
                display_text(row.actor),
                row.label,
                display_text(row.model_name),
                display_text(row.text),
            )[column]
        if role == Qt.ItemDataRole.ToolTipRole and column == 1:
            return f"{row.at} (UTC)"
        if role == Qt.ItemDataRole.ToolTipRole and column == 5:
            return (
                f"{row.sentence}\n\nStored details: {row.summary}" if row.summary else row.sentence
            )
        if row.merged_by is None and row.id == self._broken_id:
            mark = _broken_mark(column, role)
            if mark is not None:
                return mark
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 0:
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        return None
