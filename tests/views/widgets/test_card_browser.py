"""The card viewer shared by the Card tab, the review panels and the draft editor."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from countersign.views.widgets.card_browser import CardBrowser


def test_entities_in_card_text_show_as_written(qtbot: QtBot) -> None:
    viewer = CardBrowser()
    qtbot.addWidget(viewer)
    viewer.show_markdown("Terms &amp; conditions: a &lt;b&gt; tag and &#169; sign, R&D stays.")
    text = viewer.toPlainText()
    assert "Terms &amp; conditions: a &lt;b&gt; tag and &#169; sign, R&D stays." in text
