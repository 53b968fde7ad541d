"""The draft editor's completeness panel: what a reviewer will ask, for a chosen checklist.

A list model over the items of one template judged over the draft (failed,
to be judged by hand, passed: in that order), and the panel that shows it
with the template chooser and a one-line verdict.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from countersign.models.checklist import ChecklistTemplate
from countersign.models.vocabulary import AnswerValue
from countersign.services.drafts import Completeness, ItemStatus
from countersign.views.appearance.colours import BAD, CAUTION, GOOD

Index = QModelIndex | QPersistentModelIndex

STATE_LABELS = {"fail": "Missing", "manual": "Reviewer asks", "pass": "Done"}
"""The words for an item's state, as the panel shows them."""

_ORDER = {"fail": 0, "manual": 1, "pass": 2}
_COLOURS = {"fail": BAD, "manual": CAUTION, "pass": GOOD}
_ICONS = {
    "fail": QStyle.StandardPixmap.SP_MessageBoxCritical,
    "manual": QStyle.StandardPixmap.SP_MessageBoxQuestion,
    "pass": QStyle.StandardPixmap.SP_DialogApplyButton,
}


class CompletenessModel(QAbstractListModel):
    """The items of one template over one draft, missing ones first."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._items: list[ItemStatus] = []

    def set_report(self, report: Completeness | None) -> None:
        """Show ``report`` (or nothing)."""
        self.beginResetModel()
        items = list(report.items) if report is not None else []
        self._items = sorted(items, key=lambda s: (_ORDER[s.state], not s.required))
        self.endResetModel()

    def item(self, row: int) -> ItemStatus:
        """The item shown in ``row``."""
        return self._items[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt API
        """One row per checklist item."""
        return 0 if parent.isValid() else len(self._items)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        """The item in words, its state as an icon and colour, the evidence as a tip."""
        if not index.isValid() or not 0 <= index.row() < len(self._items):
            return None
        status = self._items[index.row()]
        flag = "" if status.required else " (optional)"
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{STATE_LABELS[status.state]}{flag}: {status.text}\n{status.evidence}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{status.item}: {status.guidance or status.text}"
        if role == Qt.ItemDataRole.ForegroundRole:
            return None if status.state == AnswerValue.PASS else QBrush(_COLOURS[status.state].on())
        if role == Qt.ItemDataRole.DecorationRole:
            return _icon(status.state)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{STATE_LABELS[status.state]}{flag}: {status.text}. {status.evidence}"
        return None


def _icon(state: str) -> object:
    application = QApplication.instance()
    if not isinstance(application, QApplication):
        return None
    return application.style().standardIcon(_ICONS[state])


class CompletenessPanel(QWidget):
    """The chosen checklist's items over the draft, and how many are still missing."""

    template_changed = Signal()
    """The officer's template was changed in the chooser."""

    def __init__(self, templates: list[ChecklistTemplate], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._templates = templates
        title = QLabel("<b>What a reviewer will ask</b>", self)
        self.chooser = QComboBox(self)
        self.chooser.setAccessibleName("Checklist template")
        self.chooser.setToolTip("The checklist the card will be reviewed against")
        for template in templates:
            self.chooser.addItem(f"{template.title} ({template.reference})", template.reference)
        self.chooser.currentIndexChanged.connect(self._on_chooser_current_index_changed)
        self.verdict = QLabel(self)
        self.verdict.setWordWrap(True)
        self.verdict.setAccessibleName("Completeness")
        self.model = CompletenessModel(self)
        self.list = QListView(self)
        self.list.setObjectName("completeness_list")
        self.list.setAccessibleName("Checklist items over the draft")
        self.list.setModel(self.model)
        self.list.setWordWrap(True)
        self.list.setUniformItemSizes(False)
        self.list.setAlternatingRowColors(True)
        self.list.setSpacing(2)
        top = QHBoxLayout()
        top.addWidget(title)
        top.addStretch(1)
        top.addWidget(self.chooser)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.verdict)
        layout.addWidget(self.list, 1)

    @property
    def template(self) -> ChecklistTemplate:
        """The template chosen."""
        return self._templates[max(self.chooser.currentIndex(), 0)]

    def choose(self, reference: str) -> None:
        """Choose the template ``id@version`` (or the first with that id)."""
        for row, template in enumerate(self._templates):
            if reference in (template.reference, template.id):
                self.chooser.setCurrentIndex(row)
                return

    def show_report(self, report: Completeness) -> None:
        """Show the items of ``report`` and the verdict in one line."""
        self.model.set_report(report)
        required = len(report.required_failing)
        optional = len(report.missing) - required
        manual = len(report.manual)
        if required:
            text = (
                f"{required} required item{'s' if required != 1 else ''} missing: the card "
                "would be sent back."
            )
        else:
            text = "Every required automatic check passes."
        if optional:
            text += f" {optional} optional item{'s' if optional != 1 else ''} missing."
        if manual:
            text += f" {manual} the reviewer judges by reading."
        self.verdict.setText(text)

    def _on_chooser_current_index_changed(self, _row: int) -> None:
        self.template_changed.emit()
