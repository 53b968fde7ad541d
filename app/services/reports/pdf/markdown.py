"""The Markdown of card sections as report blocks: headings, paragraphs, lists, tables, code.

markdown-it-py reads the Markdown (CommonMark with GitHub tables), as the Card
tab's Qt Markdown and the Hub do, and the README reader cuts a card into
sections with the same parser (:mod:`countersign.formats.huggingface.markdown`),
so that all of them agree on what a heading, a list, a table and a code block are.
HTML is not Markdown's business here: it is text and shows as typed, and so do
entities (``&amp;`` stays ``&amp;``).  Inside a line, bold and code are marked;
links show their address after their text.  markdown-it works in time linear in
the text and bounds nesting; tables are bounded here (rows, columns, cell size).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from markdown_it import MarkdownIt
from markdown_it.token import Token

from countersign.services.reports.pdf.fonts import Style
from countersign.services.reports.pdf.layout import Span

MAX_COLUMNS = 8
"""Columns of a card's table shown side by side; the rest are joined into the last one."""

MAX_TABLE_ROWS = 400
"""Rows of one card table shown; the rest are counted."""

MAX_CELL_CHARS = 1_500
"""Characters of one table cell shown; the full text is in the card attached to the PDF."""

BlockKind = Literal["heading", "paragraph", "bullet", "code", "table", "rule", "note"]

_PARSER = MarkdownIt("commonmark", {"html": False}).enable("table").disable("entity")


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


def _spans(children: list[Token], style_bold: bool = False) -> tuple[Span, ...]:
    """The spans of a paragraph's inline tokens, neighbours of one style merged."""
    out: list[Span] = []
    bold = 1 if style_bold else 0
    links: list[str] = []
    for token in children:
        kind = token.type
        if kind in ("strong_open", "strong_close"):
            bold += 1 if kind == "strong_open" else -1
        elif kind == "code_inline":
            out.append(Span(token.content, "mono"))
        elif kind in ("softbreak", "hardbreak"):
            _add(out, " " if kind == "softbreak" else "\n", bold > 0)
        elif kind == "link_open":
            links.append(str(token.attrs.get("href", "")))
        elif kind == "link_close" and links:
            href = links.pop()
            if href and not _ends_with(out, href):
                _add(out, f" <{href}>", bold > 0)
        elif kind == "image":
            alt = "".join(child.content for child in token.children or [])
            _add(out, f"[image: {alt}] <{token.attrs.get('src', '')}>", bold > 0)
        elif kind in ("text", "text_special", "html_inline"):
            _add(out, token.content, bold > 0)
    return tuple(out)


def _ends_with(out: list[Span], text: str) -> bool:
    return bool(out) and out[-1].text.endswith(text)


def _add(out: list[Span], text: str, bold: bool) -> None:
    """Add ``text`` as plain text, bold or regular, joined to a plain span of the same style."""
    if not text:
        return
    style: Style = "bold" if bold else "regular"
    if out and out[-1].style == style:
        out[-1] = Span(out[-1].text + text, style)
    else:
        out.append(Span(text, style))


def blocks(markdown: str) -> list[Block]:
    """The blocks of a Markdown text, in order."""
    reader = _BlockReader()
    tokens = _PARSER.parse(markdown)
    index = 0
    while index < len(tokens):
        index = reader.take(tokens, index)
    return reader.out


class _BlockReader:
    """Turns markdown-it's block tokens into report blocks, keeping the open lists."""

    def __init__(self) -> None:
        self.out: list[Block] = []
        self.lists: list[Token] = []  # the open lists, outermost first
        self.item: Token | None = None  # the list item whose first paragraph is next

    def take(self, tokens: list[Token], index: int) -> int:
        """Read the token at ``index``; return the index of the next one to read."""
        token = tokens[index]
        kind = token.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            self.lists.append(token)
        elif kind in ("bullet_list_close", "ordered_list_close"):
            self.lists.pop()
        elif kind == "list_item_open":
            self.item = token
        elif kind == "heading_open":
            level = int(token.tag[1])
            self.out.append(Block("heading", _spans(_children(tokens, index)), level=level))
            return index + 3
        elif kind == "paragraph_open":
            self.paragraph(_spans(_children(tokens, index)))
            return index + 3
        elif kind in ("fence", "code_block"):
            self.out.append(Block("code", text=token.content.removesuffix("\n")))
        elif kind == "hr":
            self.out.append(Block("rule"))
        elif kind == "table_open":
            return self.table(tokens, index)
        return index + 1

    def paragraph(self, spans: tuple[Span, ...]) -> None:
        """A paragraph: a list item's first one is the bullet, any other stands alone."""
        item = self.item
        if item is None:
            self.out.append(Block("paragraph", spans))
            return
        self.item = None
        depth = min(len(self.lists) - 1, 3)
        ordered = self.lists[-1].type == "ordered_list_open" if self.lists else False
        marker = f"{item.info}{item.markup}" if ordered else "•"
        self.out.append(Block("bullet", spans, level=depth, marker=marker))

    def table(self, tokens: list[Token], index: int) -> int:
        """Read a table from its ``table_open`` token; return the index after it."""
        rows: list[list[tuple[Span, ...]]] = []
        left = 0
        while tokens[index].type != "table_close":
            token = tokens[index]
            if token.type == "tr_open":
                if len(rows) > MAX_TABLE_ROWS:
                    left += 1
                else:
                    rows.append([])
            elif token.type == "inline" and rows and len(rows) <= MAX_TABLE_ROWS + 1 and not left:
                header = len(rows) == 1
                rows[-1].append(_spans(token.children or [], style_bold=header))
            index += 1
        self.out.extend(_table(rows, left))
        return index + 1


def _children(tokens: list[Token], index: int) -> list[Token]:
    """The inline tokens of the block that opens at ``index``."""
    return tokens[index + 1].children or []


def _table(rows: list[list[tuple[Span, ...]]], left: int) -> list[Block]:
    columns = min(max(len(row) for row in rows), MAX_COLUMNS)
    shaped: list[tuple[tuple[Span, ...], ...]] = []
    for row in rows:
        fitted = row
        if len(row) > columns:
            fitted = [*row[: columns - 1], _joined_cells(row[columns - 1 :])]
        fitted += [()] * (columns - len(fitted))
        shaped.append(tuple(_clipped(cell) for cell in fitted))
    out = [Block("table", rows=tuple(shaped))]
    if left > 0:
        out.append(
            Block("note", (Span(f"… {left} more rows of this table are in the attached card."),))
        )
    return out


def _joined_cells(cells: list[tuple[Span, ...]]) -> tuple[Span, ...]:
    """Cells beyond the last column shown, as one cell with " | " between them."""
    out: list[Span] = []
    for number, cell in enumerate(cells):
        if number:
            _merge(out, Span(" | ", out[-1].style if out else "regular"))
        for span in cell:
            _merge(out, span)
    return tuple(out)


def _merge(out: list[Span], span: Span) -> None:
    """Append ``span``, joined to the last one when both are plain text of one style."""
    if out and out[-1].style == span.style and span.style != "mono":
        out[-1] = Span(out[-1].text + span.text, span.style)
    else:
        out.append(span)


def _clipped(cell: tuple[Span, ...]) -> tuple[Span, ...]:
    """A cell cut to :data:`MAX_CELL_CHARS` characters, saying so."""
    total = sum(len(span.text) for span in cell)
    if total <= MAX_CELL_CHARS:
        return cell
    out: list[Span] = []
    room = MAX_CELL_CHARS
    for span in cell:
        if room <= 0:
            break
        out.append(Span(span.text[:room], span.style))
        room -= len(span.text)
    out.append(Span(f" … [{total - MAX_CELL_CHARS} more characters in the attached card]"))
    return tuple(out)


def clip(text: str, limit: int = MAX_CELL_CHARS) -> str:
    """``text`` cut to ``limit`` characters, saying so."""
    if len(text) <= limit:
        return text
    return text[:limit] + f" … [{len(text) - limit} more characters in the attached card]"
