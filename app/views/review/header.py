"""The top of the Review tab: which checklist, what it asks, and banners.

The checklist chooser lists the templates for the card version's risk tier;
once a review round is open it is locked to the round's template, since every
sign-off of a round answers the same checklist.  A banner offers to set up a
reviewer identity when there is none; a line says why a card version takes
no more sign-offs.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from countersign.models.vocabulary import StageStatus
from countersign.services.reviews.checklists import TemplateInfo
from countersign.services.reviews.reviews import ReviewDraft
from countersign.services.reviews.stages import StageState

BANNER_STYLE = (
    "QFrame#reviewBanner { background: rgba(59, 130, 196, 0.12);"
    " border: 1px solid rgba(59, 130, 196, 0.55); border-radius: 4px; }"
)
"""The identity banner: noticeable, not alarming."""


class ReviewHeader(QWidget):
    """Checklist chooser, its facts, the identity banner and the state line."""

    template_chosen = Signal(str)
    """The officer chose another template (``id@version``)."""
    setup_clicked = Signal()
    """Set up my identity… was pressed."""
    stage_chosen = Signal(str)
    """The officer chose the stage to review for."""
    re_review_clicked = Signal()
    """Request a re-review… was pressed (an approval of the stage shown)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._quiet = False
        self.template_combo = QComboBox(self)
        self.template_combo.setAccessibleName("Checklist template")
        self.template_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        template_label = QLabel("Chec&klist:", self)
        template_label.setBuddy(self.template_combo)
        self.stage_combo = QComboBox(self)
        self.stage_combo.setAccessibleName("Stage")
        self.stage_combo.setToolTip(
            "The stage this review round is for; a stage needs every earlier one approved"
        )
        stage_label = QLabel("&Stage:", self)
        stage_label.setBuddy(self.stage_combo)
        self.facts = QLabel(self)
        self.facts.setTextFormat(Qt.TextFormat.PlainText)
        self.facts.setAccessibleName("Checklist facts")
        self.facts.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(stage_label)
        top.addWidget(self.stage_combo)
        top.addWidget(template_label)
        top.addWidget(self.template_combo)
        top.addStretch(1)

        self.identity_banner = QFrame(self)
        self.identity_banner.setObjectName("reviewBanner")
        self.identity_banner.setStyleSheet(BANNER_STYLE)
        self.identity_banner.setAccessibleName("No reviewer identity")
        banner_text = QLabel(
            "You have no reviewer identity yet. Signing a sign-off needs one: your name, "
            "e-mail address and role, with a key kept in this computer's keyring.",
            self.identity_banner,
        )
        banner_text.setWordWrap(True)
        self.setup_button = QPushButton("Set &up my identity…", self.identity_banner)
        self.setup_button.setAccessibleName("Set up my reviewer identity")
        banner_layout = QHBoxLayout(self.identity_banner)
        banner_layout.setContentsMargins(10, 6, 10, 6)
        banner_layout.addWidget(banner_text, 1)
        banner_layout.addWidget(self.setup_button)
        self.identity_banner.hide()
        state_row = self._build_state_row()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        # The checklist's facts on a line of their own: a long template title must not
        # squeeze them into a narrow column beside it.
        layout.addWidget(self.facts)
        layout.addWidget(self.identity_banner)
        layout.addLayout(state_row)
        self.template_combo.currentIndexChanged.connect(self._on_template_combo_current_changed)
        self.stage_combo.currentIndexChanged.connect(self._on_stage_combo_current_changed)
        self.setup_button.clicked.connect(self.setup_clicked)
        self.re_review_button.clicked.connect(self.re_review_clicked)

    def _build_state_row(self) -> QHBoxLayout:
        """The state line (why nothing can be signed, or what a re-review starts from) and
        the button that asks for a re-review."""
        self.state = QLabel(self)
        self.state.setWordWrap(True)
        self.state.setTextFormat(Qt.TextFormat.PlainText)
        self.state.setAccessibleName("Review state")
        self.state.hide()
        self.re_review_button = QPushButton("Request a &re-review…", self)
        self.re_review_button.setAccessibleName("Request a re-review of this approval")
        self.re_review_button.setToolTip(
            "Open a new review round for this stage, pre-filled from this approval (an officer: "
            "signing it suspends the approval until the round decides)"
        )
        self.re_review_button.hide()
        state_row = QHBoxLayout()
        state_row.setContentsMargins(0, 0, 0, 0)
        state_row.addWidget(self.state, 1)
        state_row.addWidget(self.re_review_button, 0, Qt.AlignmentFlag.AlignTop)
        return state_row

    def show_templates(
        self, templates: list[TemplateInfo], current: TemplateInfo | None, *, locked: bool
    ) -> None:
        """List ``templates`` with ``current`` chosen; ``locked`` once a round has used one."""
        self._quiet = True
        try:
            self.template_combo.clear()
            infos = list(templates)
            if current is not None and current.reference not in [i.reference for i in infos]:
                infos.append(current)
            for info in infos:
                self.template_combo.addItem(info.template.title, info.reference)
                self.template_combo.setItemData(
                    self.template_combo.count() - 1,
                    f"{info.reference}: for {', '.join(info.template.risk_tiers)} risk cards",
                    Qt.ItemDataRole.ToolTipRole,
                )
            if current is not None:
                self.template_combo.setCurrentIndex(self.template_combo.findData(current.reference))
            self.template_combo.setEnabled(not locked)
            self.template_combo.setToolTip(
                "The review round uses this checklist: every sign-off of a round answers "
                "the same one."
                if locked
                else "The checklists that apply to this card version's risk tier"
            )
        finally:
            self._quiet = False

    def show_stages(self, states: list[StageState], current: str) -> None:
        """List the registry's stages, each with the card version's status for it."""
        self._quiet = True
        try:
            self.stage_combo.clear()
            for state in states:
                self.stage_combo.addItem(
                    f"{state.stage} ({StageStatus.word(state.status)})", state.stage
                )
            self.stage_combo.setCurrentIndex(max(self.stage_combo.findData(current), 0))
        finally:
            self._quiet = False

    def show_facts(self, draft: ReviewDraft | None) -> None:
        """Say what the checklist of ``draft`` asks: approvals needed, items, the risk tier."""
        if draft is None:
            self.facts.clear()
            return
        template = draft.template.template
        required = sum(1 for view in draft.items if view.item.required)
        self.facts.setText(
            f"{draft.template.reference} · {template.quorum} approval{'s' if template.quorum != 1 else ''} needed · "
            f"{len(draft.items)} items, {required} required"
        )
        self.facts.setToolTip(
            f"{template.title}: for {', '.join(template.risk_tiers)} risk cards; this card "
            f"version is {draft.risk_tier} risk. {template.description}"
        )

    def show_state(self, message: str) -> None:
        """Say why nothing can be signed here (empty: hide the line)."""
        self.state.setText(message)
        self.state.setVisible(bool(message))

    def _on_stage_combo_current_changed(self, _index: int) -> None:
        if not self._quiet:
            self.stage_chosen.emit(str(self.stage_combo.currentData() or ""))

    def _on_template_combo_current_changed(self, _index: int) -> None:
        if not self._quiet:
            self.template_chosen.emit(str(self.template_combo.currentData() or ""))
