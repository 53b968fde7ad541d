"""The model page: one model's card versions in tabs (Card, Versions, Source, Attachments, History,
Compare, Review, Trends).

The page reads the registry for the tab the officer is looking at, and only
when it is looked at: choosing a model with the arrow keys costs one card
version read and one rendering, not five tabs' worth of queries.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from countersign.errors import CountersignError
from countersign.models.safe_text import display_text
from countersign.models.vocabulary import CardStatus, StageStatus
from countersign.services.diff.metric_trends import model_trends
from countersign.services.registry import CardVersionDetail, ModelSummary, NotFound
from countersign.services.reviews.stages import StageState
from countersign.services.workstation import Services
from countersign.views.compare.tab import CompareTab
from countersign.views.model_page.attachments_tab import AttachmentsTab
from countersign.views.model_page.card_tab import CardTab
from countersign.views.model_page.classify_dialog import ClassifyDialog, ClassifyTarget
from countersign.views.model_page.history_tab import HistoryTab
from countersign.views.model_page.revoke_dialog import RevokeDialog, RevokeTarget
from countersign.views.model_page.source_tab import SourceTab
from countersign.views.model_page.trends_tab import TrendsTab
from countersign.views.model_page.versions_tab import VersionsTab
from countersign.views.presentation import local_time, status_colour
from countersign.views.review.tab import ReviewTab

TAB_TITLES = (
    "Card",
    "Versions",
    "Source",
    "Attachments",
    "History",
    "Compare",
    "Review",
    "Trends",
)
"""The tabs, in order; View ▸ Ctrl+1…8 go to them."""

_UNTOUCHED = (StageStatus.NOT_REQUESTED, StageStatus.SUPERSEDED)

_EMPTY_TEXT = (
    "Choose a model on the left to see its card.\n\n"
    "Use the arrow keys to move through the models, Enter to open one, "
    "and Ctrl+F to search the text of every card."
)


class ModelPage(QWidget):
    """The right side of the workstation: the chosen model and its card versions."""

    version_shown = Signal()
    """Another card version (or none) is shown; see :attr:`version` and :attr:`version_status`."""

    acted = Signal()
    """An officer's signed act here (a classification, a revocation) changed the registry:
    what other screens list of the model (its risk tier, its status) is to be read again."""

    def __init__(
        self,
        services: Services,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        registry = services.registry
        self._registry = registry
        self._services = services
        self._summary: ModelSummary | None = None
        self._detail: CardVersionDetail | None = None
        self._stale: set[QWidget] = set()

        self.placeholder = QLabel(_EMPTY_TEXT, self)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.placeholder.setAccessibleName("No model chosen")
        self.placeholder.setEnabled(False)

        self._build_heading()

        self._build_tabs(services)

        heading = QHBoxLayout()
        heading.addWidget(self.title)
        heading.addWidget(self.status_badge)
        heading.addStretch(1)
        heading.addWidget(self.classify_button)
        heading.addWidget(self.revoke_button)
        content = QWidget(self)
        content_layout = QVBoxLayout(content)
        content_layout.setContentsMargins(12, 10, 12, 4)
        content_layout.addLayout(heading)
        content_layout.addWidget(self.facts)
        content_layout.addWidget(self.stages)
        content_layout.addWidget(self.tabs, 1)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.placeholder)
        self.stack.addWidget(content)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)

    def _build_heading(self) -> None:
        """The model's name, the status of its latest card version, and its facts."""
        self.title = QLabel(self)
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.title.setAccessibleName("Model name")
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        self.title.setFont(font)
        self.status_badge = QLabel(self)
        self.status_badge.setAccessibleName("Status of the latest card version")
        self.facts = QLabel(self)
        self.facts.setTextFormat(Qt.TextFormat.PlainText)
        self.facts.setAccessibleName("Model facts")
        self.facts.setWordWrap(True)
        self.stages = QLabel(self)
        self.stages.setTextFormat(Qt.TextFormat.PlainText)
        self.stages.setAccessibleName("Stages and risk classification")
        self.stages.setWordWrap(True)
        self.classify_button = QPushButton("C&lassify…", self)
        self.classify_button.setToolTip(
            "The officer's signed risk classification of this model, from the version shown on"
        )
        self.classify_button.clicked.connect(self._on_classify_button_clicked)
        self.revoke_button = QPushButton("Re&voke approval…", self)
        self.revoke_button.setToolTip(
            "Withdraw the approval of the version shown for a stage (an officer, signed)"
        )
        self.revoke_button.clicked.connect(self._on_revoke_button_clicked)

    def _build_tabs(self, services: Services) -> None:
        """One tab per view of the model: card, versions, source, attachments, history,
        compare and review."""
        registry = services.registry
        self.card_tab = CardTab(self)
        self.versions_tab = VersionsTab(self)
        self.source_tab = SourceTab(self)
        self.attachments_tab = AttachmentsTab(self)
        self.history_tab = HistoryTab(services.audit, self)
        self.compare_tab = CompareTab(registry, parent=self)
        self.review_tab = ReviewTab(services, self)
        self.trends_tab = TrendsTab(self)
        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName("Model tabs")
        self.tabs.setDocumentMode(True)
        for widget, title in zip(self._tab_widgets(), TAB_TITLES, strict=True):
            self.tabs.addTab(widget, title)
        self.tabs.currentChanged.connect(self._on_tabs_current_changed)
        self.versions_tab.version_chosen.connect(self._on_versions_tab_version_chosen)
        self.versions_tab.version_opened.connect(self._on_versions_tab_version_opened)
        self.review_tab.compare_requested.connect(self._on_review_tab_compare_requested)

    # -- public ---------------------------------------------------------------------

    @property
    def model_name(self) -> str | None:
        """The model shown, if any."""
        return self._summary.name if self._summary is not None else None

    @property
    def version(self) -> str | None:
        """The card version shown in the Card, Source and Attachments tabs, if any."""
        return self._detail.summary.version if self._detail is not None else None

    @property
    def version_status(self) -> str | None:
        """The status of the card version shown, if any."""
        return self._detail.summary.status if self._detail is not None else None

    def show_model(self, name: str, version: str | None = None) -> None:
        """Show model ``name`` at ``version`` (its newest card version by default)."""
        try:
            summary = self._registry.model(name)
            detail = self._registry.card_version(name, version)
        except NotFound as error:
            self.clear(f"{error}.\n\nIt may have been removed from the registry.")
            return
        self._summary = summary
        self._detail = detail
        self._show_header(summary)
        self._show_stages()
        self._label_attachments()
        self._stale = set(self._tab_widgets())
        self.stack.setCurrentIndex(1)
        self._refresh_current_tab()
        self.version_shown.emit()

    def show_version(self, version: str) -> None:
        """Show another card version of the current model in the version tabs."""
        if self._summary is None or version == self.version:
            return
        try:
            self._detail = self._registry.card_version(self._summary.name, version)
        except NotFound as error:
            self.clear(str(error))
            return
        self._stale |= {self.card_tab, self.source_tab, self.attachments_tab, self.review_tab}
        self._show_badge()
        self._show_stages()  # after the badge: an expired approval re-labels it
        self._label_attachments()
        self.versions_tab.show_current(version)
        self._refresh_current_tab()
        self.version_shown.emit()

    def reload(self) -> None:
        """Read the shown model again (after an import), staying on the version shown."""
        if self._summary is None:
            return
        try:
            self.show_model(self._summary.name, self.version)
        except NotFound:
            self.show_model(self._summary.name)

    def show_tab(self, index: int) -> None:
        """Go to tab ``index`` (0 Card … 5 Compare, 6 Review, 7 Trends)."""
        if 0 <= index < self.tabs.count():
            self.tabs.setCurrentIndex(index)

    def clear(self, message: str = _EMPTY_TEXT) -> None:
        """Show no model, with ``message`` in its place."""
        self._summary = None
        self._detail = None
        self._stale = set()
        self.card_tab.show_version(None)
        self.source_tab.clear()
        self.attachments_tab.show_attachments([], None)
        self.history_tab.clear()
        self.compare_tab.set_model(None)
        self.review_tab.clear()
        self.trends_tab.show_trends(None)
        self.placeholder.setText(message)
        self.stack.setCurrentIndex(0)
        self.version_shown.emit()

    # -- events ---------------------------------------------------------------------

    def _on_tabs_current_changed(self, _index: int) -> None:
        self._refresh_current_tab()

    def _on_versions_tab_version_chosen(self, version: str) -> None:
        self.show_version(version)

    def _on_versions_tab_version_opened(self, version: str) -> None:
        self.show_version(version)
        self.tabs.setCurrentWidget(self.card_tab)

    def _on_review_tab_compare_requested(self, old_version: str, new_version: str) -> None:
        self.tabs.setCurrentWidget(self.compare_tab)
        self.compare_tab.choose(old_version, new_version)

    # -- internals ------------------------------------------------------------------

    def _tab_widgets(self) -> tuple[QWidget, ...]:
        return (
            self.card_tab,
            self.versions_tab,
            self.source_tab,
            self.attachments_tab,
            self.history_tab,
            self.compare_tab,
            self.review_tab,
            self.trends_tab,
        )

    def _show_header(self, summary: ModelSummary) -> None:
        self.title.setText(display_text(summary.name))
        self._show_badge()
        plural = "s" if summary.version_count != 1 else ""
        self.facts.setText(
            f"Team: {summary.team or 'not stated'} · Risk tier: {summary.risk_tier or 'not stated'}"
            f" · {summary.version_count} card version{plural}, latest {summary.latest_version}"
            f" · last activity {local_time(summary.last_activity)}"
        )
        self.tabs.setTabText(1, f"Versions ({summary.version_count})")

    def _show_badge(self) -> None:
        """The status of the card version shown (not the model's newest), and which version
        it is when an older one is shown."""
        if self._summary is None or self._detail is None:
            return
        shown = self._detail.summary
        status = CardStatus.word(shown.status)
        older = shown.version != self._summary.latest_version
        self.status_badge.setText(f" {shown.version} · {status} " if older else f" {status} ")
        self.status_badge.setAccessibleName(f"Status of card version {shown.version}")
        self.status_badge.setToolTip(
            f"Card version {shown.version} is {status}"
            + (
                f"; the newest, {self._summary.latest_version}, is {self._summary.status}"
                if older
                else ""
            )
        )
        colour = status_colour(shown.status).name()
        self.status_badge.setStyleSheet(
            f"QLabel {{ background: {colour}; color: white; border-radius: 4px;"
            " padding: 2px 6px; font-weight: bold; }"
        )

    def _show_stages(self) -> None:
        """What is approved where, and the risk tier with who set it (the card's rating beside)."""
        if self._summary is None or self._detail is None:
            self.stages.clear()
            return
        try:
            status = self._services.deployment.status(self._summary.name)
        except CountersignError as error:
            self.stages.setText(str(error))
            return
        shown = next((v for v in status.versions if v.version == self.version), None)
        where = status.summary or "nothing approved for any stage yet"
        parts = [f"Stages: {where}"]
        if shown is not None:
            per_stage = ", ".join(stage_words(s) for s in shown.stages)
            parts.append(f"version {shown.version}: {per_stage}")
            self._mark_expired([s for s in shown.stages if s.status == StageStatus.EXPIRED])
            c = shown.classification
            rating = shown.card_rating or "none stated"
            if c is None:
                parts.append(f"risk not classified by an officer (the card's own rating: {rating})")
            else:
                differs = "" if shown.card_rating in ("", c.tier) else " — DIFFERS"
                parts.append(
                    f"risk {c.tier}, classified by {c.officer_name} on {local_time(c.signed_at)}:"
                    f" {c.reason} (the card's own rating: {rating}{differs})"
                )
        lines = (" · ".join(parts[:1]), " · ".join(parts[1:]))
        self.stages.setText("\n".join(display_text(line) for line in lines))

    def _mark_expired(self, expired: list[StageState]) -> None:
        """A version whose approval expired says so in its badge, not its card status."""
        if not expired:
            return
        older = self._summary is not None and self.version != self._summary.latest_version
        words = f"approval {StageStatus.word(StageStatus.EXPIRED)}"
        self.status_badge.setText(f" {self.version} · {words} " if older else f" {words} ")
        self.status_badge.setToolTip(
            "; ".join(f"The approval for {s.stage} held until {s.expires_on}" for s in expired)
        )
        colour = status_colour(StageStatus.EXPIRED).name()
        self.status_badge.setStyleSheet(
            f"QLabel {{ background: {colour}; color: white; border-radius: 4px;"
            " padding: 2px 6px; font-weight: bold; }"
        )

    def open_classify_dialog(self) -> ClassifyDialog | None:
        """Open Classify… for the version shown (modeless in tests: the dialog is returned)."""
        if self._summary is None or self._detail is None:
            return None
        status = self._services.deployment.status(self._summary.name)
        shown = next((v for v in status.versions if v.version == self.version), None)
        dialog = ClassifyDialog(
            self._services.deployment,
            self._services.identities,
            ClassifyTarget(
                self._summary.name,
                self._detail.summary.version,
                shown.card_rating if shown else "",
                shown.classification if shown else None,
            ),
            self,
        )
        dialog.accepted.connect(self._on_act_dialog_accepted)
        dialog.open()
        return dialog

    def _on_act_dialog_accepted(self) -> None:
        self.reload()
        self.acted.emit()

    def _on_classify_button_clicked(self) -> None:
        self.open_classify_dialog()

    def open_revoke_dialog(self) -> RevokeDialog | None:
        """Open Revoke approval… for the version shown (the dialog is returned, for tests)."""
        if self._summary is None or self._detail is None:
            return None
        versions = self._services.deployment.versions(self._summary.name)
        shown = next((v for v in versions if v.version == self.version), None)
        approved = (
            [s.stage for s in shown.stages if s.status == StageStatus.APPROVED] if shown else []
        )
        dialog = RevokeDialog(
            self._services.deployment,
            self._services.identities,
            RevokeTarget(self._summary.name, self._detail.summary.version, approved),
            self,
        )
        dialog.accepted.connect(self._on_act_dialog_accepted)
        dialog.open()
        return dialog

    def _on_revoke_button_clicked(self) -> None:
        self.open_revoke_dialog()

    def _label_attachments(self) -> None:
        count = len(self._detail.attachments) if self._detail is not None else 0
        self.tabs.setTabText(3, f"Attachments ({count})" if count else "Attachments")

    def _refresh_current_tab(self) -> None:
        widget = self.tabs.currentWidget()
        if widget not in self._stale or self._summary is None or self._detail is None:
            return
        self._stale.discard(widget)
        detail = self._detail
        if widget is self.card_tab:
            self.card_tab.show_version(detail)
        elif widget is self.versions_tab:
            versions = self._registry.versions(self._summary.name)
            # Per stage only where a stage was acted on; else the card version's own status.
            stages = {
                v.version: " · ".join(stage_words(s) for s in v.stages)
                for v in self._services.deployment.versions(self._summary.name)
                if any(s.status not in _UNTOUCHED for s in v.stages)
            }
            self.versions_tab.show_versions(versions, detail.summary.version, stages)
        elif widget is self.source_tab:
            file_name, content = self._registry.original(detail.summary.id)
            self.source_tab.show_original(file_name, content)
        elif widget is self.attachments_tab:
            self.attachments_tab.show_attachments(
                detail.attachments, self._registry.attachment_content, detail.artifacts
            )
        elif widget is self.history_tab:
            self.history_tab.show_model(self._summary.name)
        elif widget is self.compare_tab:
            self.compare_tab.set_model(self._summary.name)
        elif widget is self.review_tab:
            self.review_tab.show_version(self._summary.name, detail.summary.version)
        elif widget is self.trends_tab:
            self.trends_tab.show_trends(model_trends(self._registry, self._summary.name))


def stage_words(state: StageState) -> str:
    """``production approved until 2027-03-31``, ``staging EXPIRED on 2027-03-31`` (or the status)."""
    if state.status == StageStatus.EXPIRED:
        return f"{state.stage} EXPIRED (held until {state.expires_on})"
    words = f"{state.stage} {StageStatus.word(state.status)}"
    if state.status == StageStatus.APPROVED and state.expires_on:
        words += f" until {state.expires_on}"
    if state.conditions and state.status == StageStatus.APPROVED:
        words += f" on {len(state.conditions)} condition{'s' if len(state.conditions) != 1 else ''}"
    return words
