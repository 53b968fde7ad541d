"""The report's page geometry and text styles, in one place so that every section matches."""

from __future__ import annotations

from dataclasses import replace

from countersign.services.reports.pdf.layout import BlockStyle

PAGE_WIDTH = 595.2756
PAGE_HEIGHT = 841.8898
"""A4, in points."""

MARGIN_LEFT = 50.0
MARGIN_RIGHT = 50.0
MARGIN_TOP = 56.0
MARGIN_BOTTOM = 58.0
CONTENT_WIDTH = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT

MUTED = (0.38, 0.4, 0.45)

BODY = BlockStyle(size=9.0, leading=12.5, space_after=5.0)
SMALL = BlockStyle(size=7.5, leading=10.0, space_after=3.0, color=MUTED)
CELL = BlockStyle(size=8.0, leading=10.5, space_after=0.0)
CELL_SMALL = BlockStyle(size=7.0, leading=9.0, space_after=0.0)
TITLE = BlockStyle(size=22.0, leading=28.0, space_after=4.0)
SUBTITLE = BlockStyle(size=14.0, leading=19.0, space_after=14.0, color=MUTED)
H1 = BlockStyle(size=15.0, leading=20.0, space_before=6.0, space_after=8.0, keep_with_next=True)
H2 = BlockStyle(size=11.5, leading=15.0, space_before=8.0, space_after=4.0, keep_with_next=True)
H3 = BlockStyle(size=9.5, leading=13.0, space_before=5.0, space_after=3.0, keep_with_next=True)
CODE = BlockStyle(
    size=7.5,
    leading=9.8,
    space_after=5.0,
    background=(0.95, 0.95, 0.96),
    padding=3.0,
    preserve=True,
)
DIFF_LINE = BlockStyle(size=7.5, leading=9.8, space_after=0.0, preserve=True)
BANNER = BlockStyle(size=13.0, leading=18.0, space_after=3.0)


def bullet_style(depth: int, marker: str) -> BlockStyle:
    """Body text of a list item at ``depth`` (0 outermost), its marker hanging to the left."""
    indent = 14.0 + 12.0 * depth + (6.0 if len(marker) > 2 else 0.0)
    return replace(BODY, indent=indent, bullet=marker, space_after=2.0)


def heading_style(level: int) -> BlockStyle:
    """A heading inside a card section (Markdown ``#`` levels)."""
    return H3 if level >= 2 else H2
