"""Help ▸ About: Countersign's version and the licences of what it is built on."""

from __future__ import annotations

import html
from importlib import metadata

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt, qVersion
from PySide6.QtWidgets import QMessageBox, QWidget

from countersign import __version__
from countersign.views.icons import icon

COMPONENTS = (
    ("PySide6 / Qt", "pyside6-essentials", "LGPL-3.0"),
    ("SQLAlchemy", "sqlalchemy", "MIT"),
    ("Alembic", "alembic", "MIT"),
    ("pydantic", "pydantic", "MIT"),
    ("ReportLab", "reportlab", "BSD-3-Clause"),
    ("pyHanko", "pyhanko", "MIT"),
    ("cryptography", "cryptography", "Apache-2.0 or BSD-3-Clause"),
    ("keyring", "keyring", "MIT"),
    ("platformdirs", "platformdirs", "MIT"),
    ("PyYAML", "pyyaml", "MIT"),
)
"""What Countersign ships with: name, distribution, licence."""


def _installed(distribution: str) -> str:
    # Read from package metadata only: importing ReportLab or pyHanko here would slow start-up.
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "not installed"


def about_html() -> str:
    """The About text: what Countersign is, its version and licence, and its components."""
    rows = "".join(
        f"<tr><td>{html.escape(name)}</td><td>{html.escape(_installed(dist))}</td>"
        f"<td>{html.escape(licence)}</td></tr>"
        for name, dist, licence in COMPONENTS
    )
    return (
        f"<h3>Countersign {html.escape(__version__)}</h3>"
        "<p>A review workstation for model governance: import model cards, compare them, "
        "review them against a checklist, sign off, and export signed reports.</p>"
        "<p>Licensed under the Apache License 2.0.</p>"
        f"<p>Built with Qt {html.escape(qVersion())} (PySide6 {html.escape(pyside_version)}) "
        "and these components:</p>"
        "<table cellspacing='0' cellpadding='3'>"
        "<tr><th align='left'>Component</th><th align='left'>Version</th>"
        "<th align='left'>Licence</th></tr>"
        f"{rows}</table>"
    )


def show_about(parent: QWidget | None) -> QMessageBox:
    """Open the About box without blocking; returns it."""
    box = QMessageBox(parent)
    box.setWindowTitle("About Countersign")
    box.setIconPixmap(icon("app").pixmap(64, 64))
    box.setTextFormat(Qt.TextFormat.RichText)
    box.setText(about_html())
    box.setStandardButtons(QMessageBox.StandardButton.Close)
    box.setAccessibleName("About Countersign")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box
