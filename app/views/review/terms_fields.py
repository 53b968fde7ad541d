"""The terms of an approval in the signing dialog: its conditions and the date until which it holds.

Conditions are typed one per line; the expiry is a date, required (and
bounded) when the checklist sets the longest validity for the card's risk
tier.  Both are signed with the approval, so the dialog shows them in the
summary of what will be signed.  The service checks them again when signing.
"""

from __future__ import annotations

import datetime

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QWidget,
)

from countersign.services.reviews import conditions
from countersign.services.reviews.conditions import (
    MAX_CONDITION_CHARS,
    MAX_CONDITIONS,
    ApprovalTerms,
    add_months,
)
from countersign.services.reviews.records import ReviewDraft


class TermsFields(QWidget):
    """Conditions (one per line) and an optional expiry date for an approval."""

    changed = Signal()
    """The conditions or the expiry changed."""

    def __init__(
        self, draft: ReviewDraft, start: ApprovalTerms, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        today = conditions.today()
        longest = draft.longest_validity
        self.longest: int | None = longest
        self.conditions = QPlainTextEdit(self)
        self.conditions.setAccessibleName("Conditions")
        self.conditions.setPlaceholderText(
            "One condition per line, e.g. Re-validate on the 2027 data"
        )
        self.conditions.setToolTip(
            f"At most {MAX_CONDITIONS} conditions of {MAX_CONDITION_CHARS} characters each; "
            "signed with the approval"
        )
        self.conditions.setTabChangesFocus(True)
        self.conditions.setFixedHeight(
            max(
                self.fontMetrics().lineSpacing() * 4 + 12,
                self.conditions.minimumSizeHint().height(),
            )
        )
        self.conditions.setPlainText("\n".join(start.conditions))
        self.expires_check = QCheckBox("Approval holds until", self)
        self.expires_check.setAccessibleName("The approval expires")
        self.expires = QDateEdit(self)
        self.expires.setAccessibleName("Expiry date")
        self.expires.setCalendarPopup(True)
        self.expires.setDisplayFormat("yyyy-MM-dd")
        self.expires.setMinimumDate(_qdate(today))
        latest = add_months(today, longest) if longest else add_months(today, 12)
        self.expires.setDate(_qdate(start.expires or latest))
        if longest:
            self.expires.setMaximumDate(_qdate(latest))
        self.expires_check.setChecked(start.expires is not None or longest is not None)
        self.expires.setEnabled(self.expires_check.isChecked())
        self.rule = QLabel(self)
        self.rule.setWordWrap(True)
        self.rule.setText(
            f"The checklist requires an expiry for {draft.risk_tier} risk: at most "
            f"{longest} months (on or before {latest.isoformat()})."
            if longest
            else "No expiry is required; without one the approval holds until revoked."
        )
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.expires_check)
        row.addWidget(self.expires)
        row.addStretch(1)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Conditions:", self.conditions)
        form.addRow("Expiry:", _wrapped(row, self))
        form.addRow("", self.rule)
        self.conditions.textChanged.connect(self.changed)
        self.expires.dateChanged.connect(self.changed)
        self.expires_check.toggled.connect(self._on_expires_check_toggled)

    def terms(self) -> ApprovalTerms:
        """The conditions (non-empty lines) and the expiry, as they will be signed."""
        lines = tuple(line.strip() for line in self.conditions.toPlainText().split("\n"))
        expires = None
        if self.expires_check.isChecked():
            day = self.expires.date()
            expires = datetime.date(day.year(), day.month(), day.day())
        return ApprovalTerms(tuple(line for line in lines if line), expires)

    def _on_expires_check_toggled(self, checked: bool) -> None:
        self.expires.setEnabled(checked)
        self.changed.emit()


def _qdate(day: datetime.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _wrapped(row: QHBoxLayout, parent: QWidget) -> QWidget:
    holder = QWidget(parent)
    holder.setLayout(row)
    return holder
