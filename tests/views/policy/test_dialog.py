"""Settings ▸ Metric policy: the terms in force, importing a version, what changed, refusals."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from countersign.views.policy.dialog import POLICY_FILTER, PolicyDialog
from tests.helpers.registry import audit_actions
from tests.helpers.signoff import Workbench, workbench

POLICY = """\
version: 1
title: Retail credit policy
metrics:
  - name: approval rate
    direction: higher
    note: At a fixed cut-off, more approvals at the same risk is better.
"""


@pytest.fixture
def bench(tmp_path: Path) -> Iterator[Workbench]:
    with workbench(tmp_path) as made:
        yield made


@pytest.fixture
def dialog(qtbot: QtBot, bench: Workbench) -> PolicyDialog:
    shown = PolicyDialog(bench.services.policies)
    qtbot.addWidget(shown)
    shown.show()
    return shown


def _rows(dialog: PolicyDialog) -> dict[str, tuple[str, ...]]:
    model = dialog.terms
    return {
        model.index(row, 0).data(): tuple(
            model.index(row, column).data() for column in range(model.columnCount())
        )
        for row in range(model.rowCount())
    }


def test_the_shipped_terms_are_shown_when_nothing_is_imported(dialog: PolicyDialog) -> None:
    assert "In force: Countersign's metric vocabulary (nothing imported)" in dialog.summary.text()
    rows = _rows(dialog)
    assert rows["adverse impact ratio"][1:3] == ("closer to 1 (parity) is better", "shipped")
    assert rows["bias"][1] == "closer to 0 (no bias) is better"
    assert rows["auc"][1] == "higher is better"
    assert "approval rate" not in rows
    assert dialog.version_combo.count() == 1
    row = list(rows).index("adverse impact ratio")
    assert "four fifths ratio" in dialog.terms.index(row, 3).data(Qt.ItemDataRole.ToolTipRole)
    ModelTester(None).check(dialog.terms)  # type: ignore[arg-type]


def test_importing_a_version_shows_its_terms_and_what_changed(
    qtbot: QtBot,
    dialog: PolicyDialog,
    bench: Workbench,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = tmp_path / "credit.yaml"
    path.write_text(POLICY, encoding="utf-8")
    asked: list[str] = []

    def chosen(*args: object) -> tuple[str, str]:
        asked.append(str(args[-1]))
        return str(path), POLICY_FILTER

    monkeypatch.setattr(QFileDialog, "getOpenFileName", chosen)
    with qtbot.waitSignal(dialog.changed, timeout=5000):
        dialog.import_button.click()
    assert asked == [POLICY_FILTER]
    assert audit_actions(bench.path)[-1] == "policy.imported"
    assert "In force: version 1, “Retail credit policy”, imported from credit.yaml" in (
        dialog.summary.text()
    )
    assert "not used yet" in dialog.summary.text()
    rows = _rows(dialog)
    assert rows["approval rate"][1:3] == ("higher is better", "your policy")
    assert dialog.terms.index(0, 0).data(Qt.ItemDataRole.ToolTipRole).startswith("At a fixed")
    assert dialog.changes_title.text() == ("What version 1 changed against the shipped vocabulary")
    assert dialog.changes_text() == "added    approval rate: higher is better"
    # A second version: its changes are against version 1, and version 1 can still be read.
    path.write_text(
        POLICY.replace("version: 1", "version: 2").replace("higher", "lower"), encoding="utf-8"
    )
    assert dialog.import_file(path)
    assert dialog.version_combo.count() == 3
    assert dialog.changes_text() == "changed  approval rate: higher is better → lower is better"
    dialog.show_version(1)
    assert dialog.version_combo.currentText() == "Version 1: Retail credit policy"
    assert _rows(dialog)["approval rate"][1] == "higher is better"
    dialog.show_version(0)
    assert "approval rate" not in _rows(dialog)


def test_a_refused_file_is_explained_and_nothing_is_stored(
    dialog: PolicyDialog, bench: Workbench, tmp_path: Path
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("version: 1\ntitle: T\nmetrics: [{name: a, target: 1, direction: up}]\n")
    before = audit_actions(bench.path)
    assert not dialog.import_file(path)
    assert not dialog.problem.isHidden()
    assert dialog.problem.text().startswith("Not imported: bad.yaml: metrics[0].direction:")
    assert audit_actions(bench.path) == before
    assert bench.services.policies.versions() == []
