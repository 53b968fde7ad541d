"""The draft editor's form: the canonical card's sections as fields a team fills in.

Each field is bound to one place in the card.  The form writes back only the
fields that were edited, onto a copy of the card it was given, so whatever
has no field here (extra sections, references, a data set's link, a metric's
details, an owner's role) is kept exactly as it was opened.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple, TypedDict, Unpack

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from countersign.models.card import DatasetRef, ModelCard, Owner, Risk
from countersign.views.drafts.metrics_model import MetricsTableModel

LABEL_WIDTH = 130
"""Every section's labels take this width, so that the fields line up down the form."""

METRIC_COLUMN_WIDTHS = (100, 70, 150, 70, 110)
"""Metric, value, data set, split and slice columns; the task takes the rest."""

RISK_SEPARATOR = " — "
"""Between a risk and its mitigation on one line of the risks field."""


class _Access(NamedTuple):
    """How a field reads its text from the card, and writes it back."""

    read: Callable[[ModelCard], str]
    write: Callable[[ModelCard, str], None]


class _FieldOptions(TypedDict, total=False):
    """A form row's options: ``kind`` (line, text or lines), its tooltip, how it reads the card."""

    kind: str
    tip: str
    access: _Access | None


@dataclass(frozen=True)
class _Binding:
    """One form field and the place in the card it reads and writes."""

    key: str
    widget: QLineEdit | QPlainTextEdit
    read: Callable[[ModelCard], str]
    write: Callable[[ModelCard, str], None]


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _text_of(widget: QLineEdit | QPlainTextEdit) -> str:
    return widget.text() if isinstance(widget, QLineEdit) else widget.toPlainText()


def _owner_line(owner: Owner) -> str:
    return f"{owner.name} <{owner.contact}>" if owner.contact else owner.name


def _owners(card: ModelCard, text: str) -> None:
    roles = {owner.name: owner.role for owner in card.owners}
    owners = []
    for line in _lines(text):
        name, contact = line, ""
        if line.endswith(">") and "<" in line:
            name, _, contact = line[:-1].rpartition("<")
        owners.append(
            Owner(name=name.strip(), contact=contact.strip(), role=roles.get(name.strip(), ""))
        )
    card.owners = owners


def _risk_line(risk: Risk) -> str:
    return f"{risk.name}{RISK_SEPARATOR}{risk.mitigation}" if risk.mitigation else risk.name


def _risks(card: ModelCard, text: str) -> None:
    risks = []
    for line in _lines(text):
        name, _, mitigation = line.partition(RISK_SEPARATOR.strip())
        risks.append(Risk(name=name.strip(), mitigation=mitigation.strip()))
    card.ethical_considerations.risks = risks


def _datasets(section: str) -> Callable[[ModelCard, str], None]:
    def write(card: ModelCard, text: str) -> None:
        data = getattr(card, section)
        known = {dataset.name: dataset for dataset in data.datasets}
        data.datasets = [known.get(name) or DatasetRef(name=name) for name in _lines(text)]

    return write


def _dataset_names(section: str) -> Callable[[ModelCard], str]:
    def read(card: ModelCard) -> str:
        return "\n".join(dataset.name for dataset in getattr(card, section).datasets)

    return read


def _set(path: str, *, lines: bool = False) -> Callable[[ModelCard, str], None]:
    section, _, field = path.rpartition(".")

    def write(card: ModelCard, text: str) -> None:
        target = getattr(card, section) if section else card
        setattr(target, field, _lines(text) if lines else text)

    return write


def _get(path: str, *, lines: bool = False) -> Callable[[ModelCard], str]:
    section, _, field = path.rpartition(".")

    def read(card: ModelCard) -> str:
        value = getattr(getattr(card, section) if section else card, field)
        return "\n".join(value) if lines else str(value)

    return read


class CardForm(QScrollArea):
    """Every section of a draft card as a form; :meth:`card` gives the card as edited."""

    changed = Signal()
    """Any edit, in any field or in the metrics table."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setAccessibleName("Card draft form")
        self._base = ModelCard()
        self._loaded: dict[str, str] = {}
        self._bindings: list[_Binding] = []
        self._loaded_results: list[object] = []
        self._loading = False
        body = QWidget(self)
        self._layout = QVBoxLayout(body)
        self._layout.setContentsMargins(8, 8, 8, 8)
        self._build_details()
        self._build_use()
        self._build_metrics()
        self._build_data()
        self._build_ethics()
        self._build_attachments()
        self.extras_note = QLabel(body)
        self.extras_note.setWordWrap(True)
        self.extras_note.setAccessibleName("Kept sections")
        self._layout.addWidget(self.extras_note)
        self._layout.addStretch(1)
        self.setWidget(body)
        self.load(ModelCard())

    # -- building ----------------------------------------------------------------------

    def _group(self, title: str) -> QFormLayout:
        box = QGroupBox(title)
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._layout.addWidget(box)
        return form

    def _field(
        self, form: QFormLayout, label: str, key: str, **options: Unpack[_FieldOptions]
    ) -> None:
        kind, tip, access = (
            options.get("kind", "line"),
            options.get("tip", ""),
            options.get("access"),
        )
        widget: QLineEdit | QPlainTextEdit
        if kind == "line":
            widget = QLineEdit()
            widget.textChanged.connect(self._on_field_changed)
        else:
            widget = QPlainTextEdit()
            widget.setTabChangesFocus(True)
            widget.setFixedHeight(64 if kind == "lines" else 84)
            widget.textChanged.connect(self._on_field_changed)
            if kind == "lines":
                widget.setPlaceholderText("One per line")
        widget.setObjectName(key)
        widget.setAccessibleName(label.replace("&", ""))
        if tip:
            widget.setToolTip(tip)
        lines = kind == "lines"
        if access is None:
            access = _Access(_get(key, lines=lines), _set(key, lines=lines))
        binding = _Binding(key, widget, access.read, access.write)
        self._bindings.append(binding)
        caption = QLabel(label)
        caption.setBuddy(widget)
        caption.setMinimumWidth(LABEL_WIDTH)
        form.addRow(caption, widget)

    def _build_details(self) -> None:
        form = self._group("Model details")
        self._field(form, "&Name", "model_details.name", tip="The model's name, as teams call it")
        self._field(form, "&Version", "model_details.version", tip="The model version described")
        self._field(form, "Summary", "model_details.summary", kind="text")
        self._field(form, "Description", "model_details.description", kind="text")
        self._field(form, "Model type", "model_details.model_type", tip="image-classification…")
        self._field(form, "Developers", "model_details.developers", kind="lines")
        self._field(form, "Date", "model_details.date")
        self._field(form, "Licence", "license", tip="proprietary, apache-2.0, mit…")
        form_owners = self._group("Owners")
        self._field(
            form_owners,
            "Owners",
            "owners",
            kind="lines",
            tip="One per line: Team or person <contact@example.com>",
            access=_Access(
                lambda card: "\n".join(_owner_line(owner) for owner in card.owners), _owners
            ),
        )

    def _build_use(self) -> None:
        form = self._group("Intended use")
        self._field(form, "Intended use", "intended_use.text", kind="text")
        self._field(form, "Primary uses", "intended_use.primary_uses", kind="lines")
        self._field(form, "Primary users", "intended_use.primary_users", kind="lines")
        self._field(form, "Out-of-scope uses", "intended_use.out_of_scope", kind="lines")
        form = self._group("Factors")
        self._field(form, "Factors", "factors.text", kind="text")
        self._field(form, "Relevant factors", "factors.relevant", kind="lines")
        self._field(form, "Evaluation factors", "factors.evaluation", kind="lines")

    def _build_metrics(self) -> None:
        form = self._group("Metrics")
        self.metrics_model = MetricsTableModel(self)
        self.metrics_model.edited.connect(self._on_field_changed)
        self.metrics_table = QTableView()
        self.metrics_table.setObjectName("metrics_table")
        self.metrics_table.setAccessibleName("Metric results")
        self.metrics_table.setModel(self.metrics_model)
        self.metrics_table.setMinimumHeight(150)
        self.metrics_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.metrics_table.setWordWrap(False)
        self.metrics_table.verticalHeader().setDefaultSectionSize(24)
        header = self.metrics_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for section, width in enumerate(METRIC_COLUMN_WIDTHS):
            header.resizeSection(section, width)
        self.add_metric_button = QPushButton("&Add metric")
        self.add_metric_button.setAccessibleName("Add a metric result")
        self.add_metric_button.clicked.connect(self._on_add_metric_button_clicked)
        self.remove_metric_button = QPushButton("Remove metric")
        self.remove_metric_button.setAccessibleName("Remove the selected metric results")
        self.remove_metric_button.clicked.connect(self._on_remove_metric_button_clicked)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_metric_button)
        buttons.addWidget(self.remove_metric_button)
        buttons.addStretch(1)
        column = QVBoxLayout()
        column.addWidget(self.metrics_table)
        column.addLayout(buttons)
        form.addRow(column)
        self._field(form, "Why these metrics", "metrics.text", kind="text")
        self._field(form, "Decision thresholds", "metrics.decision_thresholds", kind="text")

    def _build_data(self) -> None:
        for section, title in (
            ("evaluation_data", "Evaluation data"),
            ("training_data", "Training data"),
        ):
            form = self._group(title)
            self._field(form, "Description", f"{section}.text", kind="text")
            self._field(
                form,
                "Data sets",
                f"{section}.datasets",
                kind="lines",
                access=_Access(_dataset_names(section), _datasets(section)),
            )
            self._field(form, "Preprocessing", f"{section}.preprocessing", kind="text")

    def _build_ethics(self) -> None:
        form = self._group("Ethical considerations")
        self._field(form, "Considerations", "ethical_considerations.text", kind="text")
        self._field(
            form,
            "Risks",
            "ethical_considerations.risks",
            kind="lines",
            tip=f"One per line: the risk{RISK_SEPARATOR}its mitigation",
            access=_Access(
                lambda card: "\n".join(
                    _risk_line(risk) for risk in card.ethical_considerations.risks
                ),
                _risks,
            ),
        )
        form = self._group("Caveats and limitations")
        self._field(form, "Caveats", "caveats_and_recommendations.text", kind="text")
        self._field(form, "Limitations", "caveats_and_recommendations.limitations", kind="lines")
        self._field(
            form, "Recommendations", "caveats_and_recommendations.recommendations", kind="lines"
        )

    def _build_attachments(self) -> None:
        form = self._group("Attachments (sent in the bundle)")
        self.attachments = QListWidget()
        self.attachments.setAccessibleName("Attachments")
        self.attachments.setToolTip(
            "Files sent with the card in a bundle: plots, data sheets. Opening a card picks up "
            "the files in the folder named after it (credit-scorer/ for credit-scorer.md)."
        )
        self.attachments.setMaximumHeight(70)
        add = QPushButton("Add &files…")
        add.setAccessibleName("Add attachments")
        add.clicked.connect(self._on_add_attachments_button_clicked)
        remove = QPushButton("Remove file")
        remove.setAccessibleName("Remove the selected attachment")
        remove.clicked.connect(self._on_remove_attachment_button_clicked)
        buttons = QHBoxLayout()
        buttons.addWidget(add)
        buttons.addWidget(remove)
        buttons.addStretch(1)
        column = QVBoxLayout()
        column.addWidget(self.attachments)
        column.addLayout(buttons)
        form.addRow(column)

    # -- the card ----------------------------------------------------------------------

    def load(self, card: ModelCard, attachments: list[Path] | None = None) -> None:
        """Show ``card``; from now on :meth:`card` is this card with the edits made."""
        self._loading = True
        try:
            self._base = card.model_copy(deep=True)
            self._loaded = {}
            for binding in self._bindings:
                text = binding.read(card)
                self._loaded[binding.key] = text
                if isinstance(binding.widget, QLineEdit):
                    binding.widget.setText(text)
                else:
                    binding.widget.setPlainText(text)
            self.metrics_model.set_results(card.quantitative_analyses.results)
            self._loaded_results = list(card.quantitative_analyses.results)
            self.set_attachments(attachments or [])
            kept = [section.title for section in card.extra_sections]
            self.extras_note.setText(
                f"Kept as written, with no field here: {len(kept)} more section"
                f"{'s' if len(kept) != 1 else ''} ({', '.join(kept[:6])}"
                f"{', …' if len(kept) > 6 else ''})."
                if kept
                else ""
            )
            self.extras_note.setVisible(bool(kept))
        finally:
            self._loading = False

    def card(self) -> ModelCard:
        """The card as edited: the loaded card with every edited field written back."""
        card = self._base.model_copy(deep=True)
        for binding in self._bindings:
            text = _text_of(binding.widget)
            if text != self._loaded[binding.key]:
                binding.write(card, text)
        results = self.metrics_model.results()
        if results != self._loaded_results:
            card.quantitative_analyses.results = results
        return card

    def set_attachments(self, paths: list[Path]) -> None:
        """Show ``paths`` as the draft's attachments."""
        self.attachments.clear()
        for path in paths:
            self.attachments.addItem(str(path))

    def attachment_paths(self) -> list[Path]:
        """The draft's attachments, as listed."""
        return [Path(self.attachments.item(row).text()) for row in range(self.attachments.count())]

    def field(self, key: str) -> QLineEdit | QPlainTextEdit:
        """The widget bound to the card place ``key`` (``model_details.name``)."""
        return next(binding.widget for binding in self._bindings if binding.key == key)

    def set_field(self, key: str, text: str) -> None:
        """Type ``text`` into the field bound to ``key`` (as a person would, signals and all)."""
        widget = self.field(key)
        if isinstance(widget, QLineEdit):
            widget.setText(text)
        else:
            widget.setPlainText(text)

    # -- handlers ----------------------------------------------------------------------

    def _on_field_changed(self) -> None:
        if not self._loading:
            self.changed.emit()

    def add_attachments(self, paths: list[Path]) -> None:
        """Add ``paths`` to the draft's attachments (each once)."""
        known = set(self.attachment_paths())
        for path in paths:
            if path not in known:
                self.attachments.addItem(str(path))
                known.add(path)
        if paths:
            self._on_field_changed()

    def _on_add_attachments_button_clicked(self) -> None:
        names, _filter = QFileDialog.getOpenFileNames(self, "Add attachments")
        self.add_attachments([Path(name) for name in names])

    def _on_remove_attachment_button_clicked(self) -> None:
        row = self.attachments.currentRow()
        if row >= 0:
            self.attachments.takeItem(row)
            self._on_field_changed()

    def _on_add_metric_button_clicked(self) -> None:
        row = self.metrics_model.rowCount()
        self.metrics_model.insertRows(row, 1)
        index = self.metrics_model.index(row, 0)
        self.metrics_table.setCurrentIndex(index)
        self.metrics_table.edit(index)

    def _on_remove_metric_button_clicked(self) -> None:
        rows = sorted(
            {index.row() for index in self.metrics_table.selectionModel().selectedIndexes()},
            reverse=True,
        )
        for row in rows:
            self.metrics_model.removeRows(row, 1)
