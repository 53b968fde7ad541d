"""The checklist of a review as a table: each item, its automatic result and evidence, the answer.

The model holds the reviewer's answers while they work; nothing is stored
until the sign-off is signed.  An automatic check never answers for the
reviewer: its result and evidence stand beside the answer, which starts empty,
so that every answer is the reviewer's own.  A failed threshold shows the
values found beside the last approved version's, and the escalation that
approving then needs.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont, QIcon, QPalette, QResizeEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QRadioButton,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from countersign.models.vocabulary import AnswerValue, CardStatus
from countersign.services.reviews.reviews import Answer, ItemView
from countersign.views.appearance.colours import BAD, GOOD
from countersign.views.presentation import status_icon
from countersign.views.review.threshold_evidence import escalation_html, threshold_html
from countersign.views.widgets.list_table import ListTableModel, set_up_row_table

HEADERS = ("Item", "Check", "Answer", "Note", "Evidence found")
"""The columns of the checklist table."""

ITEM, CHECK, ANSWER, NOTE, EVIDENCE = range(len(HEADERS))

REQUIRED_TIP = "Required items are in bold: each must be answered before signing"
"""The tooltip of the item column's title."""

_ICON_STATUS: dict[str, CardStatus] = {
    AnswerValue.PASS: CardStatus.APPROVED,
    AnswerValue.FAIL: CardStatus.REJECTED,
    AnswerValue.NA: CardStatus.SUPERSEDED,
}
"""The status whose colour dot marks each answer or check result."""

"""Text colour of a required item not yet answered (readable on light and dark palettes)."""

_Index = QModelIndex | QPersistentModelIndex


def note_needed(view: ItemView, answer: Answer | None) -> str:
    """Why ``answer`` to ``view`` needs a note (the review rules), or empty when it does not."""
    if answer is None or answer.note.strip():
        return ""
    if answer.answer == AnswerValue.FAIL:
        return "A fail needs a note saying what is wrong."
    if view.escalates:
        return (
            "The threshold failed: answering pass or not applicable needs a note, and "
            "approving needs the escalation the template names."
        )
    if answer.answer == AnswerValue.NA and view.item.required:
        return "A required item answered not applicable needs a note saying why."
    if (
        answer.answer == AnswerValue.PASS
        and view.automatic is not None
        and not view.automatic.passed
    ):
        return "The automatic check failed: answering pass needs a note saying why."
    return ""


def references_text(view: ItemView) -> str:
    """The framework clauses an item evidences: "EU AI Act Art. 14; NIST AI RMF 1.0 MAP 1"."""
    return "; ".join(ref.label() for ref in view.item.references)


def _icon(view: ItemView, answer: Answer | None, column: int) -> QIcon | None:
    """The automatic check's result and the answer, as status icons."""
    if column == CHECK and view.automatic is not None:
        return status_icon(_ICON_STATUS[view.automatic.result])
    if column == ANSWER and answer is not None:
        return status_icon(_ICON_STATUS[answer.answer])
    return None


class ReviewItemsModel(ListTableModel[ItemView]):
    """The items of one checklist with their automatic results and the reviewer's answers."""

    answers_changed = Signal()
    """An answer or note changed (or the items were replaced)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(HEADERS, parent, header_tips=(REQUIRED_TIP,))
        self._answers: dict[str, Answer] = {}

    # -- the review's state ---------------------------------------------------------

    def set_items(self, items: list[ItemView], answers: Mapping[str, Answer] | None = None) -> None:
        """Show ``items`` with ``answers`` (none: every item unanswered, checks or not)."""
        self.beginResetModel()
        self._rows = list(items)
        known = {view.item.id for view in items}
        self._answers = {key: value for key, value in (answers or {}).items() if key in known}
        self.endResetModel()
        self.answers_changed.emit()

    def items(self) -> list[ItemView]:
        """Every checklist item, in template order."""
        return list(self._rows)

    def row_of(self, item_id: str) -> int | None:
        """The row of the item ``item_id``, if listed."""
        for row, view in enumerate(self._rows):
            if view.item.id == item_id:
                return row
        return None

    def answer(self, item_id: str) -> Answer | None:
        """The answer given to ``item_id``."""
        return self._answers.get(item_id)

    def answers(self) -> dict[str, Answer]:
        """Every answer given, by item id, as the sign-off will carry them."""
        return dict(self._answers)

    def set_answer(self, row: int, answer: Answer | None) -> None:
        """Answer the item on ``row`` (None: no answer)."""
        item_id = self._rows[row].item.id
        if answer is None:
            self._answers.pop(item_id, None)
        else:
            self._answers[item_id] = answer
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(HEADERS) - 1))
        self.answers_changed.emit()

    def unanswered_required(self) -> list[ItemView]:
        """The required items that have no answer yet."""
        return [v for v in self._rows if v.item.required and v.item.id not in self._answers]

    def needing_notes(self) -> list[tuple[ItemView, str]]:
        """The answered items whose answer needs a note they do not have, with the reason."""
        out = []
        for view in self._rows:
            reason = note_needed(view, self._answers.get(view.item.id))
            if reason:
                out.append((view, reason))
        return out

    # -- Qt model -------------------------------------------------------------------

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Cell text; full texts as tooltips; unanswered required items in red."""
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        view = self._rows[index.row()]
        column = index.column()
        answer = self._answers.get(view.item.id)
        if role == Qt.ItemDataRole.DisplayRole:
            return self._cell(index.row(), view, answer, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(view, answer, column)
        if role == Qt.ItemDataRole.DecorationRole:
            return _icon(view, answer, column)
        if role == Qt.ItemDataRole.ForegroundRole:
            missing = answer is None and view.item.required and column in (ITEM, ANSWER)
            if missing or (column == NOTE and note_needed(view, answer)):
                return BAD.on()
            return None
        if role == Qt.ItemDataRole.FontRole:
            return self._font(view, column)
        if role == Qt.ItemDataRole.UserRole:
            return view.item.id
        return None

    def headerData(  # noqa: N802 - Qt API
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """Column titles; rows are numbered as the checklist is."""
        if (
            orientation == Qt.Orientation.Vertical
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(self._rows)
        ):
            return str(section + 1)
        return super().headerData(section, orientation, role)

    def _font(self, view: ItemView, column: int) -> QFont | None:
        """Required items in bold."""
        if column == ITEM and view.item.required:
            font = QFont()
            font.setBold(True)
            return font
        return None

    def _cell(self, row: int, view: ItemView, answer: Answer | None, column: int) -> str:
        if column == ITEM:
            # Required items are drawn bold; the rare optional one says so.
            optional = "" if view.item.required else "(optional) "
            return f"{row + 1}. {optional}{view.item.text}"
        if column == CHECK:
            return view.automatic.result if view.automatic is not None else "—"
        if column == ANSWER:
            if answer is None:
                return "unanswered" if view.item.required else "—"
            return AnswerValue.word(answer.answer)
        if column == NOTE:
            if answer is not None and answer.note.strip():
                return " ".join(answer.note.split())
            return "note needed" if note_needed(view, answer) else ""
        return view.automatic.evidence if view.automatic is not None else ""

    def _tooltip(self, view: ItemView, answer: Answer | None, column: int) -> str | None:
        if column == ITEM:
            need = "Required" if view.item.required else "Optional"
            guidance = f"\n\n{view.item.guidance}" if view.item.guidance else ""
            cited = f"\n\nEvidences: {references_text(view)}" if view.item.references else ""
            return f"{need}: {view.item.text}{guidance}{cited}"
        if column in (CHECK, EVIDENCE) and view.automatic is not None:
            return f"Automatic check: {view.automatic.result}. Found: {view.automatic.evidence}"
        if column == ANSWER:
            if answer is None and view.item.required:
                return "A required item: it must be answered before signing"
            return None
        if column == NOTE:
            if answer is not None and answer.note.strip():
                return answer.note
            return note_needed(view, answer) or None
        return None


class ChecklistTable(QTableView):
    """The checklist items, one row each; the item text takes the room the other columns leave."""

    MIN_ITEM_WIDTH = 180
    """The item column never gets narrower than this; the table scrolls sideways instead."""

    def __init__(self, model: ReviewItemsModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        set_up_row_table(self, model, "Checklist items")
        header = self.horizontalHeader()
        for column, width in ((CHECK, 70), (ANSWER, 104), (NOTE, 120)):
            header.resizeSection(column, width)
        header.resizeSection(EVIDENCE, 260)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt API
        """Give the item text what the fixed columns leave (evidence last, read in full below)."""
        super().resizeEvent(event)
        header = self.horizontalHeader()
        # Note and evidence may lie beyond the right edge: the editor below shows both in full.
        others = sum(header.sectionSize(c) for c in (CHECK, ANSWER))
        room = self.viewport().width() - others
        header.resizeSection(ITEM, max(self.MIN_ITEM_WIDTH, room))


class ItemEditor(QFrame):
    """Answers the checklist item chosen in the table: pass, fail, not applicable, and a note."""

    edited = Signal(int, object)
    """The reviewer changed the answer of ``row``: the new :class:`Answer`, or None."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName("Chosen checklist item")
        self._row: int | None = None
        self._view: ItemView | None = None
        self._signed_by: dict[str, str] = {}
        self._quiet = False

        # One scrolling text for the item, its guidance and the evidence: any length fits.
        self.details = QTextBrowser(self)
        self.details.setAccessibleName("Checklist item, guidance and evidence")
        self.details.setOpenLinks(False)
        self.details.setFrameShape(QFrame.Shape.NoFrame)
        # At least eight lines (as before); more when the window has room (threshold tables are long).
        self.details.setMinimumHeight(self.details.fontMetrics().lineSpacing() * 8 + 10)
        self.details.document().setDocumentMargin(2)

        # Mnemonics avoid the menu bar's letters (F, E, V, R, T, S, H).
        self.pass_button = QRadioButton("&Pass", self)
        self.fail_button = QRadioButton("Fai&l", self)
        self.na_button = QRadioButton("Not appli&cable", self)
        self.none_button = QRadioButton("No ans&wer", self)
        self.buttons = QButtonGroup(self)
        answer_row = QHBoxLayout()
        answer_row.addWidget(QLabel("Answer:", self))
        for value, button in self._answer_buttons().items():
            button.setAccessibleName(f"Answer {AnswerValue.word(value) if value else 'none'}")
            self.buttons.addButton(button)
            answer_row.addWidget(button)
        answer_row.addStretch(1)
        self.buttons.buttonToggled.connect(self._on_buttons_button_toggled)

        note_label = QLabel("&Note:", self)
        self.note = QPlainTextEdit(self)
        self.note.setAccessibleName("Note on this item")
        self.note.setTabChangesFocus(True)
        self.note.setFixedHeight(self.note.fontMetrics().lineSpacing() * 2 + 14)
        self.note.textChanged.connect(self._on_note_text_changed)
        note_label.setBuddy(self.note)
        note_row = QHBoxLayout()
        note_row.addWidget(note_label, 0, Qt.AlignmentFlag.AlignTop)
        note_row.addWidget(self.note, 1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(4)
        layout.addWidget(self.details)
        layout.addLayout(answer_row)
        layout.addLayout(note_row)
        self.show_item(None, None, None)

    def set_signed_escalations(self, signed_by: Mapping[str, str]) -> None:
        """Who has signed each escalation of the open round (escalation id to signer)."""
        self._signed_by = dict(signed_by)
        self._show_details()

    def show_item(self, row: int | None, view: ItemView | None, answer: Answer | None) -> None:
        """Show item ``view`` (on ``row``) with its current ``answer``; None shows nothing."""
        self._row, self._view = row, view
        self._quiet = True
        try:
            value = answer.answer if answer is not None else ""
            self._answer_buttons()[value].setChecked(True)
            self.note.setPlainText(answer.note if answer is not None else "")
            self._set_answerable(view is not None and row is not None)
            self._show_details()
            self._show_note_hint()
        finally:
            self._quiet = False

    def details_text(self) -> str:
        """The item, its guidance and its automatic result as shown."""
        return self.details.toPlainText()

    def current_answer(self) -> Answer | None:
        """The answer the controls show (None when "no answer" is chosen)."""
        for value, button in self._answer_buttons().items():
            if button.isChecked() and value:
                return Answer(AnswerValue(value), self.note.toPlainText())
        return None

    def choose(self, value: str) -> None:
        """Choose the answer ``value`` (pass, fail, na, or empty for none) as a click would."""
        self._answer_buttons()[value].click()

    def _answer_buttons(self) -> dict[str, QRadioButton]:
        return {
            AnswerValue.PASS: self.pass_button,
            AnswerValue.FAIL: self.fail_button,
            AnswerValue.NA: self.na_button,
            "": self.none_button,
        }

    def _show_details(self) -> None:
        view, row = self._view, self._row
        if view is None or row is None:
            self.details.setHtml("<p>Choose an item in the checklist to answer it.</p>")
            return
        e = html.escape
        need = "required" if view.item.required else "optional"
        parts = [f"<p><b>{row + 1}. {e(view.item.text)}</b> ({need})</p>"]
        threshold = threshold_html(view, escalation_html(view, self._signed_by))
        if threshold:
            parts.append(threshold)
        elif view.automatic is None:
            parts.append("<p>No automatic check: judge from the card.</p>")
        else:
            colour = (GOOD if view.automatic.passed else BAD).on().name()
            parts.append(
                f"<p><b style='color: {colour}'>Automatic check: {e(view.automatic.result)}.</b>"
                f" Found: {e(view.automatic.evidence)}</p>"
            )
        if view.automatic is not None:
            parts.append("<p><i>The check informs; the answer is yours.</i></p>")
        if view.item.references:
            parts.append(f"<p><b>Evidences:</b> {e(references_text(view))}</p>")
        # The guidance last: what was found (and what it needs) is read first.
        if view.item.guidance:
            quiet = self.palette().color(QPalette.ColorRole.PlaceholderText).name()
            parts.append(f"<p style='color: {quiet}'>{e(view.item.guidance)}</p>")
        self.details.setHtml("".join(parts))

    def _set_answerable(self, enabled: bool) -> None:
        for button in self._answer_buttons().values():
            button.setEnabled(enabled)
        self.note.setEnabled(enabled)

    def _show_note_hint(self) -> None:
        reason = note_needed(self._view, self.current_answer()) if self._view else ""
        self.note.setPlaceholderText(reason or "Optional: what you checked, or what is missing.")

    def _emit(self) -> None:
        if self._quiet or self._row is None:
            return
        self._show_note_hint()
        self.edited.emit(self._row, self.current_answer())

    def _on_buttons_button_toggled(self, _button: QRadioButton, checked: bool) -> None:
        if checked:
            self._emit()

    def _on_note_text_changed(self) -> None:
        if self.current_answer() is None and self.note.toPlainText().strip() and not self._quiet:
            # A note alone is no answer; keep it until an answer is chosen.
            return
        self._emit()
