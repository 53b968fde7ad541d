"""Help ▸ User guide (F1): the officer's guide, task by task, shipped with the program.

The guide is Markdown in ``resources/guide``; Qt renders it, so it reads the same
offline as anywhere.  Links inside the guide move within it; nothing is fetched.
"""

from __future__ import annotations

import importlib.resources
import re

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QTextBrowser, QVBoxLayout, QWidget

from countersign.views.widgets.window_keys import close_with_keys


def guide_markdown() -> str:
    """The user guide's Markdown, as shipped in ``resources/guide``."""
    resource = importlib.resources.files("countersign.resources") / "guide" / "user-guide.md"
    return resource.read_text(encoding="utf-8")


class GuideWindow(QWidget):
    """A window with the user guide; Esc or Ctrl+W closes it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle("User guide — Countersign")
        self.setAccessibleName("User guide")
        self.resize(820, 760)
        self.browser = QTextBrowser(self)
        self.browser.setOpenExternalLinks(False)
        self.browser.setOpenLinks(False)
        self.browser.anchorClicked.connect(self._on_browser_anchor_clicked)
        self.browser.setMarkdown(guide_markdown())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.browser)
        close_with_keys(self)

    def show_section(self, slug: str) -> bool:
        """Scroll to the heading whose slug (as GitHub writes it) is ``slug``; False if none."""
        block = self.browser.document().begin()
        while block.isValid():
            if block.blockFormat().headingLevel() > 0 and heading_slug(block.text()) == slug:
                cursor = QTextCursor(block)
                self.browser.setTextCursor(cursor)
                bar = self.browser.verticalScrollBar()
                bar.setValue(bar.maximum())  # then back, so that the heading ends up on top
                self.browser.ensureCursorVisible()
                return True
            block = block.next()
        return False

    def _on_browser_anchor_clicked(self, url: QUrl) -> None:
        # Only the guide's own sections: a link elsewhere is not followed.
        if url.scheme() == "" and url.hasFragment():
            self.show_section(url.fragment())


def heading_slug(text: str) -> str:
    """The anchor a Markdown heading gets on GitHub: lower case, words joined by hyphens."""
    return re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")
