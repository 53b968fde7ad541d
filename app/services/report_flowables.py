"""reportlab flowables of the report: text blocks laid out by :mod:`report_layout`, tables, the
signature box.

This module imports reportlab at its top: only the report functions import
it, when a report is made (never at start-up).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from reportlab.lib import colors
from reportlab.platypus import Table, TableStyle
from reportlab.platypus.flowables import Flowable

from app.services.report_fonts import REGULAR, width_function
from app.services.report_layout import BlockStyle, Line, Span, layout

MARK_COLOURS = {"deleted": (1.0, 0.85, 0.85), "inserted": (0.82, 0.95, 0.82)}
"""Backgrounds of deleted and inserted text in the changes section."""

GRID = colors.Color(0.78, 0.8, 0.84)
HEADER_BACKGROUND = colors.Color(0.92, 0.93, 0.95)


class TextBlock(Flowable):  # type: ignore[misc]  # reportlab has no type hints
    """A block of text in the report's fonts: wraps, splits across pages, draws as typed."""

    def __init__(
        self,
        spans: Sequence[Span],
        style: BlockStyle,
        lines: list[Line] | None = None,
        laid_out_for: float = -1.0,
    ) -> None:
        super().__init__()
        self.spans = spans
        self.style = style
        self.lines = lines
        self.laid_out_for = laid_out_for
        self.spaceBefore = style.space_before
        self.spaceAfter = style.space_after
        self.keepWithNext = style.keep_with_next
        self.width = 0.0
        self.height = 0.0

    def _inner(self, available: float) -> float:
        return max(available - self.style.indent - 2 * self.style.padding, 20.0)

    def _layout(self, available: float) -> list[Line]:
        if self.lines is None or self.laid_out_for != available:
            width = width_function(self.style.size)
            self.lines = layout(
                self.spans, self._inner(available), width, preserve=self.style.preserve
            )
            self.laid_out_for = available
        return self.lines

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        """Lay the text out for the width; the height it needs."""
        lines = self._layout(available_width)
        self.width = available_width
        self.height = len(lines) * self.style.leading + 2 * self.style.padding
        return self.width, self.height

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        """The lines that fit in ``available_height``, and the rest as a second block."""
        lines = self._layout(available_width)
        fit = int((available_height - 2 * self.style.padding) // self.style.leading)
        if fit < 1 or (fit < 2 and len(lines) > 2):
            return []
        if fit >= len(lines):
            return [self]
        head = replace(self.style, space_after=0.0, keep_with_next=False)
        tail = replace(self.style, space_before=0.0, bullet="")
        return [
            TextBlock(self.spans, head, lines[:fit], available_width),
            TextBlock(self.spans, tail, lines[fit:], available_width),
        ]

    def draw(self) -> None:
        """Draw the background, bullet, marked stretches and text."""
        canvas = self.canv
        style = self.style
        lines = self.lines or []
        if style.background is not None:
            canvas.setFillColorRGB(*style.background)
            canvas.rect(style.indent, 0, self.width - style.indent, self.height, stroke=0, fill=1)
        left = style.indent + style.padding
        top = self.height - style.padding
        baseline_drop = style.leading * 0.5 + style.size * 0.35
        for number, line in enumerate(lines):
            line_top = top - number * style.leading
            for piece in line:
                if piece.mark:
                    canvas.setFillColorRGB(*MARK_COLOURS[piece.mark])
                    canvas.rect(
                        left + piece.x,
                        line_top - style.leading,
                        piece.width,
                        style.leading,
                        stroke=0,
                        fill=1,
                    )
        canvas.setFillColorRGB(*style.color)
        text = canvas.beginText()
        if style.bullet:
            text.setFont(REGULAR, style.size)
            text.setTextOrigin(style.indent - style.size * 1.6, top - baseline_drop)
            text.textOut(style.bullet)
        for number, line in enumerate(lines):
            baseline = top - number * style.leading - baseline_drop
            for piece in line:
                text.setTextOrigin(left + piece.x, baseline)
                text.setFont(piece.font, style.size)
                text.textOut(piece.text)
        canvas.drawText(text)


@dataclass
class SignaturePlace:
    """Where the signature box was drawn: page (1-based) and rectangle in points."""

    page: int = 0
    box: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)


class SignatureBox(Flowable):  # type: ignore[misc]
    """An empty framed box where the PDF signature's visible appearance is placed."""

    def __init__(self, width: float, height: float, place: SignaturePlace) -> None:
        super().__init__()
        self.box_width = width
        self.box_height = height
        self.place = place
        self.spaceBefore = 6.0

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        """The box's fixed size."""
        return self.box_width, self.box_height

    def draw(self) -> None:
        """Draw the frame and remember where it is on the page."""
        canvas = self.canv
        canvas.setStrokeColor(GRID)
        canvas.setLineWidth(0.8)
        canvas.rect(0, 0, self.box_width, self.box_height, stroke=1, fill=0)
        x, y = canvas.absolutePosition(0, 0)
        self.place.page = canvas.getPageNumber()
        self.place.box = (x, y, x + self.box_width, y + self.box_height)


def table(
    rows: Sequence[Sequence[Any]],
    widths: Sequence[float],
    *,
    header: bool = True,
    background: tuple[float, float, float] | None = None,
    padding: float = 4.0,
) -> Table:
    """A grid table of flowable cells, its header repeated on every page it runs over."""
    grid = Table(
        [list(row) for row in rows],
        colWidths=list(widths),
        repeatRows=1 if header else 0,
        splitInRow=1,
        hAlign="LEFT",
    )
    commands: list[tuple[Any, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.4, GRID),
        # Cells hold text blocks, but the table sets its font all the same: not Helvetica.
        ("FONTNAME", (0, 0), (-1, -1), REGULAR),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), padding),
        ("RIGHTPADDING", (0, 0), (-1, -1), padding),
        ("TOPPADDING", (0, 0), (-1, -1), padding / 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), padding / 2 + 1),
    ]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), HEADER_BACKGROUND))
    if background is not None:
        commands.append(("BACKGROUND", (0, 0), (-1, -1), colors.Color(*background)))
        commands.append(("GRID", (0, 0), (-1, -1), 0.4, colors.Color(*background)))
    grid.setStyle(TableStyle(commands))
    return grid
