"""The top of the Compare tab: how much changed, in which sections, and the metrics moved.

Both tables are thin models over the diff service's own lists (a comparison
holds them whole, so there is nothing to page).  A metric row leads with what
was measured and where (metric, then dataset / split / slice, elided in the
middle so the slice stays in view, whole in the tooltip); its delta is coloured
by its verdict: green when it got better, red when worse, plain when the
metric's direction is unknown.  Worse rows are tinted and, by default, listed
first, so a regression on one slice reads without scrolling.  The changed
fields' table is made here and placed by the tab (beside the card text).
"""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QObject, Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from countersign.services.diff.card_diff import CardDiff, FieldChange
from countersign.services.diff.diff_report import format_delta
from countersign.services.diff.metric_diff import MetricChange
from countersign.views.appearance.colours import BAD, GOOD
from countersign.views.widgets.list_table import ListTableModel, set_up_row_table

FIELD_HEADERS = ("Change", "Field", "Old", "New")
METRIC_HEADERS = ("Metric", "Dataset / split / slice", "Old", "New", "Δ", "Verdict")
"""What was measured and where lead the row: seven rows of "AUC" say nothing alone."""

WHERE_COLUMN = 1
"""The column of dataset / split / slice (stretched, elided in the middle)."""


_VERDICT_COLOURS = {"better": GOOD, "added": GOOD, "worse": BAD, "removed": BAD}
"""Better and added read as approved does; worse and removed as rejected."""


def _coloured(word: str) -> QColor | None:
    """The text colour of a verdict or kind of change on the palette shown, if it has one."""
    colour = _VERDICT_COLOURS.get(word)
    return colour.on() if colour is not None else None


WORSE_ROW = QColor(200, 67, 58, 38)
"""The tint of a row that got worse (translucent: it reads on light and dark palettes)."""

VALUE_CHARS = 120
"""Characters of a value shown in a cell; the tooltip holds it whole."""

VERDICT_TEXT = {
    "better": "▲ better",
    "worse": "▼ worse",
    "same": "same value",
    "unknown": "cannot judge",
}

SECTION_KIND_WORDS = {"added": "added", "removed": "removed", "changed": "changed"}


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
            return _coloured(change.kind)
        return None


class MetricChangesModel(ListTableModel[MetricChange]):
    """The metric results added, removed or changed, with old, new and coloured delta."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(METRIC_HEADERS, parent)
        self._changes: list[MetricChange] = []
        self._worse_first = True

    @property
    def worse_first(self) -> bool:
        """Whether the results that got worse are listed before the rest."""
        return self._worse_first

    def set_changes(self, changes: list[MetricChange]) -> None:
        """Show ``changes`` (worse ones first when so chosen, else in card order)."""
        self._changes = list(changes)
        self.set_rows(worse_ones_first(self._changes) if self._worse_first else self._changes)

    def set_worse_first(self, on: bool) -> None:
        """List the results that got worse first (True) or keep the card's order."""
        self._worse_first = on
        self.set_changes(self._changes)

    def change(self, row: int) -> MetricChange:
        """The metric change on ``row``."""
        return self.item(row)

    def cell(self, change: MetricChange, column: int, role: int) -> Any:
        """Cell text; the delta and verdict coloured by whether the change is better or worse."""
        if role == Qt.ItemDataRole.DisplayRole:
            return _metric_cell(change, column)
        if role == Qt.ItemDataRole.ForegroundRole and column in (4, 5):
            return _coloured(change.verdict)
        if role == Qt.ItemDataRole.BackgroundRole and change.verdict == "worse":
            return WORSE_ROW
        if role == Qt.ItemDataRole.FontRole and (
            (column == 4 and change.verdict in ("better", "worse"))
            or (change.verdict == "worse" and column in (0, 1, 5))
        ):
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (2, 3, 4):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return _metric_tooltip(change)
        return None


def worse_ones_first(changes: list[MetricChange]) -> list[MetricChange]:
    """``changes`` with those that got worse first, each group in its own order."""
    return sorted(changes, key=lambda change: change.verdict != "worse")


def where_text(change: MetricChange) -> str:
    """Where a result was measured: dataset / split / slice, or a dash."""
    key = change.key
    return " / ".join(part for part in (key.dataset, key.split, key.slice) if part) or "—"


def _metric_cell(change: MetricChange, column: int) -> str:
    if column == 0:
        return change.key.name
    if column == WHERE_COLUMN:
        return where_text(change)
    if column == 2:
        return change.old.value if change.old is not None else "—"
    if column == 3:
        return change.new.value if change.new is not None else "—"
    if column == 4:
        return format_delta(change.delta) if change.delta is not None else ""
    return change.kind if change.kind != "changed" else VERDICT_TEXT[change.verdict]


def _metric_tooltip(change: MetricChange) -> str:
    lines = [f"{change.key.label()}: {change.kind}"]
    if change.kind == "changed" and change.verdict in ("better", "worse"):
        lines.append(change.rule.verdict_words(change.verdict))
    lines.append(change.rule.words())
    if change.rule.term:
        lines.append(f"metric policy term: {change.rule.term}")
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


def sections_text(diff: CardDiff | None) -> str:
    """The sections added, removed or changed, by name: ``Sections changed: Factors, Metrics``."""
    by_kind: dict[str, list[str]] = {}
    for section in diff.sections if diff is not None else []:
        by_kind.setdefault(section.kind, []).append(section.title)
    return " · ".join(
        f"Section{'s' if len(titles) != 1 else ''} {SECTION_KIND_WORDS[kind]}: {', '.join(titles)}"
        for kind, titles in by_kind.items()
    )


def metrics_caption(diff: CardDiff | None) -> str:
    """How the metric results moved, worst news first: ``Metrics: 1 worse, 7 better, 2 added``."""
    if diff is None or not diff.metrics:
        return ""
    counts: dict[str, int] = {}
    for change in diff.metrics:
        word = change.kind if change.kind != "changed" else change.verdict
        counts[word] = counts.get(word, 0) + 1
    words = (
        ("worse", "worse"),
        ("better", "better"),
        ("same", "same value"),
        ("unknown", "cannot be judged"),
        ("added", "added"),
        ("removed", "removed"),
    )
    return "Metric results: " + ", ".join(
        f"{counts[name]} {word}" for name, word in words if counts.get(name)
    )


class CompareSummary(QWidget):
    """How many fields changed, in which sections, and a table of the metrics that moved."""

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
        self.fields_table = _table(self.fields, "Changed fields", (70, 380, 200), self)
        self.metrics_caption = QLabel(self)
        self.metrics_caption.setAccessibleName("How the metric results moved")
        self.worse_first = QCheckBox("&Worse first", self)
        self.worse_first.setChecked(True)
        self.worse_first.setToolTip("List the results that got worse before the others")
        self.metrics_table = _table(self.metrics, "Changed metrics", (), self)
        self.metrics_table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        # Room for the header and a row at least: a short window still fits every tab.
        self.metrics_table.setMinimumHeight(2 * self.metrics_table.fontMetrics().height() + 16)
        header = self.metrics_table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(WHERE_COLUMN, QHeaderView.ResizeMode.Stretch)
        digits = self.metrics_table.fontMetrics().horizontalAdvance("0.0000") + 16
        for column, width in ((2, digits), (3, digits), (4, digits), (5, 110)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
            header.resizeSection(column, width)
        self.metrics_box = QWidget(self)
        caption_row = QHBoxLayout()
        caption_row.setContentsMargins(0, 0, 0, 0)
        caption_row.addWidget(self.metrics_caption, 1)
        caption_row.addWidget(self.worse_first)
        box_layout = QVBoxLayout(self.metrics_box)
        box_layout.setContentsMargins(0, 0, 0, 0)
        box_layout.setSpacing(2)
        box_layout.addLayout(caption_row)
        box_layout.addWidget(self.metrics_table, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.headline)
        layout.addWidget(self.sections)
        layout.addWidget(self.metrics_box, 1)
        self.worse_first.toggled.connect(self._on_worse_first_toggled)

    def show_diff(self, headline: str, diff: CardDiff | None) -> None:
        """Show ``diff`` under ``headline`` (nothing but the headline when None)."""
        self.headline.setText(headline)
        self.fields.set_changes(diff.fields if diff is not None else [])
        self.metrics.set_changes(diff.metrics if diff is not None else [])
        # Every name, wrapped: a count with the names on hover hid which sections moved.
        text = sections_text(diff)
        self.sections.setText(text)
        self.sections.setVisible(bool(text))
        self.metrics_caption.setText(metrics_caption(diff))
        self.metrics_box.setVisible(diff is not None and bool(diff.metrics))

    def _on_worse_first_toggled(self, checked: bool) -> None:
        self.metrics.set_worse_first(checked)
