"""The Compare tab: what changed between two card versions of a model, side by side.

The officer picks any two versions (by default the last approved one against
the newest, or the one before the newest when none is approved).  On top: how
many fields changed, which, and the metrics that moved, their deltas coloured
by verdict.  Below: the whole card, old and new side by side, rows aligned with
filler, changed words marked, scrolling locked, Alt+Down / Alt+Up to go from
change to change.

The comparison runs on the worker thread (a 50,000-line card takes a moment);
the window stays live, and a result that arrives after the officer has moved on
is dropped.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QLabel,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from countersign.errors import CountersignError
from countersign.models.vocabulary import CardStatus
from countersign.services.diff.card_diff import VersionComparison, compare_versions
from countersign.services.diff.diff_report import comparison_report, summary_sentence
from countersign.services.progress import Cancelled, Progress
from countersign.services.registry import NotFound, Registry, VersionSummary
from countersign.views.background import BackgroundTask
from countersign.views.compare.attachments import AttachmentComparison
from countersign.views.compare.diff_view import SideBySideDiff
from countersign.views.compare.summary import CompareSummary
from countersign.views.crash_dialog import show_failure
from countersign.views.icons import icon

NEXT_CHANGE = QKeySequence(Qt.Modifier.ALT | Qt.Key.Key_Down)
PREVIOUS_CHANGE = QKeySequence(Qt.Modifier.ALT | Qt.Key.Key_Up)


def default_pair(versions: list[VersionSummary]) -> tuple[str, str] | None:
    """The versions compared first: the last approved before the newest (else the one before
    it) against the newest; None with fewer than two versions."""
    if len(versions) < 2:
        return None
    newest = versions[-1]
    approved = [v for v in versions[:-1] if v.status == CardStatus.APPROVED]
    base = approved[-1] if approved else versions[-2]
    return base.version, newest.version


def _version_combo(name: str, tip: str, parent: QWidget) -> QComboBox:
    """A combo box of card versions, as wide as its longest entry."""
    combo = QComboBox(parent)
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
    combo.setAccessibleName(name)
    combo.setToolTip(tip)
    return combo


def _tool_button(text: str, name: str, tip: str, parent: QWidget) -> QToolButton:
    """A tool button with its text, accessible name and tooltip."""
    button = QToolButton(parent)
    button.setText(text)
    button.setAccessibleName(name)
    button.setToolTip(tip)
    return button


class CompareTab(QWidget):
    """Compares two card versions of one model: summary on top, the card side by side below."""

    comparison_shown = Signal()
    """A comparison finished and is on screen."""

    def __init__(
        self, registry: Registry, model_name: str | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._registry = registry
        self._model_name: str | None = None
        self._versions: list[VersionSummary] = []
        self._comparison: VersionComparison | None = None
        self._generation = 0
        self._tasks: list[BackgroundTask] = []

        self._build_controls()
        self._build_navigation()
        self._build_panes()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addWidget(self.controls)
        layout.addWidget(self.stack, 1)

        self._connect_signals()
        self._show_message("Choose a model to compare its card versions.")
        if model_name is not None:
            self.set_model(model_name)

    def _build_controls(self) -> None:
        """The versions compared and how: a tool bar, so that in a narrow window what does
        not fit moves into an overflow menu instead of widening the whole model page."""
        self.old_combo = _version_combo("Old version", "The version to compare from (left)", self)
        self.new_combo = _version_combo("New version", "The version to compare with (right)", self)
        self.swap_button = _tool_button(
            "⇄ Swap", "Swap the two versions", "Swap the sides: the right version goes left", self
        )
        self.ignore_whitespace = QCheckBox("Ignore &whitespace ", self)
        self.ignore_whitespace.setAccessibleName("Ignore changes in spacing")
        self.ignore_whitespace.setToolTip("Lines that differ only in spacing count as unchanged")
        self.controls = QToolBar(self)
        self.controls.setAccessibleName("Versions compared")
        self.controls.setMovable(False)
        for widget in (
            QLabel("Compare ", self.controls),
            self.old_combo,
            QLabel(" with ", self.controls),
            self.new_combo,
            self.swap_button,
            self.ignore_whitespace,
        ):
            widget.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)
            self.controls.addWidget(widget)

    def _build_navigation(self) -> None:
        """Which change is shown, the buttons and shortcuts that move between changes, Copy."""
        self.position = QLabel(self)
        self.position.setAccessibleName("Which change is shown")
        self.previous_button = _tool_button(
            "▲ Previous", "Previous change", "Go to the previous change (Alt+Up)", self
        )
        self.next_button = _tool_button(
            "▼ Next", "Next change", "Go to the next change (Alt+Down)", self
        )
        self.copy_button = _tool_button(
            "Copy",
            "Copy the comparison",
            "Copy the comparison as text: changed fields, metrics, and the card's diff",
            self,
        )
        self.copy_button.setIcon(icon("copy"))
        self.copy_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)

        self.next_action = QAction("Next change", self)
        self.next_action.setShortcut(NEXT_CHANGE)
        self.previous_action = QAction("Previous change", self)
        self.previous_action.setShortcut(PREVIOUS_CHANGE)
        for action in (self.next_action, self.previous_action):
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.addAction(action)

        self.navigation = QToolBar(self)
        self.navigation.setAccessibleName("Go through the differences")
        self.navigation.setMovable(False)
        spacer = QWidget(self.navigation)
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        for item in (
            self.position,
            spacer,
            self.previous_button,
            self.next_button,
            self.copy_button,
        ):
            self.navigation.addWidget(item)

    def _build_panes(self) -> None:
        """The summary above the side-by-side diff, or a message in their place."""
        self.summary = CompareSummary(self)
        self.diff_view = SideBySideDiff(self)
        self.attachments = AttachmentComparison(self)
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.summary)
        panes = QWidget(self)
        panes_layout = QVBoxLayout(panes)
        panes_layout.setContentsMargins(0, 0, 0, 0)
        panes_layout.setSpacing(0)
        panes_layout.addWidget(self.navigation)
        panes_layout.addWidget(self.diff_view, 1)
        # The summary keeps the metrics in view; the long lists share the lower half.
        self.details = QTabWidget(self)
        self.details.setDocumentMode(True)
        self.details.setAccessibleName("Card text, changed fields and attachments")
        self.details.addTab(panes, "Card &text side by side")
        self.details.addTab(self.summary.fields_table, "Changed &fields")
        self.details.addTab(self.attachments, "&Attachments")
        self.splitter.addWidget(self.details)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([340, 560])
        self.placeholder = QLabel(self)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.placeholder.setAccessibleName("Comparison status")
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.placeholder)
        self.stack.addWidget(self.splitter)

    def _connect_signals(self) -> None:
        self.old_combo.currentIndexChanged.connect(self._on_old_combo_current_index_changed)
        self.new_combo.currentIndexChanged.connect(self._on_new_combo_current_index_changed)
        self.swap_button.clicked.connect(self._on_swap_button_clicked)
        self.ignore_whitespace.toggled.connect(self._on_ignore_whitespace_toggled)
        self.previous_button.clicked.connect(self._on_previous_button_clicked)
        self.next_button.clicked.connect(self._on_next_button_clicked)
        self.copy_button.clicked.connect(self._on_copy_button_clicked)
        self.next_action.triggered.connect(self._on_next_button_clicked)
        self.previous_action.triggered.connect(self._on_previous_button_clicked)
        self.diff_view.current_change_changed.connect(self._on_diff_view_current_change_changed)
        self.summary.fields_table.activated.connect(self._on_fields_table_activated)
        self.summary.metrics_table.activated.connect(self._on_metrics_table_activated)

    # -- public ---------------------------------------------------------------------

    @property
    def model_name(self) -> str | None:
        """The model whose versions are compared."""
        return self._model_name

    @property
    def comparison(self) -> VersionComparison | None:
        """The comparison on screen, if any."""
        return self._comparison

    @property
    def busy(self) -> bool:
        """Whether a comparison is being computed."""
        return bool(self._tasks)

    def set_model(self, name: str | None) -> None:
        """Compare the versions of model ``name`` (the default pair first); None shows nothing."""
        self._model_name = name
        self._generation += 1  # whatever is still running was for another model
        try:
            self._versions = self._registry.versions(name) if name else []
        except NotFound as error:
            self._model_name = None
            self._versions = []
            message = f"{error}."
        else:
            message = ""
        for combo in (self.old_combo, self.new_combo):
            combo.blockSignals(True)
            combo.clear()
            for version in reversed(self._versions):
                combo.addItem(f"{version.version} · {version.status}", version.version)
            combo.blockSignals(False)
        pair = default_pair(self._versions)
        if pair is None:
            self._comparison = None
            self._show_message(
                message
                or (
                    "This model has only one card version: there is nothing to compare yet."
                    if self._versions
                    else "Choose a model to compare its card versions."
                )
            )
            self._enable(False)
            return
        self.choose(*pair)

    def choose(self, old_version: str, new_version: str) -> None:
        """Compare ``old_version`` (left) with ``new_version`` (right)."""
        for combo, version in ((self.old_combo, old_version), (self.new_combo, new_version)):
            combo.blockSignals(True)
            combo.setCurrentIndex(combo.findData(version))
            combo.blockSignals(False)
        self.compare()

    def compare(self) -> None:
        """Compare the two chosen versions on the worker thread."""
        name = self._model_name
        old, new = self.old_combo.currentData(), self.new_combo.currentData()
        if name is None or old is None or new is None:
            return
        self._generation += 1
        generation = self._generation
        ignore = self.ignore_whitespace.isChecked()
        registry = self._registry

        def work(_progress: Progress, _cancelled: Cancelled) -> VersionComparison:
            return compare_versions(registry, name, old, new, ignore_whitespace=ignore)

        task = BackgroundTask(
            work,
            on_success=lambda result: self._on_task_succeeded(generation, result),
            on_failure=lambda error, trace: self._on_task_failed(generation, error, trace),
            parent=self,
        )
        task.finished.connect(lambda: self._on_task_finished(task))
        self._tasks.append(task)
        self._enable(False)
        self.position.setText(f"Comparing {old} with {new}…")
        task.start()

    def next_change(self) -> None:
        """Go to the next change (Alt+Down)."""
        self.diff_view.next_change()

    def previous_change(self) -> None:
        """Go to the previous change (Alt+Up)."""
        self.diff_view.previous_change()

    def report_text(self) -> str:
        """The comparison as text, as the Copy button puts it on the clipboard."""
        if self._comparison is None:
            return ""
        return "\n".join(comparison_report(self._comparison, whole_card=True)) + "\n"

    # -- events ---------------------------------------------------------------------

    def _on_old_combo_current_index_changed(self, _index: int) -> None:
        self.compare()

    def _on_new_combo_current_index_changed(self, _index: int) -> None:
        self.compare()

    def _on_swap_button_clicked(self) -> None:
        old, new = self.old_combo.currentData(), self.new_combo.currentData()
        if old is not None and new is not None:
            self.choose(new, old)

    def _on_ignore_whitespace_toggled(self, _checked: bool) -> None:
        self.compare()

    def _on_previous_button_clicked(self) -> None:
        self.previous_change()

    def _on_next_button_clicked(self) -> None:
        self.next_change()

    def _on_copy_button_clicked(self) -> None:
        text = self.report_text()
        if text:
            QGuiApplication.clipboard().setText(text)

    def _on_diff_view_current_change_changed(self, index: int, count: int) -> None:
        if count == 0:
            self.position.setText("The card texts are the same")
        elif index < 0:
            self.position.setText(f"{count} difference{'s' if count != 1 else ''} in the text")
        else:
            self.position.setText(f"Difference {index + 1} of {count}")
        self.previous_button.setEnabled(count > 0 and index > 0)
        self.next_button.setEnabled(count > 0 and index < count - 1)

    def _on_fields_table_activated(self, index: QModelIndex) -> None:
        change = self.summary.fields.change(index.row())
        self.details.setCurrentIndex(0)
        self._go_to_section(change.section, change.path)

    def _on_metrics_table_activated(self, _index: QModelIndex) -> None:
        self.details.setCurrentIndex(0)
        self._go_to_section("Quantitative analyses", "")

    def _on_task_succeeded(self, generation: int, comparison: VersionComparison) -> None:
        if generation != self._generation:
            return  # the officer has chosen something else meanwhile
        self._comparison = comparison
        old, new = comparison.old.summary, comparison.new.summary
        diff = comparison.diff
        headline = f"{old.version} ({old.status}) → {new.version} ({new.status}): "
        headline += summary_sentence(diff)
        if diff.text is not None and not diff.text.identical:
            stats = diff.text.stats
            headline += (
                f" In the card text: {stats.changed} lines changed, {stats.deleted} deleted,"
                f" {stats.inserted} inserted."
            )
        self.summary.show_diff(headline, diff)
        self.diff_view.set_diff(diff.text)
        self.attachments.show_versions(
            comparison.old, comparison.new, self._registry.attachment_content
        )
        self.details.setTabText(1, f"Changed &fields ({len(diff.fields)})")
        self.details.setTabText(2, f"&Attachments ({self.attachments.summary()})")
        self.stack.setCurrentWidget(self.splitter)
        self._enable(True)
        self.comparison_shown.emit()

    def _on_task_failed(self, generation: int, error: BaseException, trace: str) -> None:
        if generation != self._generation:
            return
        if isinstance(error, CountersignError):
            self._show_message(f"These versions cannot be compared: {error}.")
        else:
            self._show_message("The comparison failed.")
            show_failure(self, error, trace)

    def _on_task_finished(self, task: BackgroundTask) -> None:
        if task in self._tasks:
            self._tasks.remove(task)
        task.deleteLater()

    # -- internals ------------------------------------------------------------------

    def _show_message(self, message: str) -> None:
        self.placeholder.setText(message)
        self.stack.setCurrentWidget(self.placeholder)
        self.position.clear()

    def _enable(self, enabled: bool) -> None:
        has_pair = len(self._versions) > 1
        for widget in (self.old_combo, self.new_combo, self.swap_button, self.ignore_whitespace):
            widget.setEnabled(has_pair)
        self.copy_button.setEnabled(enabled and self._comparison is not None)
        for widget in (self.previous_button, self.next_button):
            widget.setEnabled(enabled)
        self.next_action.setEnabled(enabled)
        self.previous_action.setEnabled(enabled)

    def _go_to_section(self, section: str, path: str) -> None:
        """Scroll the card diff to the heading of ``section`` (an extra section by its title)."""
        diff = self.diff_view.diff
        if diff is None:
            return
        title = section
        if path.startswith("extra_sections[title="):
            title = path.split('"', 2)[1] if '"' in path else section
        heading = f"## {title}"
        for lines, right in ((diff.right_lines, True), (diff.left_lines, False)):
            if heading in lines:
                self.diff_view.go_to_row(diff.row_of_line(lines.index(heading), right=right))
                return
