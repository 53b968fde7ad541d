"""The draft editor's metrics table: one editable row per reported result.

A thin table model over the draft card's list of
:class:`~countersign.models.card.MetricResult`: editing a cell replaces
that one field (the value's number is read again from its text), and every
field without a column (type, threshold, details) stays as it was.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from countersign.models.card import MetricResult, parse_metric_number

Index = QModelIndex | QPersistentModelIndex

COLUMNS: tuple[tuple[str, str], ...] = (
    ("name", "Metric"),
    ("value", "Value"),
    ("dataset", "Dataset"),
    ("split", "Split"),
    ("slice", "Slice"),
    ("task", "Task"),
)
"""(MetricResult field, header) of each column, left to right."""

_TIPS = {
    "name": "What is measured (accuracy, auc, f1); it is also the metric's id unless the card "
    "gave another",
    "value": "As reported: 0.92, 96.5%, 20.0 ± 1.2; the number is read from the text",
    "dataset": "The data set it was measured on (a Hugging Face card needs one)",
    "split": "train, validation or test",
    "slice": "The subgroup, empty for the overall figure (age < 25, region = north)",
    "task": "The task it measures (image-classification); a Hugging Face card needs one",
}


class MetricsTableModel(QAbstractTableModel):
    """The metric results of a draft card, editable cell by cell."""

    edited = Signal()
    """Any change to the results: a cell, a row added or removed."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._results: list[MetricResult] = []

    def set_results(self, results: list[MetricResult]) -> None:
        """Show ``results`` (copied: the table edits its own list)."""
        self.beginResetModel()
        self._results = [result.model_copy(deep=True) for result in results]
        self.endResetModel()

    def results(self) -> list[MetricResult]:
        """The results as edited, in table order."""
        return [result.model_copy(deep=True) for result in self._results]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt API
        """One row per result."""
        return 0 if parent.isValid() else len(self._results)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt API
        """One column per field in :data:`COLUMNS`."""
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        """A result's field as text (display and edit), with a tip saying what it holds."""
        if not index.isValid() or not 0 <= index.row() < len(self._results):
            return None
        field = COLUMNS[index.column()][0]
        result = self._results[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return str(getattr(result, field))
        if role == Qt.ItemDataRole.ToolTipRole:
            if field == "value" and result.value and result.numeric is None:
                return f"{result.value!r} holds no number: reviewers' checks cannot compare it"
            return _TIPS[field]
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{COLUMNS[index.column()][1]}: {getattr(result, field)}"
        return None

    def setData(  # noqa: N802 - Qt API
        self, index: Index, value: object, role: int = Qt.ItemDataRole.EditRole
    ) -> bool:
        """Replace one field of one result; the value's number is read again from its text."""
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        if not 0 <= index.row() < len(self._results):
            return False
        field = COLUMNS[index.column()][0]
        text = "" if value is None else str(value)
        result = self._results[index.row()]
        if getattr(result, field) == text:
            return False
        changes: dict[str, object] = {field: text}
        if field == "value":
            changes["numeric"] = parse_metric_number(text)
        if field == "name" and result.type in ("", result.name):
            changes["type"] = text  # the id follows the name unless the card gave its own
        self._results[index.row()] = result.model_copy(update=changes)
        self.dataChanged.emit(index, index, [role, Qt.ItemDataRole.DisplayRole])
        self.edited.emit()
        return True

    def flags(self, index: Index) -> Qt.ItemFlag:
        """Every cell is editable."""
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEditable

    def headerData(  # noqa: N802 - Qt API
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        """Column titles, with a tip; rows are numbered."""
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            if role == Qt.ItemDataRole.DisplayRole:
                return COLUMNS[section][1]
            if role == Qt.ItemDataRole.ToolTipRole:
                return _TIPS[COLUMNS[section][0]]
        if (
            orientation == Qt.Orientation.Vertical
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(self._results)
        ):
            return str(section + 1)
        return None

    def insertRows(self, row: int, count: int, parent: Index = QModelIndex()) -> bool:  # noqa: N802, B008 - Qt API
        """Insert ``count`` empty results before ``row``."""
        if parent.isValid() or count < 1 or not 0 <= row <= len(self._results):
            return False
        self.beginInsertRows(QModelIndex(), row, row + count - 1)
        for _ in range(count):
            self._results.insert(row, MetricResult(name=""))
        self.endInsertRows()
        self.edited.emit()
        return True

    def removeRows(self, row: int, count: int, parent: Index = QModelIndex()) -> bool:  # noqa: N802, B008 - Qt API
        """Remove ``count`` results from ``row`` on."""
        if parent.isValid() or count < 1 or row < 0 or row + count > len(self._results):
            return False
        self.beginRemoveRows(QModelIndex(), row, row + count - 1)
        del self._results[row : row + count]
        self.endRemoveRows()
        self.edited.emit()
        return True
