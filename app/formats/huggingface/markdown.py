"""The Markdown of a Hugging Face card body: headings, sections and bullet lists.

The body is cut into blocks at its headings as markdown-it-py reads them
(CommonMark with GitHub tables), the parser the report renders card text with,
so the reader, the Card tab and the report agree on what a heading, a list, a
table and a code block are.  Only the top-level headings cut: a ``#`` line in a
fenced or indented code block, in an HTML block or comment (the Hub would not
show it as a heading), in a list item or in a quote stays text of its section.

Only markdown-it's block rules run (no inline parsing: a title is not Markdown
to render here), and its tokens are used only for where they are
(``token.map``): every block is a slice of the original lines, so no character
of the card is dropped or rewritten.  markdown-it works in time linear in the
text.

The items of a list field (owners, data sets, limitations...) are the items
markdown-it finds in a section that is nothing but a bullet list
(:func:`parse_items`, the inverse of the writer's :func:`format_items`).
Which canonical field each heading stands for is the business of
:mod:`countersign.formats.huggingface.heading_map`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.token import Token

from countersign.formats.base import CardRefused
from countersign.formats.huggingface.heading_map import display_title, heading_key
from countersign.formats.limits import load_json

SOURCE_MARKER_PREFIX = "<!-- countersign-source: "
"""Opens the comment that tells the reader which source an extra section came from."""

# HTML blocks are recognised (html=True) so that a heading inside an HTML comment or
# block is not a section, as on the Hub; their text is kept as typed all the same.
_BLOCK_PARSER = (
    MarkdownIt("commonmark", {"html": True}).enable("table").disable(["inline", "text_join"])
)
_CODE_TOKENS = ("fence", "code_block")


def _block_tokens(text: str) -> list[Token]:
    """markdown-it's block tokens for ``text``, as ``_BLOCK_PARSER.parse(text)`` gives them.

    Its core runs two rules: ``normalize`` (CR and CRLF to LF, NUL to U+FFFD), then
    the block parser.  Text with neither character (all that :func:`split_lines` cut,
    every card: NUL is refused) would come out of ``normalize`` as it went in, so
    its block parser is run on it directly, a third faster.
    """
    if "\r" in text or "\x00" in text:
        return _BLOCK_PARSER.parse(text)
    tokens: list[Token] = []
    _BLOCK_PARSER.block.parse(text, _BLOCK_PARSER, {}, tokens)
    return tokens


@dataclass(frozen=True)
class Heading:
    """One heading of the body: its level, its title as written and where it is.

    ``key`` is the title normalised for matching against known section names;
    ``display`` the title as an officer should see it (bold wrapping removed).
    """

    level: int
    title: str
    raw: str
    line: int
    key: str
    display: str


def make_heading(level: int, title: str, raw: str, line: int) -> Heading:
    """A :class:`Heading` with its matching key and display title worked out."""
    return Heading(level, title, raw, line, heading_key(title), display_title(title))


@dataclass
class Block:
    """A heading and the lines up to the next heading (no heading: the preamble)."""

    heading: Heading | None
    lines: list[str] = field(default_factory=list)


def split_lines(text: str) -> list[str]:
    """The lines of ``text`` with CRLF and lone CR line endings treated as LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def trim_blank(lines: list[str]) -> list[str]:
    """``lines`` without the blank lines at either end."""
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return lines[start:end]


@dataclass
class Outline:
    """A body cut into blocks at its headings, and which of its lines are code."""

    blocks: list[Block]
    code_lines: set[int]
    """Indexes of the lines inside fenced or indented code blocks (fences included)."""


def outline(lines: list[str], first_line: int) -> Outline:
    """Cut body lines into blocks at their top-level headings, and find their code lines.

    ``first_line`` is the file line number of ``lines[0]``, so that headings
    know where they are in the original file.
    """
    tokens = _block_tokens("\n".join(lines))
    code_lines: set[int] = set()
    # (first line, line after the heading, the heading) for each top-level heading.
    cuts: list[tuple[int, int, Heading]] = []
    for index, token in enumerate(tokens):
        if token.map is None:
            continue
        if token.type in _CODE_TOKENS:
            code_lines.update(range(*token.map))
        elif token.type == "heading_open" and token.level == 0:
            start, end = token.map
            cuts.append((start, end, _heading(token, tokens[index + 1], lines, first_line)))
    blocks = [Block(heading=None, lines=lines[: cuts[0][0] if cuts else len(lines)])]
    for number, (_start, end, heading) in enumerate(cuts):
        following = cuts[number + 1][0] if number + 1 < len(cuts) else len(lines)
        blocks.append(Block(heading=heading, lines=lines[end:following]))
    return Outline(blocks, code_lines)


def _heading(opening: Token, inline: Token, lines: list[str], first_line: int) -> Heading:
    """The heading a ``heading_open`` token opens: its title is the inline token's text."""
    assert opening.map is not None  # only tokens with a place in the text are cut at
    start, end = opening.map
    # markdown-it's title is the source text with the markers taken off (the file
    # holds no NUL, the one character its normalising would change).
    raw = "\n".join(lines[start:end])
    return make_heading(int(opening.tag[1]), inline.content, raw, first_line + start)


def split_blocks(lines: list[str], first_line: int) -> list[Block]:
    """The blocks of :func:`outline`: the preamble, then one per top-level heading."""
    return outline(lines, first_line).blocks


def heading_line(text: str) -> Heading | None:
    """The heading ``text`` is when it stands alone as a one-line ATX heading, else None."""
    blocks = split_blocks([text], 1)
    if len(blocks) != 2 or blocks[0].lines or blocks[1].lines:
        return None
    return blocks[1].heading


def min_heading_level(text: str) -> int:
    """The shallowest heading level inside ``text`` (7 when it holds no heading)."""
    if "#" not in text and "=" not in text and "-" not in text:
        return 7  # no ATX heading, and no setext underline
    levels = [b.heading.level for b in split_blocks(split_lines(text), 1) if b.heading]
    return min(levels, default=7)


# -- bullet lists ---------------------------------------------------------------


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _without_marker(line: str) -> str:
    """The first line of a list item with its bullet marker and the space after it taken off."""
    rest = line.lstrip(" ")[1:]  # markdown-it found the marker: "-", "*" or "+"
    return rest.lstrip(" \t")


def _without_indent(line: str) -> str:
    """A later line of an item with its list indentation (at most four spaces, or a tab) removed."""
    if line.startswith("\t"):
        return line[1:]
    return line[min(_indent(line), 4) :]


def _item_ranges(text: str, lines: list[str]) -> list[tuple[int, int]] | None:
    """Where each top-level list item is, when ``text`` is nothing but bullet lists."""
    ranges: list[tuple[int, int]] = []
    for token in _block_tokens(text):
        if token.level == 0 and token.type not in ("bullet_list_open", "bullet_list_close"):
            return None  # a paragraph, a heading, a numbered list... beside the bullets
        if token.type == "list_item_open" and token.level == 1 and token.map is not None:
            ranges.append((token.map[0], token.map[1]))
    if not ranges or any(line.strip() for line in lines[: ranges[0][0]]):
        return None
    return ranges


def parse_items(text: str) -> list[str] | None:
    """The items of ``text`` when it is nothing but a bullet list, else ``None``.

    markdown-it decides what an item is (as the Card tab and the report render
    it), so a lazy continuation line or a change of bullet marker reads as the
    Hub shows it; each item keeps its lines with the marker and the list
    indentation taken off.
    """
    lines = split_lines(text)
    ranges = _item_ranges(text, lines)
    if ranges is None:
        return None
    items: list[str] = []
    for start, end in ranges:
        item = [_without_marker(lines[start]), *map(_without_indent, lines[start + 1 : end])]
        while len(item) > 1 and not item[-1].strip():
            item.pop()
        items.append("\n".join(item))
    return items


def items_of(text: str) -> list[str]:
    """Bullets as items, else the whole text as one item; nothing when blank."""
    if not text.strip():
        return []
    items = parse_items(text)
    return items if items is not None else [text]


def format_items(items: list[str]) -> str:
    """A bullet list that :func:`parse_items` reads back as exactly ``items``."""
    out: list[str] = []
    for item in items:
        first, *rest = item.split("\n")
        out.append(f"- {first}" if first else "-")
        out.extend(f"    {line}" if line.strip() else "" for line in rest)
    return "\n".join(out)


def parse_keyed(text: str, keys: tuple[str, ...]) -> dict[str, str] | None:
    """Read an item written as ``key: value`` lines, or ``None`` when it is not one."""
    fields: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in text.split("\n"):
        key = next((k for k in keys if line == f"{k}:" or line.startswith(f"{k}: ")), None)
        if key is not None:
            if key in fields:
                return None
            current = fields[key] = [line[len(key) + 2 :]]
        elif current is None:
            return None
        else:
            current.append(line)
    return {key: "\n".join(value) for key, value in fields.items()}


def format_keyed(pairs: list[tuple[str, str]]) -> str:
    """An item of ``key: value`` lines for :func:`parse_keyed` (empty values left out)."""
    lines: list[str] = []
    for key, value in pairs:
        if value:
            lines.append(f"{key}: {value}" if not value.startswith("\n") else f"{key}:{value}")
    return "\n".join(lines)


# -- where an extra section came from -------------------------------------------


def source_marker(source: str) -> str:
    """The comment line that records an extra section's source in a written card."""
    quoted = json.dumps(source, ensure_ascii=False).replace(">", "\\u003e").replace("<", "\\u003c")
    return f"{SOURCE_MARKER_PREFIX}{quoted} -->"


def read_source_marker(line: str, file: str) -> str | None:
    """The source a marker line records, or ``None`` when ``line`` is no marker."""
    if not (line.startswith(SOURCE_MARKER_PREFIX) and line.endswith(" -->")):
        return None
    try:
        value = load_json(line[len(SOURCE_MARKER_PREFIX) : -4], file)
    except CardRefused:
        return None
    return value if isinstance(value, str) else None
