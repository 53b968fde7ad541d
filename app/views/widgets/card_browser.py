"""The read-only viewer of card text that the Card tab, review panels and draft editor share.

Card text is Markdown from outside: any HTML in it is shown as text, no
resource (image, stylesheet) is ever loaded from anywhere, and a link opens in
the officer's browser only when clicked.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import islice

from PySide6.QtCore import QEvent, QUrl
from PySide6.QtGui import (
    QDesktopServices,
    QFont,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import QTextBrowser, QTextEdit, QWidget

from countersign.services.storage.snippets import word_pattern, word_spans
from countersign.views.appearance.colours import MATCH_BACKGROUND, MATCH_TEXT

_MARKDOWN = QTextDocument.MarkdownFeature(
    QTextDocument.MarkdownFeature.MarkdownDialectGitHub.value
    | QTextDocument.MarkdownFeature.MarkdownNoHTML.value
)
"""GitHub Markdown with HTML shown as text, never interpreted."""

OPENABLE_SCHEMES = ("http", "https", "mailto")
"""Links the officer may open from a card (in their own browser, on click)."""

HIGHLIGHTED_AT_MOST = 2000
"""Matched words highlighted in one card at most (a card of one repeated word stays quick)."""


_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")


def _literal_entities(markdown: str) -> str:
    """Escape ``&`` before an entity name, so ``&amp;`` in a card shows as written.

    Markdown reads ``&lt;`` as ``<``; the officer must see what the team wrote,
    as the report prints it.
    """
    return _ENTITY.sub(r"\\&", markdown)


class CardBrowser(QTextBrowser):
    """A read-only card viewer that never loads a resource and opens links only on click."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.setSearchPaths([])
        self._highlighted_words: list[str] = []
        self.anchorClicked.connect(self._on_self_anchor_clicked)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        """Highlight the matched words again in the new theme's colours."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and self._highlighted_words:
            self.highlight_words(self._highlighted_words, scroll=False)

    def loadResource(self, _kind: int, _name: QUrl | str) -> object:  # noqa: N802 - Qt API
        """Refuse every resource: a card may name files or web addresses, none is fetched."""
        return None

    def show_markdown(self, markdown: str) -> None:
        """Render ``markdown`` safely: HTML and entities as text, images replaced by their address."""
        document = self.document()
        document.setMarkdown(_literal_entities(markdown), _MARKDOWN)
        _space_headings(document)
        _replace_images(document)

    def highlight_words(self, words: list[str], *, scroll: bool = True) -> int:
        """Highlight each word of the text that starts with one of ``words``; scroll to the first.

        As a search matches them: whole words, by prefix, whatever their case.
        Returns how many were highlighted; no ``words`` takes the highlights away.
        With ``scroll`` false (the same words in new colours) the view stays where it is.
        """
        self._highlighted_words = list(words)
        selections: list[QTextEdit.ExtraSelection] = []
        highlight = QTextCharFormat()
        highlight.setBackground(MATCH_BACKGROUND.on(self.palette()))
        highlight.setForeground(MATCH_TEXT.on(self.palette()))
        highlight.setFontWeight(QFont.Weight.DemiBold)
        for cursor in islice(self._matched_words(words), HIGHLIGHTED_AT_MOST):
            selection = QTextEdit.ExtraSelection()
            selection.cursor = cursor
            selection.format = highlight
            selections.append(selection)
        self.setExtraSelections(selections)
        if selections and scroll:
            first = QTextCursor(self.document())
            first.setPosition(selections[0].cursor.selectionStart())
            self.setTextCursor(first)
            self.ensureCursorVisible()
        return len(selections)

    def _matched_words(self, words: list[str]) -> Iterator[QTextCursor]:
        """A selection of each word the search matched, block by block: as the snippets mark
        them (:mod:`countersign.services.storage.snippets`), accents folded."""
        pattern = word_pattern(words)
        if pattern is None:
            return
        document = self.document()
        block = document.begin()
        while block.isValid():
            line = block.text()
            for start, end in word_spans(pattern, line):
                cursor = QTextCursor(document)
                cursor.setPosition(block.position() + _utf16_length(line[:start]))
                cursor.setPosition(
                    block.position() + _utf16_length(line[:end]),
                    QTextCursor.MoveMode.KeepAnchor,
                )
                yield cursor
            block = block.next()

    def _on_self_anchor_clicked(self, url: QUrl) -> None:
        if url.scheme().lower() in OPENABLE_SCHEMES:
            QDesktopServices.openUrl(url)


def _utf16_length(text: str) -> int:
    """How many positions ``text`` takes in a Qt document (UTF-16 code units)."""
    return len(text) + sum(1 for c in text if ord(c) > 0xFFFF) if not text.isascii() else len(text)


def _space_headings(document: QTextDocument) -> None:
    # Markdown import leaves headings tight against the text above; sections read better apart.
    block = document.begin()
    while block.isValid():
        if block.blockFormat().headingLevel() in (1, 2):
            spaced = QTextBlockFormat(block.blockFormat())
            spaced.setTopMargin(18 if block.position() > 0 else 0)
            spaced.setBottomMargin(6)
            QTextCursor(block).setBlockFormat(spaced)
        block = block.next()


def _replace_images(document: QTextDocument) -> None:
    # Qt would ask loadResource for each image (refused there); show its address instead of
    # a broken-image box, so the officer sees what the card points at.
    found: list[tuple[int, int, str]] = []
    block = document.begin()
    while block.isValid():
        fragments = block.begin()
        while not fragments.atEnd():
            fragment = fragments.fragment()
            if fragment.isValid() and fragment.charFormat().isImageFormat():
                name = fragment.charFormat().toImageFormat().name()
                found.append((fragment.position(), fragment.length(), name))
            fragments += 1
        block = block.next()
    for position, length, name in reversed(found):
        cursor = QTextCursor(document)
        cursor.setPosition(position)
        cursor.setPosition(position + length, QTextCursor.MoveMode.KeepAnchor)
        cursor.insertText(f"[image not loaded: {name}]", QTextCharFormat())
