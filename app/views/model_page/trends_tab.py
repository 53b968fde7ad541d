"""The Trends tab: how each metric moved across a model's card versions, as a chart.

One chart per metric, one line per place it was measured (dataset / split /
slice); the versions run left to right, approved ones marked with a ring and
"approved" under their name.  The title says which way is better where the
metric's direction is known, and an arrow on the axis points that way.
"""

from __future__ import annotations

from PySide6.QtCharts import (
    QCategoryAxis,
    QChart,
    QChartView,
    QLineSeries,
    QScatterSeries,
    QValueAxis,
)
from PySide6.QtCore import QEvent, QMargins, QPointF, Qt
from PySide6.QtGui import QColor, QPainter, QPalette, QPen
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from countersign.models.vocabulary import CardStatus
from countersign.services.diff.metric_trends import (
    LINE_COLOURS,
    MetricTrend,
    ModelTrends,
    short_places,
)
from countersign.services.policy.terms import UNKNOWN, MetricRule
from countersign.views.presentation import status_colour

AXIS_ARROWS = {"higher": "↑ better", "lower": "↓ better"}


class TrendsTab(QWidget):
    """Chooses a metric of the model and charts it across the card versions."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._trends: ModelTrends | None = None
        self.metric_combo = QComboBox(self)
        self.metric_combo.setAccessibleName("Metric charted")
        self.metric_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.direction = QLabel(self)
        self.direction.setAccessibleName("Which way is better")
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.chart = QChart()
        self.chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        self.chart.legend().setAlignment(Qt.AlignmentFlag.AlignRight)
        self.chart.setMargins(QMargins(4, 4, 4, 4))
        self.view = QChartView(self.chart, self)
        self.view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.view.setAccessibleName("Trend chart")
        label = QLabel("&Metric:", self)
        label.setBuddy(self.metric_combo)
        top = QHBoxLayout()
        top.addWidget(label)
        top.addWidget(self.metric_combo)
        top.addWidget(self.direction, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.message)
        layout.addWidget(self.view, 1)
        self.metric_combo.currentIndexChanged.connect(self._on_metric_combo_current_index_changed)
        self.show_trends(None)

    @property
    def trends(self) -> ModelTrends | None:
        """The trends shown, if any."""
        return self._trends

    def show_trends(self, trends: ModelTrends | None) -> None:
        """Offer the metrics of ``trends`` (those with a number in two versions at least)."""
        self._trends = trends
        charted = trends.charted() if trends is not None else []
        names = list(dict.fromkeys(trend.key.name for trend in charted))
        self.metric_combo.blockSignals(True)
        self.metric_combo.clear()
        self.metric_combo.addItems(names)
        self.metric_combo.blockSignals(False)
        self.metric_combo.setEnabled(bool(names))
        if names:
            self.message.hide()
            self.view.show()
            self.show_metric(names[0])
            return
        self.message.setText(
            "No metric is reported with a number in two card versions or more: "
            "there is no trend to draw."
            if trends is not None
            else ""
        )
        self.message.show()
        self.view.hide()
        self.direction.clear()
        self.chart.removeAllSeries()

    def show_metric(self, name: str) -> None:
        """Chart metric ``name``: a line per place measured, approved versions marked."""
        if self._trends is None:
            return
        index = self.metric_combo.findText(name)
        if index >= 0 and index != self.metric_combo.currentIndex():
            self.metric_combo.setCurrentIndex(index)
            return
        trends = [t for t in self._trends.of_metric(name) if t.numbers >= 1]
        rule = trends[0].rule if trends else UNKNOWN
        self.direction.setText(rule.words())
        self._draw(name, trends, rule)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        """Draw the chart again in the new colours when the theme changes."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and self.metric_combo.currentText():
            self.show_metric(self.metric_combo.currentText())

    def series_names(self) -> list[str]:
        """The names of the chart's series, as the legend shows them."""
        return [series.name() for series in self.chart.series()]

    def _draw(self, name: str, trends: list[MetricTrend], rule: MetricRule) -> None:
        assert self._trends is not None
        chart = self.chart
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.WindowText)
        chart.setBackgroundBrush(palette.color(QPalette.ColorRole.Base))
        chart.setTitleBrush(text)
        chart.legend().setLabelColor(text)
        arrow = AXIS_ARROWS.get(rule.direction, "")
        if rule.direction == "target" and rule.target is not None:
            arrow = f"→ {rule.target:g} better"
        common, places = short_places(trends)
        on = f" on {common}" if common else ""
        chart.setTitle(f"{name}{on} across the card versions ({rule.words()})")
        x_axis = _version_axis(self._trends.versions)
        y_axis = _value_axis(trends, f"{name} {arrow}".strip())
        grid = QColor(text)
        grid.setAlpha(60)  # quiet on a light or a dark background alike
        for axis in (x_axis, y_axis):
            axis.setLabelsColor(text)
            axis.setTitleBrush(text)
            axis.setGridLineColor(grid)
        chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
        approved_points = QScatterSeries()
        approved_points.setName("approved version")
        approved_points.setMarkerSize(16)
        approved_points.setColor(QColor(0, 0, 0, 0))
        ring = status_colour(CardStatus.APPROVED)
        approved_points.setBorderColor(ring)
        approved_points.setPen(QPen(ring, 3))
        for number, trend in enumerate(trends):
            line = QLineSeries()
            line.setName(places[number])
            colour = QColor(LINE_COLOURS[number % len(LINE_COLOURS)])
            line.setPen(QPen(colour, 2))
            line.setPointsVisible(True)
            for position, point in enumerate(trend.points):
                if point.value is None:
                    continue
                line.append(QPointF(position, point.value))
                if point.approved:
                    approved_points.append(QPointF(position, point.value))
            chart.addSeries(line)
            line.attachAxis(x_axis)
            line.attachAxis(y_axis)
        if approved_points.count():
            chart.addSeries(approved_points)
            approved_points.attachAxis(x_axis)
            approved_points.attachAxis(y_axis)

    def _on_metric_combo_current_index_changed(self, _index: int) -> None:
        self.show_metric(self.metric_combo.currentText())


def _version_axis(versions: tuple[tuple[str, bool], ...]) -> QCategoryAxis:
    """One tick per card version, oldest left, approved ones saying so."""
    axis = QCategoryAxis()
    axis.setLabelsPosition(QCategoryAxis.AxisLabelsPosition.AxisLabelsPositionOnValue)
    for position, (version, approved) in enumerate(versions):
        axis.append(f"{version}\napproved" if approved else version, position)
    axis.setRange(-0.3, len(versions) - 0.7)
    axis.setTitleText("Card version (oldest left)")
    return axis


def _value_axis(trends: list[MetricTrend], title: str) -> QValueAxis:
    """The metric's values with a margin above and below."""
    values = [p.value for t in trends for p in t.points if p.value is not None]
    low, high = (min(values), max(values)) if values else (0.0, 1.0)
    pad = (high - low) * 0.08 or abs(high) * 0.05 or 0.05
    axis = QValueAxis()
    axis.setRange(low - pad, high + pad)
    axis.setTitleText(title)
    return axis
