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


def _highlighted(browser: CardBrowser) -> list[str]:
    return [selection.cursor.selectedText() for selection in browser.extraSelections()]


def test_search_words_are_highlighted_whatever_their_accents(qtbot: QtBot) -> None:
    browser = CardBrowser()
    qtbot.addWidget(browser)
    browser.show_markdown(
        "# Résumé screening 🧾\n\n"
        "Ranks each résumé sent to the café chain; 🧾 RÉSUMÉ parsing.\n\n"
        "| Field | Value |\n|---|---|\n| 🧾 input | Resumes and a cafe menu |\n"
    )
    # As the search index folds accents ("resume" finds "résumé"), so does the highlight;
    # an emoji before a word (two positions in the document) does not shift it.
    assert browser.highlight_words(["resume", "CAFÉ"]) == 6
    assert _highlighted(browser) == ["Résumé", "résumé", "café", "RÉSUMÉ", "Resumes", "cafe"]
    # Only at the start of a word, as the search matches: "cafeteria" is, "decafe" is not.
    browser.show_markdown("decafe and cafeteria")
    assert browser.highlight_words(["cafe"]) == 1
    assert _highlighted(browser) == ["cafeteria"]
    assert browser.highlight_words([]) == 0 and browser.extraSelections() == []
