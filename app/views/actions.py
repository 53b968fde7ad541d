"""The workstation's commands, declared apart from the window that carries them out.

Each command is a QAction with its words, mnemonic, shortcut, icon and tip;
the menus are built from the same declarations, so the menu bar, the tool bar
and the keyboard always agree.  The main window connects each action's
``triggered`` signal to what it does.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenuBar, QToolBar, QWidget

from countersign.views.icons import icon


@dataclass(frozen=True)
class ActionSpec:
    """What one command looks like: its menu, words, shortcut, icon and tip."""

    name: str
    menu: str
    text: str
    shortcut: str = ""
    icon: str = ""
    tip: str = ""
    separator_before: bool = False
    role: QAction.MenuRole = QAction.MenuRole.TextHeuristicRole


MENUS = ("&File", "&Edit", "&View", "&Review", "&Tools", "&Settings", "&Help")
"""The menu bar, left to right; ``&`` marks each mnemonic."""

ACTION_SPECS = (
    ActionSpec(
        "import_files",
        "&File",
        "&Import…",
        "Ctrl+I",
        "import",
        "Import card bundles or card files into the registry, with a preview first",
    ),
    ActionSpec(
        "new_draft",
        "&File",
        "&New card draft…",
        "Ctrl+Shift+N",
        tip="Write a model card as a team does: a form, its preview, and what a reviewer will "
        "ask; saved as a file, never into the registry",
        separator_before=True,
    ),
    ActionSpec(
        "open_draft",
        "&File",
        "&Open draft…",
        "Ctrl+Shift+O",
        tip="Open a card file in the draft editor, to complete it and export a bundle",
    ),
    ActionSpec(
        "export_report",
        "&File",
        "&Export signed report…",
        "Ctrl+E",
        "report",
        "Export the signed PDF review report of the card version shown",
        separator_before=True,
    ),
    ActionSpec(
        "publish_version",
        "&File",
        "&Publish approved version…",
        icon="publish",
        tip="Write the approved card version, its signed report and sign-offs into a folder "
        "for the team",
    ),
    ActionSpec(
        "quit",
        "&File",
        "&Quit",
        "Ctrl+Q",
        tip="Close Countersign",
        separator_before=True,
        role=QAction.MenuRole.QuitRole,
    ),
    ActionSpec("find", "&Edit", "&Find…", "Ctrl+F", "search", "Search the text of every card"),
    ActionSpec(
        "copy_card",
        "&Edit",
        "Copy card &text",
        "Ctrl+Shift+C",
        "copy",
        "Copy the card shown, as Markdown, to the clipboard",
    ),
    ActionSpec("refresh", "&View", "&Refresh", "F5", "refresh", "Read the registry again"),
    ActionSpec(
        "show_home",
        "&View",
        "H&ome",
        "Ctrl+H",
        "home",
        "What waits for you and what is approved where; each row opens its model",
        separator_before=True,
    ),
    ActionSpec(
        "show_models",
        "&View",
        "&Models list",
        "Ctrl+0",
        tip="Move to the models table",
    ),
    ActionSpec("show_card", "&View", "&Card", "Ctrl+1", tip="Show the Card tab"),
    ActionSpec("show_versions", "&View", "&Versions", "Ctrl+2", tip="Show the Versions tab"),
    ActionSpec("show_source", "&View", "&Source", "Ctrl+3", tip="Show the Source tab"),
    ActionSpec(
        "show_attachments", "&View", "&Attachments", "Ctrl+4", tip="Show the Attachments tab"
    ),
    ActionSpec("show_history", "&View", "&History", "Ctrl+5", tip="Show the History tab"),
    ActionSpec("show_compare", "&View", "Com&pare", "Ctrl+6", tip="Show the Compare tab"),
    ActionSpec("show_review", "&View", "Revie&w", "Ctrl+7", tip="Show the Review tab"),
    ActionSpec(
        "show_trends", "&View", "&Trends", "Ctrl+8", tip="Show the Trends tab: metric charts"
    ),
    ActionSpec(
        "sign_off",
        "&Review",
        "&Sign…",
        "Ctrl+Shift+S",
        "sign",
        "Check the sign-off of the card version shown, then sign it with your identity",
    ),
    ActionSpec(
        "audit_trail",
        "&Tools",
        "&Audit trail…",
        "Ctrl+Shift+A",
        "audit",
        "Every event of the registry, and verification of the hash chain",
    ),
    ActionSpec(
        "verify_report",
        "&Tools",
        "&Verify report…",
        icon="verify",
        tip="Check a signed review report: its signature, signer, sign-offs and card",
    ),
    ActionSpec(
        "identities",
        "&Settings",
        "&Identities…",
        icon="identity",
        tip="Reviewer identities: create, import, export the certificate, change passphrase, retire",
    ),
    ActionSpec(
        "metric_policy",
        "&Settings",
        "&Metric policy…",
        tip="Which way is better for each metric, or its target: view, import, what changed",
    ),
    ActionSpec(
        "user_guide",
        "&Help",
        "&User guide",
        "F1",
        tip="How to import, compare, review, sign, export, verify and publish, task by task",
    ),
    ActionSpec(
        "about",
        "&Help",
        "&About Countersign",
        tip="Version and licences",
        separator_before=True,
        role=QAction.MenuRole.AboutRole,
    ),
    ActionSpec(
        "about_qt", "&Help", "About &Qt", tip="The Qt toolkit", role=QAction.MenuRole.AboutQtRole
    ),
)
"""Every command of the main window, in menu order."""

TOOLBAR = ("show_home", "import_files", "sign_off", "export_report", "audit_trail", "refresh")
"""The commands also on the tool bar."""


class WorkstationActions:
    """The main window's commands as QActions, looked up by name."""

    def __init__(self, owner: QWidget) -> None:
        self._actions: dict[str, QAction] = {}
        for spec in ACTION_SPECS:
            action = QAction(spec.text, owner)
            if spec.shortcut:
                action.setShortcut(QKeySequence(spec.shortcut))
            if spec.icon:
                action.setIcon(icon(spec.icon))
            if spec.tip:
                tip = f"{spec.tip} ({spec.shortcut})" if spec.shortcut else spec.tip
                action.setToolTip(tip)
                action.setStatusTip(spec.tip)
            action.setMenuRole(spec.role)
            action.setObjectName(spec.name)
            # On the window too, so shortcuts work wherever the focus is.
            owner.addAction(action)
            self._actions[spec.name] = action

    def __getitem__(self, name: str) -> QAction:
        """The action called ``name`` (see :data:`ACTION_SPECS`)."""
        return self._actions[name]

    def names(self) -> list[str]:
        """Every action name, in menu order."""
        return list(self._actions)

    def fill_menu_bar(self, menu_bar: QMenuBar) -> None:
        """Build the menus from :data:`ACTION_SPECS`."""
        for title in MENUS:
            menu = menu_bar.addMenu(title)
            menu.setObjectName(title.replace("&", "").lower() + "_menu")
            for spec in ACTION_SPECS:
                if spec.menu != title:
                    continue
                if spec.separator_before:
                    menu.addSeparator()
                menu.addAction(self._actions[spec.name])

    def add_tool_bar(self, window: QMainWindow) -> QToolBar:
        """Give ``window`` the main tool bar, with the :data:`TOOLBAR` commands."""
        return _add_tool_bar(window, [self._actions[name] for name in TOOLBAR])


def add_greyed_tool_bar(window: QMainWindow) -> QToolBar:
    """Give ``window`` the main tool bar's look with nothing to press (the start-up window's)."""
    specs = {spec.name: spec for spec in ACTION_SPECS}
    actions = []
    for name in TOOLBAR:
        action = QAction(specs[name].text, window)
        if specs[name].icon:
            action.setIcon(icon(specs[name].icon))
        action.setEnabled(False)
        actions.append(action)
    return _add_tool_bar(window, actions)


def _add_tool_bar(window: QMainWindow, actions: list[QAction]) -> QToolBar:
    tool_bar = QToolBar("Main tool bar", window)
    tool_bar.setObjectName("main_tool_bar")
    tool_bar.setMovable(False)
    tool_bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    for action in actions:
        tool_bar.addAction(action)
    window.addToolBar(tool_bar)
    return tool_bar
