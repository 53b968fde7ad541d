"""Metric trends in the report: a small line chart per metric, drawn with reportlab's graphics.

The chart shows every card version up to the one reported (oldest left), a
line per place the metric was measured, approved versions ringed in green and
named "approved" under the axis, and which way is better where known.  Card
text (metric names, slices) is drawn as plain strings in the report's own
font: nothing in it is read as markup.
"""

from __future__ import annotations

from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.lineplots import LinePlot
from reportlab.graphics.shapes import Drawing, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib.colors import HexColor
from reportlab.platypus import Flowable, KeepTogether, Spacer

from countersign.services.diff.metric_trends import (
    LINE_COLOURS,
    MetricTrend,
    ModelTrends,
    short_places,
)
from countersign.services.policy.terms import UNKNOWN
from countersign.services.reports.pdf.fonts import BOLD, REGULAR, ensure_font
from countersign.services.reports.pdf.styles import CONTENT_WIDTH

APPROVED = HexColor("#2f8f5b")

MAX_CHARTS = 8
"""Metrics charted at most (the rest are named); a report stays a few pages long."""

MAX_LINES = 10
"""Places measured drawn at most in one chart."""

PLOT_HEIGHT = 120.0
LEGEND_ROW = 10.0
LABEL_CHARS = 60
"""Characters of a legend entry (card text can be long); the rest is cut with "…"."""


def trend_story(trends: ModelTrends | None) -> tuple[list[Flowable], list[str]]:
    """The charts of ``trends`` (metrics with a number in two versions or more), and the names
    of the metrics left out for room."""
    if trends is None or len(trends.versions) < 2:
        return [], []
    ensure_font(REGULAR)
    ensure_font(BOLD)
    names = list(dict.fromkeys(trend.key.name for trend in trends.charted()))
    story: list[Flowable] = []
    for name in names[:MAX_CHARTS]:
        lines = [t for t in trends.of_metric(name) if t.numbers >= 1][:MAX_LINES]
        story.append(KeepTogether([metric_chart(trends, name, lines), Spacer(1, 8)]))
    return story, names[MAX_CHARTS:]


def metric_chart(trends: ModelTrends, name: str, lines: list[MetricTrend]) -> Drawing:
    """One metric across the versions: a line per place, approved versions ringed."""
    versions = trends.versions
    common, places = short_places(lines)
    rule = lines[0].rule if lines else UNKNOWN
    legend_rows = (len(lines) + 1) // 2 + (1 if any(v[1] for v in versions) else 0)
    height = 30 + PLOT_HEIGHT + 26 + legend_rows * LEGEND_ROW + 4
    drawing = Drawing(CONTENT_WIDTH, height)
    on = f" on {common}" if common else ""
    title = f"{name}{on} ({rule.words()})"
    drawing.add(String(0, height - 10, _cut(title, 110), fontName=BOLD, fontSize=9))
    plot = LinePlot()
    plot.x = 40
    plot.y = height - 30 - PLOT_HEIGHT
    plot.width = CONTENT_WIDTH - 60
    plot.height = PLOT_HEIGHT
    data: list[list[tuple[float, float]]] = []
    for trend in lines:
        data.append(
            [(float(i), p.value) for i, p in enumerate(trend.points) if p.value is not None]
        )
    ringed = [
        (float(i), p.value)
        for trend in lines
        for i, p in enumerate(trend.points)
        if p.approved and p.value is not None
    ]
    plot.data = [*data, ringed] if ringed else data
    for number in range(len(lines)):
        colour = HexColor(LINE_COLOURS[number % len(LINE_COLOURS)])
        plot.lines[number].strokeColor = colour
        plot.lines[number].strokeWidth = 1.2
        plot.lines[number].symbol = makeMarker("FilledCircle", size=3, fillColor=colour)
    if ringed:
        rings = plot.lines[len(lines)]
        rings.strokeWidth = 0
        rings.strokeColor = None
        rings.symbol = makeMarker("Circle", size=8, strokeColor=APPROVED, strokeWidth=1.5)
    _set_axes(plot, versions, [value for series in data for _x, value in series])
    drawing.add(plot)
    arrows = {"higher": "↑ better", "lower": "↓ better"}
    if rule.target is not None:
        arrows["target"] = f"→ {rule.target:g} better"
    if rule.direction in arrows:
        arrow = arrows[rule.direction]
        drawing.add(String(0, plot.y + plot.height + 6, arrow, fontName=REGULAR, fontSize=7))
    legend = _legend(places, plot.y - 26)
    drawing.add(legend)
    if ringed:
        drawing.add(
            String(
                40,
                legend.y - legend.columnMaximum * LEGEND_ROW - 4,
                "○ ringed in green: an approved version",
                fontName=REGULAR,
                fontSize=7,
                fillColor=APPROVED,
            )
        )
    return drawing


def _set_axes(plot: LinePlot, versions: tuple[tuple[str, bool], ...], values: list[float]) -> None:
    """Values up the side with a margin, one tick per card version along the bottom."""
    low, high = min(values), max(values)
    pad = (high - low) * 0.1 or abs(high) * 0.05 or 0.05
    plot.yValueAxis.valueMin = low - pad
    plot.yValueAxis.valueMax = high + pad
    plot.yValueAxis.labels.fontName = REGULAR
    plot.yValueAxis.labels.fontSize = 7
    plot.yValueAxis.labelTextFormat = _number_format(low, high)
    plot.xValueAxis.valueMin = -0.3
    plot.xValueAxis.valueMax = len(versions) - 0.7
    plot.xValueAxis.valueSteps = list(range(len(versions)))
    plot.xValueAxis.labels.fontName = REGULAR
    plot.xValueAxis.labels.fontSize = 7
    plot.xValueAxis.labelTextFormat = lambda x: _version_label(versions, x)


def _legend(places: list[str], top: float) -> Legend:
    """Which colour is which dataset / split / slice, in two columns below the plot."""
    legend = Legend()
    legend.x = 40
    legend.y = top
    legend.dx = legend.dy = 6
    legend.deltay = LEGEND_ROW
    legend.fontName = REGULAR
    legend.fontSize = 7
    legend.alignment = "right"
    legend.columnMaximum = (len(places) + 1) // 2 or 1
    legend.deltax = (CONTENT_WIDTH - 60) / 2
    legend.colorNamePairs = [
        (HexColor(LINE_COLOURS[n % len(LINE_COLOURS)]), _cut(place, LABEL_CHARS))
        for n, place in enumerate(places)
    ]
    return legend


def _version_label(versions: tuple[tuple[str, bool], ...], x: float) -> str:
    index = round(x)
    if not 0 <= index < len(versions):
        return ""
    version, approved = versions[index]
    return f"{_cut(version, 16)} (approved)" if approved else _cut(version, 16)


def _number_format(low: float, high: float) -> str:
    span = abs(high - low)
    digits = 3 if span < 0.1 else 2 if span < 10 else 0
    return f"%.{digits}f"


def _cut(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
