"""The Source tab: original bytes, decoded with replacement, read-only, monospace."""

from __future__ import annotations

from PySide6.QtGui import QFontDatabase
from pytestqt.qtbot import QtBot

from countersign.views.model_page.source_tab import SourceTab, decode_original


def test_invalid_utf8_is_replaced_and_counted() -> None:
    assert decode_original(b"model: caf\xc3\xa9") == ("model: café", 0)
    assert decode_original(b"ab\xffcd\xfe") == ("ab\ufffdcd\ufffd", 2)
    # A replacement character that was really in the file is not counted as damage.
    assert decode_original("ok \ufffd".encode()) == ("ok \ufffd", 0)


def test_shows_the_bytes_with_their_facts(qtbot: QtBot) -> None:
    tab = SourceTab()
    qtbot.addWidget(tab)
    tab.show_original("README.md", b"---\nlicense: mit\n---\n# Card \xff\n")
    assert tab.viewer.toPlainText() == "---\nlicense: mit\n---\n# Card \ufffd\n"
    assert tab.facts.text() == (
        "README.md · 30 B as received · 1 byte sequence not valid UTF-8, shown as \ufffd"
    )
    assert tab.viewer.isReadOnly()
    assert tab.viewer.font() == QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    tab.wrap.setChecked(True)
    assert tab.viewer.lineWrapMode() == tab.viewer.LineWrapMode.WidgetWidth
    tab.clear()
    assert tab.viewer.toPlainText() == ""
