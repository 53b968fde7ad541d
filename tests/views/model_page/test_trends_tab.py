"""The Trends tab: a chart per metric, a line per place measured, approved versions marked."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCharts import QCategoryAxis, QScatterSeries
from pytestqt.qtbot import QtBot

from countersign.services.demo import build_demo_registry
from countersign.services.diff.metric_trends import ModelTrends, model_trends
from countersign.services.registry import Registry
from countersign.services.storage.database import Database
from countersign.views.model_page.trends_tab import TrendsTab


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    db = Database.open(str(build_demo_registry(tmp_path_factory.mktemp("demo"))))
    yield Registry(db)
    db.dispose()


@pytest.fixture
def tab(qtbot: QtBot) -> TrendsTab:
    widget = TrendsTab()
    qtbot.addWidget(widget)
    widget.resize(800, 600)
    return widget


def test_each_slice_is_a_line_and_the_direction_is_said(tab: TrendsTab, demo: Registry) -> None:
    tab.show_trends(model_trends(demo, "retail-credit-risk-scorer"))
    assert tab.metric_combo.currentText() == "AUC"
    assert tab.direction.text() == "higher is better"
    names = tab.series_names()
    assert names[:2] == ["whole set", "age 18-24"]
    assert "age 65+" in names
    assert "approved version" in names  # 2.1 is approved for staging
    title = tab.chart.title()
    assert (
        title
        == "AUC on applications-oot-holdout / test across the card versions (higher is better)"
    )
    tab.show_metric("Expected calibration error")
    assert tab.direction.text() == "closer to 0 (perfect calibration) is better"
    assert "→ 0 better" in [axis.titleText() for axis in tab.chart.axes()][-1]


def test_approved_versions_are_ringed_and_named(tab: TrendsTab, demo: Registry) -> None:
    tab.show_trends(model_trends(demo, "support-ticket-router"))
    rings = [s for s in tab.chart.series() if isinstance(s, QScatterSeries)]
    assert [s.name() for s in rings] == ["approved version"]
    assert rings[0].count() > 0 and all(point.x() == 1 for point in rings[0].points())
    [versions] = [a for a in tab.chart.axes() if isinstance(a, QCategoryAxis)]
    assert versions.categoriesLabels() == ["1.0", "1.1\napproved"]


def test_nothing_to_chart_is_said(tab: TrendsTab) -> None:
    tab.show_trends(ModelTrends("lonely", (("1.0", False),), ()))
    assert not tab.metric_combo.isEnabled()
    assert "no trend to draw" in tab.message.text()
    assert tab.series_names() == []


def test_the_model_page_has_a_trends_tab(qtbot: QtBot, tmp_path: Path) -> None:
    from countersign.services.workstation import ServiceOptions, open_services
    from countersign.views.model_page.page import ModelPage
    from tests.helpers.keyring_memory import MemoryKeyring

    services = open_services(
        str(build_demo_registry(tmp_path / "demo")), ServiceOptions(keyring=MemoryKeyring())
    )
    page = ModelPage(services)
    qtbot.addWidget(page)
    page.show_model("retail-credit-risk-scorer")
    page.tabs.setCurrentWidget(page.trends_tab)
    assert page.tabs.tabText(page.tabs.currentIndex()) == "Trends"
    trends = page.trends_tab.trends
    assert trends is not None and trends.model == "retail-credit-risk-scorer"
    page.close()
    services.close()
