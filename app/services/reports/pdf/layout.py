"""Breaking report text into lines: words, CJK characters, font runs, marked changes.

Card text never goes through a markup parser: it is cut into words and
placed line by line here, each piece drawn as the characters it holds.  So
``<b>``, ``&amp;``, ``<para>`` or ``<script>`` in a card show as typed and can
never change the layout.  Control characters show as U+FFFD (the card's own
bytes keep them; the report only shows them).

The breaking is greedy and linear in the text: a line breaks at spaces and
around Chinese, Japanese and Korean characters (which have no spaces between
words); a word wider than the line is cut between characters.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from countersign.services.reports.pdf.fonts import FALLBACK, Style, runs

Mark = Literal["", "deleted", "inserted"]
"""A changed stretch in a text diff: shown with a red or green background."""

Width = Callable[[str, str], float]
"""The width in points of a text in a font (at the block's size)."""

REPLACEMENT = "\ufffd"
"""Shown instead of a control character or a lone surrogate."""


@dataclass(frozen=True, slots=True)
class Span:
    """A piece of text to lay out, in one style, perhaps marked as deleted or inserted."""

    text: str
    style: Style = "regular"
    mark: Mark = ""


@dataclass(slots=True)
class Piece:
    """Text placed on a line: where it starts, how wide it is, its font and mark."""

    x: float
    width: float
    font: str
    text: str
    mark: Mark


Line = list[Piece]


@dataclass(frozen=True)
class BlockStyle:
    """How a block of text looks: size, leading, colour, indents, background."""

    size: float = 9.0
    leading: float = 12.0
    color: tuple[float, float, float] = (0.1, 0.1, 0.12)
    indent: float = 0.0
    bullet: str = ""
    space_before: float = 0.0
    space_after: float = 4.0
    background: tuple[float, float, float] | None = None
    padding: float = 0.0
    preserve: bool = False
    """Keep runs of spaces (code, diff lines) instead of folding them into one."""
    keep_with_next: bool = False


@dataclass(slots=True)
class _Word:
    pieces: list[tuple[str, str, Mark]] = field(default_factory=list)
    space_before: bool = False
    is_space: bool = False


_NEWLINE = _Word()

_Measured = tuple[str, str, Mark, float]
"""A piece of a word measured: its font, text, mark and width in points."""


_PRINTABLE = {
    **{code: REPLACEMENT for code in range(0x20) if code != 0x0A},
    0x09: "    ",
    0x0D: "\n",
    **{code: REPLACEMENT for code in range(0x7F, 0xA0)},
    **{code: REPLACEMENT for code in range(0xD800, 0xE000)},
}
"""Tabs as four spaces, a lone CR as a line break, controls and lone surrogates as U+FFFD."""


def printable(text: str) -> str:
    """``text`` as it is shown: CRLF folded, tabs as spaces, controls as U+FFFD."""
    return text.replace("\r\n", "\n").translate(_PRINTABLE)


def _wide(char: str) -> bool:
    """Whether ``char`` is a wide (CJK) character, around which a line may break."""
    return not char.isascii() and unicodedata.east_asian_width(char) in ("W", "F")


_TOKEN = re.compile(r"\n| +|[^ \n]+")
"""A line break, a run of spaces, or a run of anything else (linear, no backtracking)."""


def words(spans: Iterable[Span], preserve: bool = False) -> list[_Word]:
    """Cut spans into words (pieces in one font each), newlines and, when preserving, spaces."""
    cutter = _WordCutter(preserve)
    for span in spans:
        for match in _TOKEN.finditer(printable(span.text)):
            cutter.take(match.group(), span)
    cutter.close()
    return cutter.out


class _WordCutter:
    """What :func:`words` knows while it reads tokens: the word being built, and a space
    seen before it."""

    def __init__(self, preserve: bool) -> None:
        self.preserve = preserve
        self.out: list[_Word] = []
        self.current = _Word()
        self.pending_space = False

    def take(self, token: str, span: Span) -> None:
        """Add one token (a line break, a run of spaces or of anything else) of ``span``."""
        if token == "\n":
            self.close()
            self.out.append(_NEWLINE)
            self.pending_space = False
        elif token[0] == " ":
            self.close()
            if self.preserve:
                space = _Word(is_space=True)
                space.pieces.append((FALLBACK[span.style][0], token, span.mark))
                self.out.append(space)
            else:
                self.pending_space = True
        elif token.isascii():
            self.add(token, span)
        else:
            self._take_wide(token, span)

    def _take_wide(self, token: str, span: Span) -> None:
        """A token with non-ASCII text: each wide (CJK) character is a word of its own."""
        start = 0
        for index, char in enumerate(token):
            if _wide(char):
                if index > start:
                    self.add(token[start:index], span)
                self.close()
                self.add(char, span)
                self.close()
                start = index + 1
        if len(token) > start:
            self.add(token[start:], span)

    def close(self) -> None:
        """End the word being built."""
        if self.current.pieces:
            self.out.append(self.current)
        self.current = _Word()

    def add(self, text: str, span: Span) -> None:
        """Add ``text`` of ``span`` to the word being built, in runs of one font each."""
        current = self.current
        if not current.pieces:
            current.space_before = self.pending_space
            self.pending_space = False
        for run in runs(text, span.style):
            current.pieces.append((run.font, run.text, span.mark))


def layout(
    spans: Sequence[Span], max_width: float, width: Width, *, preserve: bool = False
) -> list[Line]:
    """Break ``spans`` into lines no wider than ``max_width`` points (greedy, linear)."""
    if len(spans) == 1 and not preserve:
        fast = _plain_lines(spans[0], max_width, width)
        if fast is not None:
            return fast
    lines: list[Line] = []
    line: Line = []
    x = 0.0
    for word in words(spans, preserve):
        if word is _NEWLINE:
            lines.append(line)
            line, x = [], 0.0
            continue
        pieces = [(font, text, mark, width(font, text)) for font, text, mark in word.pieces]
        total = sum(piece[3] for piece in pieces)
        first_font = pieces[0][0]
        gap = width(first_font, " ") if word.space_before and line else 0.0
        if line and x + gap + total > max_width:
            lines.append(line)
            line, x, gap = [], 0.0, 0.0
            if word.is_space:
                continue  # a wrapped line does not start with the spaces it broke at
        if total > max_width and not line:
            x = _cut(pieces, max_width, width, lines, line)
            line = lines.pop()
            continue
        for number, piece in enumerate(pieces):
            x = _place(line, x, gap if number == 0 else 0.0, piece)
    if line or not lines:
        lines.append(line)
    return lines


def _plain_lines(span: Span, max_width: float, width: Width) -> list[Line] | None:
    """The lines of one span of ASCII text: the common case, without the general machinery.

    None when the span needs the general path (other scripts, or a word wider than a line).
    """
    text = printable(span.text)
    if not text.isascii():
        return None
    font = FALLBACK[span.style][0]
    space = width(font, " ")
    lines: list[Line] = []
    for paragraph in text.split("\n"):
        parts: list[str] = []
        x = 0.0
        for word in paragraph.split(" "):
            if not word:
                continue
            word_width = width(font, word)
            if word_width > max_width:
                return None
            if parts and x + space + word_width > max_width:
                lines.append([Piece(0.0, x, font, " ".join(parts), span.mark)])
                parts, x = [], 0.0
            x = x + space + word_width if parts else word_width
            parts.append(word)
        lines.append([Piece(0.0, x, font, " ".join(parts), span.mark)] if parts else [])
    if len(lines) > 1 and not lines[-1]:
        lines.pop()  # a final line break ends the last line; it starts no empty one
    return lines


def _place(line: Line, x: float, gap: float, piece: _Measured) -> float:
    """Put a piece on the line, joined to the last one when it has the same font and mark."""
    font, text, mark, piece_width = piece
    if line:
        last = line[-1]
        if last.font == font and last.mark == mark:
            last.text += (" " if gap else "") + text
            last.width += gap + piece_width
            return x + gap + piece_width
        if gap and mark and last.mark == mark:
            # The space between two marked words is marked too: it belongs to the change.
            line.append(Piece(x, gap + piece_width, font, " " + text, mark))
            return x + gap + piece_width
    line.append(Piece(x + gap, piece_width, font, text, mark))
    return x + gap + piece_width


def _cut(
    pieces: list[_Measured],
    max_width: float,
    width: Width,
    lines: list[Line],
    line: Line,
) -> float:
    """Place a word wider than a line character by character; the last line stays open."""
    x = 0.0
    for font, text, mark, _ in pieces:
        for char in text:
            char_width = width(font, char)
            if line and x + char_width > max_width:
                lines.append(line)
                line, x = [], 0.0
            x = _place(line, x, 0.0, (font, char, mark, char_width))
    lines.append(line)
    return x
