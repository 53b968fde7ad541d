"""The side of the Review tab: the sign-offs a card version has, and the card being reviewed.

The sign-offs panel says where the review round stands (its checklist,
status and quorum progress) and lists each sign-off; Enter or a double-click
opens one with its answers as signed.  The card panel shows the card as the
Card tab does (Markdown with HTML shown as text, nothing loaded from
anywhere), compact enough to sit beside the checklist.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from countersign.models.vocabulary import CardStatus
from countersign.services.diff.card_text import card_sections
from countersign.services.registry import NotFound, Registry
from countersign.services.reviews.reviews import ReviewDraft, ReviewInfo
from countersign.views.review.signoffs import (
    SignOffDialog,
    SignOffsModel,
    SignOffsTable,
    round_summary,
)
from countersign.views.widgets.card_browser import CardBrowser
from countersign.views.widgets.list_table import set_up_row_table


def compare_target(registry: Registry, model: str, version: str) -> tuple[str, bool] | None:
    """The version to compare ``version`` with: the last approved before it (True), else the
    one just before it (False); None when it is the first."""
    try:
        versions = registry.versions(model)
    except NotFound:
        return None
    current = next((v for v in versions if v.version == version), None)
    if current is None:
        return None
    earlier = [v for v in versions if v.seq < current.seq]
    approved = [v for v in earlier if v.status == CardStatus.APPROVED]
    if approved:
        return approved[-1].version, True
    if earlier:
        return earlier[-1].version, False
    return None


def _heading(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    return label


class SignOffsPanel(QWidget):
    """The review rounds of a card version: status, quorum progress and each sign-off."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = SignOffsModel(self)
        self._dialog: SignOffDialog | None = None
        self.rounds = QLabel(self)
        self.rounds.setWordWrap(True)
        self.rounds.setTextFormat(Qt.TextFormat.PlainText)
        self.rounds.setAccessibleName("Review rounds")
        self.table = SignOffsTable(self)
        set_up_row_table(self.table, self.model, "Sign-offs of this card version")
        self.table.setToolTip("Enter or double-click: the sign-off's answers, as signed")
        self.table.activated.connect(self._on_table_activated)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(_heading("Sign-offs of this version", self))
        layout.addWidget(self.rounds)
        layout.addWidget(self.table)
        self.show_reviews([])

    def show_reviews(self, reviews: list[ReviewInfo]) -> None:
        """Show the rounds of ``reviews`` and their sign-offs."""
        self.model.set_reviews(reviews)
        if reviews:
            self.rounds.setText("\n".join(round_summary(review) for review in reviews))
        else:
            self.rounds.setText("No sign-offs yet: nobody has reviewed this card version.")
        rows = self.model.rowCount()
        self.table.setVisible(rows > 0)
        self.table.fit_columns()
        # As tall as its rows (up to four), so the card below keeps the room; its columns
        # fit its width (no scroll bar below them).
        height = self.table.horizontalHeader().sizeHint().height() + 2 * self.table.frameWidth()
        self.table.setFixedHeight(
            height + self.table.verticalHeader().defaultSectionSize() * min(max(rows, 1), 4)
        )

    def _on_table_activated(self, index: QModelIndex) -> None:
        if not index.isValid():
            return
        review, sig = self.model.sign_off(index.row())
        dialog = SignOffDialog(review, sig, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(self._on_dialog_finished)
        self._dialog = dialog
        dialog.open()

    def _on_dialog_finished(self, _result: int) -> None:
        self._dialog = None


class CardPanel(QWidget):
    """The card under review, beside its checklist, with the link to Compare."""

    compare_clicked = Signal(str, str)
    """Compare (old version, this version)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._pair: tuple[str, str] | None = None
        self.compare_button = QPushButton("C&ompare with last approved", self)
        self.compare_button.setAccessibleName("Compare with the last approved version")
        self.compare_button.setFlat(True)
        self.compare_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.compare_button.setStyleSheet("QPushButton:enabled { color: palette(link); }")
        self.compare_button.clicked.connect(self._on_compare_button_clicked)
        self.facts = QLabel(self)
        self.facts.setWordWrap(True)
        self.facts.setTextFormat(Qt.TextFormat.PlainText)
        self.facts.setAccessibleName("Card under review")
        self.browser = CardBrowser(self)
        self.browser.setAccessibleName("Card text under review")
        self.browser.document().setDocumentMargin(8)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        heading = QHBoxLayout()
        heading.addWidget(_heading("The card", self))
        heading.addStretch(1)
        heading.addWidget(self.compare_button)
        layout.addLayout(heading)
        layout.addWidget(self.facts)
        layout.addWidget(self.browser, 1)

    def show_card(self, draft: ReviewDraft | None) -> None:
        """Show the card of ``draft`` (or nothing)."""
        if draft is None:
            self.facts.clear()
            self.browser.clear()
            return
        warnings = len(draft.warnings)
        self.facts.setText(
            f"{draft.model} {draft.version} · {draft.status} · SHA-256 {draft.card_sha256[:16]}…"
            + (f" · {warnings} format warning{'s' if warnings != 1 else ''}" if warnings else "")
        )
        # Level-3 headings: the compact card beside the checklist needs no big titles.
        parts = [f"### {section.title}\n\n{section.text}" for section in card_sections(draft.card)]
        self.browser.show_markdown("\n\n".join(parts) + "\n")

    def show_compare(self, target: tuple[str, bool] | None, version: str | None) -> None:
        """Offer to compare ``version`` with ``target`` (old version, whether it was approved)."""
        if version is None:
            self._pair = None
            self.compare_button.hide()
            return
        self._pair = (target[0], version) if target is not None else None
        if target is None:
            self.compare_button.setText("No earlier version to compare with")
            self.compare_button.setEnabled(False)
        else:
            old, approved = target
            what = "last approved" if approved else "previous version"
            self.compare_button.setText(f"C&ompare with {what} ({old}) →")
            self.compare_button.setEnabled(True)
        self.compare_button.show()

    def _on_compare_button_clicked(self) -> None:
        if self._pair is not None:
            self.compare_clicked.emit(*self._pair)
