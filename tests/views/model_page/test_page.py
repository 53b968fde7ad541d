"""The model page: each tab shows the chosen model's card version, read when looked at."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from countersign.services.registry import Registry
from countersign.services.workstation import Services
from countersign.views.model_page.page import ModelPage
from tests.helpers.mct import PHOTO_CLASSIFIER_FILE
from tests.views.conftest import CATS_AND_DOGS

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def page(qtbot: QtBot, workstation: Services) -> Iterator[ModelPage]:
    widget = ModelPage(workstation)
    qtbot.addWidget(widget)
    widget.resize(820, 760)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget


def test_nothing_chosen_says_what_to_do(page: ModelPage) -> None:
    assert page.stack.currentWidget() is page.placeholder
    assert "Choose a model on the left" in page.placeholder.text()


def test_header_and_card_of_the_newest_version(page: ModelPage) -> None:
    page.show_model("credit-scorer")
    assert page.title.text() == "credit-scorer"
    assert page.status_badge.text().strip() == "submitted"
    assert "Team: Credit Risk Analytics" in page.facts.text()
    assert "2 card versions, latest 2.0.0" in page.facts.text()
    assert page.tabs.tabText(1) == "Versions (2)"
    assert page.tabs.tabText(3) == "Attachments (1)"
    card = page.card_tab.browser.toPlainText()
    assert "Gradient-boosted model estimating the probability" in card
    assert "Decision support for underwriters" in card
    assert "Version 2.0.0 · submitted · Countersign JSON" in page.card_tab.facts.text()
    assert "from bundle credit-scorer.cardbundle" in page.card_tab.facts.text()
    assert page.card_tab.banner.isHidden()


def test_versions_tab_is_a_timeline_with_provenance(qtbot: QtBot, page: ModelPage) -> None:
    page.show_model("credit-scorer")
    page.show_tab(1)
    model = page.versions_tab.model
    rows = [[model.index(r, c).data() for c in range(model.columnCount())] for r in range(2)]
    assert [row[0] for row in rows] == ["2.0.0", "1.0.0"]
    assert [row[1] for row in rows] == ["submitted", "superseded"]
    assert rows[0][3] == "credit-scorer.cardbundle"
    assert rows[0][4].startswith("valid (O=Example Bank,CN=Credit Risk Analytics release signing")
    facts = page.versions_tab.facts.text()
    assert "Canonical card SHA-256" in facts
    assert page.card_tab.detail is not None
    assert page.card_tab.detail.summary.sha256 in facts


def test_choosing_a_version_shows_it_in_the_card_tab(qtbot: QtBot, page: ModelPage) -> None:
    page.show_model("credit-scorer")
    page.show_tab(1)
    table = page.versions_tab.table
    table.setCurrentIndex(page.versions_tab.model.index(1, 0))
    assert page.version == "1.0.0"
    page.show_tab(0)
    assert "Version 1.0.0 · superseded" in page.card_tab.facts.text()
    # The header badge is the shown version's status, naming the version when it is older.
    assert page.status_badge.text().strip() == "1.0.0 · superseded"
    assert "the newest, 2.0.0, is submitted" in page.status_badge.toolTip()
    assert "from bundle credit-scorer.cardbundle" in page.card_tab.facts.text()
    page.show_tab(2)
    assert page.source_tab.facts.text().startswith("credit-scorer-v1.json")
    assert '"version": "1.0.0"' in page.source_tab.viewer.toPlainText()


def test_opening_a_version_goes_to_its_card(qtbot: QtBot, page: ModelPage) -> None:
    page.show_model("credit-scorer")
    page.show_tab(1)
    page.versions_tab.version_opened.emit("1.0.0")
    assert page.tabs.currentWidget() is page.card_tab
    assert page.card_tab.detail is not None
    assert page.card_tab.detail.summary.version == "1.0.0"


def test_source_tab_shows_the_bytes_as_received(page: ModelPage) -> None:
    page.show_model(CATS_AND_DOGS)
    page.show_tab(2)
    text = page.source_tab.viewer.toPlainText()
    assert f'"name": "{CATS_AND_DOGS}"' in text
    assert PHOTO_CLASSIFIER_FILE in page.source_tab.facts.text()
    assert page.source_tab.viewer.isReadOnly()


def test_format_warnings_come_first(page: ModelPage) -> None:
    page.show_model(CATS_AND_DOGS)
    assert page.card_tab.banner.isVisibleTo(page)
    assert page.card_tab.banner_title.text().startswith("1 format warning:")
    assert "quantitative_analysis.graphics.collection[0].image" in page.card_tab.banner_text.text()


def test_attachments_tab_previews_images_from_their_bytes(page: ModelPage) -> None:
    page.show_model(CATS_AND_DOGS)
    page.show_tab(3)
    tab = page.attachments_tab
    paths = [tab.model.index(r, 0).data() for r in range(tab.model.rowCount())]
    assert paths == [
        "embedded/graphic-01-validation-set-size.png",
        "embedded/graphic-02-accuracy.txt",
    ]
    assert tab.preview.currentIndex() == 1
    pixmap = tab.image.pixmap()
    assert not pixmap.isNull() and pixmap.width() > 100
    tab.table.setCurrentIndex(tab.model.index(1, 0))
    assert tab.preview.currentIndex() == 2
    assert tab.text.toPlainText()


def test_history_tab_lists_this_models_events(page: ModelPage) -> None:
    page.show_model("loan-default-scorer")
    page.show_tab(4)
    model = page.history_tab.model
    actions = [model.index(r, 1).data() for r in range(model.rowCount())]
    assert actions == [
        "Model created",
        "Card version imported",
        "Card version imported",
        "Card version superseded",
    ]
    happened = model.index(3, 3).data()
    assert happened.startswith("Card version ") and " superseded by version " in happened
    assert "loan-default-scorer" not in happened  # the tab names the model already
    assert {model.index(r, 2).data() for r in range(model.rowCount())} == {"officer"}


def test_tabs_are_read_only_when_looked_at(
    page: ModelPage, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    original = Registry.original

    def counted(self: Registry, card_version_id: int) -> tuple[str, bytes]:
        calls.append("original")
        return original(self, card_version_id)

    monkeypatch.setattr(Registry, "original", counted)
    page.show_model("credit-scorer")
    assert calls == []
    page.show_tab(2)
    assert calls == ["original"]


def test_a_vanished_model_clears_the_page(page: ModelPage) -> None:
    page.show_model("no-such-model")
    assert page.stack.currentWidget() is page.placeholder
    assert "no model named 'no-such-model'" in page.placeholder.text()
