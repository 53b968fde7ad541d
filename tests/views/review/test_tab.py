"""The Review tab: automatic results with evidence, required items, and sign-offs through the
signing dialog with an in-memory keyring; every refusal said in words, with nothing stored."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QTableView
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from countersign.services.reviews.conditions import add_months, today
from countersign.services.reviews.reviews import Answer, SignOffResult
from countersign.views.identities.forms import CreateIdentityDialog
from countersign.views.model_page.page import ModelPage
from countersign.views.review.items import ANSWER, CHECK, EVIDENCE, ITEM, NOTE
from countersign.views.review.signing_dialog import SigningDialog
from countersign.views.review.signoffs import SignOffDialog, column_widths
from countersign.views.review.tab import ReviewTab
from tests.helpers.layout import assert_usable
from tests.helpers.registry import native_card
from tests.helpers.signoff import PASSPHRASE, Workbench, medium_card, table_counts, workbench
from tests.views.conftest import wait_for_background

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

ANA, BEA, CAL = "ana@example.org", "bea@example.org", "cal@example.org"


@pytest.fixture
def bench(tmp_path: Path) -> Iterator[Workbench]:
    """credit-scorer 1.0 (medium risk: standard checklist, quorum 1) and fraud-detector 3.1
    (high risk: quorum 2), with two approvers and a reviewer."""
    with workbench(tmp_path) as made:
        made.import_card(medium_card())
        made.import_card(native_card("fraud-detector", "3.1"))
        made.person(ANA, "approver")
        made.person(BEA, "officer")
        made.person(CAL, "reviewer")
        yield made
        wait_for_background()


def _row(tab: ReviewTab, item_id: str) -> int:
    row = tab.items.row_of(item_id)
    assert row is not None, item_id
    return row


def _cell(tab: ReviewTab, item_id: str, column: int, role: int = Qt.ItemDataRole.DisplayRole):  # type: ignore[no-untyped-def]
    return tab.items.index(_row(tab, item_id), column).data(role)


def _answer_everything(tab: ReviewTab) -> None:
    """Answer what the automatic checks left open (with notes where the rules want them)."""
    for view in tab.items.unanswered_required():
        tab.items.set_answer(_row(tab, view.item.id), Answer("pass", "Read in the card."))
    for view, _reason in tab.items.needing_notes():
        tab.items.set_answer(_row(tab, view.item.id), Answer("pass", "Checked by hand."))


def _open_dialog(qtbot: QtBot, tab: ReviewTab, decision: str = "approve") -> SigningDialog:
    _answer_everything(tab)
    tab.choose_decision(decision)
    tab.start_sign_off()
    assert tab.problem_text() == ""
    dialog = tab.signing_dialog
    assert dialog is not None and dialog.isVisible()
    return dialog


def _sign(qtbot: QtBot, dialog: SigningDialog, email: str, passphrase: str = PASSPHRASE) -> None:
    dialog.identity_combo.setCurrentIndex(dialog.identity_combo.findData(email))
    assert dialog.passphrase.isEnabled(), dialog.problem.text()
    qtbot.keyClicks(dialog.passphrase, passphrase)
    dialog.sign_button.click()
    qtbot.waitUntil(lambda: not dialog.signing, timeout=10_000)


def test_automatic_results_are_shown_with_their_evidence(tab: ReviewTab) -> None:
    tab.show_version("credit-scorer", "1.0")
    assert tab.header.template_combo.currentData() == "standard@1"
    assert "1 approval needed" in tab.header.facts.text()
    assert _cell(tab, "licence-stated", CHECK) == "pass"
    assert _cell(tab, "licence-stated", EVIDENCE) == "license has 11 characters: “proprietary”"
    # The check's result stands beside the answer; the answer is the reviewer's alone.
    assert _cell(tab, "licence-stated", ANSWER) == "unanswered"
    assert _cell(tab, "licence-stated", ANSWER, Qt.ItemDataRole.FontRole) is None
    assert tab.items.answers() == {}
    assert _cell(tab, "ethical-risks", CHECK) == "fail"
    assert _cell(tab, "ethical-risks", ANSWER) == "unanswered"
    assert _cell(tab, "ethical-risks", NOTE) == ""
    # Passing over a failed check asks for a note.
    tab.items.set_answer(_row(tab, "ethical-risks"), Answer("pass"))
    assert _cell(tab, "ethical-risks", NOTE) == "note needed"
    assert _cell(tab, "ethical-risks", EVIDENCE) == "ethical_considerations is empty"
    assert _cell(tab, "limitations-specific", EVIDENCE).endswith("at least 80 are needed")
    # No automatic check: the reviewer decides.
    assert _cell(tab, "monitoring-plan", CHECK) == "—"
    assert _cell(tab, "monitoring-plan", ANSWER) == "unanswered"
    # The chosen item in full, with the value found.
    tab.table.selectRow(_row(tab, "owner-contact"))
    details = tab.editor.details_text()
    assert "The card names an accountable owner" in details
    assert "Automatic check: pass. Found: owners has 1 entry: Risk Analytics" in details
    assert "risk-analytics@example.com" in details
    assert "The check informs; the answer is yours." in details
    # The clauses the item evidences, in the editor and in the item's tooltip.
    cited = (
        "NIST AI RMF 1.0 GOVERN 2; ISO/IEC 42001 A.3.2; SR 11-7 Governance, policies and controls"
    )
    assert f"Evidences: {cited}" in details
    assert _cell(tab, "owner-contact", ITEM, Qt.ItemDataRole.ToolTipRole).endswith(
        f"Evidences: {cited}"
    )


def test_the_eu_ai_act_checklist_is_offered_for_high_risk_but_not_the_default(
    tab: ReviewTab,
) -> None:
    tab.show_version("fraud-detector", "3.1")
    combo = tab.header.template_combo
    assert sorted(combo.itemData(i) for i in range(combo.count())) == [
        "eu-ai-act-high-risk@2",
        "high-risk@3",
    ]
    assert combo.currentData() == "high-risk@3"
    combo.setCurrentIndex(combo.findData("eu-ai-act-high-risk@2"))
    assert tab.draft is not None and tab.draft.template.reference == "eu-ai-act-high-risk@2"
    tab.table.selectRow(_row(tab, "human-oversight"))
    assert (
        "Evidences: EU AI Act Annex IV(2)(e); EU AI Act Art. 14; EU AI Act Art. 13(3)(d)"
        in tab.editor.details_text()
    )


def test_required_items_are_marked_and_enforced(
    qtbot: QtBot, tab: ReviewTab, bench: Workbench
) -> None:
    tab.show_version("credit-scorer", "1.0")
    bold = _cell(tab, "monitoring-plan", ITEM, Qt.ItemDataRole.FontRole)
    assert isinstance(bold, QFont) and bold.bold()
    assert _cell(tab, "no-format-problems", ITEM).startswith("12. (optional) ")
    assert tab.items.index(0, ITEM).data(Qt.ItemDataRole.ForegroundRole) is not None
    tab.items.set_answer(0, Answer("pass"))
    assert tab.items.index(0, ITEM).data(Qt.ItemDataRole.ForegroundRole) is None
    assert _cell(tab, "monitoring-plan", ITEM, Qt.ItemDataRole.ForegroundRole) is not None
    before = table_counts(bench.path)
    tab.choose_decision("approve")
    tab.start_sign_off()
    assert tab.problem_text().startswith("Answer every required item before signing: ")
    assert "(intended-use, " in tab.problem_text()
    for view in tab.items.unanswered_required():
        if view.item.id != "monitoring-plan":
            tab.items.set_answer(_row(tab, view.item.id), Answer("pass", "Read."))
    tab.start_sign_off()
    assert tab.problem_text() == (
        "Answer every required item before signing: 1 is unanswered (monitoring-plan)."
    )
    assert tab.table.currentIndex().row() == _row(tab, "monitoring-plan")
    assert tab.signing_dialog is None
    # A fail with no note: refused before any passphrase.
    _answer_everything(tab)
    tab.items.set_answer(_row(tab, "evaluation-data"), Answer("fail"))
    tab.start_sign_off()
    assert tab.problem_text() == (
        "Item 4 (evaluation-data): A fail needs a note saying what is wrong."
    )
    assert tab.table.currentIndex().row() == _row(tab, "evaluation-data")
    # Answering in the editor changes the item chosen.
    tab.editor.choose("na")
    tab.editor.note.setPlainText("Evaluated on the training holdout; see metrics.")
    assert tab.items.answer("evaluation-data") == Answer(
        "na", "Evaluated on the training holdout; see metrics."
    )
    assert tab.signing_dialog is None
    assert table_counts(bench.path) == before


def test_a_decision_must_be_chosen(tab: ReviewTab) -> None:
    tab.show_version("credit-scorer", "1.0")
    tab.start_sign_off()
    assert tab.problem_text() == "Choose a decision first: approve, request changes or reject."


def test_full_sign_off_approves_with_quorum_one(
    qtbot: QtBot, tab: ReviewTab, bench: Workbench
) -> None:
    tab.show_version("credit-scorer", "1.0")
    signed: list[SignOffResult] = []
    tab.signed.connect(signed.append)
    dialog = _open_dialog(qtbot, tab)
    assert "<b>Approve</b> credit-scorer 1.0" in dialog.summary.text()
    # The officer's default is an identity allowed to approve, never the reviewer.
    assert dialog.identity in (ANA, BEA)
    tab.decision_panel.comment.setPlainText("ignored: the request was taken when Sign… was pressed")
    with qtbot.waitSignal(tab.signed, timeout=10_000):
        _sign(qtbot, dialog, ANA)
    assert signed[0].card_status == "approved"
    assert bench.statuses()["credit-scorer@1.0"] == "approved"
    assert table_counts(bench.path)["signatures"] == 1
    assert (
        tab.decision_panel.notice.text()
    ) == "Signed by Ana: approve. credit-scorer 1.0 is now approved (1 of 1 approval)."
    assert tab.signoffs.model.rowCount() == 1
    assert tab.signoffs.model.index(0, 0).data() == "Ana"
    assert tab.signoffs.model.index(0, 1).data() == "approve"
    assert tab.signoffs.rounds.text().startswith("Approved: 1 of 1 approval · standard@1")
    # Decided: the tab says so and takes no more sign-offs.
    assert not tab.sign_button.isEnabled()
    assert (
        "credit-scorer 1.0 is approved for staging: it takes no more sign-offs for that stage"
        in (tab.header.state.text())
    )
    assert tab.signing_dialog is None
    # What was signed is what the checklist now shows, as signed.
    assert tab.decision_panel.progress.text().startswith("Answers as signed by Ana (approve, ")
    assert _cell(tab, "monitoring-plan", ANSWER) == "pass"
    assert _cell(tab, "monitoring-plan", NOTE) == "Read in the card."
    assert _cell(tab, "licence-stated", ANSWER) == "pass"


def test_a_reviewer_requests_changes(qtbot: QtBot, tab: ReviewTab, bench: Workbench) -> None:
    tab.show_version("credit-scorer", "1.0")
    tab.items.set_answer(_row(tab, "monitoring-plan"), Answer("fail", "No monitoring plan."))
    dialog = _open_dialog(qtbot, tab, "changes")
    assert "<b>Request changes</b> credit-scorer 1.0" in dialog.summary.text()
    _sign(qtbot, dialog, CAL)
    qtbot.waitUntil(lambda: tab.signing_dialog is None, timeout=5000)
    assert bench.statuses()["credit-scorer@1.0"] == "changes requested"
    assert tab.signoffs.rounds.text().startswith("Changes requested: 0 of 1 approval")
    assert tab.signoffs.model.index(0, 1).data() == "request changes"
    assert _cell(tab, "monitoring-plan", ANSWER) == "fail"


def test_high_risk_needs_a_second_approver(qtbot: QtBot, tab: ReviewTab, bench: Workbench) -> None:
    tab.show_version("fraud-detector", "3.1")
    assert tab.header.template_combo.currentData() == "high-risk@3"
    assert "2 approvals needed" in tab.header.facts.text()
    dialog = _open_dialog(qtbot, tab)
    # The shipped high-risk checklist lets an approval hold at most 12 months: the dialog
    # opens with that expiry (to keep or shorten) and cannot go past it.
    latest = add_months(today(), 12)
    assert dialog.terms is not None and dialog.terms.expires_check.isChecked()
    assert dialog.terms.expires.date().toString("yyyy-MM-dd") == latest.isoformat()
    assert dialog.terms.expires.maximumDate().toString("yyyy-MM-dd") == latest.isoformat()
    _sign(qtbot, dialog, ANA)
    qtbot.waitUntil(lambda: tab.signing_dialog is None, timeout=5000)
    assert bench.statuses()["fraud-detector@3.1"] == "in review"
    assert tab.signoffs.rounds.text().startswith("In review: 1 of 2 approvals, 1 more needed")
    assert tab.sign_button.isEnabled()
    # The round is open: its checklist cannot change under it.
    assert not tab.header.template_combo.isEnabled()
    # The same approver cannot sign the round again; another can, and the quorum is met.
    dialog = _open_dialog(qtbot, tab)
    dialog.identity_combo.setCurrentIndex(dialog.identity_combo.findData(ANA))
    assert "ana@example.org already signed this review" in dialog.problem.text()
    assert not dialog.passphrase.isEnabled() and not dialog.sign_button.isEnabled()
    _sign(qtbot, dialog, BEA)
    qtbot.waitUntil(lambda: tab.signing_dialog is None, timeout=5000)
    assert bench.statuses()["fraud-detector@3.1"] == "approved"
    assert tab.signoffs.model.rowCount() == 2
    signed = bench.reviews.reviews_for("fraud-detector", "3.1")[0].signatures
    assert [s.expires_on for s in signed] == [latest.isoformat()] * 2


def test_wrong_passphrase_says_so_and_stores_nothing(
    qtbot: QtBot, tab: ReviewTab, bench: Workbench
) -> None:
    tab.show_version("credit-scorer", "1.0")
    before = table_counts(bench.path), bench.statuses()
    dialog = _open_dialog(qtbot, tab)
    assert dialog.passphrase.echoMode() == dialog.passphrase.EchoMode.Password
    _sign(qtbot, dialog, ANA, "not the passphrase")
    assert dialog.isVisible()
    assert dialog.problem.text() == (
        "The passphrase is wrong for ana@example.org. Nothing was signed or stored; "
        "type it again (letter case counts)."
    )
    assert dialog.passphrase.text() == ""  # never kept in the field
    # The message made the dialog grow: no field squeezed below its size hint.
    assert_usable(qtbot, dialog)
    for field in (dialog.identity_combo, dialog.passphrase, dialog.sign_button):
        assert field.height() >= field.sizeHint().height()
    assert (table_counts(bench.path), bench.statuses()) == before
    _sign(qtbot, dialog, ANA)
    qtbot.waitUntil(lambda: tab.signing_dialog is None, timeout=5000)
    assert bench.statuses()["credit-scorer@1.0"] == "approved"


def test_a_reviewer_is_refused_approval_in_the_dialog(qtbot: QtBot, tab: ReviewTab) -> None:
    tab.show_version("credit-scorer", "1.0")
    dialog = _open_dialog(qtbot, tab)
    dialog.identity_combo.setCurrentIndex(dialog.identity_combo.findData(CAL))
    assert dialog.problem.text().startswith("cal@example.org is a reviewer and cannot approve")
    assert not dialog.passphrase.isEnabled()
    dialog.identity_combo.setCurrentIndex(dialog.identity_combo.findData(BEA))
    assert dialog.problem.isHidden() and dialog.passphrase.isEnabled()
    dialog.reject()


def test_self_approval_is_refused_before_any_passphrase(qtbot: QtBot, tmp_path: Path) -> None:
    with workbench(tmp_path) as bench:
        bench.import_card(medium_card(owners=[{"name": "Dee", "contact": "dee@example.org"}]))
        bench.person("dee@example.org", "officer")  # the registry's only identity
        tab = ReviewTab(bench.services)
        qtbot.addWidget(tab)
        tab.show_version("credit-scorer", "1.0")
        before = table_counts(bench.path)
        _answer_everything(tab)
        tab.choose_decision("approve")
        tab.start_sign_off()
        assert tab.signing_dialog is None
        assert tab.problem_text() == (
            "dee@example.org is named among the owners or developers of credit-scorer 1.0, so "
            "cannot approve it (segregation of duties); someone independent must approve."
        )
        assert table_counts(bench.path) == before


def test_first_sign_off_offers_identity_setup_then_signs(qtbot: QtBot, tmp_path: Path) -> None:
    with workbench(tmp_path) as bench:
        bench.import_card(medium_card())
        tab = ReviewTab(bench.services)
        qtbot.addWidget(tab)
        tab.show()
        tab.show_version("credit-scorer", "1.0")
        assert tab.header.identity_banner.isVisible()
        _answer_everything(tab)
        tab.choose_decision("approve")
        tab.start_sign_off()
        form = tab.identity_form
        assert isinstance(form, CreateIdentityDialog)
        assert form.windowTitle() == "Set up your reviewer identity"
        qtbot.waitUntil(form.ok_button.isEnabled, timeout=5000)  # keyring vetted
        qtbot.keyClicks(form.name, "Ana Approver")
        qtbot.keyClicks(form.email, ANA)
        qtbot.keyClicks(form.passphrase, PASSPHRASE)
        qtbot.keyClicks(form.confirmation, PASSPHRASE)
        form.ok_button.click()
        qtbot.waitUntil(lambda: tab.signing_dialog is not None, timeout=10_000)
        assert [i.email for i in bench.identities.list_all()] == [ANA]
        assert not tab.header.identity_banner.isVisible()
        dialog = tab.signing_dialog
        assert dialog is not None and dialog.identity == ANA
        _sign(qtbot, dialog, ANA)
        assert bench.statuses()["credit-scorer@1.0"] == "approved"


def test_answers_in_progress_survive_looking_elsewhere(tab: ReviewTab) -> None:
    tab.show_version("credit-scorer", "1.0")
    tab.items.set_answer(_row(tab, "monitoring-plan"), Answer("fail", "No plan."))
    tab.choose_decision("changes")
    tab.decision_panel.comment.setPlainText("Add a monitoring plan.")
    tab.show_version("fraud-detector", "3.1")
    assert tab.items.answer("monitoring-plan") is None
    tab.show_version("credit-scorer", "1.0")
    assert tab.items.answer("monitoring-plan") == Answer("fail", "No plan.")
    assert tab.decision() == "changes"
    assert tab.decision_panel.comment_text() == "Add a monitoring plan."


def test_compare_with_last_approved_opens_the_compare_tab(
    qtbot: QtBot, tab: ReviewTab, bench: Workbench
) -> None:
    bench.sign(ANA, model="credit-scorer", version="1.0")
    bench.import_card(medium_card(version="1.1"))
    bench.import_card(medium_card(version="1.2"))
    page = ModelPage(bench.services)
    qtbot.addWidget(page)
    page.show_model("credit-scorer")
    page.tabs.setCurrentWidget(page.review_tab)
    button = page.review_tab.card.compare_button
    assert button.text() == "C&ompare with last approved (1.0) →"
    button.click()
    assert page.tabs.currentWidget() is page.compare_tab
    assert page.compare_tab.old_combo.currentData() == "1.0"
    assert page.compare_tab.new_combo.currentData() == "1.2"
    qtbot.waitUntil(lambda: not page.compare_tab.busy, timeout=10_000)


def test_templates_for_the_tier_most_specific_first(
    qtbot: QtBot, tab: ReviewTab, bench: Workbench, tmp_path: Path
) -> None:
    template = tmp_path / "credit.yaml"
    template.write_text(
        "id: credit-medium\nversion: 1\ntitle: Credit models, medium risk\n"
        "risk_tiers: [medium]\nquorum: 1\nitems:\n"
        "  - id: affordability\n    text: Affordability rules are documented.\n"
        "  - id: adverse-action\n    text: Adverse-action reasons are explained.\n"
        "    required: false\n",
        encoding="utf-8",
    )
    bench.checklists.import_file(template)
    tab.show_version("credit-scorer", "1.0")
    combo = tab.header.template_combo
    assert [combo.itemData(i) for i in range(combo.count())] == [
        "credit-medium@1",
        "standard@1",
    ]
    assert combo.currentData() == "credit-medium@1"
    assert tab.items.rowCount() == 2
    assert (
        _cell(tab, "adverse-action", ITEM) == "2. (optional) Adverse-action reasons are explained."
    )
    combo.setCurrentIndex(combo.findData("standard@1"))
    assert tab.draft is not None and tab.draft.template.reference == "standard@1"
    assert tab.items.rowCount() == 12


def test_a_sign_off_opens_with_its_answers_as_text(
    qtbot: QtBot, tab: ReviewTab, bench: Workbench
) -> None:
    answers = bench.answers()
    answers["monitoring-plan"] = Answer("pass", "Quarterly <b>drift</b> report <img src=x>")
    bench.sign(ANA, answers=answers, comment="Fine <i>by me</i>")
    tab.show_version("credit-scorer", "1.0")
    tab.signoffs.table.activated.emit(tab.signoffs.model.index(0, 0))
    dialog = tab.signoffs.findChild(SignOffDialog)
    assert dialog is not None
    text = dialog.text.toPlainText()
    assert "Quarterly <b>drift</b> report <img src=x>" in text  # shown, never interpreted
    assert "Fine <i>by me</i>" in text
    assert "ana@example.org" in text and "approve" in text
    dialog.reject()


def test_item_and_sign_off_models_pass_the_model_tester(
    qtbot: QtBot, qtmodeltester: ModelTester, tab: ReviewTab, bench: Workbench
) -> None:
    bench.sign(ANA, model="fraud-detector", version="3.1", template="high-risk")
    tab.show_version("fraud-detector", "3.1")
    assert tab.items.rowCount() == 19
    assert tab.signoffs.model.rowCount() == 1
    qtmodeltester.check(tab.items)
    qtmodeltester.check(tab.signoffs.model)


def test_the_stage_chooser_reviews_the_next_stage(tab: ReviewTab, bench: Workbench) -> None:
    bench.sign(ANA)  # approved for staging
    tab.show_version("credit-scorer", "1.0")
    combo = tab.header.stage_combo
    assert [combo.itemText(i) for i in range(combo.count())] == [
        "staging (approved)",
        "production (not requested)",
    ]
    assert tab.draft is not None and tab.draft.stage == "staging"
    assert "Choose the next stage above" in tab.header.state.text()
    combo.setCurrentIndex(1)
    assert tab.draft is not None and tab.draft.stage == "production"
    assert tab.signoffs.model.rowCount() == 0  # the staging round is not this stage's
    assert tab.header.state.isHidden()
    assert tab._request().stage == "production"


def _fitted(table: QTableView) -> tuple[list[int], int]:
    """The columns shown and how wide they are together."""
    shown = [c for c in range(table.model().columnCount()) if not table.isColumnHidden(c)]
    return shown, sum(table.columnWidth(c) for c in shown)


def test_the_sign_offs_fit_the_side_of_the_tab_and_say_the_rest_in_tooltips(
    qtbot: QtBot, tab: ReviewTab, bench: Workbench
) -> None:
    comment = "Approved for the holiday season only; review again in January. " * 3
    bench.sign(ANA, model="fraud-detector", version="3.1", template="high-risk", comment=comment)
    bench.sign(
        BEA, "changes", model="fraud-detector", version="3.1", template="high-risk", comment=""
    )
    # As wide as the Review tab is in a 1440 × 900 window: its side is about 300 px.
    tab.resize(790, 800)
    tab.show_version("fraud-detector", "3.1")
    table = tab.signoffs.table
    qtbot.waitUntil(table.isVisible)
    assert 0 < table.viewport().width() < 400
    shown, width = _fitted(table)
    assert shown[:3] == [0, 1, 2]  # signer, decision, when: always
    assert width <= table.viewport().width()
    assert not table.horizontalScrollBar().isVisible()
    # "request changes" and the time are not cut; what is hidden is in the signer's tooltip.
    metrics = table.fontMetrics()
    assert table.columnWidth(1) >= metrics.horizontalAdvance("request changes")
    assert table.columnWidth(2) >= metrics.horizontalAdvance(str(table.model().index(0, 2).data()))
    tooltip = table.model().index(0, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert "ana@example.org" in tooltip and comment.strip() in tooltip
    assert "Certificate SHA-256: " in tooltip
    assert table.model().index(1, 1).data(Qt.ItemDataRole.ToolTipRole) == "request changes"
    # Wider, the comment and role come back, and the columns still fit.
    tab.resize(2400, 800)
    qtbot.waitUntil(lambda: 4 in _fitted(table)[0])
    shown, width = _fitted(table)
    assert 3 in shown
    assert width <= table.viewport().width()
    assert not table.horizontalScrollBar().isVisible()


@pytest.mark.parametrize(
    ("room", "shown"),
    [(1000, [0, 1, 2, 3, 4, 5]), (400, [0, 1, 2, 4]), (300, [0, 1, 2]), (120, [0, 1, 2])],
)
def test_column_widths_hide_the_least_needed_columns_first(room: int, shown: list[int]) -> None:
    needed = [150, 90, 110, 70, 400, 130]  # signer, decision, signed, role, comment, certificate
    widths = column_widths(needed, room, 80)
    assert sorted(widths) == shown
    assert sum(widths.values()) == room if room >= 270 else sum(widths.values()) <= room
    if room >= 280:
        assert widths[1] == 90 and widths[2] == 110  # never cut while the three fit
