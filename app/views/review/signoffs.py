"""The sign-offs already given on a card version: who decided what, when, and how far the quorum is.

A card version has at most one review round open at a time; every sign-off of
it is listed here with the signer, their role, the decision and comment, and
the certificate that signed it.  Opening a sign-off shows its answers item by
item, as they were signed.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTableView,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from countersign.models.safe_text import display_text
from countersign.models.vocabulary import Decision
from countersign.services.reviews.reviews import ReviewInfo, SignatureInfo
from countersign.views.presentation import local_time, status_icon
from countersign.views.widgets.list_table import ListTableModel

HEADERS = ("Signer", "Decision", "Signed", "Role", "Comment", "Certificate SHA-256")
"""The columns of the sign-offs table."""

SHOWN_FIRST = (0, 1, 2, 4, 3, 5)
"""The columns in the order they are given room: signer, decision, when, comment, role, certificate.

The first three are always shown; the others only while they fit (the
Signer cell's tooltip, and the sign-off opened, say all of them).
"""

ELASTIC = (0, 4)
"""The columns of long text (signer, comment): they take the room left, elided past it."""

ELASTIC_AT_LEAST = 10
"""Characters an elastic column keeps before a less important column is hidden."""


def decision_text(decision: str) -> str:
    """A decision as the officer reads it."""
    return Decision.word(decision)


def round_summary(review: ReviewInfo) -> str:
    """One line on a review round: its status, quorum progress, checklist and dates."""
    approvals = review.approvals
    progress = f"{approvals} of {review.quorum} approval{'s' if review.quorum != 1 else ''}"
    if review.open:
        progress += f", {review.quorum - approvals} more needed"
    when = f"opened {local_time(review.opened_at)}"
    if review.closed_at:
        when = f"closed {local_time(review.closed_at)}"
    status = review.status[:1].upper() + review.status[1:]
    return f"{status}: {progress} · {review.template_id}@{review.template_version} · {when}"


class SignOffsModel(ListTableModel[tuple[ReviewInfo, SignatureInfo]]):
    """Every sign-off of one card version's review rounds, in signing order."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(HEADERS, parent)

    def set_reviews(self, reviews: list[ReviewInfo]) -> None:
        """List the sign-offs of ``reviews`` (oldest round first)."""
        self.set_rows((review, sig) for review in reviews for sig in review.signatures)

    def sign_off(self, row: int) -> tuple[ReviewInfo, SignatureInfo]:
        """The round and sign-off on ``row``."""
        return self.item(row)

    def cell(self, item: tuple[ReviewInfo, SignatureInfo], column: int, role: int) -> Any:
        """Cell text, with the full comment and fingerprint as tooltips."""
        _review, sig = item
        if role == Qt.ItemDataRole.DisplayRole:
            return _cell(sig, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return _tooltip(sig, column)
        if role == Qt.ItemDataRole.DecorationRole and column == 1:
            return status_icon(
                Decision(sig.decision).outcome if Decision.known(sig.decision) else sig.decision
            )
        if role == Qt.ItemDataRole.FontRole and column == 5:
            return QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        return None


def _tooltip(sig: SignatureInfo, column: int) -> str | None:
    """A cell's full text (it may be elided); the Signer's is the whole sign-off."""
    if column == 0:
        lines = [
            f"{sig.signer_name} <{sig.signer_email}>, {sig.signer_role}",
            f"{decision_text(sig.decision)}, signed {local_time(sig.signed_at)}",
            f"Comment: {sig.comment}" if sig.comment else "No comment",
            f"Certificate SHA-256: {sig.fingerprint}",
        ]
        return "\n".join(lines)
    if column == 2:
        return f"{local_time(sig.signed_at)} ({sig.signed_at} UTC)"
    if column == 4:
        return sig.comment or None
    if column == 5:
        return sig.fingerprint
    return _cell(sig, column)


def column_widths(needed: list[int], room: int, at_least: int) -> dict[int, int]:
    """The columns shown, each with its width, together no wider than ``room``.

    ``needed``: each column's width for its whole text; ``at_least``: what an
    :data:`ELASTIC` column keeps before a column after it in
    :data:`SHOWN_FIRST` is hidden.  The room left goes to the elastic columns
    shown; when even the first three do not fit, each shrinks in proportion.
    """
    floor = [min(width, at_least) if c in ELASTIC else width for c, width in enumerate(needed)]
    shown = list(SHOWN_FIRST[:3])
    for column in SHOWN_FIRST[3:]:
        if sum(floor[c] for c in shown) + floor[column] > room:
            break
        shown.append(column)
    base = sum(floor[c] for c in shown)
    if base > room:
        return {c: floor[c] * room // base for c in shown}
    widths = {c: floor[c] for c in shown}
    elastic = [c for c in ELASTIC if c in shown]
    spare = room - base
    for column in elastic:
        widths[column] += spare // len(elastic)
    widths[elastic[0]] += spare % len(elastic)
    return widths


class SignOffsTable(QTableView):
    """The sign-offs, their columns fitted to the table's width (never scrolled sideways).

    A narrow table (the Review tab's side) shows the signer, decision and
    time, and the comment, role and certificate as they fit; long text is
    elided, its full text in the tooltip.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)

    def fit_columns(self) -> None:
        """Show the columns that fit the width, each as wide as :func:`column_widths` says."""
        model = self.model()
        if model is None:
            return
        header = self.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        count = model.columnCount()
        needed = [max(header.sectionSizeHint(c), self._content_width(c)) for c in range(count)]
        at_least = self.fontMetrics().averageCharWidth() * ELASTIC_AT_LEAST
        widths = column_widths(needed, self.viewport().width(), at_least)
        for column in range(count):
            self.setColumnHidden(column, column not in widths)
            if column in widths:
                header.resizeSection(column, widths[column])

    def _content_width(self, column: int) -> int:
        hidden = self.isColumnHidden(column)
        self.setColumnHidden(column, False)
        width = self.sizeHintForColumn(column)
        self.setColumnHidden(column, hidden)
        return width

    def viewportEvent(self, event: QEvent) -> bool:  # noqa: N802 - Qt API
        """Fit the columns to the viewport's new width (the table resized, a scroll bar shown)."""
        handled = super().viewportEvent(event)
        if event.type() == QEvent.Type.Resize:
            self.fit_columns()
        return handled


def _cell(sig: SignatureInfo, column: int) -> str:
    if column == 0:
        return sig.signer_name
    if column == 1:
        return decision_text(sig.decision)
    if column == 2:
        return local_time(sig.signed_at)
    if column == 3:
        return sig.signer_role
    if column == 4:
        return " ".join(sig.comment.split())
    return sig.fingerprint[:16] + "…"


def sign_off_html(review: ReviewInfo, sig: SignatureInfo) -> str:
    """A sign-off with every answer as signed, as escaped HTML (nothing from outside interpreted)."""
    e = html.escape
    facts = [
        ("Card version", f"{review.model} {review.version}"),
        ("Checklist", f"{review.template_title} ({review.template_id}@{review.template_version})"),
        ("Signer", f"{sig.signer_name} <{sig.signer_email}>, {sig.signer_role}"),
        ("Decision", decision_text(sig.decision)),
        ("Signed", f"{local_time(sig.signed_at)} ({sig.signed_at} UTC)"),
        ("Certificate SHA-256", sig.fingerprint),
        ("Comment", sig.comment or "none"),
    ]
    rows = "".join(
        f"<tr><td><b>{e(label)}</b></td><td>{e(value)}</td></tr>" for label, value in facts
    )
    answers = "".join(
        "<tr>"
        f"<td>{e(r.item)}</td><td><b>{e(r.answer)}</b></td><td>{e(r.note)}</td>"
        f"<td>{e(r.automatic or '—')}</td><td>{e(r.evidence)}</td>"
        "</tr>"
        for r in sig.responses
    )
    return (
        f"<table cellspacing='0' cellpadding='3'>{rows}</table>"
        "<h3>Answers</h3>"
        "<table border='1' cellspacing='0' cellpadding='4' width='100%'>"
        "<tr><th>Item</th><th>Answer</th><th>Note</th><th>Check</th><th>Evidence</th></tr>"
        f"{answers}</table>"
    )


class SignOffDialog(QDialog):
    """One sign-off, read-only: the facts, the decision and every answer as signed."""

    def __init__(self, review: ReviewInfo, sig: SignatureInfo, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(
            display_text(f"Sign-off by {sig.signer_name}: {review.model} {review.version}")
        )
        self.setAccessibleName("Sign-off details")
        self.resize(820, 560)
        self.text = QTextEdit(self)
        self.text.setReadOnly(True)
        self.text.setAccessibleName("Sign-off answers")
        self.text.setHtml(sign_off_html(review, sig))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text, 1)
        layout.addWidget(buttons)
