"""The Card tab: the canonical card of one card version, section by section.

Card text is Markdown from outside, shown in a
:class:`~countersign.views.widgets.card_browser.CardBrowser` (HTML as text, no
resource ever loaded, links opened only on click).  Format warnings come first,
in a banner that cannot be missed.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from countersign.formats.warning_place import place_in_words
from countersign.models.card import ModelCard
from countersign.models.safe_text import BIDI_CONTROLS, display_text, isolated
from countersign.services.diff.card_text import card_as_text, card_sections
from countersign.services.registry import CardVersionDetail
from countersign.views.icons import icon
from countersign.views.presentation import format_name, local_time
from countersign.views.widgets.card_browser import CardBrowser

BANNER_LINES = 3
"""Warnings listed in the banner before "Show all"."""


def card_markdown(detail: CardVersionDetail) -> str:
    """The card of ``detail`` as one Markdown text, a level-2 heading per section."""
    return model_card_markdown(detail.card)


def model_card_markdown(card: ModelCard) -> str:
    """``card`` as one Markdown text, a level-2 heading per section (what the Card tab shows).

    The card's text is literal; a value holding a direction control is isolated.
    """
    shown = direction_isolated(card)
    parts = [f"## {section.title}\n\n{section.text}" for section in card_sections(shown)]
    return "\n\n".join(parts) + "\n"


def direction_isolated(card: ModelCard) -> ModelCard:
    """``card`` with each text that holds a direction control isolated, its characters kept.

    The card's text is shown literally, but a right-to-left override in one
    value must not turn the labels and values after it around.
    """
    data = card.model_dump(mode="json")
    changed = _isolate_values(data)
    if changed is data:
        return card
    try:
        return ModelCard.model_validate(changed)
    except ValueError:  # a constrained field; show the card as it is
        return card


def _isolate_values(value: Any) -> Any:
    """``value`` with its direction-changing strings isolated (the same object if none)."""
    if isinstance(value, str):
        return isolated(value) if any(c in BIDI_CONTROLS for c in value) else value
    if isinstance(value, dict):
        items = {key: _isolate_values(item) for key, item in value.items()}
        same = all(items[key] is item for key, item in value.items())
        return value if same else items
    if isinstance(value, list):
        elements = [_isolate_values(item) for item in value]
        return value if all(a is b for a, b in zip(elements, value, strict=True)) else elements
    return value


def warnings_text(warnings: list[dict[str, str]]) -> str:
    """The format warnings as plain lines, each naming its place in words (the path after it,
    for the record)."""
    lines = []
    for warning in warnings:
        path = warning.get("field", "")
        where = warning.get("where") or place_in_words(path)
        message = warning.get("message", "") or str(warning)
        detail = f"  [{path}]" if path and path != where else ""
        lines.append(f"• {where}: {message}{detail}" if where else f"• {message}")
    return "\n".join(lines)


class CardTab(QWidget):
    """Shows one card version's canonical card, with its warnings and provenance on top."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._detail: CardVersionDetail | None = None
        self._search_words: list[str] = []
        self.highlighted = 0
        """How many words of the card shown are highlighted as matching the search."""

        self.facts = QLabel(self)
        self.facts.setAccessibleName("Card version facts")
        self.facts.setWordWrap(True)
        self.facts.setTextFormat(Qt.TextFormat.PlainText)

        self._build_banner()

        self.copy_button = QPushButton(icon("copy"), "&Copy card text", self)
        self.copy_button.setAccessibleName("Copy the card as Markdown")
        self.copy_button.setToolTip("Copy the whole card, as Markdown, to the clipboard")
        self.print_button = QPushButton(icon("print"), "&Print…", self)
        self.print_button.setAccessibleName("Print the card")
        self.copy_button.clicked.connect(self._on_copy_button_clicked)
        self.print_button.clicked.connect(self._on_print_button_clicked)
        buttons = QHBoxLayout()
        buttons.addWidget(self.facts, 1)
        buttons.addWidget(self.copy_button)
        buttons.addWidget(self.print_button)

        self.browser = CardBrowser(self)
        self.browser.setAccessibleName("Card text")
        self.browser.document().setDocumentMargin(14)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addLayout(buttons)
        layout.addWidget(self.banner)
        layout.addWidget(self.browser, 1)
        self.show_version(None)

    def _build_banner(self) -> None:
        """The format warnings' banner (hidden until a card version has warnings)."""
        self.banner = QFrame(self)
        self.banner.setObjectName("warningBanner")
        self.banner.setAccessibleName("Format warnings")
        self.banner.setStyleSheet(
            "#warningBanner { background: rgba(242, 180, 48, 0.20);"
            " border: 1px solid rgba(181, 122, 0, 0.70); border-radius: 4px; }"
        )
        banner_icon = QLabel(self.banner)
        banner_icon.setPixmap(icon("warning").pixmap(22, 22))
        self.banner_title = QLabel(self.banner)
        self.banner_title.setTextFormat(Qt.TextFormat.PlainText)
        font = self.banner_title.font()
        font.setBold(True)
        self.banner_title.setFont(font)
        self.banner_text = QLabel(self.banner)
        self.banner_text.setTextFormat(Qt.TextFormat.PlainText)
        self.banner_text.setWordWrap(True)
        self.banner_text.setAccessibleName("Format warning list")
        self.banner_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.banner_more = QPushButton(self.banner)
        self.banner_more.setFlat(True)
        self.banner_more.setAccessibleName("Show every format warning")
        self.banner_more.clicked.connect(self._on_banner_more_clicked)
        title_row = QHBoxLayout()
        title_row.addWidget(banner_icon)
        title_row.addWidget(self.banner_title, 1)
        title_row.addWidget(self.banner_more)
        banner_layout = QVBoxLayout(self.banner)
        banner_layout.setContentsMargins(10, 6, 10, 8)
        banner_layout.setSpacing(4)
        banner_layout.addLayout(title_row)
        banner_layout.addWidget(self.banner_text)
        self.banner.hide()

    @property
    def detail(self) -> CardVersionDetail | None:
        """The card version shown."""
        return self._detail

    def show_version(self, detail: CardVersionDetail | None) -> None:
        """Show ``detail``'s card (or nothing)."""
        self._detail = detail
        self.copy_button.setEnabled(detail is not None)
        self.print_button.setEnabled(detail is not None)
        if detail is None:
            self.facts.clear()
            self.banner.hide()
            self.browser.clear()
            return
        summary = detail.summary
        origin = (
            f"from bundle {summary.bundle.file_name}"
            if summary.bundle is not None
            else f"loose file {summary.original_name}"
        )
        self.facts.setText(
            display_text(
                f"Version {summary.version} · {summary.status} · "
                f"{format_name(summary.source_format)} · imported "
                f"{local_time(summary.imported_at)} by {summary.imported_by} · {origin}"
            )
        )
        if detail.warnings:
            count = len(detail.warnings)
            plural = "s" if count != 1 else ""
            title = f"{count} format warning{plural}: the card was read whole, "
            title += "but these places need a look."
            if detail.placeholder_sections:
                left = detail.placeholder_sections
                title += f" {left} section{'s' if left != 1 else ''} left as the template's "
                title += "placeholder (read as empty)."
            self.banner_title.setText(title)
            self._show_warnings()
            self.banner.show()
        else:
            self.banner.hide()
        self.browser.show_markdown(card_markdown(detail))
        self.highlighted = self.browser.highlight_words(self._search_words)

    def set_search_words(self, words: list[str]) -> None:
        """Highlight ``words`` (as a search matches them) in the cards shown; none: no highlight."""
        self._search_words = list(words)
        if self._detail is not None:
            self.highlighted = self.browser.highlight_words(self._search_words)

    def _show_warnings(self) -> None:
        warnings = self._detail.warnings if self._detail is not None else []
        self.banner_text.setText(warnings_text(warnings[:BANNER_LINES]))
        self.banner_more.setVisible(len(warnings) > BANNER_LINES)
        self.banner_more.setText(f"Show all {len(warnings)}…")

    def _on_banner_more_clicked(self) -> None:
        if self._detail is None:
            return
        summary = self._detail.summary
        dialog = QDialog(self)
        dialog.setWindowTitle(
            f"Format warnings: {display_text(summary.model)} {display_text(summary.version)}"
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.resize(760, 420)
        text = QPlainTextEdit(dialog)
        text.setReadOnly(True)
        text.setAccessibleName("Every format warning")
        text.setPlainText(warnings_text(self._detail.warnings))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, dialog)
        buttons.rejected.connect(dialog.reject)
        layout = QVBoxLayout(dialog)
        layout.addWidget(text)
        layout.addWidget(buttons)
        dialog.open()

    def _on_copy_button_clicked(self) -> None:
        if self._detail is not None:
            QGuiApplication.clipboard().setText(card_as_text(self._detail.card))

    def _on_print_button_clicked(self) -> None:
        # Print support is loaded only when asked for, to keep start-up light.
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle("Print card")
        if dialog.exec() == QPrintDialog.DialogCode.Accepted:
            self.browser.document().print_(printer)
