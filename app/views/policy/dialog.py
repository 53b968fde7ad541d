"""Settings ▸ Metric policy: which way is better for each metric, or its target, and its history.

The dialog shows the terms in force (the shipped vocabulary, extended and
overridden by the newest version the officer imported), lets the officer
choose an earlier version to see the terms it held and what it changed against
the version before it, and imports a policy file as a new version.  A refused
file is explained in the dialog, naming the file and the field; nothing is
stored then.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from countersign.errors import CountersignError
from countersign.models.metric_policy import MetricTerm
from countersign.services.policy.policies import (
    Policies,
    PolicyVersion,
    TermChange,
    shipped_policy,
)
from countersign.services.policy.terms import MetricJudge
from countersign.views.presentation import local_date
from countersign.views.widgets.list_table import ListTableModel, set_up_row_table
from countersign.views.widgets.signer_fields import PROBLEM_STYLE

HEADERS = ("Metric", "What is better", "From", "Also called", "Note")
"""The columns of the terms table."""

POLICY_FILTER = "Metric policy (*.yaml *.yml *.json)"

ALIASES = 3
"""The column of a term's other spellings."""

SHIPPED = 0
"""The version chooser's value for the shipped vocabulary alone."""


class TermsModel(ListTableModel[tuple[MetricTerm, str]]):
    """The terms of one policy version with where each comes from (the office or shipped)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(HEADERS, parent)

    def cell(self, item: tuple[MetricTerm, str], column: int, role: int) -> Any:
        """Cell text; every alias, or the full note, as the tooltip."""
        term, source = item
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == ALIASES and term.aliases:
                return ", ".join(term.aliases)
            return term.note or None
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        return (
            term.name,
            term.rule(),
            "your policy" if source == "office" else "shipped",
            ", ".join(term.aliases),
            " ".join(term.note.split()),
        )[column]


class PolicyDialog(QDialog):
    """The metric policy of the registry: its terms, its versions, and importing one."""

    changed = Signal()
    """A policy version was imported: diffs and reports judge by it from now on."""

    def __init__(self, policies: Policies, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Metric policy")
        self.resize(960, 620)
        self._policies = policies
        self._history: list[tuple[PolicyVersion, list[TermChange]]] = []
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.version_combo = QComboBox(self)
        self.version_combo.setAccessibleName("Policy version")
        version_label = QLabel("&Version:", self)
        version_label.setBuddy(self.version_combo)
        self.import_button = QPushButton("&Import policy…", self)
        self.import_button.setToolTip(
            "Import a metric policy file (YAML) as a new version; the README describes the format"
        )
        top = QHBoxLayout()
        top.addWidget(version_label)
        top.addWidget(self.version_combo, 1)
        top.addWidget(self.import_button)
        self.terms = TermsModel(self)
        self.table = QTableView(self)
        set_up_row_table(self.table, self.terms, "Metric terms", (190, 250, 90, 260))
        self.changes = QPlainTextEdit(self)
        self.changes.setReadOnly(True)
        self.changes.setAccessibleName("What changed in this version")
        changes_box = QWidget(self)
        changes_layout = QVBoxLayout(changes_box)
        changes_layout.setContentsMargins(0, 0, 0, 0)
        self.changes_title = QLabel(self)
        changes_layout.addWidget(self.changes_title)
        changes_layout.addWidget(self.changes)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.table)
        splitter.addWidget(changes_box)
        splitter.setSizes([400, 160])
        self.problem = QLabel(self)
        self.problem.setWordWrap(True)
        self.problem.setTextFormat(Qt.TextFormat.PlainText)
        self.problem.setStyleSheet(PROBLEM_STYLE)
        self.problem.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        buttons.rejected.connect(self.reject)
        self.import_button.clicked.connect(self._on_import_button_clicked)
        self.version_combo.currentIndexChanged.connect(self._on_version_combo_current_changed)
        self.reload()

    def reload(self) -> None:
        """Read the policy versions again and show the one in force."""
        self._history = self._policies.history()
        shipped = shipped_policy()
        if self._history:
            newest = self._history[-1][0]
            state = "frozen: a sign-off was made under it" if newest.frozen else "not used yet"
            self.summary.setText(
                f"In force: version {newest.policy.version}, “{newest.policy.title}”, imported "
                f"from {newest.source} on {local_date(newest.stored_at)} by {newest.stored_by} "
                f"({state}), over the shipped terms. Comparisons, trends and reports "
                "judge each metric by these terms."
            )
        else:
            self.summary.setText(
                f"In force: {shipped.title} (nothing imported). Comparisons, trends and "
                "reports judge each metric by these terms; import a policy to add or override "
                "terms."
            )
        self.version_combo.blockSignals(True)
        self.version_combo.clear()
        for version, _changes in reversed(self._history):
            newest_mark = " (in force)" if version is self._history[-1][0] else ""
            self.version_combo.addItem(
                f"Version {version.policy.version}: {version.policy.title}{newest_mark}",
                version.policy.version,
            )
        self.version_combo.addItem(
            f"Shipped: {shipped.title}" + ("" if self._history else " (in force)"), SHIPPED
        )
        self.version_combo.setCurrentIndex(0)
        self.version_combo.blockSignals(False)
        self.show_version(int(self.version_combo.currentData()))

    def show_version(self, number: int) -> None:
        """Show the terms of version ``number`` (SHIPPED: the shipped ones) and what it changed."""
        found = next((item for item in self._history if item[0].policy.version == number), None)
        index = self.version_combo.findData(number)
        if index >= 0 and index != self.version_combo.currentIndex():
            self.version_combo.setCurrentIndex(index)
            return
        if found is None:
            self.terms.set_rows(MetricJudge(shipped_policy()).terms())
            self.changes_title.setText("The shipped vocabulary")
            self.changes.setPlainText(
                "The terms Countersign ships (resources/policies/metrics.yaml). A policy you "
                "import extends them, and a term with the same name replaces the shipped one."
            )
            return
        version, changes = found
        self.terms.set_rows(MetricJudge(shipped_policy(), version.policy).terms())
        earlier = self._history.index(found)
        against = (
            f"version {self._history[earlier - 1][0].policy.version}"
            if earlier
            else "the shipped vocabulary"
        )
        self.changes_title.setText(
            f"What version {version.policy.version} changed against {against}"
        )
        self.changes.setPlainText(
            "\n".join(change.line() for change in changes) or "No term changed."
        )

    def import_file(self, path: Path) -> bool:
        """Import the policy file ``path``; a refusal is shown in the dialog. True when stored."""
        try:
            version, outcome, _changes = self._policies.import_file(path)
        except CountersignError as error:
            self.problem.setText(f"Not imported: {error}")
            self.problem.show()
            return False
        self.problem.hide()
        self.reload()
        if outcome != "unchanged":
            self.changed.emit()
        self.show_version(version.policy.version)
        return True

    def changes_text(self) -> str:
        """What the chosen version changed, as shown."""
        return self.changes.toPlainText()

    def _on_import_button_clicked(self) -> None:
        name, _chosen = QFileDialog.getOpenFileName(
            self, "Import a metric policy", "", POLICY_FILTER
        )
        if name:
            self.import_file(Path(name))

    def _on_version_combo_current_changed(self, _index: int) -> None:
        data = self.version_combo.currentData()
        if data is not None:
            self.show_version(int(data))
