"""A search hit's snippet: escaped rich text, matched words highlighted on either theme."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from countersign.services.storage.snippets import Snippet
from countersign.views.appearance.colours import MATCH_BACKGROUND
from countersign.views.registry.snippet import snippet_html


def _palette(window: str) -> QPalette:
    palette = QPalette()
    palette.setColor(QPalette.ColorRole.Window, QColor(window))
    return palette


def test_matched_words_are_highlighted_and_card_text_is_never_markup(qapp: QApplication) -> None:
    text = "…<b>bold</b> monitoring & <script>\x1b[2J…"
    start = text.index("monitoring")
    snippet = Snippet(text, ((start, start + len("monitoring")),))
    shown = snippet_html(snippet, _palette("#f0f0f0"))
    assert "&lt;b&gt;bold&lt;/b&gt;" in shown and "&lt;script&gt;" in shown
    assert "<b>" not in shown and "\x1b" not in shown
    assert f"background-color:{MATCH_BACKGROUND.light}" in shown
    assert ">monitoring</span>" in shown


def test_the_highlight_follows_a_dark_palette(qapp: QApplication) -> None:
    snippet = Snippet("the model", ((4, 9),))
    assert f"background-color:{MATCH_BACKGROUND.dark}" in snippet_html(snippet, _palette("#202124"))


def test_a_long_path_may_wrap_at_its_dots(qapp: QApplication) -> None:
    # "…information.custom_details.monitoring" has no space: without a break opportunity
    # the "…" stood alone on the first line and the match on the second.
    text = "…information.custom_details.monitoring"
    start = text.index("monitoring")
    shown = snippet_html(Snippet(text, ((start, len(text)),)), _palette("#f0f0f0"))
    assert shown.startswith("…information.\u200bcustom_\u200bdetails.\u200b<span")
    assert ">monitoring</span>" in shown
    # A dot at the end of a sentence, or between digits' words alone, is left as it is.
    assert "\u200b" not in snippet_html(Snippet("It ends. Then", ()), _palette("#f0f0f0"))
