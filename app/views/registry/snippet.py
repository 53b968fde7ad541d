"""A search hit's snippet drawn in the results table, its matched words highlighted.

The snippet is card text from outside: every piece is escaped before it
becomes the rich text drawn here, so nothing in a card is read as markup.
"""

from __future__ import annotations

import html
import re

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, QSize, Qt
from PySide6.QtGui import QAbstractTextDocumentLayout, QPainter, QPalette, QTextDocument
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from countersign.models.safe_text import display_text
from countersign.services.storage.snippets import Snippet
from countersign.views.appearance.colours import MATCH_BACKGROUND, MATCH_TEXT

SNIPPET_ROLE = Qt.ItemDataRole.UserRole + 3
"""Data role giving a search hit's :class:`~countersign.services.storage.dialect.Snippet`."""

SNIPPET_LINES = 2
"""Lines of a snippet a results row shows (a longer one is cut; its tooltip has it whole)."""

_JOINED = re.compile(r"(?<=\w)([._/])(?=\w|$)")
"""A dot, underscore or slash after a word, inside a path (``custom_details.monitoring``)."""

_BREAK = "\u200b"
"""A zero-width space: where a long path may wrap instead of leaving "…" alone on a line."""


def snippet_html(snippet: Snippet, palette: QPalette) -> str:
    """``snippet`` as rich text from a few words before its first match, each match highlighted."""
    background = MATCH_BACKGROUND.on(palette).name()
    colour = MATCH_TEXT.on(palette).name()
    parts = []
    for piece, matched in snippet.leading_to_match().pieces():
        text = html.escape(display_text(piece))
        if not matched:
            text = _JOINED.sub(rf"\1{_BREAK}", text)
        if matched:
            parts.append(
                f'<span style="background-color:{background}; color:{colour}; '
                f'font-weight:600">{text}</span>'
            )
        else:
            parts.append(text)
    return "".join(parts)


class SnippetDelegate(QStyledItemDelegate):
    """Draws a results cell's snippet as wrapped rich text, at most :data:`SNIPPET_LINES` lines."""

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        """The cell's background and selection as usual, then the snippet over it."""
        snippet = index.data(SNIPPET_ROLE)
        if not isinstance(snippet, Snippet):
            super().paint(painter, option, index)
            return
        self.initStyleOption(option, index)
        option.text = ""
        widget = option.widget
        style = widget.style() if isinstance(widget, QWidget) else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, widget)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        document = self._document(snippet, option)
        context = QAbstractTextDocumentLayout.PaintContext()
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        context.palette.setColor(QPalette.ColorRole.Text, option.palette.color(role))
        # Whole lines only: a third line's top half would read as a mistake.
        whole = int(document.size().height())
        height = min(option.fontMetrics.lineSpacing() * SNIPPET_LINES, whole, option.rect.height())
        rect = option.rect.adjusted(3, 0, -3, 0)
        rect.setTop(option.rect.top() + (option.rect.height() - height) // 2)
        rect.setHeight(height)
        context.clip = QRectF(0, 0, rect.width(), rect.height())
        painter.save()
        painter.translate(rect.topLeft())
        painter.setClipRect(context.clip)
        document.documentLayout().draw(painter, context)
        painter.restore()

    def sizeHint(  # noqa: N802 - Qt API
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        """As wide as asked, :data:`SNIPPET_LINES` lines high."""
        base = super().sizeHint(option, index)
        return QSize(base.width(), option.fontMetrics.lineSpacing() * SNIPPET_LINES + 6)

    @staticmethod
    def _document(snippet: Snippet, option: QStyleOptionViewItem) -> QTextDocument:
        document = QTextDocument()
        document.setDocumentMargin(0)
        document.setDefaultFont(option.font)
        document.setHtml(snippet_html(snippet, option.palette))
        document.setTextWidth(max(option.rect.width() - 6, 10))
        return document
