"""The home screen: the officer's queue on the left, what is approved where on the right.

The window opens on it.  Its lists come from the desk service in one read
off the GUI thread (then a page more as a table scrolls); each row opens its
model (Enter or a double-click), and an empty list says what fills it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from countersign.errors import CountersignError
from countersign.models.safe_text import display_text
from countersign.models.vocabulary import DeskList
from countersign.services.desk.records import RECENT_IMPORTS, Desk, DeskPage, Officer
from countersign.services.progress import Cancelled, Progress
from countersign.views.background import BackgroundTask
from countersign.views.crash_dialog import show_failure
from countersign.views.home.lists import NAME_ROLE, VERSION_ROLE, DeskTableModel
from countersign.views.widgets.list_table import set_up_row_table

if TYPE_CHECKING:
    # Only named here: a first look is shown before SQLAlchemy is imported.
    from countersign.services.desk.first_look import FirstLook
    from countersign.services.desk.service import DeskService

HINTS = {
    DeskList.TO_REVIEW: "Imported and in no review round yet; the longest waiting first.",
    DeskList.AWAITING_SIGNATURE: "Open rounds none of your identities has signed yet.",
    DeskList.CHANGES_REQUESTED: "Sent back to the team, who have not sent a newer version.",
    DeskList.APPROVED: "The version approved for each stage, per model.",
    DeskList.EXPIRING: "Approvals that end within 30 days, or have ended; the soonest first.",
    DeskList.IMPORT_WARNINGS: f"Problems the readers noted in the {RECENT_IMPORTS:,} newest card "
    "versions; newest first.",
}
"""The line under each list's heading: what the list holds and in which order."""

EMPTY = {
    DeskList.TO_REVIEW: "Nothing waits for a review. Imported card versions show here until "
    "a review round opens: import bundles with File ▸ Import… (Ctrl+I).",
    DeskList.CHANGES_REQUESTED: "No card version waits for its team. When a sign-off requests "
    "changes, the version stays here until the team sends a newer one.",
    DeskList.APPROVED: "Nothing is approved yet. Open a model, check it in its Review tab "
    "(Ctrl+7) and sign: what is approved for each stage shows here.",
}
"""What an empty list says, and what fills it (the others depend on more; see :func:`empty_text`)."""

LOADING = "Reading the registry…"

MY_QUEUE = (DeskList.TO_REVIEW, DeskList.AWAITING_SIGNATURE, DeskList.CHANGES_REQUESTED)
"""The lists of the left column, "My queue"."""

WHAT_IS_WHERE = (DeskList.APPROVED, DeskList.EXPIRING, DeskList.IMPORT_WARNINGS)
"""The lists of the right column, "What is where"."""


def empty_text(kind: DeskList, desk: Desk) -> str:
    """What the empty list ``kind`` says, and what would fill it."""
    if kind == DeskList.AWAITING_SIGNATURE:
        officer = desk.officer
        if officer.keyring_problem:
            return (
                f"Your identities cannot be read here: {display_text(officer.keyring_problem)}. "
                "Rounds that wait for your signature show once the keyring can be read."
            )
        if not officer.known:
            return (
                "No identity of yours is on this workstation, so no round can wait for your "
                "signature. Create or import one in Settings ▸ Identities…"
            )
        return "No open round waits for your signature."
    if kind == DeskList.EXPIRING:
        return (
            f"No approval ends within {desk.expiring_within} days. An approval signed with an "
            "expiry date shows here from that many days before it ends, and stays once it has ended."
        )
    if kind == DeskList.IMPORT_WARNINGS:
        return _no_warnings(desk.recent_window)
    return EMPTY[kind]


def _no_warnings(recent_window: int) -> str:
    return (
        f"No warnings in the {recent_window:,} newest card versions. A value that is no "
        "number, a result that names no data set: what a card's reader notes shows here."
    )


class DeskSection(QFrame):
    """One list of the home screen: its heading and count, a line on what it holds, its table."""

    def __init__(
        self, desk: DeskService | None, kind: DeskList, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.kind = kind
        self.setObjectName(f"home_{kind.value}")
        self.heading = QLabel(kind.label, self)
        self.heading.setObjectName("section_heading")
        font = QFont(self.heading.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.heading.setFont(font)
        self.count = QLabel(self)
        self.count.setAccessibleName(f"{kind.label}: how many")
        self.hint = QLabel(HINTS[kind], self)
        # One line (a wrapped label would make the screen taller than its window and scroll).
        self.hint.setToolTip(HINTS[kind])
        # A caption: the palette's quieter text, readable in light and dark themes alike.
        self.hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)

        self.model = DeskTableModel(desk, kind, self)
        self.table = QTableView(self)
        set_up_row_table(self.table, self.model, f"Home: {kind.label}")
        self.table.setMinimumHeight(96)
        self.empty = QLabel(LOADING, self)
        self.empty.setAccessibleName(f"{kind.label}: empty")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setFrameShape(QFrame.Shape.StyledPanel)
        self.empty.setMargin(24)
        self.empty.setTextFormat(Qt.TextFormat.PlainText)
        # The sentence wraps to the room there is, never making the screen scroll.
        self.empty.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.empty.setMinimumHeight(72)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.table)

        title = QHBoxLayout()
        title.setSpacing(8)
        title.addWidget(self.heading)
        title.addWidget(self.count)
        title.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 8)
        layout.setSpacing(4)
        layout.addLayout(title)
        layout.addWidget(self.hint)
        layout.addWidget(self.stack, 1)

    def show_desk(self, desk: Desk) -> None:
        """Show this section's list from ``desk``: its rows, or what to do when it is empty."""
        page = getattr(desk, self.kind.value)
        self.show_list(page, empty_text(self.kind, desk), desk.officer, desk.stages)

    def show_list(
        self,
        page: DeskPage[Any],
        empty: str,
        officer: Officer | None = None,
        stages: tuple[str, ...] = (),
    ) -> None:
        """Show ``page`` (for ``officer``, the registry having ``stages``), or ``empty`` if it is."""
        self.model.show_page(page, officer or Officer((), ()), stages)
        self.count.setText(f"· {self.model.caption()}")
        if page.rows:
            self.stack.setCurrentWidget(self.table)
            self._size_columns()
        else:
            self.empty.setText(empty)
            self.stack.setCurrentWidget(self.empty)

    def _size_columns(self) -> None:
        # The names and sentences share the room left by the short columns.
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        for column, spec in enumerate(self.model.columns):
            if spec.width:
                header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
                header.resizeSection(column, spec.width)
            else:
                header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)


class HomeScreen(QWidget):
    """What waits for the officer and what is approved where, each row opening its model."""

    model_opened = Signal(str, str)
    """A row was opened (Enter or double-click): the model, and the card version it is about."""

    def __init__(self, desk: DeskService | None, parent: QWidget | None = None) -> None:
        """A home screen over ``desk``; with None, one that shows a first look and reads nothing."""
        super().__init__(parent)
        self._desk = desk
        self._task: BackgroundTask | None = None
        self._again = False
        self.desk: Desk | None = None

        self.title = QLabel("Home", self)
        font = QFont(self.title.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.5)
        self.title.setFont(font)
        self.whose = QLabel(LOADING, self)
        self.whose.setAccessibleName("Whose desk")
        self.whose.setWordWrap(True)
        self.whose.setTextFormat(Qt.TextFormat.PlainText)

        self.sections = {kind: DeskSection(desk, kind, self) for kind in DeskList}
        for section in self.sections.values():
            section.table.activated.connect(self._on_table_activated)

        self._lay_out()

    def _lay_out(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addStretch(1)
        grid = QGridLayout()
        grid.setHorizontalSpacing(24)
        grid.setVerticalSpacing(8)
        for column, (name, kinds) in enumerate(
            (("My queue", MY_QUEUE), ("What is where", WHAT_IS_WHERE))
        ):
            label = QLabel(name.upper(), self)
            font = QFont(label.font())
            font.setBold(True)
            font.setLetterSpacing(QFont.SpacingType.PercentageSpacing, 110)
            label.setFont(font)
            label.setAccessibleName(name)
            grid.addWidget(label, 0, column)
            for row, kind in enumerate(kinds, start=1):
                grid.addWidget(self.sections[kind], row, column)
                grid.setRowStretch(row, 1)
            grid.setColumnStretch(column, 1)
        body = QWidget(self)
        body.setLayout(grid)
        body.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        scroll = QScrollArea(self)
        scroll.setWidget(body)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 8)
        layout.setSpacing(6)
        layout.addLayout(top)
        layout.addWidget(self.whose)
        layout.addWidget(scroll, 1)
        body.setMinimumHeight(460)

    # -- public ---------------------------------------------------------------------

    @property
    def loading(self) -> bool:
        """Whether the lists are being read."""
        return self._task is not None

    def show_first_look(self, look: FirstLook) -> None:
        """Show the lists a first look read; the others say they are being read."""
        for kind, page in look.pages().items():
            warnings = kind == DeskList.IMPORT_WARNINGS
            empty = _no_warnings(look.recent_window) if warnings else EMPTY[kind]
            self.sections[kind].show_list(page, empty)

    def load(self) -> None:
        """Read every list again, off the GUI thread (once more after a read already running)."""
        if self._task is not None:
            self._again = True
            return
        self._again = False
        desk = self._desk
        if desk is None:
            return

        def work(_progress: Progress, _cancelled: Cancelled) -> Desk:
            return desk.desk()

        task = BackgroundTask(
            work, on_success=self._on_task_succeeded, on_failure=self._on_task_failed, parent=self
        )
        task.finished.connect(self._on_task_finished)
        self._task = task
        task.start()

    def focus_first_list(self) -> None:
        """Put the keyboard in the first list that has rows (its first row current)."""
        for section in self.sections.values():
            if section.stack.currentWidget() is section.table:
                section.table.setFocus(Qt.FocusReason.ShortcutFocusReason)
                if not section.table.currentIndex().isValid():
                    section.table.setCurrentIndex(section.model.index(0, 0))
                return
        self.setFocus(Qt.FocusReason.ShortcutFocusReason)

    # -- handlers -------------------------------------------------------------------

    def _on_table_activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.model_opened.emit(str(index.data(NAME_ROLE)), str(index.data(VERSION_ROLE)))

    def _on_task_succeeded(self, desk: Desk) -> None:
        self.desk = desk
        self.whose.setText(_whose(desk.officer))
        for section in self.sections.values():
            section.show_desk(desk)

    def _on_task_failed(self, error: BaseException, trace: str) -> None:
        if isinstance(error, CountersignError):
            self.whose.setText(f"The lists could not be read: {error}. Press F5 to try again.")
        else:
            show_failure(self, error, trace)

    def _on_task_finished(self) -> None:
        if self._task is not None:
            self._task.deleteLater()
        self._task = None
        if self._again:
            self.load()


def _whose(officer: Officer) -> str:
    if officer.keyring_problem:
        return "Your identities cannot be read: the keyring is not available."
    if not officer.known:
        return (
            "No identity of yours is on this workstation: every list but your rounds is shown. "
            "Settings ▸ Identities… creates one."
        )
    names = ", ".join(display_text(name) for name in officer.names)
    return f"Signing as {names}. Rows open their model: Enter or a double-click."
