"""The Card tab: readable sections, HTML shown as text, nothing fetched, links only on click."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices, QFont, QGuiApplication, QTextDocument
from PySide6.QtWidgets import QDialog, QPlainTextEdit
from pytestqt.qtbot import QtBot

from countersign.services.registry import BundleInfo, CardVersionDetail, VersionSummary
from countersign.views.model_page.card_tab import CardTab, card_markdown, warnings_text
from tests.helpers.registry import native_card
from tests.views.conftest import UNSAFE_SUMMARY

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def _detail(warnings: list[dict[str, str]] | None = None, **card: Any) -> CardVersionDetail:
    summary = VersionSummary(
        id=7,
        model="fraud-screening",
        version="0.9",
        seq=1,
        status="in review",
        sha256="ab" * 32,
        source_format="huggingface",
        original_name="README.md",
        imported_at="2026-03-04T10:20:30.000000Z",
        imported_by="officer",
        warning_count=len(warnings or []),
        bundle=BundleInfo(
            "payments.cardbundle", "cd" * 32, "Payments", "p", "c", "absent", None, None
        ),
    )
    return CardVersionDetail(
        summary=summary,
        card=native_card("fraud-screening", "0.9", **card),
        warnings=warnings or [],
        attachments=[],
    )


@pytest.fixture
def tab(qtbot: QtBot) -> CardTab:
    widget = CardTab()
    qtbot.addWidget(widget)
    widget.resize(800, 700)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def _unsafe() -> CardVersionDetail:
    return _detail(
        model_details={"name": "fraud-screening", "version": "0.9", "summary": UNSAFE_SUMMARY}
    )


def test_sections_in_order_with_their_text(tab: CardTab) -> None:
    tab.show_version(_detail())
    text = tab.browser.toPlainText()
    order = [text.index(t) for t in ("Model details", "Intended use", "Quantitative analyses")]
    assert order == sorted(order)
    assert "Scores are poorly calibrated for applicants with thin credit files." in text
    assert "age < 25" in text
    facts = tab.facts.text()
    assert facts.startswith("Version 0.9 · in review · Hugging Face README")
    assert "by officer · from bundle payments.cardbundle" in facts


def test_html_in_a_card_is_shown_as_text(tab: CardTab) -> None:
    tab.show_version(_unsafe())
    text = tab.browser.toPlainText()
    assert "<b>bold claims</b>" in text
    assert "<img src='https://tracker.example/pixel.png'>" in text
    found = tab.browser.document().find("bold claims")
    assert not found.isNull()
    assert found.charFormat().fontWeight() == QFont.Weight.Normal


def test_images_are_never_fetched_but_named(tab: CardTab, monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []
    original = QTextDocument.loadResource

    def spy(document: QTextDocument, kind: int, name: QUrl) -> Any:
        asked.append(name.toString())
        return original(document, kind, name)

    monkeypatch.setattr(QTextDocument, "loadResource", spy)
    tab.show_version(_unsafe())
    tab.browser.grab()
    assert "[image not loaded: https://charts.example.com/roc.png]" in tab.browser.toPlainText()
    assert "\N{OBJECT REPLACEMENT CHARACTER}" not in tab.browser.toPlainText()
    assert tab.browser.loadResource(2, QUrl("https://charts.example.com/roc.png")) is None
    assert tab.browser.loadResource(2, QUrl("file:///etc/passwd")) is None
    assert asked == []


def test_links_open_only_when_clicked_and_only_on_the_web(
    tab: CardTab, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toString()))
    tab.show_version(_unsafe())
    assert "the docs" in tab.browser.toPlainText()
    assert opened == []
    assert not tab.browser.openLinks()
    tab.browser.anchorClicked.emit(QUrl("https://docs.example.com/model"))
    tab.browser.anchorClicked.emit(QUrl("file:///home/officer/.ssh/id_ed25519"))
    tab.browser.anchorClicked.emit(QUrl("javascript:alert(1)"))
    assert opened == ["https://docs.example.com/model"]


def test_warning_banner_lists_the_first_and_offers_all(qtbot: QtBot, tab: CardTab) -> None:
    warnings = [
        {"field": f"model-index[0].results[{i}].dataset", "message": f"problem {i}"}
        for i in range(5)
    ]
    tab.show_version(_detail(warnings))
    assert tab.banner.isVisibleTo(tab)
    assert tab.banner_title.text().startswith("5 format warnings:")
    lines = tab.banner_text.text().splitlines()
    # In words first (rows stored before words were recorded are worded from the path),
    # the path in the file after.
    assert lines == [
        "• model index #1 › results #1 › dataset: problem 0  [model-index[0].results[0].dataset]",
        "• model index #1 › results #2 › dataset: problem 1  [model-index[0].results[1].dataset]",
        "• model index #1 › results #3 › dataset: problem 2  [model-index[0].results[2].dataset]",
    ]
    assert tab.banner_more.text() == "Show all 5…"
    tab.banner_more.click()
    dialog = tab.findChild(QDialog)
    assert dialog is not None and dialog.isVisible()
    full = dialog.findChild(QPlainTextEdit)
    assert full is not None
    assert "results #5 › dataset: problem 4  [model-index[0].results[4].dataset]" in (
        full.toPlainText()
    )
    dialog.close()
    tab.show_version(_detail())
    assert tab.banner.isHidden()


def test_copy_puts_the_card_markdown_on_the_clipboard(tab: CardTab) -> None:
    tab.show_version(_detail())
    tab.copy_button.click()
    copied = QGuiApplication.clipboard().text()
    assert copied.startswith("## Model details")
    assert "- Scores are poorly calibrated for applicants with thin credit files." in copied


def test_print_sends_the_card_document_to_the_printer(
    tab: CardTab, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtPrintSupport import QPrintDialog

    printed: list[str] = []
    monkeypatch.setattr(QPrintDialog, "exec", lambda self: QDialog.DialogCode.Accepted)
    monkeypatch.setattr(
        QTextDocument, "print_", lambda self, printer: printed.append(self.toPlainText())
    )
    tab.show_version(_detail())
    tab.print_button.click()
    assert len(printed) == 1 and "Intended use" in printed[0]


def test_nothing_shown_disables_the_buttons(tab: CardTab) -> None:
    tab.show_version(None)
    assert not tab.copy_button.isEnabled() and not tab.print_button.isEnabled()
    assert tab.browser.toPlainText() == ""


def test_markdown_and_warning_text_helpers() -> None:
    markdown = card_markdown(_detail())
    assert markdown.startswith("## Model details\n\n**Name:** fraud-screening")
    assert warnings_text([{"field": "", "message": "front matter is not YAML"}]) == (
        "• front matter is not YAML"
    )


def test_card_text_is_literal_with_its_direction_isolated(tab: CardTab) -> None:
    detail = _detail(
        model_details={"name": "fraud-screening", "version": "0.9", "summary": "\u202eexe.txt"},
        intended_use={"text": "plain text stays as it is"},
    )
    markdown = card_markdown(detail)
    assert "\u2068\u202eexe.txt\u2069" in markdown  # shown as typed, its override closed
    assert "\u2068plain" not in markdown  # text without direction controls is untouched
    tab.show_version(detail)
    assert "\u202eexe.txt" in tab.browser.toPlainText()


def test_the_banner_counts_the_sections_left_as_the_template_placeholder(tab: CardTab) -> None:
    warnings = [
        {
            "field": f"line {line}",
            "message": f"placeholder: the section {title!r} is left as the template's "
            "placeholder ('[More Information Needed]'); read as empty",
        }
        for line, title in ((12, "Model Card Contact"), (20, "Out-of-Scope Use"))
    ]
    warnings.append({"field": "license", "message": "expected a text"})
    tab.show_version(_detail(warnings))
    assert tab.banner_title.text() == (
        "3 format warnings: the card was read whole, but these places need a look. "
        "2 sections left as the template's placeholder (read as empty)."
    )
