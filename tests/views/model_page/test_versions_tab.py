"""The Versions tab's timeline model and its facts panel."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from countersign.services.registry import BundleInfo, VersionSummary
from countersign.views.model_page.versions_tab import (
    VersionsTab,
    VersionsTableModel,
    version_facts_html,
)

SIGNED = BundleInfo(
    "credit.cardbundle",
    "e6" * 32,
    "Credit Risk Analytics",
    "countersign 0.1",
    "2024-06-03T09:30:00+00:00",
    "valid",
    "O=Example Bank,CN=Credit Risk Analytics release signing",
    "ae" * 32,
)


def _version(seq: int, version: str, status: str, bundle: BundleInfo | None) -> VersionSummary:
    return VersionSummary(
        id=seq,
        model="credit-scorer",
        version=version,
        seq=seq,
        status=status,
        sha256=f"{seq:02d}" * 32,
        source_format="native-json",
        original_name=f"credit-scorer-v{seq}.json",
        imported_at=f"2026-0{seq}-01T08:00:00.000000Z",
        imported_by="officer",
        warning_count=seq - 1,
        bundle=bundle,
    )


VERSIONS = [
    _version(1, "1.0.0", "superseded", None),
    _version(2, "2.0.0", "submitted", SIGNED),
]


def test_newest_first_with_bundle_and_signature(
    qapp: QApplication, qtmodeltester: ModelTester
) -> None:
    model = VersionsTableModel()
    model.set_versions(VERSIONS, shown="2.0.0")
    qtmodeltester.check(model)
    first = [model.index(0, c).data() for c in range(model.columnCount())]
    assert first[0:2] == ["2.0.0", "submitted"]
    assert first[3] == "credit.cardbundle"
    assert first[4] == "valid (O=Example Bank,CN=Credit Risk Analytics release signing)"
    assert first[5] == "1"
    assert first[6] == "02" * 6 + "…"
    second = [model.index(1, c).data() for c in range(model.columnCount())]
    assert second[3] == "loose: credit-scorer-v1.json"
    assert second[4] == "— (no bundle)"
    assert second[5] == "none"
    assert model.index(0, 6).data(Qt.ItemDataRole.ToolTipRole).endswith("02" * 32)
    assert model.index(0, 0).data(Qt.ItemDataRole.FontRole).bold()
    assert "certificate " + "ae" * 32 in model.index(0, 4).data(Qt.ItemDataRole.ToolTipRole)


def test_facts_panel_escapes_and_names_everything() -> None:
    hostile = _version(3, "<script>3</script>", "submitted", SIGNED)
    facts = version_facts_html(hostile)
    assert "&lt;script&gt;3&lt;/script&gt;" in facts and "<script>" not in facts
    assert "03" * 32 in facts
    assert "Signer certificate" in facts and "ae" * 32 in facts


def test_choosing_a_row_announces_it_but_showing_does_not(qtbot: QtBot) -> None:
    tab = VersionsTab()
    qtbot.addWidget(tab)
    chosen: list[str] = []
    tab.version_chosen.connect(chosen.append)
    tab.show_versions(VERSIONS, "2.0.0")
    assert chosen == []
    assert tab.table.currentIndex().row() == 0
    assert "credit.cardbundle" in tab.facts.text()
    tab.table.setCurrentIndex(tab.model.index(1, 0))
    assert chosen == ["1.0.0"]


@pytest.mark.parametrize("missing", ["9.9.9"])
def test_showing_an_unknown_version_clears_the_facts(qtbot: QtBot, missing: str) -> None:
    tab = VersionsTab()
    qtbot.addWidget(tab)
    tab.show_versions(VERSIONS, missing)
    assert tab.facts.text() == ""
