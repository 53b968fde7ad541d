"""The Compare tab on the demo at 1440x900: which AUC got worse on which slice, at a glance."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from pytestqt.qtbot import QtBot

from countersign.services.demo import build_demo_registry
from countersign.services.workstation import ServiceOptions, Services, open_services
from countersign.views.compare.summary import WHERE_COLUMN
from countersign.views.main_window import MainWindow
from tests.helpers.keyring_memory import MemoryKeyring
from tests.views.conftest import wait_for_background

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

MODEL = "retail-credit-risk-scorer"


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Services]:
    services = open_services(
        str(build_demo_registry(tmp_path / "demo")), ServiceOptions(keyring=MemoryKeyring())
    )
    yield services
    wait_for_background()
    services.close()


def test_the_worse_auc_and_its_slice_show_without_scrolling(
    qtbot: QtBot, demo: Services, tmp_path: Path
) -> None:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(demo, settings, demo=True)
    qtbot.addWidget(window)
    window.resize(1440, 900)
    window.show()
    qtbot.waitExposed(window)
    window.show_registry()
    assert window.browser.select_model(MODEL)
    page = window.model_page
    qtbot.waitUntil(lambda: page.model_name == MODEL, timeout=5_000)
    tab = page.compare_tab
    with qtbot.waitSignal(tab.comparison_shown, timeout=10_000):
        page.tabs.setCurrentWidget(tab)
    wait_for_background()
    table = tab.summary.metrics_table
    metrics = tab.summary.metrics
    first = metrics.change(0)
    assert (first.key.name, first.key.slice, first.verdict) == ("AUC", "age 65+", "worse")
    # The row is on screen, every column of it, and its dataset / split / slice is not cut.
    viewport = table.viewport().rect()
    for column in range(metrics.columnCount()):
        assert viewport.contains(table.visualRect(metrics.index(0, column))), column
    where = metrics.index(0, WHERE_COLUMN).data()
    assert where == "applications-oot-holdout / test / age 65+"
    bold = table.font()
    bold.setBold(True)
    from PySide6.QtGui import QFontMetrics

    assert QFontMetrics(bold).horizontalAdvance(where) < table.columnWidth(WHERE_COLUMN)
    assert "Sections changed: Model details, Intended use" in tab.summary.sections.text()
    # A metric with a target is judged by the metric policy: towards parity or away from it.
    rows = {
        (metrics.change(row).key.name, metrics.change(row).key.slice): row
        for row in range(metrics.rowCount())
    }
    female = rows[("Adverse impact ratio", "gender female")]
    assert metrics.index(female, 5).data() == "▼ worse"
    assert metrics.index(female, 0).data(Qt.ItemDataRole.ToolTipRole).splitlines()[1:] == [
        "worse (away from parity)",
        "closer to 1 (parity) is better",
        "metric policy term: adverse impact ratio",
    ]
    assert metrics.change(rows[("KS statistic", "")]).verdict == "better"
    window.close()


def test_the_calibration_charts_are_compared_side_by_side(qtbot: QtBot, demo: Services) -> None:
    from countersign.views.compare.tab import CompareTab

    tab = CompareTab(demo.registry)
    qtbot.addWidget(tab)
    tab.resize(800, 760)
    tab.show()
    with qtbot.waitSignal(tab.comparison_shown, timeout=10_000):
        tab.set_model(MODEL)
    pairs = tab.attachments.pairs
    assert [(p.kind, p.label()) for p in pairs] == [
        ("changed", "calibration-holdout-2025H1.svg → calibration-holdout-2025H2.svg")
    ]
    assert tab.details.tabText(2) == "&Attachments (1 changed)"
    old, new = tab.attachments.pictures
    assert old.picture is not None and not old.picture.isNull()
    assert new.picture is not None and not new.picture.isNull()
    assert tab.attachments.captions[0].text().startswith("2.1: ")
    assert tab.attachments.captions[1].text().startswith("3.0: ")
    wait_for_background()
