"""The Source tab: the card file exactly as received, in a monospace viewer.

The bytes are decoded as UTF-8 with replacement characters where they are not
valid UTF-8, so that nothing is hidden and nothing is interpreted.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from countersign.views.presentation import byte_size

REPLACEMENT = "\N{REPLACEMENT CHARACTER}"


def decode_original(content: bytes) -> tuple[str, int]:
    """The bytes as text (UTF-8, invalid bytes replaced) and how many replacements were made."""
    text = content.decode("utf-8", errors="replace")
    replaced = text.count(REPLACEMENT) - content.count(REPLACEMENT.encode("utf-8"))
    return text, max(replaced, 0)


class SourceTab(QWidget):
    """Shows the original bytes of one card version, read-only, in a fixed-width font."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.facts = QLabel(self)
        self.facts.setTextFormat(Qt.TextFormat.PlainText)
        self.facts.setAccessibleName("Original file facts")
        self.facts.setWordWrap(True)
        self.wrap = QCheckBox("&Wrap long lines", self)
        self.wrap.setAccessibleName("Wrap long lines")
        self.wrap.toggled.connect(self._on_wrap_toggled)
        self.viewer = QPlainTextEdit(self)
        self.viewer.setReadOnly(True)
        self.viewer.setAccessibleName("Original card file")
        self.viewer.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.viewer.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.viewer.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        top = QHBoxLayout()
        top.addWidget(self.facts, 1)
        top.addWidget(self.wrap)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.viewer, 1)

    def show_original(self, file_name: str, content: bytes) -> None:
        """Show ``content``, the file ``file_name`` as it was received."""
        text, replaced = decode_original(content)
        note = (
            f" · {replaced} byte sequence{'s' if replaced != 1 else ''} not valid UTF-8, "
            f"shown as {REPLACEMENT}"
            if replaced
            else " · UTF-8"
        )
        self.facts.setText(f"{file_name} · {byte_size(len(content))} as received{note}")
        self.viewer.setPlainText(text)

    def clear(self) -> None:
        """Show nothing."""
        self.facts.clear()
        self.viewer.clear()

    def _on_wrap_toggled(self, checked: bool) -> None:
        self.viewer.setLineWrapMode(
            QPlainTextEdit.LineWrapMode.WidgetWidth
            if checked
            else QPlainTextEdit.LineWrapMode.NoWrap
        )
