"""The foot of the Review tab: the decision, its comment, what stops signing, and Sign….

The panel only holds what the reviewer chose; the Review tab decides what
Sign… does.  A problem (a refusal in words) stays on screen until the
reviewer changes something.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from countersign.models.vocabulary import Decision
from countersign.views.icons import icon
from countersign.views.widgets.signer_fields import PROBLEM_STYLE

DECISIONS = (
    (Decision.APPROVE, "&Approve"),
    (Decision.CHANGES, "Request chan&ges"),
    (Decision.REJECT, "Re&ject"),
)
"""The decisions, each its label with a mnemonic clear of the menu bar's letters (F, E, V, R, T, S, H)."""

NOTICE_STYLE = (
    "QLabel { background: rgba(47, 143, 91, 0.14); border: 1px solid rgba(47, 143, 91, 0.6);"
    " border-radius: 4px; padding: 6px; }"
)
"""How the news of a stored sign-off is shown."""


class DecisionPanel(QWidget):
    """Decision (approve, request changes, reject), comment, problems, and the Sign… button."""

    changed = Signal()
    """The reviewer changed the decision or the comment."""
    sign_clicked = Signal()
    """Sign… was pressed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._quiet = False
        self.decisions = QButtonGroup(self)
        self.buttons: dict[str, QRadioButton] = {}
        decision_row = QHBoxLayout()
        decision_row.addWidget(QLabel("Decision:", self))
        for value, text in DECISIONS:
            button = QRadioButton(text, self)
            button.setAccessibleName(f"Decision: {text.replace('&', '')}")
            self.decisions.addButton(button)
            self.buttons[value] = button
            decision_row.addWidget(button)
        decision_row.addStretch(1)
        comment_label = QLabel("Co&mment:", self)
        self.comment = QPlainTextEdit(self)
        self.comment.setAccessibleName("Comment on the decision")
        self.comment.setTabChangesFocus(True)
        self.comment.setPlaceholderText("What the team should know about this decision")
        self.comment.setFixedHeight(self.comment.fontMetrics().lineSpacing() * 2 + 14)
        comment_label.setBuddy(self.comment)
        self.problem = _message_label("Why this cannot be signed yet", PROBLEM_STYLE, self)
        self.problem.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.notice = _message_label("Sign-off stored", NOTICE_STYLE, self)
        self.progress = QLabel(self)
        self.progress.setTextFormat(Qt.TextFormat.PlainText)
        self.progress.setAccessibleName("Checklist progress")
        self.progress.setWordWrap(True)
        self.sign_button = QPushButton(icon("sign"), "S&ign…", self)
        self.sign_button.setAccessibleName("Sign the sign-off")
        self.sign_button.setToolTip(
            "Check the sign-off against the review rules, then sign it with your identity "
            "(Ctrl+Shift+S)"
        )
        sign_row = QHBoxLayout()
        sign_row.addWidget(self.progress, 1)
        sign_row.addWidget(self.sign_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(decision_row)
        layout.addWidget(comment_label)
        layout.addWidget(self.comment)
        layout.addWidget(self.problem)
        layout.addWidget(self.notice)
        layout.addLayout(sign_row)
        self.decisions.buttonToggled.connect(self._on_decisions_button_toggled)
        self.comment.textChanged.connect(self._on_comment_text_changed)
        self.sign_button.clicked.connect(self.sign_clicked)

    def decision(self) -> str:
        """The decision chosen (approve, changes, reject), or empty."""
        for value, button in self.buttons.items():
            if button.isChecked():
                return value
        return ""

    def comment_text(self) -> str:
        """The comment as typed."""
        return self.comment.toPlainText()

    def restore(self, decision: str, comment: str) -> None:
        """Show ``decision`` (empty: none) and ``comment`` without announcing a change."""
        self._quiet = True
        try:
            # Not exclusive for a moment: an exclusive group cannot have nothing checked.
            self.decisions.setExclusive(False)
            for value, button in self.buttons.items():
                button.setChecked(value == decision)
            self.decisions.setExclusive(True)
            self.comment.setPlainText(comment)
        finally:
            self._quiet = False

    def set_open(self, open_for_sign_off: bool) -> None:
        """Allow deciding and signing, or not (a decided or superseded card version)."""
        for button in self.buttons.values():
            button.setEnabled(open_for_sign_off)
        self.comment.setEnabled(open_for_sign_off)
        self.sign_button.setEnabled(open_for_sign_off)
        if not open_for_sign_off:
            self.problem.hide()

    def show_problem(self, message: str) -> None:
        """Say what stops the sign-off."""
        self.notice.hide()
        self.problem.setText(message)
        self.problem.show()

    def problem_text(self) -> str:
        """The problem shown, or empty."""
        return self.problem.text() if not self.problem.isHidden() else ""

    def show_notice(self, message: str) -> None:
        """Say that a sign-off was stored."""
        self.problem.hide()
        self.notice.setText(message)
        self.notice.show()

    def _on_decisions_button_toggled(self, _button: QRadioButton, checked: bool) -> None:
        if checked and not self._quiet:
            self.problem.hide()
            self.changed.emit()

    def _on_comment_text_changed(self) -> None:
        if not self._quiet:
            self.problem.hide()
            self.changed.emit()


def _message_label(name: str, style: str, parent: QWidget) -> QLabel:
    """A hidden, wrapping plain-text label for a message shown under the decision."""
    label = QLabel(parent)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setAccessibleName(name)
    label.setStyleSheet(style)
    label.hide()
    return label
