"""An approval past its expiry shows as expired on the model page and in the browser's table."""

from __future__ import annotations

import dataclasses
import datetime
import html
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QIcon
from pytestqt.qtbot import QtBot

from countersign.models.vocabulary import CardStatus, StageStatus
from countersign.services.reviews.conditions import ApprovalTerms
from countersign.services.storage import database
from countersign.views.model_page.page import ModelPage
from countersign.views.presentation import status_icon
from countersign.views.registry.table import ModelsTableModel
from tests.helpers.signoff import PASSPHRASE, Workbench, medium_card, workbench

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

ANA = "ana@example.org"
UNTIL = datetime.date(2027, 3, 31)


@pytest.fixture
def bench(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Workbench]:
    """credit-scorer 1.0 approved for staging on 2026-12-05 with a condition, until 2027-03-31."""
    monkeypatch.setattr(database, "utc_today", lambda: datetime.date(2026, 12, 5))
    with workbench(tmp_path) as built:
        built.import_card(medium_card())
        built.person(ANA)
        terms = ApprovalTerms(("Monitor the 65+ slice monthly.",), UNTIL)
        built.reviews.sign(dataclasses.replace(built.request(ANA), terms=terms), PASSPHRASE)
        yield built


def _icon_key(icon: QIcon) -> int:
    return icon.pixmap(12, 12).toImage().pixelColor(6, 6).rgb()


def test_before_and_after_the_expiry(
    qtbot: QtBot, bench: Workbench, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = ModelPage(bench.services)
    qtbot.addWidget(page)
    page.show()
    page.show_model("credit-scorer")
    assert page.status_badge.text().strip() == "approved"
    assert (
        page.stages.text()
        .splitlines()[1]
        .startswith(
            "version 1.0: staging approved until 2027-03-31 on 1 condition, production not requested"
        )
    )
    table = ModelsTableModel(bench.services.registry)
    row = table.row_of("credit-scorer")
    assert row is not None
    assert table.index(row, 4).data() == "staging 1.0"

    monkeypatch.setattr(database, "utc_today", lambda: UNTIL + datetime.timedelta(days=1))
    page.reload()
    assert page.status_badge.text().strip() == "approval expired"
    assert "held until 2027-03-31" in page.status_badge.toolTip()
    assert page.stages.text().splitlines() == [
        "Stages: staging 1.0 expired",
        "version 1.0: staging EXPIRED (held until 2027-03-31), production not requested · risk "
        "not classified by an officer (the card's own rating: medium)",
    ]
    page.show_tab(1)
    assert page.versions_tab.model.index(0, 1).data() == (
        "staging EXPIRED (held until 2027-03-31) · production not requested"
    )
    # The facts under the table say it too, not only the card version's "approved".
    assert (
        "1.0 (staging EXPIRED (held until 2027-03-31) · production not requested; the card "
        "version's latest status: approved)" in html.unescape(page.versions_tab.facts.text())
    )
    table = ModelsTableModel(bench.services.registry)
    row = table.row_of("credit-scorer")
    assert row is not None
    assert table.index(row, 4).data() == "staging 1.0 expired"
    dot = table.index(row, 4).data(Qt.ItemDataRole.DecorationRole)
    assert _icon_key(dot) == _icon_key(status_icon(StageStatus.EXPIRED))
    assert _icon_key(dot) != _icon_key(status_icon(CardStatus.APPROVED))
