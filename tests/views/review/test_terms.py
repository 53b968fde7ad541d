"""Conditions and expiry in the signing dialog, and the re-review after an approval expired."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QDate
from pytestqt.qtbot import QtBot

from countersign.services.storage import database
from countersign.views.review.tab import ReviewTab
from tests.helpers.signoff import PASSPHRASE, Workbench, medium_card, workbench
from tests.views.conftest import wait_for_background
from tests.views.review.test_tab import _open_dialog, _sign

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

ANA = "ana@example.org"
TODAY = datetime.date(2026, 12, 5)
UNTIL = datetime.date(2027, 3, 31)


@pytest.fixture(autouse=True)
def _on_a_fixed_day(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(database, "utc_today", lambda: TODAY)


@pytest.fixture
def bench(tmp_path: Path) -> Iterator[Workbench]:
    with workbench(tmp_path) as made:
        made.import_card(medium_card())
        made.person(ANA, "approver")
        yield made
        wait_for_background()


def test_the_dialog_signs_conditions_and_an_expiry(
    qtbot: QtBot, tab: ReviewTab, bench: Workbench, monkeypatch: pytest.MonkeyPatch
) -> None:
    tab.show_version("credit-scorer", "1.0")
    dialog = _open_dialog(qtbot, tab)
    terms = dialog.terms
    assert terms is not None
    assert "No expiry is required" in terms.rule.text()
    # A refusal is said in the dialog, and the passphrase stays closed until it is fixed.
    terms.conditions.setPlainText("Monitor the 65+ slice monthly.\n" + "x" * 301)
    assert "Condition 2 has 301 characters" in dialog.problem.text()
    assert not dialog.sign_button.isEnabled()
    terms.conditions.setPlainText("Monitor the 65+ slice monthly.\n\nRe-validate on 2027 data.")
    terms.expires_check.setChecked(True)
    terms.expires.setDate(QDate(2027, 3, 31))
    assert dialog.sign_button.isEnabled()
    with qtbot.waitSignal(tab.signed, timeout=10_000):
        _sign(qtbot, dialog, ANA)
    signed = bench.reviews.reviews_for("credit-scorer", "1.0")[0].signatures[0]
    assert signed.conditions == ("Monitor the 65+ slice monthly.", "Re-validate on 2027 data.")
    assert signed.expires_on == "2027-03-31"

    # The day after: the stage is expired and a re-review starts from the last approval.
    monkeypatch.setattr(database, "utc_today", lambda: UNTIL + datetime.timedelta(days=1))
    tab.reload()
    assert tab.sign_button.isEnabled()
    state = tab.header.state.text()
    assert "Re-review for staging: the approval of " in state and "held until 2027-03-31" in state
    assert "(1) Monitor the 65+ slice monthly. (2) Re-validate on 2027 data." in state
    assert "pre-filled from that review (round 1 of this version)" in state
    assert tab.items.answer("monitoring-plan") is not None
    tab.choose_decision("approve")
    tab.start_sign_off()
    again = tab.signing_dialog
    assert again is not None and again.terms is not None
    assert again.terms.conditions.toPlainText() == (
        "Monitor the 65+ slice monthly.\nRe-validate on 2027 data."
    )
    with qtbot.waitSignal(tab.signed, timeout=10_000):
        _sign(qtbot, again, ANA, PASSPHRASE)
    rounds = bench.reviews.reviews_for("credit-scorer", "1.0")
    assert [r.status for r in rounds] == ["approved", "approved"]


def test_an_officer_requests_a_re_review_of_an_approval_that_holds(
    qtbot: QtBot, tab: ReviewTab, bench: Workbench
) -> None:
    olga = "olga@example.org"
    bench.person(olga, role="officer")
    bench.sign(ANA)
    tab.show_version("credit-scorer", "1.0")
    tab.header.stage_combo.setCurrentIndex(tab.header.stage_combo.findData("staging"))
    assert not tab.sign_button.isEnabled()
    assert tab.header.re_review_button.isVisibleTo(tab)
    tab.header.re_review_button.click()
    assert tab.sign_button.isEnabled()
    assert not tab.header.re_review_button.isVisibleTo(tab)
    assert "the approval of " in tab.header.state.text()
    assert "is suspended once the first sign-off of this re-review is stored" in (
        tab.header.state.text()
    )
    tab.choose_decision("changes")
    tab.decision_panel.comment.setPlainText("Drift in the 65+ slice: re-validate.")
    tab.start_sign_off()
    dialog = tab.signing_dialog
    assert dialog is not None
    dialog.identity_combo.setCurrentIndex(dialog.identity_combo.findData(ANA))
    assert "only an officer asks for a re-review" in dialog.problem.text()
    with qtbot.waitSignal(tab.signed, timeout=10_000):
        _sign(qtbot, dialog, olga)
    assert [r.status for r in bench.reviews.reviews_for("credit-scorer", "1.0")] == [
        "approved",
        "changes requested",
    ]
