"""The model page says what is approved where, and Classify… signs the officer's classification."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from countersign.services.deployment.records import GateQuestion
from countersign.views.model_page.page import ModelPage
from tests.helpers.layout import assert_usable
from tests.helpers.signoff import PASSPHRASE, Workbench, medium_card, workbench

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
