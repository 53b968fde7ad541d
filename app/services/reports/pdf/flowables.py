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
from reportlab.platypus.flowables import Flowable

from countersign.services.reports.pdf.fonts import REGULAR, width_function
from countersign.services.reports.pdf.layout import BlockStyle, Line, Span, layout

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
        text = self.canv.beginText()
        self.paint(self.canv, text, _Pen(), 0.0, 0.0)
        self.canv.drawText(text)

    def paint(self, canvas: Any, text: Any, pen: _Pen, x: float, y: float) -> None:
        """Draw backgrounds on ``canvas`` and the text into ``text``, bottom-left at (x, y).

        A table paints all its cells into one text object this way, instead of one
        translated, saved and restored drawing per cell.
        """
        style = self.style
        lines = self.lines or []
        if style.background is not None:
            canvas.setFillColorRGB(*style.background)
            canvas.rect(
                x + style.indent, y, self.width - style.indent, self.height, stroke=0, fill=1
            )
        left = x + style.indent + style.padding
        top = y + self.height - style.padding
        for number, line in enumerate(lines):
            for piece in line:
                if piece.mark:
                    canvas.setFillColorRGB(*MARK_COLOURS[piece.mark])
                    line_top = top - number * style.leading
                    canvas.rect(
                        left + piece.x,
                        line_top - style.leading,
                        piece.width,
                        style.leading,
                        stroke=0,
                        fill=1,
                    )
        pen.colour(text, style.color)
        baseline = top - (style.leading * 0.5 + style.size * 0.35)
        if style.bullet:
            pen.font(text, REGULAR, style.size)
            text.setTextOrigin(x + style.indent - style.size * 1.6, baseline)
            text.textOut(style.bullet)
        text.setTextOrigin(left, baseline)
        text.setLeading(style.leading)
        for number, line in enumerate(lines):
            if len(line) == 1 and line[0].x == 0.0:
                # The usual line: one run from the left edge, drawn with T* (no coordinates).
                pen.font(text, line[0].font, style.size)
                text.textLine(line[0].text)
                continue
            line_baseline = baseline - number * style.leading
            for piece in line:
                pen.font(text, piece.font, style.size)
                text.setTextOrigin(left + piece.x, line_baseline)
                text.textOut(piece.text)
            text.setTextOrigin(left, line_baseline - style.leading)


class _Pen:
    """The font and colour a text object is set to, so that neither is set again needlessly."""

    def __init__(self) -> None:
        self.current_font: tuple[str, float] = ("", 0.0)
        self.current_colour: tuple[float, float, float] | None = None

    def font(self, text: Any, name: str, size: float) -> None:
        if (name, size) != self.current_font:
            self.current_font = (name, size)
            text.setFont(name, size)

    def colour(self, text: Any, rgb: tuple[float, float, float]) -> None:
        if rgb != self.current_colour:
            self.current_colour = rgb
            text.setFillColorRGB(*rgb)


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


_TALL_ROW = 150.0
"""A row taller than this (points) is cut between its lines at a page end rather than moved."""

_ROW_CUT_ROOM = 36.0
"""Points a tall row needs left on a page to start there."""

Cell = TextBlock | Sequence[TextBlock]
"""A table cell: one text block, or several stacked."""


class Grid(Flowable):  # type: ignore[misc]
    """A ruled table of text blocks: splits between rows (a too-tall row between its lines)
    and repeats its header row on every page; all its text is drawn in one text object."""

    def __init__(
        self,
        rows: Sequence[Sequence[Cell]],
        widths: Sequence[float],
        *,
        header: bool = True,
        background: tuple[float, float, float] | None = None,
        padding: float = 4.0,
    ) -> None:
        super().__init__()
        self.rows = [[(c,) if isinstance(c, TextBlock) else tuple(c) for c in row] for row in rows]
        self.widths = list(widths)
        self.header = header and len(self.rows) > 1
        self.background = background
        self.padding = padding
        self.heights: list[float] = []
        self.spaceAfter = 2.0

    def _options(self) -> dict[str, Any]:
        return {"header": self.header, "background": self.background, "padding": self.padding}

    def _cell_height(self, cell: tuple[TextBlock, ...], width: float) -> float:
        height = 0.0
        for number, block in enumerate(cell):
            height += block.wrap(width - 2 * self.padding, 1e9)[1]
            if number < len(cell) - 1:
                height += block.style.space_after
        return height

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        """Lay out every cell; the table's height."""
        self.heights = [
            max(self._cell_height(cell, w) for cell, w in zip(row, self.widths, strict=False))
            + self.padding * 1.5
            for row in self.rows
        ]
        self.width = sum(self.widths)
        self.height = sum(self.heights)
        return self.width, self.height

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        """The rows that fit, then the rest under the header again."""
        self.wrap(available_width, available_height)
        head = 1 if self.header else 0
        used = sum(self.heights[:head])
        fit = head
        while fit < len(self.rows) and used + self.heights[fit] <= available_height:
            used += self.heights[fit]
            fit += 1
        options = self._options()
        header_rows = self.rows[:head]
        if fit == len(self.rows):
            return [self]
        # A tall row is cut between its lines to fill the page (the rest follows under the
        # header); a short one moves whole to the next page.
        room = available_height - used - self.padding * 1.5
        if self.heights[fit] > _TALL_ROW and room >= _ROW_CUT_ROOM:
            parts = self._split_row(self.rows[fit], room)
            if parts is not None:
                first, rest = parts
                return [
                    Grid([*self.rows[:fit], first], self.widths, **options),
                    Grid([*header_rows, rest, *self.rows[fit + 1 :]], self.widths, **options),
                ]
        if fit > head:
            return [
                Grid(self.rows[:fit], self.widths, **options),
                Grid(header_rows + self.rows[fit:], self.widths, **options),
            ]
        return []

    def _split_row(
        self, row: list[tuple[TextBlock, ...]], height: float
    ) -> tuple[list[Cell], list[Cell]] | None:
        if any(len(cell) != 1 for cell in row):
            return None
        firsts: list[Cell] = []
        rests: list[Cell] = []
        for (block,), width in zip(row, self.widths, strict=False):
            inner = width - 2 * self.padding
            pieces = block.split(inner, height)
            if not pieces:
                if block.wrap(inner, 1e9)[1] > 2 * block.style.leading:
                    return None  # a tall cell that cannot start here
                pieces = [TextBlock((), block.style), block]
            firsts.append(pieces[0])
            rests.append(pieces[1] if len(pieces) > 1 else TextBlock((), block.style))
        return firsts, rests

    def draw(self) -> None:
        """Backgrounds, rules, then every cell's text."""
        canvas = self.canv
        if self.background is not None:
            canvas.setFillColorRGB(*self.background)
            canvas.rect(0, 0, self.width, self.height, stroke=0, fill=1)
        elif self.header:
            canvas.setFillColor(HEADER_BACKGROUND)
            canvas.rect(
                0, self.height - self.heights[0], self.width, self.heights[0], stroke=0, fill=1
            )
        if self.background is None:
            canvas.setStrokeColor(GRID)
            canvas.setLineWidth(0.4)
            xs = [0.0]
            for width in self.widths:
                xs.append(xs[-1] + width)
            ys = [self.height]
            for height in self.heights:
                ys.append(ys[-1] - height)
            canvas.grid(xs, ys)
        text = canvas.beginText()
        pen = _Pen()
        top = self.height
        for row, height in zip(self.rows, self.heights, strict=True):
            x = 0.0
            for cell, width in zip(row, self.widths, strict=False):
                y = top - self.padding * 0.5
                for block in cell:
                    y -= block.height
                    block.paint(canvas, text, pen, x + self.padding, y)
                    y -= block.style.space_after
                x += width
            top -= height
        canvas.drawText(text)


def table(
    rows: Sequence[Sequence[Cell]],
    widths: Sequence[float],
    *,
    header: bool = True,
    background: tuple[float, float, float] | None = None,
    padding: float = 4.0,
) -> Grid:
    """A ruled table of text cells, its header row repeated on every page it runs over."""
    return Grid(rows, widths, header=header, background=background, padding=padding)
