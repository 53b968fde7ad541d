"""Names vulture cannot see used: called by a framework, not by our code.

Read by vulture only (``[tool.vulture]`` in pyproject.toml), never imported.
Everything else vulture reports is dead code: remove it rather than list it here.
"""

# ruff: noqa
# mypy: ignore-errors
from countersign.commands import cards, checklists, reports

_ = object()

# Qt calls these overrides of QWidget, QAbstractItemModel and QTextDocument.
_.paintEvent
_.mousePressEvent
_.dragEnterEvent
_.dropEvent
_.closeEvent
_.showEvent
_.resizeEvent
_.eventFilter
_.columnCount
_.rowCount
_.data
_.headerData
_.canFetchMore
_.fetchMore
_.loadResource

# reportlab reads these of every Flowable, and its module-wide settings.
_.draw
_.spaceBefore
_.spaceAfter
_.keepWithNext
_.useA85

# sqlite3 reads the connection's isolation level (set in storage/dialect.py).
_.isolation_level

# configparser calls optionxform (tests/packaging keeps keys' case).
_.optionxform

# SQLAlchemy columns written at insert and kept for the record, never read back.
_.created_by
_.stored_at
_.stored_by

# Python calls a module's __getattr__ and __dir__ (PEP 562).
_.__getattr__
_.__dir__

# The command line finds these by name in cli._COMMANDS.
cards.import_files
cards.list_models
cards.list_versions
checklists.list_checklists
reports.export_pdf

# reportlab's charts (a LinePlot, its axes and lines, a Legend) read what they are set.
_.colorNamePairs
_.fontSize
_.fontName
_.alignment
_.deltax
_.deltay
_.dx
_.dy
_.strokeColor
_.strokeWidth
_.symbol
_.valueMin
_.valueMax
_.valueSteps
_.labelTextFormat

# TypedDict keys of keyword options (**options: Unpack[...]), read with options.get("...").
_.key_passphrase
