"""The Markdown of a Hugging Face card body: headings, sections and bullet lists.

The body is cut into blocks at ATX headings (``#`` to ``######``) and setext
headings (a single paragraph line underlined with ``===`` or ``---``).  Lines
inside fenced code blocks (````` ``` ````` and ``~~~``) and HTML comments are
never headings, so a ``# comment`` in a Python example does not open a section.

Which canonical field each heading stands for is the business of
:mod:`countersign.formats.huggingface.heading_map`.

Everything here works line by line with string operations and anchored
patterns that cannot backtrack, so the cost is linear in the text however long
its lines are.  The report reads card text with markdown-it-py (CommonMark);
this cutter is kept because it is about eight times faster on hostile cards of
tens of thousands of headings, and a test checks that both find the same
headings (see ``tests/formats/huggingface/test_markdown_sections.py``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from countersign.formats.base import CardRefused
from countersign.formats.huggingface.heading_map import display_title, heading_key
from countersign.formats.limits import load_json

SOURCE_MARKER_PREFIX = "<!-- countersign-source: "
"""Opens the comment that tells the reader which source an extra section came from."""

_ATX = re.compile(r" {0,3}(#{1,6})(?:[ \t]|$)")
_SETEXT = re.compile(r" {0,3}(?:={2,}|-{2,})[ \t]*$")
_ORDERED = re.compile(r" {0,3}\d{1,9}[.)](?:[ \t]|$)")


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


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _opening_fence(line: str) -> tuple[str, int] | None:
    """The fence character and length when ``line`` opens a fenced code block."""
    indent = _indent(line)
    if indent > 3:
        return None
    rest = line[indent:]
    char = rest[:1]
    if char not in ("`", "~"):
        return None
    length = len(rest) - len(rest.lstrip(char))
    if length < 3:
        return None
    if char == "`" and "`" in rest[length:]:
        return None
    return char, length


def _closes_fence(line: str, char: str, length: int) -> bool:
    indent = _indent(line)
    if indent > 3:
        return False
    rest = line[indent:].rstrip()
    return len(rest) >= length and rest == char * len(rest)


def atx_heading(line: str, number: int) -> Heading | None:
    """The heading ``line`` opens, if it is an ATX heading."""
    match = _ATX.match(line)
    if match is None:
        return None
    level = len(match.group(1))
    rest = line[match.end() :].strip()
    # A closing run of #s counts only when a space separates it from the title.
    without = rest.rstrip("#")
    if not without:
        rest = ""
    elif without != rest and without[-1] in " \t":
        rest = without.rstrip()
    return make_heading(level, rest, line, number)


def _is_paragraph_line(line: str) -> bool:
    """Whether ``line`` can be the text of a setext heading."""
    if not line.strip() or _indent(line) > 3:
        return False
    first = line.lstrip(" ")
    if first[0] in "-*+>|<" or "|" in first:
        return False
    return _ORDERED.match(line) is None


def split_blocks(lines: list[str], first_line: int) -> list[Block]:
    """Cut body lines into blocks at headings outside code fences and HTML comments.

    ``first_line`` is the file line number of ``lines[0]``, so that headings
    know where they are in the original file.
    """
    cutter = _BlockCutter(first_line)
    for index, line in enumerate(lines):
        cutter.take(index, line)
    return cutter.blocks


class _BlockCutter:
    """What :func:`split_blocks` knows while it walks the lines: the open fence or comment,
    and whether the line above may underline into a setext heading."""

    def __init__(self, first_line: int) -> None:
        self.first_line = first_line
        self.blocks = [Block(heading=None)]
        self.fence: tuple[str, int] | None = None
        self.in_comment = False
        self.paragraph_run = 0  # paragraph lines since the last blank line or block start
        self.blocked = False  # a list item, table or quote since the last blank line

    @property
    def current(self) -> list[str]:
        """The lines of the block being filled."""
        return self.blocks[-1].lines

    def take(self, index: int, line: str) -> None:
        """Add ``lines[index]`` to the current block, or start a new block at a heading."""
        if self._inside_fence_or_comment(line):
            return
        stripped = line.lstrip(" ")
        first = stripped[:1]
        # Only a line starting with one of these characters can open anything.
        if first and first in "`~<#=-" and len(line) - len(stripped) <= 3:
            if self._opens_fence_or_comment(line, stripped):
                return
            heading = self._heading(index, line, first)
            if heading is not None:
                self.blocks.append(Block(heading=heading))
                self.paragraph_run, self.blocked = 0, False
                return
        self.current.append(line)
        if not line.strip():
            self.paragraph_run, self.blocked = 0, False
        elif _is_paragraph_line(line):
            self.paragraph_run += 1
        else:
            self.paragraph_run, self.blocked = 0, True

    def _inside_fence_or_comment(self, line: str) -> bool:
        """Take ``line`` when a code fence or an HTML comment is open, closing it at its end."""
        if self.fence is not None:
            self.current.append(line)
            if line.lstrip(" ")[:1] == self.fence[0] and _closes_fence(line, *self.fence):
                self.fence = None
            return True
        if self.in_comment:
            self.current.append(line)
            self.in_comment = "-->" not in line
            return True
        return False

    def _opens_fence_or_comment(self, line: str, stripped: str) -> bool:
        """Take ``line`` when it opens a code fence or an HTML comment."""
        first = stripped[:1]
        if first in "`~":
            self.fence = _opening_fence(line)
            if self.fence is None:
                return False
        elif not stripped.startswith("<!--"):
            return False
        else:
            self.in_comment = "-->" not in stripped[4:]
        self.current.append(line)
        self.paragraph_run, self.blocked = 0, True
        return True

    def _heading(self, index: int, line: str, first: str) -> Heading | None:
        """The ATX heading on ``line``, or the setext heading it underlines; None if neither."""
        if first == "#":
            return atx_heading(line, self.first_line + index)
        # A setext underline makes a heading of the one paragraph line just above it.
        underlines = first in "=-" and self.paragraph_run == 1 and not self.blocked
        if not underlines or not self.current or not _SETEXT.match(line):
            return None
        text_line = self.current.pop()
        raw = text_line + "\n" + line
        level = 1 if first == "=" else 2
        return make_heading(level, text_line.strip(), raw, self.first_line + index - 1)


@dataclass
class Outline:
    """A body cut into blocks at its headings, and which of its lines are fenced code."""

    blocks: list[Block]
    code_lines: set[int]


def outline(lines: list[str], first_line: int) -> Outline:
    """:func:`split_blocks` and :func:`code_line_indexes` of the same body lines."""
    return Outline(split_blocks(lines, first_line), code_line_indexes(lines))


def code_line_indexes(lines: list[str]) -> set[int]:
    """Indexes of the lines inside fenced code blocks (fences included)."""
    inside: set[int] = set()
    fence: tuple[str, int] | None = None
    for index, line in enumerate(lines):
        if fence is not None:
            inside.add(index)
            if line.lstrip(" ")[:1] == fence[0] and _closes_fence(line, *fence):
                fence = None
        elif line.lstrip(" ")[:1] in ("`", "~"):
            fence = _opening_fence(line)
            if fence is not None:
                inside.add(index)
    return inside


def min_heading_level(text: str) -> int:
    """The shallowest heading level inside ``text`` (7 when it holds no heading)."""
    if "#" not in text and "==" not in text and "--" not in text:
        return 7
    levels = [b.heading.level for b in split_blocks(split_lines(text), 1) if b.heading]
    return min(levels, default=7)


# -- bullet lists ---------------------------------------------------------------


def _bullet_text(line: str) -> str | None:
    """The text after a top-level bullet marker, or ``None`` when ``line`` is no bullet."""
    start = 1 if line.startswith(" ") else 0
    marker = line[start : start + 1]
    if marker not in ("-", "*", "+"):
        return None
    rest = line[start + 1 :]
    if not rest.strip():
        return ""
    if rest[0] not in " \t":
        return None
    return rest.lstrip(" \t")


def _continuation(line: str) -> str | None:
    """An indented line with its list indentation removed, or ``None`` when not indented."""
    if line.startswith("\t"):
        return line[1:]
    indent = _indent(line)
    if indent < 2:
        return None
    return line[min(indent, 4) :]


def parse_items(text: str) -> list[str] | None:
    """The items of ``text`` when it is nothing but a bullet list, else ``None``."""
    items: list[list[str]] = []
    for line in split_lines(text):
        bullet = _bullet_text(line)
        if bullet is not None and _indent(line) <= 1:
            items.append([bullet])
            continue
        if not line.strip():
            if items:
                items[-1].append("")
            continue
        continued = _continuation(line)
        if continued is None or not items:
            return None
        items[-1].append(continued)
    if not items:
        return None
    for item in items:
        while len(item) > 1 and not item[-1]:
            item.pop()
    return ["\n".join(item) for item in items]


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
