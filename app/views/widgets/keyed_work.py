"""What the dialogs whose work runs off the GUI thread share: they stay open until it ends.

:class:`WorkDialog` holds the running task, refuses to close while it runs and
starts it (with a progress dialog, or without when the dialog shows its own
busy bar).  :class:`KeyedWorkDialog` adds what every dialog that unlocks the
officer's key does when the work ends: a wrong passphrase said plainly with
what was not done, a service refusal as a sentence, anything else as a
failure report.  The export, publish and signing dialogs are keyed; the
identity forms are plain work dialogs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from countersign.errors import CountersignError
from countersign.services.identities.errors import WrongPassphrase
from countersign.views.background import BackgroundTask, Work, run_with_progress
from countersign.views.crash_dialog import show_failure
from countersign.views.widgets.fitting import FittingDialog
from countersign.views.widgets.signer_fields import SignerFields, sentence


class WorkDialog(FittingDialog):
    """A dialog whose work runs on the worker thread; it cannot be closed until the work ends."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._task: BackgroundTask | None = None

    def reject(self) -> None:
        """Cancel, unless the work is under way (it cannot be stopped halfway)."""
        if self._task is None:
            super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        """Stay open while the work runs."""
        if self._task is not None:
            event.ignore()
            return
        super().closeEvent(event)

    # -- for subclasses ---------------------------------------------------------------

    def _set_busy(self, busy: bool) -> None:
        """Lock (or unlock) the controls while the work runs."""
        raise NotImplementedError

    def _start_task(
        self,
        work: Work,
        on_success: Callable[[Any], None],
        on_failure: Callable[[BaseException, str], None],
        *,
        progress_title: str | None = None,
    ) -> None:
        """Lock the dialog and run ``work``, with a progress dialog titled ``progress_title``.

        Without a title no progress dialog is shown (the dialog shows its own
        busy bar).  The work cannot be cancelled: it unlocks a key or writes.
        """
        self._set_busy(True)
        if progress_title is None:
            task = BackgroundTask(work, on_success=on_success, on_failure=on_failure, parent=self)
            self._task = task
            task.start()
        else:
            self._task = run_with_progress(
                self,
                progress_title,
                work,
                on_success=on_success,
                on_failure=on_failure,
                cancellable=False,
            )

    def _end_task(self) -> None:
        """The work ended: forget it and unlock the dialog."""
        self._task = None
        self._set_busy(False)


class KeyedWorkDialog(WorkDialog):
    """A dialog whose work unlocks the chosen identity's key with the passphrase typed.

    Subclasses set :attr:`signer`, :attr:`problem` and :attr:`buttons`, say in
    :attr:`NOTHING_DONE` what a wrong passphrase leaves undone ("exported"), and
    handle the result in :meth:`_work_succeeded`.
    """

    NOTHING_DONE = "done"
    """What did not happen when the passphrase is wrong: "Nothing was <this>"."""

    signer: SignerFields
    problem: QLabel
    buttons: QDialogButtonBox

    def _summary_label(self, html: str, accessible_name: str) -> QLabel:
        """The rich-text summary at the top: what the work will do (card text escaped by the caller)."""
        label = QLabel(html, self)
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setAccessibleName(accessible_name)
        return label

    def _action_buttons(self, text: str, accessible_name: str) -> QPushButton:
        """Make :attr:`buttons`: the dialog's default action and Cancel; returns the action."""
        self.buttons = QDialogButtonBox(self)
        action = QPushButton(text, self)
        action.setAccessibleName(accessible_name)
        action.setDefault(True)
        self.buttons.addButton(action, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        return action

    def _start_keyed_work(self, work: Work, progress_title: str | None = None) -> None:
        """Run the work that uses the key; its end comes back to the handlers below."""
        self._start_task(
            work, self._on_task_succeeded, self._on_task_failed, progress_title=progress_title
        )

    def _work_succeeded(self, result: Any) -> None:
        """Show or pass on the work's result (the dialog is already unlocked)."""
        raise NotImplementedError

    def _show_problem(self, message: str) -> None:
        self.problem.setText(message)
        self.problem.show()

    def _set_busy(self, busy: bool) -> None:
        self.signer.set_busy(busy)
        for button in self.buttons.buttons():
            button.setEnabled(not busy)
        if busy:
            self.problem.hide()

    def _on_task_succeeded(self, result: Any) -> None:
        self._end_task()
        self._work_succeeded(result)

    def _on_task_failed(self, error: BaseException, trace: str) -> None:
        self._end_task()
        if isinstance(error, WrongPassphrase):
            self._show_problem(
                f"The passphrase is wrong for {self.signer.identity}. "
                f"Nothing was {self.NOTHING_DONE}; type it again (letter case counts)."
            )
            self.signer.passphrase.setFocus()
        elif isinstance(error, CountersignError):
            self._show_problem(sentence(str(error)))
        else:
            show_failure(self, error, trace)


def add_path_row(form: QFormLayout, label_text: str, edit: QLineEdit, button: QPushButton) -> None:
    """A form row of a path field with its Choose… button, the label's mnemonic on the field."""
    row = QHBoxLayout()
    row.addWidget(edit, 1)
    row.addWidget(button)
    label = QLabel(label_text, edit.parentWidget())
    label.setBuddy(edit)  # a layout as the field gets no buddy of its own
    form.addRow(label, row)
