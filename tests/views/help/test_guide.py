"""Help ▸ User guide: shipped with the package, task by task, opened with F1, closed with Esc."""

from __future__ import annotations

from PySide6.QtCore import Qt, QUrl
from pytestqt.qtbot import QtBot

from countersign.views.help.guide import GuideWindow, guide_markdown, heading_slug
from countersign.views.main_window import MainWindow

TASKS = (
    "Import cards",
    "Compare a new version with the approved one",
    "Classify the risk",
    "Review against a checklist",
    "Sign the decision",
    "Export a signed report",
    "Verify a report from anywhere",
    "Publish an approved version",
    "Check before a deployment",
)


def test_the_guide_is_shipped_and_covers_every_task() -> None:
    text = guide_markdown()
    for task in TASKS:
        assert f"## {task}\n" in text
        # The table of contents links to each task's section.
        assert f"(#{heading_slug(task)})" in text


def test_f1_opens_one_guide_and_esc_or_ctrl_w_closes_it(qtbot: QtBot, window: MainWindow) -> None:
    window.show()
    window.commands["user_guide"].trigger()
    window.commands["user_guide"].trigger()
    guides = window.findChildren(GuideWindow)
    assert len(guides) == 1
    guide = guides[0]
    assert guide.isVisible() and guide.isWindow()
    assert "Sign the decision" in guide.browser.toPlainText()
    guide.activateWindow()
    qtbot.waitUntil(guide.isActiveWindow, timeout=3000)
    guide.browser.setFocus()
    qtbot.keyClick(guide.browser, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not guide.isVisible(), timeout=3000)
    window.commands["user_guide"].trigger()
    (again,) = window.findChildren(GuideWindow)
    assert again is guide and again.isVisible()
    again.activateWindow()
    qtbot.waitUntil(again.isActiveWindow, timeout=3000)
    again.browser.setFocus()
    qtbot.keyClick(again.browser, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not again.isVisible(), timeout=3000)


def test_a_link_of_the_contents_moves_to_its_section(qtbot: QtBot) -> None:
    guide = GuideWindow()
    qtbot.addWidget(guide)
    guide.resize(600, 400)
    guide.show()
    qtbot.waitExposed(guide)
    assert guide.browser.verticalScrollBar().value() == 0
    guide.browser.anchorClicked.emit(QUrl("#publish-an-approved-version"))
    assert guide.browser.textCursor().block().text() == "Publish an approved version"
    assert guide.browser.verticalScrollBar().value() > 0
    # A link that leaves the guide is not followed.
    assert not guide.show_section("no-such-section")
    guide.browser.anchorClicked.emit(QUrl("https://example.org/#import-cards"))
    assert guide.browser.textCursor().block().text() == "Publish an approved version"
