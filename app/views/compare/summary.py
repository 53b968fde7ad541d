"""The top of the Compare tab: how much changed, the changed fields, and the metrics moved.

Both tables are thin models over the diff service's own lists (a comparison
holds them whole, so there is nothing to page).  A metric's delta is coloured
by its verdict: green when it got better, red when worse, plain when the
metric's direction is unknown.
"""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QObject, Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QLabel, QSplitter, QTableView, QVBoxLayout, QWidget

from countersign.services.diff.card_diff import CardDiff, FieldChange
from countersign.services.diff.diff_report import DIRECTION_WORDS, format_delta
from countersign.services.diff.metric_diff import MetricChange
from countersign.views.widgets.list_table import ListTableModel, set_up_row_table

FIELD_HEADERS = ("Change", "Field", "Old", "New")
METRIC_HEADERS = ("Metric", "Old", "New", "Δ", "Verdict", "Dataset / split / slice")
"""Where a result was measured comes last: in a narrow window the numbers stay in view."""

BETTER = QColor("#2f8f5b")
WORSE = QColor("#c8433a")
"""The colours of better and worse, the same as approved and rejected."""

VALUE_CHARS = 120
"""Characters of a value shown in a cell; the tooltip holds it whole."""

SECTIONS_CHARS = 140
"""Past this length the list of changed sections is only counted (its names in the tooltip)."""

VERDICT_TEXT = {
    "better": "▲ better",
    "worse": "▼ worse",
    "same": "same value",
    "unknown": "cannot judge",
}


def value_text(value: Any) -> str:
    """A field value as one line for a table cell."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = " ".join(text.split())
    return text if len(text) <= VALUE_CHARS else text[: VALUE_CHARS - 1] + "…"


class FieldChangesModel(ListTableModel[FieldChange]):
    """The changed fields and list items of a comparison, in card order."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(FIELD_HEADERS, parent)

    def set_changes(self, changes: list[FieldChange]) -> None:
        """Show ``changes``."""
        self.set_rows(changes)

    def change(self, row: int) -> FieldChange:
        """The change on ``row``."""
        return self.item(row)

    def cell(self, change: FieldChange, column: int, role: int) -> Any:
        """Cell text; whole values as tooltips."""
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return change.kind
            if column == 1:
                return change.path
            return value_text(change.old if column == 2 else change.new)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == 1:
                return f"{change.path}\n(section: {change.section})"
            if column in (2, 3):
                value = change.old if column == 2 else change.new
                return value_text(value) and _whole(value)
        if role == Qt.ItemDataRole.ForegroundRole and column == 0:
            return {"added": BETTER, "removed": WORSE}.get(change.kind)
        return None


class MetricChangesModel(ListTableModel[MetricChange]):
    """The metric results added, removed or changed, with old, new and coloured delta."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(METRIC_HEADERS, parent)

    def set_changes(self, changes: list[MetricChange]) -> None:
        """Show ``changes``."""
        self.set_rows(changes)

    def change(self, row: int) -> MetricChange:
        """The metric change on ``row``."""
        return self.item(row)

    def cell(self, change: MetricChange, column: int, role: int) -> Any:
        """Cell text; the delta and verdict coloured by whether the change is better or worse."""
        if role == Qt.ItemDataRole.DisplayRole:
            return _metric_cell(change, column)
        if role == Qt.ItemDataRole.ForegroundRole and column in (3, 4):
            return {"better": BETTER, "worse": WORSE}.get(change.verdict)
        if (
            role == Qt.ItemDataRole.FontRole
            and column == 3
            and change.verdict in ("better", "worse")
        ):
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (1, 2, 3):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return _metric_tooltip(change)
        return None


def _metric_cell(change: MetricChange, column: int) -> str:
    key = change.key
    if column == 0:
        return key.name
    if column == 1:
        return change.old.value if change.old is not None else "—"
    if column == 2:
        return change.new.value if change.new is not None else "—"
    if column == 3:
        return format_delta(change.delta) if change.delta is not None else ""
    if column == 4:
        return change.kind if change.kind != "changed" else VERDICT_TEXT[change.verdict]
    return " / ".join(part for part in (key.dataset, key.split, key.slice) if part) or "—"


def _metric_tooltip(change: MetricChange) -> str:
    lines = [f"{change.key.label()}: {change.kind}", DIRECTION_WORDS[change.direction]]
    others = [name for name in change.changed_fields if name != "value"]
    if others:
        lines.append(f"also changed: {', '.join(others)}")
    return "\n".join(lines)


def _whole(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, indent=1)
    return text[:4_000]


def _table(
    model: QAbstractTableModel, name: str, widths: tuple[int, ...], parent: QWidget
) -> QTableView:
    table = QTableView(parent)
    set_up_row_table(table, model, name, widths)
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 6)
    return table


class CompareSummary(QWidget):
    """How many fields changed, which ones, and a table of the metrics that moved."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.headline = QLabel(self)
        self.headline.setAccessibleName("Summary of the changes")
        self.headline.setTextFormat(Qt.TextFormat.PlainText)
        self.headline.setWordWrap(True)
        font = self.headline.font()
        font.setBold(True)
        self.headline.setFont(font)
        self.sections = QLabel(self)
        self.sections.setAccessibleName("Sections added, removed or changed")
        self.sections.setTextFormat(Qt.TextFormat.PlainText)
        self.sections.setWordWrap(True)
        self.fields = FieldChangesModel(self)
        self.metrics = MetricChangesModel(self)
        self.fields_table = _table(self.fields, "Changed fields", (70, 300, 150), self)
        self.metrics_table = _table(self.metrics, "Changed metrics", (150, 60, 60, 66, 96), self)
        self.tables = QSplitter(Qt.Orientation.Horizontal, self)
        self.tables.setChildrenCollapsible(False)
        self.tables.addWidget(self.fields_table)
        self.tables.addWidget(self.metrics_table)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.headline)
        layout.addWidget(self.sections)
        layout.addWidget(self.tables, 1)

    def show_diff(self, headline: str, diff: CardDiff | None) -> None:
        """Show ``diff`` under ``headline`` (nothing but the headline when None)."""
        self.headline.setText(headline)
        self.fields.set_changes(diff.fields if diff is not None else [])
        self.metrics.set_changes(diff.metrics if diff is not None else [])
        by_kind: dict[str, list[str]] = {}
        for section in diff.sections if diff is not None else []:
            by_kind.setdefault(section.kind, []).append(section.title)
        full = " · ".join(
            f"Sections {kind}: {', '.join(titles)}" for kind, titles in by_kind.items()
        )
        # Many changed sections would push the tables out of a narrow window: count them
        # there, and keep every title in the tooltip.
        short = " · ".join(
            f"{len(titles)} section{'s' if len(titles) != 1 else ''} {kind}"
            for kind, titles in by_kind.items()
        )
        self.sections.setText(full if len(full) <= SECTIONS_CHARS else short + " (hover for names)")
        self.sections.setToolTip(full)
        self.sections.setVisible(bool(by_kind))
        self.metrics_table.setVisible(diff is not None and bool(diff.metrics))
        self.fields_table.setVisible(diff is not None and bool(diff.fields))
