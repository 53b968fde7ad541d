"""The audit trail window: every event, filterable, and a check of the hash chain.

Events are read page by page in chain order (keyset paging by id) as the
officer scrolls, so a registry with a long trail opens at once.  "Verify"
walks the whole chain, its signed acts and every row against its event off
the GUI thread (:func:`~countersign.services.integrity.registry_check.verify_registry`,
with the certificates this workstation trusts); it says what does not match,
the newest signed head and its age, and a broken chain selects and highlights
the first broken event.
"""

from __future__ import annotations

import json

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QFontDatabase, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from countersign.errors import CountersignError, RegistryError
from countersign.services.audit.records import AuditRecord, AuditTrail
from countersign.services.audit.wording import action_label, describe
from countersign.services.integrity.registry_check import RegistryCheck
from countersign.services.integrity.service import Integrity
from countersign.services.progress import Cancelled, Progress
from countersign.services.trust.store import TrustStore
from countersign.views.appearance.colours import BAD
from countersign.views.audit.events import KNOWN_ACTIONS, AuditEventModel, local_time
from countersign.views.background import BackgroundTask, run_with_progress
from countersign.views.widgets.window_keys import close_with_keys


class AuditWindow(QWidget):
    """A top-level window over the registry's audit trail, with a check of the whole trail."""

    verified = Signal(object)

    def __init__(
        self, trail: AuditTrail, parent: QWidget | None = None, integrity: Integrity | None = None
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self._trail = trail
        self._integrity = integrity or Integrity(trail.database, TrustStore())
        self._task: BackgroundTask | None = None
        self._report: RegistryCheck | None = None
        self.setWindowTitle("Audit trail — Countersign")
        close_with_keys(self)
        self.resize(1200, 760)
        self.model = AuditEventModel(trail, parent=self)
        filters = self._build_filter_bar()
        self._build_table()
        detail_pane = self._build_detail_pane()
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self.table)
        splitter.addWidget(detail_pane)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([560, 240])
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.result)
        layout.addWidget(splitter, 1)
        self._connect_signals()
        self._load_first_page()

    def _build_filter_bar(self) -> QHBoxLayout:
        """The filters, the Refresh, Verify and Trust buttons, and the verification's result."""
        self.model_filter = QLineEdit()
        self.model_filter.setPlaceholderText("Any model (exact name)")
        self.model_filter.setClearButtonEnabled(True)
        self.model_filter.setAccessibleName("Show only the events of this model")
        self.action_filter = QComboBox()
        self.action_filter.setAccessibleName("Show only events of this action")
        self.action_filter.addItem("All actions", "")
        for action in KNOWN_ACTIONS:
            self.action_filter.addItem(action.label, action.value)
        self.action_filter.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.refresh_button = QPushButton("&Refresh")
        self.refresh_button.setAccessibleName("Read the audit trail again")
        self.verify_button = QPushButton("&Verify")
        self.verify_button.setAccessibleName("Verify the audit trail and the registry against it")
        self.verify_button.setToolTip(
            "Recompute every event's hash, check every signed act against the certificates "
            "trusted here, and every card version, identity and sign-off against its event"
        )
        self.pin_button = QPushButton("&Trust this registry's officer…")
        self.pin_button.setAccessibleName("Trust the certificate of this registry's officer here")
        self.pin_button.setToolTip(
            "Pin the officer's certificate on this workstation, after comparing its fingerprint "
            "with the one the officer gives you; the audit trail is then checked against it"
        )
        self.pin_button.hide()
        self.result = QLabel()
        self.result.setWordWrap(True)
        self.result.setAccessibleName("Result of the chain verification")
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result.hide()
        filters = QHBoxLayout()
        model_label = QLabel("&Model:")
        model_label.setBuddy(self.model_filter)
        action_label = QLabel("&Action:")
        action_label.setBuddy(self.action_filter)
        filters.addWidget(model_label)
        filters.addWidget(self.model_filter, 1)
        filters.addWidget(action_label)
        filters.addWidget(self.action_filter)
        filters.addStretch(1)
        filters.addWidget(self.refresh_button)
        filters.addWidget(self.verify_button)
        filters.addWidget(self.pin_button)
        return filters

    def _build_table(self) -> None:
        """The table of events, a row each."""
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("Audit events")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        # The Event column fits a merged event's id, marked "(merged)", as well as a long id.
        event = self.fontMetrics().horizontalAdvance("00000 (merged)") + 16
        for column, width in enumerate((event, 140, 110, 170, 180)):
            header.resizeSection(column, width)

    def _build_detail_pane(self) -> QWidget:
        """The selected event: what it says, its hashes, and where the chain breaks."""
        self.detail_title = QLabel("Select an event to see its details.")
        bold = QFont(self.detail_title.font())
        bold.setBold(True)
        self.detail_title.setFont(bold)
        self.detail_title.setWordWrap(True)
        self.chain_note = QLabel()
        self.chain_note.setWordWrap(True)
        self.chain_note.setStyleSheet(f"color: {BAD.on().name()}; font-weight: bold;")
        self.chain_note.setAccessibleName("Where the audit chain breaks")
        self.chain_note.hide()
        self.hash_label = _hash_label("Hash of the selected event")
        self.prev_hash_label = _hash_label("Hash of the event before it")
        self.details_text = QPlainTextEdit()
        self.details_text.setReadOnly(True)
        self.details_text.setAccessibleName("Details of the selected event")
        self.details_text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        detail_pane = QWidget()
        form = QFormLayout()
        form.addRow("Hash:", self.hash_label)
        form.addRow("Previous hash:", self.prev_hash_label)
        detail_layout = QVBoxLayout(detail_pane)
        detail_layout.setContentsMargins(0, 0, 0, 0)
        detail_layout.addWidget(self.detail_title)
        detail_layout.addWidget(self.chain_note)
        detail_layout.addLayout(form)
        detail_layout.addWidget(self.details_text, 1)
        return detail_pane

    def _connect_signals(self) -> None:
        """The filter's delay, the buttons, the model's loading, the selection, the shortcuts."""
        self._filter_timer = QTimer(self)
        self._filter_timer.setSingleShot(True)
        self._filter_timer.setInterval(300)
        self._filter_timer.timeout.connect(self._on_filter_timer_timeout)
        self.model_filter.textChanged.connect(self._on_model_filter_text_changed)
        self.model_filter.returnPressed.connect(self._on_filter_timer_timeout)
        self.action_filter.currentIndexChanged.connect(self._on_action_filter_current_index_changed)
        self.refresh_button.clicked.connect(self._on_refresh_button_clicked)
        self.verify_button.clicked.connect(self._on_verify_button_clicked)
        self.pin_button.clicked.connect(self._on_pin_button_clicked)
        self.model.load_failed.connect(self._on_model_load_failed)
        self.model.rowsInserted.connect(self._on_model_rows_inserted)
        self.table.selectionModel().currentRowChanged.connect(self._on_table_current_row_changed)
        QShortcut(QKeySequence.StandardKey.Find, self, self.model_filter.setFocus)
        QShortcut(QKeySequence.StandardKey.Refresh, self, self.refresh)

    def refresh(self) -> None:
        """Read the trail again (after an import, say), keeping the filters."""
        self.model.reload()
        self._load_first_page()
        self._show_detail(None)

    def _load_first_page(self) -> None:
        # The view asks for more rows only once it has laid itself out; the
        # first page is read at once so the window never opens empty.
        if self.model.canFetchMore(QModelIndex()):
            self.model.fetchMore(QModelIndex())

    # -- filters ------------------------------------------------------------------

    def _on_model_filter_text_changed(self, _text: str) -> None:
        self._filter_timer.start()

    def _on_action_filter_current_index_changed(self, _index: int) -> None:
        self._apply_filter()

    def _on_filter_timer_timeout(self) -> None:
        self._filter_timer.stop()
        self._apply_filter()

    def _on_refresh_button_clicked(self) -> None:
        self.refresh()

    def _apply_filter(self) -> None:
        action = self.action_filter.currentData()
        self.model.set_filter(self.model_filter.text().strip() or None, action or None)
        self._load_first_page()
        self._show_detail(None)

    def _clear_filters(self) -> None:
        for widget in (self.model_filter, self.action_filter):
            widget.blockSignals(True)
        self.model_filter.clear()
        self.action_filter.setCurrentIndex(0)
        for widget in (self.model_filter, self.action_filter):
            widget.blockSignals(False)
        self._filter_timer.stop()
        self.model.set_filter(None, None)
        self._load_first_page()

    def _on_model_rows_inserted(self, _parent: QModelIndex, _first: int, _last: int) -> None:
        known = {self.action_filter.itemData(i) for i in range(self.action_filter.count())}
        for action in sorted(self.model.seen_actions - known):
            self.action_filter.addItem(action_label(action), action)

    def _on_model_load_failed(self, message: str) -> None:
        self._show_result(f"The audit trail could not be read: {message}", ok=False)

    # -- selection ----------------------------------------------------------------

    def _on_table_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            self._show_detail(None)
            return
        try:
            detail = self.model.detail(self.model.row(current.row()))
        except RegistryError as error:
            self._show_result(f"The event could not be read: {error}", ok=False)
            return
        self._show_detail(detail)

    def _show_detail(self, detail: AuditRecord | None) -> None:
        if detail is None:
            self.detail_title.setText("Select an event to see its details.")
            self.chain_note.hide()
            for label in (self.hash_label, self.prev_hash_label):
                label.clear()
            self.details_text.clear()
            return
        merged = f" (merged by event {detail.merged_by})" if detail.merged_by else ""
        self.detail_title.setText(
            f"Event {detail.id}{merged}: {describe(detail)}\n"
            f"{action_label(detail.action)} by {detail.actor} at {local_time(detail.at)}"
        )
        self.detail_title.setToolTip(
            f"Stored as {detail.action} on {detail.object_type} {detail.object_id}"
        )
        self.hash_label.setText(detail.hash)
        self.prev_hash_label.setText(detail.prev_hash)
        chain = self._report.chain if self._report is not None else None
        broken = chain is not None and not merged and chain.first_broken == detail.id
        self.chain_note.setVisible(broken)
        if broken and chain is not None:
            self.chain_note.setText(f"The chain breaks here: {chain.reason}.")
        if detail.details or detail.details_json.strip() in ("{}", ""):
            text = json.dumps(dict(detail.details), indent=2, ensure_ascii=False, sort_keys=True)
        else:
            text = detail.details_json  # not a JSON object: shown exactly as stored
        self.details_text.setPlainText(text)

    # -- verification -------------------------------------------------------------

    def _on_verify_button_clicked(self) -> None:
        integrity = self._integrity
        self.verify_button.setEnabled(False)

        def work(_progress: Progress, _cancelled: Cancelled) -> RegistryCheck:
            return integrity.verify()

        self._task = run_with_progress(
            self,
            "Verifying the audit trail…",
            work,
            on_success=self._on_verify_succeeded,
            on_failure=self._on_verify_failed,
            cancellable=False,
        )

    def _on_verify_succeeded(self, check: RegistryCheck) -> None:
        self.verify_button.setEnabled(True)
        self._report = check
        report = check.chain
        if not report.ok:
            self.refresh()  # show the trail as it was verified, not as it was first read
        self.model.mark_broken(None if report.ok else report.first_broken)
        lines = [report.describe(), check.describe_head()]
        if not check.signoffs.ok:
            lines.append(check.signoffs.describe())
            lines += [f"• {p.describe()}" for p in check.signoffs.problems[:10]]
        if check.problems:
            lines.append(f"{len(check.problems)} rows or signed acts do not match the trail:")
            lines += [f"• {problem}" for problem in check.problems[:10]]
        lines += list(check.notes)
        self._show_result("\n".join(lines), ok=check.ok)
        self.pin_button.setVisible(not check.anchored and bool(check.officers))
        if not report.ok and report.first_broken is not None:
            self._select_event(report.first_broken)
        self.verified.emit(check)

    def _on_verify_failed(self, error: BaseException, _trace: str) -> None:
        self.verify_button.setEnabled(True)
        if not isinstance(error, CountersignError):
            raise error
        self._show_result(f"The audit chain could not be verified: {error}", ok=False)

    def _on_pin_button_clicked(self) -> None:
        check = self._report
        if check is None or not check.officers:
            return
        officer = check.officers[0]
        answer = QMessageBox.question(
            self,
            "Trust this registry's officer?",
            f"{officer.name} <{officer.email}> is this registry's officer, with the "
            f"certificate\n\nSHA-256 {officer.fingerprint}\n\nCompare it with the fingerprint "
            "the officer gives you in person or by another channel. Trust this certificate on "
            "this workstation? The audit trail and reports are then checked against it, "
            "whatever the registry file says.",
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            self._integrity.pin(officer)
        except CountersignError as error:
            self._show_result(f"The certificate could not be pinned: {error}", ok=False)
            return
        self.pin_button.hide()
        self._on_verify_button_clicked()

    def _select_event(self, event_id: int) -> None:
        row = self.model.fetch_until(event_id)
        if row is None and self.model.has_filter():
            self._clear_filters()  # the broken event is hidden by a filter: show everything
            self.model.mark_broken(event_id)
            row = self.model.fetch_until(event_id)
        if row is None:
            return
        index = self.model.index(row, 0)
        self.table.setCurrentIndex(index)
        self.table.selectRow(row)
        self.table.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)
        self.table.setFocus()

    def _show_result(self, text: str, *, ok: bool) -> None:
        colour = "30, 140, 60" if ok else "210, 40, 40"
        self.result.setStyleSheet(
            f"QLabel {{ border: 1px solid rgba({colour}, 170); border-radius: 4px;"
            f" background: rgba({colour}, 35); padding: 6px; }}"
        )
        self.result.setText(text)
        self.result.show()


def _hash_label(name: str) -> QLabel:
    label = QLabel()
    label.setAccessibleName(name)
    label.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label
