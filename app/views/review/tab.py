"""The Review tab: answer a checklist over a card version, decide, and sign the sign-off.

On the left, the checklist: each item with its automatic result and the
evidence found in the card, the answer (pre-filled from the check) and a
note; required items are marked and must be answered.  Below it, the decision
(approve, request changes, reject) with a comment, and Sign….  On the right,
the sign-offs this version already has with the round's quorum progress, and
the card itself.  Sign… checks every review rule first and says in words what
stops it, before any passphrase is asked; then the signing dialog signs.

Answers in progress are kept per card version while the window is open, so
looking at another model and coming back loses nothing; nothing is stored
until the sign-off is signed.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from countersign.errors import CountersignError
from countersign.models.vocabulary import CardStatus, Decision, StageStatus
from countersign.services.reviews import conditions
from countersign.services.reviews.checklists import TemplateInfo
from countersign.services.reviews.conditions import ApprovalTerms, add_months
from countersign.services.reviews.reviews import (
    Answer,
    ReviewDraft,
    ReviewInfo,
    SignatureInfo,
    SignOffRequest,
    SignOffResult,
)
from countersign.services.workstation import Services
from countersign.views.identities.forms import IdentityForm
from countersign.views.presentation import local_time
from countersign.views.review.decision import DecisionPanel
from countersign.views.review.flow import SignOffFlow
from countersign.views.review.header import ReviewHeader
from countersign.views.review.items import ITEM, ChecklistTable, ItemEditor, ReviewItemsModel
from countersign.views.review.panels import CardPanel, SignOffsPanel, compare_target
from countersign.views.review.re_review import (
    last_approval,
    last_approval_round,
    re_review_text,
    round_conditions,
)
from countersign.views.review.signing_dialog import SigningDialog
from countersign.views.review.signoffs import decision_text
from countersign.views.widgets.signer_fields import sentence


@dataclass
class _Work:
    """What the reviewer has done on one card version with one template, not yet signed."""

    answers: dict[str, Answer]
    decision: str = ""
    comment: str = ""
    selected: int = 0


def _closed(model: str, version: str, draft: ReviewDraft) -> str:
    """Why a card version no longer open for its stage takes no more sign-offs there."""
    if draft.status == CardStatus.SUPERSEDED:
        return (
            f"{model} {version} was superseded by a newer version: it takes no more "
            "sign-offs. Review the newest version instead."
        )
    after = (
        "Choose the next stage above to review it for that one."
        if draft.stage_status == StageStatus.APPROVED and not draft.last_stage
        else "A card version never changes, so a new review needs a new version."
    )
    return (
        f"{model} {version} is {StageStatus.word(draft.stage_status)} for {draft.stage}: "
        f"it takes no more sign-offs for that stage. {after}"
    )


def _signed_escalations(draft: ReviewDraft) -> dict[str, str]:
    """Who fulfilled each escalation in the open round: escalation id to ``name (role)``."""
    signatures = draft.open_review.signatures if draft.open_review is not None else ()
    return {
        key: f"{s.signer_name} ({s.signer_role})"
        for s in signatures
        for key in s.escalations.signed
    }


def default_template(templates: list[TemplateInfo]) -> TemplateInfo | None:
    """The template a review starts with: the one made for the fewest risk tiers (most specific),
    one the officer must choose (``by_choice``) only when nothing else applies."""
    if not templates:
        return None
    return min(
        templates,
        key=lambda info: (info.template.by_choice, len(info.template.risk_tiers), info.template.id),
    )


_OPEN_FOR_STAGE = (StageStatus.NOT_REQUESTED, StageStatus.IN_REVIEW, StageStatus.EXPIRED)
"""A card version's statuses for a stage in which it still takes sign-offs for that stage."""


class ReviewTab(QWidget):
    """Reviews one card version against a checklist and signs the decision."""

    signed = Signal(object)
    """A sign-off was stored (the :class:`SignOffResult`): statuses may have changed."""
    compare_requested = Signal(str, str)
    """Compare the old version with the new one (the Compare tab, where there is one)."""
    identities_changed = Signal()
    """An identity was set up from this tab."""

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services = services
        self._registry = services.registry
        self._model: str | None = None
        self._version: str | None = None
        self._draft: ReviewDraft | None = None
        self._work: dict[tuple[str, str, str], _Work] = {}
        self._shown_sign_off: SignatureInfo | None = None
        self._rounds_shown: list[ReviewInfo] = []
        self._re_reviewing: set[tuple[str, str, str]] = set()
        """(model, version, stage) of approvals whose re-review the officer asked for here."""
        self._chosen_template: dict[tuple[str, str], str] = {}
        self._chosen_stage: dict[tuple[str, str], str] = {}
        self.flow = SignOffFlow(services, self)

        self.header = ReviewHeader(self)
        self.items = ReviewItemsModel(self)
        self.table = ChecklistTable(self.items, self)
        self.editor = ItemEditor(self)

        self._build_splitter()
        self._sized = False

        content = QWidget(self)
        content_layout = QVBoxLayout(content)
        content_layout.setContentsMargins(0, 8, 0, 0)
        content_layout.addWidget(self.header)
        content_layout.addWidget(self.splitter, 1)
        # In a narrow or short window the tab scrolls rather than squeezing the checklist
        # (and rather than forcing the window's splitter to give it its full width).
        self.scroll_area = QScrollArea(self)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setWidget(content)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.scroll_area)

        self._connect_signals()
        self.clear()

    def _build_splitter(self) -> None:
        """The checklist, the item editor and the decision beside the sign-offs and the card."""
        self.decision_panel = DecisionPanel(self)
        self.sign_button = self.decision_panel.sign_button

        checklist = QWidget(self)
        checklist_layout = QVBoxLayout(checklist)
        checklist_layout.setContentsMargins(0, 0, 0, 0)
        checklist_layout.addWidget(self.table, 3)
        checklist_layout.addWidget(self.editor, 2)
        checklist_layout.addWidget(self.decision_panel)
        self.signoffs = SignOffsPanel(self)
        self.card = CardPanel(self)
        side = QWidget(self)
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(self.signoffs)
        side_layout.addWidget(self.card, 1)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(checklist)
        self.splitter.addWidget(side)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)

    def _connect_signals(self) -> None:
        self.header.template_chosen.connect(self._on_header_template_chosen)
        self.header.stage_chosen.connect(self._on_header_stage_chosen)
        self.card.compare_clicked.connect(self.compare_requested)
        self.header.setup_clicked.connect(self._on_header_setup_clicked)
        self.header.re_review_clicked.connect(self._on_header_re_review_clicked)
        self.table.selectionModel().currentRowChanged.connect(self._on_table_current_row_changed)
        self.items.answers_changed.connect(self._on_items_answers_changed)
        self.editor.edited.connect(self._on_editor_edited)
        self.decision_panel.sign_clicked.connect(self.start_sign_off)
        self.flow.signed.connect(self._on_flow_signed)
        self.flow.identity_made.connect(self._on_flow_identity_made)

    # -- public ---------------------------------------------------------------------

    @property
    def draft(self) -> ReviewDraft | None:
        """The checklist shown, with the card version it is for."""
        return self._draft

    def problem_text(self) -> str:
        """What stops the sign-off, as shown (empty when nothing does)."""
        return self.decision_panel.problem_text()

    def show_version(self, model: str, version: str) -> None:
        """Review card version ``version`` of ``model`` (answers in progress are kept)."""
        self._keep_work()
        if (model, version) != (self._model, self._version):
            self.decision_panel.notice.hide()
        self._model, self._version = model, version
        self._load()

    def reload(self) -> None:
        """Read the card version's checklist and sign-offs again."""
        self._keep_work()
        self._load()

    def clear(self) -> None:
        """Show nothing (no model chosen)."""
        self._keep_work()
        self._model = self._version = None
        self._draft = None
        self._shown_sign_off = None
        self.header.show_templates([], None, locked=False)
        self.header.show_facts(None)
        self.card.show_compare(None, None)
        self.header.identity_banner.hide()
        self.items.set_items([])
        self.signoffs.show_reviews([])
        self.card.show_card(None)
        self.header.show_state("Choose a model to review its newest card version.")
        self._set_open(False)

    def choose_decision(self, decision: str) -> None:
        """Choose the decision (approve, changes, reject) as a click would."""
        self.decision_panel.buttons[decision].click()

    def decision(self) -> str:
        """The decision chosen, or empty."""
        return self.decision_panel.decision()

    def refresh_identities(self) -> None:
        """Identities changed elsewhere (Settings ▸ Identities): offer setup only if none is left."""
        self._show_identity_banner()

    @property
    def signing_dialog(self) -> SigningDialog | None:
        """The signing dialog, while it is open."""
        return self.flow.signing_dialog

    @property
    def identity_form(self) -> IdentityForm | None:
        """The identity setup form, while it is open."""
        return self.flow.identity_form

    def start_sign_off(self) -> None:
        """Sign…: check the sign-off, set up an identity if there is none, then open the dialog."""
        draft = self._draft
        if draft is None or not self.sign_button.isEnabled():
            return
        if not self.decision():
            self._show_problem("Choose a decision first: approve, request changes or reject.")
            self.decision_panel.buttons[Decision.APPROVE].setFocus()
            return
        missing = self.items.unanswered_required()
        if missing:
            names = ", ".join(view.item.id for view in missing)
            count = len(missing)
            self._show_problem(
                f"Answer every required item before signing: {count} "
                f"{'is' if count == 1 else 'are'} unanswered ({names})."
            )
            self._select_item(missing[0].item.id)
            return
        self.decision_panel.problem.hide()
        refusal = self.flow.sign(draft, self._request())
        if refusal is not None:
            self._show_problem(refusal.message)
            if refusal.item_id:
                self._select_item(refusal.item_id)

    def set_up_identity(self, *, then_sign: bool = False) -> None:
        """Offer the first-run identity setup (create, or import instead); sign after if asked."""
        self.flow.set_up_identity(then_sign=then_sign)

    # -- events ---------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt API
        """On first showing, give the checklist three fifths of the width and the card the rest."""
        super().showEvent(event)
        if not self._sized and self.width() > 0:
            self._sized = True
            total = max(self.splitter.width(), 600)
            self.splitter.setSizes([total * 3 // 5, total - total * 3 // 5])

    def _on_header_template_chosen(self, reference: str) -> None:
        if self._model is None or self._version is None:
            return
        self._keep_work()
        self._chosen_template[(self._model, self._version)] = reference
        self._load()

    def _on_header_stage_chosen(self, stage: str) -> None:
        if self._model is None or self._version is None:
            return
        self._keep_work()
        self._chosen_stage[(self._model, self._version)] = stage
        self._load()

    def _on_header_setup_clicked(self) -> None:
        self.set_up_identity()

    def _on_header_re_review_clicked(self) -> None:
        draft = self._draft
        if draft is None:
            return
        self._re_reviewing.add((draft.model, draft.version, draft.stage))
        self._load()

    def _on_table_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        row = current.row() if current.isValid() else None
        self._show_item(row)

    def _on_editor_edited(self, row: int, answer: Answer | None) -> None:
        self.items.set_answer(row, answer)

    def _on_items_answers_changed(self) -> None:
        self.decision_panel.problem.hide()
        self._show_progress()

    def _on_flow_signed(self, result: SignOffResult) -> None:
        if self._model is not None and self._version is not None:
            key = (self._model, self._version)
            for work_key in [k for k in self._work if k[:2] == key]:
                del self._work[work_key]
        self.decision_panel.restore("", "")
        self._load()
        review = result.review
        last = review.signatures[-1]
        self.decision_panel.show_notice(
            f"Signed by {last.signer_name}: {decision_text(last.decision)}. "
            f"{review.model} {review.version} is now {result.card_status} "
            f"({review.approvals} of {review.quorum} approval{'s' if review.quorum != 1 else ''})."
        )
        self.signed.emit(result)

    def _on_flow_identity_made(self, then_sign: bool) -> None:
        self.identities_changed.emit()
        self._show_identity_banner()
        if then_sign:
            self.start_sign_off()

    # -- internals ------------------------------------------------------------------

    def _load(self) -> None:
        model, version = self._model, self._version
        if model is None or version is None:
            return
        reviews = self._services.reviews
        try:
            templates = reviews.templates_for(model, version)
            states = reviews.stages_for(model, version)
            names = [state.stage for state in states]
            every_round = reviews.reviews_for(model, version)
            stage = self._chosen_stage.get((model, version), "")
            if stage not in names:
                # The stage last worked on (what was just decided shows), else the first.
                last = every_round[-1].stage if every_round else None
                stage = last if last in names else names[0]
            self.header.show_stages(states, stage)
            # This stage's rounds; one from before stages counts for every stage.
            rounds = [r for r in every_round if r.stage in (stage, None)]
            fixed, reference = self._template_reference(model, version, templates, rounds)
            if not reference:
                self._show_no_template(rounds)
                return
            draft = reviews.prepare(model, version, reference, stage)
        except CountersignError as error:
            self._draft = None
            self.header.show_state(sentence(str(error)))
            self._set_open(False)
            return
        self._draft = draft
        self.header.show_templates(templates, draft.template, locked=fixed is not None)
        self.header.show_facts(draft)
        self._rounds_shown = rounds
        asked = (model, version, draft.stage) in self._re_reviewing
        approved = draft.stage_status == StageStatus.APPROVED
        open_for_sign_off = draft.stage_status in _OPEN_FOR_STAGE or (approved and asked)
        self.header.re_review_button.setVisible(
            approved and not asked and last_approval_round(rounds) is not None
        )
        work = self._work.get((model, version, draft.template.reference))
        self._show_answers(draft, rounds, work, open_for_sign_off)
        self.signoffs.show_reviews(rounds)
        self.card.show_card(draft)
        self.card.show_compare(compare_target(self._registry, model, version), version)
        self._set_open(open_for_sign_off)
        self._show_progress()
        self.header.show_state(
            re_review_text(rounds, draft) if open_for_sign_off else _closed(model, version, draft)
        )
        self._show_identity_banner()
        row = min(work.selected if work else 0, max(self.items.rowCount() - 1, 0))
        self._select_row(row)

    def _template_reference(
        self, model: str, version: str, templates: list[TemplateInfo], rounds: list[ReviewInfo]
    ) -> tuple[ReviewInfo | None, str]:
        """The round that fixes the checklist (if any), and the template to show ("" if none)."""
        open_round = next((r for r in rounds if r.open), None)
        # A round fixes its checklist: the open one's, else the last closed one's.
        fixed = open_round or (rounds[-1] if rounds else None)
        if fixed is not None:
            return fixed, f"{fixed.template_id}@{fixed.template_version}"
        chosen = self._chosen_template.get((model, version))
        known = [info.reference for info in templates]
        first = default_template(templates)
        return None, chosen if chosen in known else (first.reference if first else "")

    def _show_no_template(self, rounds: list[ReviewInfo]) -> None:
        """Say that no checklist applies; the sign-offs made before still show."""
        self._draft = None
        self.header.show_templates([], None, locked=False)
        self.header.show_facts(None)
        self.items.set_items([])
        self.signoffs.show_reviews(rounds)
        self.card.show_card(None)
        self.header.show_state(
            "No checklist template applies to this card version's risk tier. Import one "
            "for it with  countersign checklist import FILE."
        )
        self._set_open(False)

    def _show_answers(
        self,
        draft: ReviewDraft,
        rounds: list[ReviewInfo],
        work: _Work | None,
        open_for_sign_off: bool,
    ) -> None:
        """The checklist with the answers in progress, or, once decided, the last sign-off's."""
        signed = [sig for review in rounds for sig in review.signatures]
        self._shown_sign_off = None
        if not open_for_sign_off and signed:
            # Decided: show what the last signer answered, as signed, not a new checklist.
            self._shown_sign_off = signed[-1]
            answers = {
                r.item: Answer(r.answer, r.note)  # type: ignore[arg-type]
                for r in self._shown_sign_off.responses
            }
            self.items.set_items(draft.items, answers)
        elif work is None and (last := last_approval(rounds)) is not None:
            # A re-review after expiry: start from the last approval's answers, to be checked again.
            answers = {r.item: Answer(r.answer, r.note) for r in last.responses}  # type: ignore[arg-type]
            self.items.set_items(draft.items, answers)
        else:
            self.items.set_items(draft.items, work.answers if work else None)
        self.editor.set_signed_escalations(_signed_escalations(draft))
        if self._shown_sign_off is not None:
            self.decision_panel.restore(self._shown_sign_off.decision, self._shown_sign_off.comment)
        else:
            self.decision_panel.restore(work.decision if work else "", work.comment if work else "")

    def _show_identity_banner(self) -> None:
        draft = self._draft
        wanted = draft is not None and draft.stage_status in _OPEN_FOR_STAGE
        self.header.identity_banner.setVisible(wanted and not self.flow.usable_identities())

    def _show_problem(self, message: str) -> None:
        self.decision_panel.show_problem(message)

    def _set_open(self, open_for_sign_off: bool) -> None:
        self.editor.setEnabled(open_for_sign_off)
        self.decision_panel.set_open(open_for_sign_off)

    def _show_progress(self) -> None:
        total = self.items.rowCount()
        if not total:
            self.decision_panel.progress.clear()
            return
        shown = self._shown_sign_off
        if shown is None and not self.sign_button.isEnabled():
            self.decision_panel.progress.setText(
                "The automatic results only: this card version takes no sign-offs."
            )
            return
        if shown is not None:
            self.decision_panel.progress.setText(
                f"Answers as signed by {shown.signer_name} "
                f"({decision_text(shown.decision)}, {local_time(shown.signed_at)})"
            )
            return
        answered = len(self.items.answers())
        parts = [f"{answered} of {total} items answered"]
        missing = len(self.items.unanswered_required())
        if missing:
            parts.append(f"{missing} required unanswered")
        notes = len(self.items.needing_notes())
        if notes:
            parts.append(f"{notes} note{'s' if notes != 1 else ''} needed")
        self.decision_panel.progress.setText(" · ".join(parts))

    def _show_item(self, row: int | None) -> None:
        if row is None or row >= self.items.rowCount():
            self.editor.show_item(None, None, None)
            return
        view = self.items.item(row)
        self.editor.show_item(row, view, self.items.answer(view.item.id))

    def _select_row(self, row: int) -> None:
        if not self.items.rowCount():
            self._show_item(None)
            return
        self.table.selectionModel().setCurrentIndex(
            self.items.index(row, ITEM),
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self._show_item(row)

    def _select_item(self, item_id: str) -> None:
        row = self.items.row_of(item_id)
        if row is not None:
            self._select_row(row)
            self.table.scrollTo(self.items.index(row, ITEM))
            self.editor.setFocus()

    def _keep_work(self) -> None:
        draft = self._draft
        if draft is None or self._model is None or self._version is None:
            return
        if self._shown_sign_off is not None:
            return  # a decided round shown as signed is no work in progress
        current = self.table.selectionModel().currentIndex()
        self._work[(self._model, self._version, draft.template.reference)] = _Work(
            answers=self.items.answers(),
            decision=self.decision(),
            comment=self.decision_panel.comment_text(),
            selected=current.row() if current.isValid() else 0,
        )

    def _request(self) -> SignOffRequest:
        draft = self._draft
        assert draft is not None
        last = last_approval_round(self._rounds_shown)
        decision = self.decision()
        # An approval under a checklist that limits its validity starts at the longest it
        # allows (the signing dialog shows it, to keep or shorten); a re-review offers the
        # last approval's conditions again, to keep or change.
        longest = draft.longest_validity if decision == Decision.APPROVE else None
        terms = ApprovalTerms(
            round_conditions(last) if last else (),
            add_months(conditions.today(), longest) if longest else None,
        )
        return SignOffRequest(
            model=draft.model,
            version=draft.version,
            template=draft.template.reference,
            answers=self.items.answers(),
            decision=decision,
            identity="",  # chosen by the flow
            comment=self.decision_panel.comment_text(),
            stage=draft.stage,
            re_review=draft.open_review is None
            and draft.stage_status in (StageStatus.APPROVED, StageStatus.EXPIRED),
            terms=terms,
        )
