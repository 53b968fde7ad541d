"""The Markdown of card sections as report blocks: headings, paragraphs, lists, tables, code.

Only the shape is read: headings, list items, pipe tables, fenced code,
rules, and ``**bold**`` and ```code``` inside a line.  Anything else, HTML
included, is text and shows as typed.  Every step is a single pass over the
lines or characters, with bounds on table size, so a hostile card costs time
in proportion to its length.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from countersign.services.reports.pdf.layout import Span

MAX_COLUMNS = 8
"""Columns of a card's table shown side by side; the rest are joined into the last one."""

MAX_TABLE_ROWS = 400
"""Rows of one card table shown; the rest are counted."""

MAX_CELL_CHARS = 1_500
"""Characters of one table cell shown; the full text is in the card attached to the PDF."""

BlockKind = Literal["heading", "paragraph", "bullet", "code", "table", "rule", "note"]

_BULLET = re.compile(r"( *)([-*+]|\d{1,9}[.)]) +(.*)")
_FENCES = ("```", "~~~")


@dataclass(frozen=True)
class Block:
    """One block of a card section as the report draws it."""

    kind: BlockKind
    spans: tuple[Span, ...] = ()
    level: int = 0
    """Heading level (1 to 6), or list depth (0 for the outermost)."""
    marker: str = ""
    text: str = ""
    """The code of a code block."""
    rows: tuple[tuple[tuple[Span, ...], ...], ...] = field(default=())
    """Table rows of cells, the header first."""


def inline(text: str, style_bold: bool = False) -> tuple[Span, ...]:
    """Spans of one piece of Markdown text: ``**bold**`` and ```code``` marked, the rest plain."""
    out: list[Span] = []
    bold = style_bold
    position = 0
    start = 0
    length = len(text)
    next_bold = text.find("**")
    next_code = text.find("`")
    while position < length:
        if next_bold != -1 and next_bold < position:
            next_bold = text.find("**", position)
        if next_code != -1 and next_code < position:
            next_code = text.find("`", position)
        candidates = [p for p in (next_bold, next_code) if p != -1]
        if not candidates:
            break
        here = min(candidates)
        if here == next_code:
            closing = text.find("`", here + 1)
            if closing == -1:
                next_code = -1  # no closing backtick anywhere after: the rest is plain text
                continue
            _add_plain(out, text[start:here], bold)
            out.append(Span(text[here + 1 : closing], "mono"))
            position = start = closing + 1
            continue
        if not bold and text.find("**", here + 2) == -1:
            next_bold = -1  # an opening ** with no closing one stays as typed
            continue
        _add_plain(out, text[start:here], bold)
        bold = not bold
        position = start = here + 2
    _add_plain(out, text[start:], bold)
    return tuple(out)


def _add_plain(out: list[Span], text: str, bold: bool) -> None:
    """Add ``text`` (when there is any) as a plain span, bold or regular."""
    if text:
        out.append(Span(text, "bold" if bold else "regular"))


def blocks(markdown: str) -> list[Block]:
    """The blocks of a Markdown text, in order."""
    lines = markdown.replace("\r\n", "\n").split("\n")
    out: list[Block] = []
    paragraph: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        read = _read_block(lines, index) if line.strip() else ([], index + 1)
        if read is None:
            paragraph.append(line)
            index += 1
            continue
        if paragraph:
            out.append(Block("paragraph", inline(joined(paragraph))))
            paragraph.clear()
        found, index = read
        out.extend(found)
    if paragraph:
        out.append(Block("paragraph", inline(joined(paragraph))))
    return out


_Read = tuple[list[Block], int]
"""The blocks read from the lines, and the index of the first line after them."""


def _read_block(lines: list[str], index: int) -> _Read | None:
    """The block that starts on ``lines[index]``; None when the line is paragraph text."""
    for reader in (_read_code, _read_heading, _read_rule, _read_table, _read_bullet):
        read = reader(lines, index)
        if read is not None:
            return read
    return None


def _read_code(lines: list[str], index: int) -> _Read | None:
    stripped = lines[index].strip()
    fence = next((f for f in _FENCES if stripped.startswith(f)), None)
    if fence is None:
        return None
    end = index + 1
    while end < len(lines) and not lines[end].strip().startswith(fence):
        end += 1
    return [Block("code", text="\n".join(lines[index + 1 : end]))], end + 1


def _read_heading(lines: list[str], index: int) -> _Read | None:
    stripped = lines[index].strip()
    if not stripped.startswith("#"):
        return None
    level = len(stripped) - len(stripped.lstrip("#"))
    if level > 6 or stripped[level : level + 1] not in (" ", ""):
        return None
    title = stripped[level:].strip().rstrip("#").strip()
    return [Block("heading", inline(title), level=level)], index + 1


def _read_rule(lines: list[str], index: int) -> _Read | None:
    return ([Block("rule")], index + 1) if _is_rule(lines[index].strip()) else None


def _read_table(lines: list[str], index: int) -> _Read | None:
    if not lines[index].strip().startswith("|"):
        return None
    if index + 1 >= len(lines) or not _is_separator(lines[index + 1]):
        return None
    end = index + 2
    while end < len(lines) and lines[end].strip().startswith("|"):
        end += 1
    return _table([lines[index], *lines[index + 2 : end]]), end


def _read_bullet(lines: list[str], index: int) -> _Read | None:
    bullet = _BULLET.fullmatch(lines[index])
    if bullet is None:
        return None
    indent, marker, text = bullet.groups()
    parts = [text]
    index += 1
    # Lines up to a blank one continue this item (indented or not, as Markdown's
    # "lazy" continuation lines), unless they start a new item or block.
    while index < len(lines) and lines[index].strip() and not _starts_block(lines[index]):
        parts.append(lines[index].lstrip())
        index += 1
    depth = min(len(indent) // 2, 3)
    shown = "•" if marker in "-*+" else marker
    return [Block("bullet", inline(joined(parts)), level=depth, marker=shown)], index


def joined(lines: list[str]) -> str:
    """The lines of a paragraph as Markdown reads them: a line break is a space, unless the
    line ends with two spaces or a backslash (a hard break)."""
    out: list[str] = []
    for number, line in enumerate(lines):
        last = number == len(lines) - 1
        if line.endswith("\\") and not last:
            out.append(line[:-1].strip() + "\n")
        elif line.endswith("  ") and not last:
            out.append(line.strip() + "\n")
        else:
            out.append(line.strip() + ("" if last else " "))
    return "".join(out)


def _starts_block(line: str) -> bool:
    """Whether ``line`` begins a list item, heading, fence, table or rule."""
    stripped = line.strip()
    return (
        _BULLET.fullmatch(line) is not None
        or stripped.startswith(("#", "|", *_FENCES))
        or _is_rule(stripped)
    )


def _is_rule(stripped: str) -> bool:
    compact = stripped.replace(" ", "")
    return len(compact) >= 3 and compact[0] in "-*_" and compact == compact[0] * len(compact)


def _is_separator(line: str) -> bool:
    stripped = line.strip()
    return (
        "-" in stripped
        and "|" in stripped
        and not stripped.strip("|-: ")  # nothing but pipes, dashes, colons and spaces
    )


def cells(line: str) -> list[str]:
    """The cells of a pipe-table row (``\\|`` is a pipe inside a cell)."""
    stripped = line.strip()
    if stripped.startswith("|"):
        stripped = stripped[1:]
    if stripped.endswith("|") and not stripped.endswith("\\|"):
        stripped = stripped[:-1]
    out: list[str] = []
    current: list[str] = []
    escaped = False
    for char in stripped:
        if escaped:
            current.append(char if char == "|" else "\\" + char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "|":
            out.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    if escaped:
        current.append("\\")
    out.append("".join(current).strip())
    return out


def _table(lines: list[str]) -> list[Block]:
    rows = [cells(line) for line in lines[: MAX_TABLE_ROWS + 1]]
    columns = min(max(len(row) for row in rows), MAX_COLUMNS)
    shaped: list[tuple[tuple[Span, ...], ...]] = []
    for number, row in enumerate(rows):
        fitted = (
            row if len(row) <= columns else [*row[: columns - 1], " | ".join(row[columns - 1 :])]
        )
        fitted += [""] * (columns - len(fitted))
        shaped.append(tuple(inline(clip(cell), style_bold=number == 0) for cell in fitted))
    out = [Block("table", rows=tuple(shaped))]
    left = len(lines) - len(rows)
    if left > 0:
        out.append(
            Block("note", (Span(f"… {left} more rows of this table are in the attached card."),))
        )
    return out


def clip(text: str, limit: int = MAX_CELL_CHARS) -> str:
    """``text`` cut to ``limit`` characters, saying so."""
    if len(text) <= limit:
        return text
    return text[:limit] + f" … [{len(text) - limit} more characters in the attached card]"
