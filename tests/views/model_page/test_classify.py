"""The model page says what is approved where, and Classify… signs the officer's classification."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from countersign.services.deployment.records import GateQuestion
from countersign.views.main_window import MainWindow
from countersign.views.model_page.page import ModelPage
from countersign.views.registry.table import HEADERS
from tests.helpers.layout import assert_usable
from tests.helpers.signoff import PASSPHRASE, Workbench, medium_card, workbench
from tests.views.conftest import settle

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def bench(tmp_path: Path) -> Iterator[Workbench]:
    with workbench(tmp_path) as built:
        built.import_card(medium_card())
        # Olga founds the registry (its only officer) and grants Ana her role.
        built.person("olga@example.org", role="officer", name="Olga Officer")
        built.person("ana@example.org")
        yield built


def test_stages_on_the_page_and_classify(qtbot: QtBot, bench: Workbench) -> None:
    bench.sign("ana@example.org")
    page = ModelPage(bench.services)
    qtbot.addWidget(page)
    page.show()
    page.show_model("credit-scorer")
    assert page.stages.text().splitlines() == [
        "Stages: staging 1.0",
        "version 1.0: staging approved, production not requested · risk not classified by an "
        "officer (the card's own rating: medium)",
    ]
    page.show_tab(1)
    assert page.versions_tab.model.index(0, 1).data() == (
        "staging approved · production not requested"
    )

    dialog = page.open_classify_dialog()
    assert dialog is not None
    assert dialog.rating.text() == (
        "The card's own rating: medium. Not classified by an officer yet."
    )
    assert dialog.officer.count() == 1  # only officers are offered
    dialog.tier.setCurrentIndex(dialog.tier.findData("high"))
    dialog.passphrase.setText(PASSPHRASE)
    dialog.buttons.accepted.emit()
    assert dialog.problem.text().startswith("give the reason")
    assert dialog.isVisible()
    assert_usable(qtbot, dialog)  # the message made room for itself
    dialog.reason.setPlainText("Decides on consumer credit.")
    dialog.passphrase.setText(PASSPHRASE)
    dialog.buttons.accepted.emit()
    assert not dialog.isVisible()
    assert "risk high, classified by Olga Officer" in page.stages.text()
    assert "Decides on consumer credit. (the card's own rating: medium — DIFFERS)" in (
        page.stages.text()
    )


def test_revoke_approval_from_the_page(qtbot: QtBot, bench: Workbench) -> None:
    bench.sign("ana@example.org")
    page = ModelPage(bench.services)
    qtbot.addWidget(page)
    page.show()
    page.show_model("credit-scorer")
    dialog = page.open_revoke_dialog()
    assert dialog is not None
    assert [dialog.stage.itemText(i) for i in range(dialog.stage.count())] == ["staging"]
    dialog.reason.setPlainText("Drift found in production data.")
    dialog.passphrase.setText("wrong")
    dialog.buttons.accepted.emit()
    assert dialog.isVisible() and dialog.problem.text()
    assert_usable(qtbot, dialog)
    dialog.passphrase.setText(PASSPHRASE)
    dialog.buttons.accepted.emit()
    assert not dialog.isVisible()
    assert "staging revoked" in page.stages.text()
    assert not bench.services.deployment.gate("credit-scorer", "1.0", GateQuestion("staging")).ok


def _listed_tier(window: MainWindow, name: str) -> str:
    """The Risk tier cell of ``name``'s row in the models table, as drawn."""
    table = window.browser.models_model
    row = table.row_of(name)
    assert row is not None, f"{name} is not listed"
    return str(table.index(row, HEADERS.index("Risk tier")).data())


def test_the_classification_is_the_tier_the_window_lists_and_filters_by(
    qtbot: QtBot, bench: Workbench, tmp_path: Path
) -> None:
    bench.import_card(medium_card("fraud-model"))
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(bench.services, settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.counts_label.text() != "Counting…", timeout=10_000)
    window.open_model("credit-scorer")
    page = window.model_page
    assert _listed_tier(window, "credit-scorer") == "medium"
    assert "Risk tier: medium" in page.facts.text()

    dialog = page.open_classify_dialog()
    assert dialog is not None
    dialog.tier.setCurrentIndex(dialog.tier.findData("high"))
    dialog.reason.setPlainText("Decides on consumer credit.")
    dialog.passphrase.setText(PASSPHRASE)
    dialog.buttons.accepted.emit()
    assert not dialog.isVisible()
    settle(qtbot, window)

    # The list, the header and the home screen say the officer's tier; the stages line
    # keeps the card's own rating beside it.
    assert _listed_tier(window, "credit-scorer") == "high"
    assert _listed_tier(window, "fraud-model") == "medium"
    assert "Risk tier: high" in page.facts.text()
    assert "(the card's own rating: medium — DIFFERS)" in page.stages.text()
    qtbot.waitUntil(lambda: window.home.desk is not None and not window.home.loading)
    assert window.home.desk is not None
    assert {(r.model, r.risk_tier) for r in window.home.desk.to_review.rows} == {
        ("credit-scorer", "high"),
        ("fraud-model", "medium"),
    }
    # Filtering by "high" finds it; by "medium", only the other model.
    browser = window.browser
    browser.risk_filter.setCurrentIndex(browser.risk_filter.findData("high"))
    assert browser.models_model.rowCount() == 1
    assert _listed_tier(window, "credit-scorer") == "high"
    browser.risk_filter.setCurrentIndex(browser.risk_filter.findData("medium"))
    assert browser.models_model.row_of("credit-scorer") is None
    assert browser.models_model.row_of("fraud-model") is not None
    settle(qtbot, window)
