"""The models list of a first look: the models table's first page, cell for cell, read with sqlite3."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from countersign.services.demo import build_demo_registry
from countersign.services.desk.first_look import MODELS_PAGE, read_first_look
from countersign.services.registry import Registry
from countersign.services.storage.database import Database
from countersign.views.registry.table import NAME_ROLE, VERSION_ROLE, ModelsTableModel

HOSTILE = "evil\x1b[31m\u202e\x00name"
"""A model name no importer writes: escape sequence, bidi override, NUL (as a file could hold)."""

_ROLES = (
    Qt.ItemDataRole.DisplayRole,
    Qt.ItemDataRole.ToolTipRole,
    NAME_ROLE,
    VERSION_ROLE,
)


@pytest.fixture(scope="module")
def demo_registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo registry (models in review, approved per stage), once for the module."""
    return build_demo_registry(tmp_path_factory.mktemp("demo"))


def _cells(model: ModelsTableModel) -> list[list[object]]:
    rows = []
    for row in range(model.rowCount()):
        cells: list[object] = []
        for column in range(model.columnCount()):
            index = model.index(row, column)
            cells.extend(model.data(index, role) for role in _ROLES)
            icon = model.data(index, Qt.ItemDataRole.DecorationRole)
            cells.append(None if icon is None else icon.cacheKey())
        rows.append(cells)
    return rows


def _hostile_copy(demo_registry: Path, tmp_path: Path) -> Path:
    """The demo with hostile values, an expired approval and a revoked one, written behind its back."""
    path = tmp_path / "registry.sqlite3"
    shutil.copyfile(demo_registry, path)
    connection = sqlite3.connect(path)
    first, second = (row[0] for row in connection.execute("SELECT id FROM models LIMIT 2"))
    connection.execute(
        "UPDATE models SET name = ?, team = ?, risk_tier = '' WHERE id = ?",
        (HOSTILE, "team\u202e\n", first),
    )
    approved = connection.execute(
        "SELECT r.id, r.card_version_id, r.stage FROM reviews AS r WHERE r.status = 'approved' "
        "ORDER BY r.id"
    ).fetchall()
    assert len(approved) >= 2, "the demo approves more than one card version"
    connection.execute(
        "UPDATE signatures SET expires_on = '2001-01-01' WHERE review_id = ?", (approved[0][0],)
    )
    _review, card_version, stage = approved[-1]
    connection.execute(
        "INSERT INTO revocations (card_version_id, stage, reason, identity_id, signed_at, "
        "act_json, signature) SELECT ?, ?, 'test', id, '2026-01-01T00:00:00Z', '{}', x'00' "
        "FROM identities LIMIT 1",
        (card_version, stage or "production"),
    )
    connection.execute("UPDATE models SET last_activity = ? WHERE id = ?", ("", second))
    connection.commit()
    connection.close()
    return path


def test_the_first_look_models_page_is_the_tables_first_page(
    demo_registry: Path, tmp_path: Path, qapp: QApplication
) -> None:
    path = _hostile_copy(demo_registry, tmp_path)
    look = read_first_look(path)
    assert look is not None and look.models is not None
    database = Database.open(str(path))
    try:
        real = ModelsTableModel(Registry(database))
        first = ModelsTableModel(look.models)
        assert first.rowCount() == real.rowCount() == look.models.total > 3
        expected = _cells(real)
        assert _cells(first) == expected
    finally:
        database.dispose()
    # Real content: the hostile name escaped, words for the stages, the expired approval.
    shown = [str(row[0]) for row in expected]
    assert HOSTILE not in shown and any("name" in name and "evil" in name for name in shown)
    statuses = " ".join(str(row[4 * 5]) for row in expected)
    assert "expired" in statuses and "in review" in statuses
    assert first.summary(0) == real.summary(0)


def test_a_first_look_reads_one_page_of_models(demo_registry: Path, tmp_path: Path) -> None:
    path = tmp_path / "registry.sqlite3"
    shutil.copyfile(demo_registry, path)
    connection = sqlite3.connect(path)
    template = connection.execute("SELECT * FROM models LIMIT 1").fetchone()
    columns = [row[1] for row in connection.execute("PRAGMA table_info(models)")]
    name_at = columns.index("name")
    for number in range(MODELS_PAGE + 5):
        values = list(template[1:])
        values[name_at - 1] = f"zz-model-{number:04}"
        marks = ", ".join("?" * len(values))
        connection.execute(
            f"INSERT INTO models ({', '.join(columns[1:])}) VALUES ({marks})", values
        )
    connection.commit()
    connection.close()
    look = read_first_look(path)
    assert look is not None and look.models is not None
    models = look.models
    assert len(models.rows) == MODELS_PAGE and models.total > MODELS_PAGE
    names = [row.name for row in models.rows]
    assert names == sorted(names)
    # Past the first page, another order or a filter: nothing (the full table reads those).
    assert models.models(offset=MODELS_PAGE) == []
    assert models.models(after=(names[-1], models.rows[-1].id)) == []
    assert models.model_position(names[3]) == 3
    assert models.model_position("zz-model-0104") is None


def test_a_value_of_the_wrong_type_among_the_models_gives_no_first_look(
    demo_registry: Path, tmp_path: Path
) -> None:
    path = tmp_path / "registry.sqlite3"
    shutil.copyfile(demo_registry, path)
    connection = sqlite3.connect(path)
    connection.execute(
        "UPDATE models SET version_count = 'many' WHERE id = (SELECT min(id) FROM models)"
    )
    connection.commit()
    connection.close()
    assert read_first_look(path) is None
