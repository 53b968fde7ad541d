"""The Review tab on a card that fails the high-risk checklist's adverse impact threshold:
the evidence beside the last approved value, the escalation it needs, and the real signing
dialog refusing an approver's plain approval until the officer has signed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from countersign.services.reviews.reviews import Answer
from countersign.services.reviews.signoff_verification import verify_signoffs
from countersign.views.review.items import CHECK
from countersign.views.review.tab import ReviewTab
from tests.helpers.signoff import PASSPHRASE, Workbench, fair_lending_card, workbench
from tests.views.conftest import wait_for_background

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

ANA, BEA, OLA = "ana@example.org", "bea@example.org", "ola@example.org"
NOTE = "Accepted by the Fair Lending Committee (memo FL-2026-11)."


@pytest.fixture
def bench(tmp_path: Path) -> Iterator[Workbench]:
    """credit-scorer 1.0 approved (18-24 at 0.81), then 2.0 submitted with 18-24 at 0.78."""
    with workbench(tmp_path) as made:
        made.import_card(fair_lending_card("1.0", young_air="0.81"))
        made.person(OLA, "officer")
        made.person(ANA, "approver")
        made.person(BEA, "approver")
        for email in (ANA, BEA):
            made.sign(email, version="1.0", template="high-risk", answers=made.answers("high-risk"))
        made.import_card(fair_lending_card("2.0"))
        yield made
        wait_for_background()


@pytest.fixture
def tab_size() -> tuple[int, int]:
    return 1200, 900


def _answer(tab: ReviewTab) -> None:
    for view in tab.items.items():
        row = tab.items.row_of(view.item.id)
        assert row is not None
        note = NOTE if view.item.id == "adverse-impact" else "Checked."
        tab.items.set_answer(row, Answer("pass", note))


def _sign(qtbot: QtBot, tab: ReviewTab, email: str) -> str:
    """Open the signing dialog as ``email``; sign when allowed. The dialog's problem, if any."""
    tab.choose_decision("approve")
    tab.start_sign_off()
    assert tab.problem_text() == ""
    dialog = tab.signing_dialog
    assert dialog is not None
    dialog.identity_combo.setCurrentIndex(dialog.identity_combo.findData(email))
    if not dialog.passphrase.isEnabled():
        problem = dialog.problem.text()
        dialog.reject()
        return problem
    qtbot.keyClicks(dialog.passphrase, PASSPHRASE)
    dialog.sign_button.click()
    qtbot.waitUntil(lambda: tab.signing_dialog is None, timeout=10_000)
    return ""


def test_the_threshold_evidence_and_its_escalation_are_shown(tab: ReviewTab) -> None:
    tab.show_version("credit-scorer", "2.0")
    row = tab.items.row_of("adverse-impact")
    assert row is not None
    assert tab.items.index(row, CHECK).data() == "fail"
    tab.table.selectRow(row)
    details = tab.editor.details_text()
    assert "Automatic check: fail. Adverse impact ratio at least 0.8 on every slice." in details
    # Each slice now, beside the version last approved for the stage.
    assert "1.0 (last approved for staging)" in details
    assert "age 18-24\n0.78 ✗ fails\n0.81\ngender female\n0.96\n0.96" in details
    assert "Measured on holdout-2026, test." in details
    assert "Escalation needed: Fair lending review by a governance officer (an approval by an " in (
        details
    )
    assert "not signed yet" in details
    # No answer is given for the reviewer.
    assert tab.items.answer("adverse-impact") is None


def test_a_plain_approval_waits_for_the_officer_in_the_window(
    qtbot: QtBot, tab: ReviewTab, bench: Workbench
) -> None:
    tab.show_version("credit-scorer", "2.0")
    _answer(tab)
    before = bench.counts()
    problem = _sign(qtbot, tab, ANA)
    assert "Item 'adverse-impact' failed its threshold" in problem
    assert "a plain approval is refused until an officer approves" in problem
    assert bench.counts() == before

    assert _sign(qtbot, tab, OLA) == ""
    assert bench.statuses()["credit-scorer@2.0"] == "in review"
    row = tab.items.row_of("adverse-impact")
    assert row is not None
    tab.table.selectRow(row)
    assert "signed by Ola (officer)" in tab.editor.details_text()

    _answer(tab)
    assert _sign(qtbot, tab, ANA) == ""
    assert bench.statuses()["credit-scorer@2.0"] == "approved"
    with bench.db.read() as session:
        report = verify_signoffs(session)
    assert report.ok, [p.describe() for p in report.problems]
