"""Aligned side-by-side line diffs with the changed words marked inside changed lines.

The engine behind the Compare tab, ``countersign diff`` and the report's
"changes since" section.  It must stay fast on big cards (two 50,000-line texts
within a second) and must never go quadratic on a rewritten block, so:

* lines are aligned by :mod:`countersign.services.diff.line_match` (anchors on lines found
  once on each side, :class:`difflib.SequenceMatcher` between them);
* the lines of a replaced block are paired in order (by likeness when the
  block is small); a huge replaced block is shown as deleted then inserted;
* words are compared only inside those pairs (:mod:`countersign.services.diff.word_diff`,
  bounded per line), and only when a row is first read: showing or printing
  a diff costs the rows looked at, never the whole card.

``HtmlDiff`` and ``ndiff`` are never used: both compare every line of a
replaced block with every other, which is quadratic.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Literal

from countersign.services.diff.line_match import Opcode, line_opcodes
from countersign.services.diff.word_diff import (
    SIMILAR_LINES,
    Span,
    line_spans,
    mark_spans,
    whole_line,
)

RowTag = Literal["equal", "replace", "delete", "insert"]
"""What a row of the aligned diff shows: both sides alike, a changed pair, left only, right only."""

HUGE_REPLACE_LINES = 3_000
"""A replaced block longer than this on either side is shown as deletion then insertion."""

PAIRING_LIMIT = 400
"""Replaced blocks up to this many line pairs (left x right) are paired by similarity."""


@dataclass(frozen=True, slots=True)
class DiffBlock:
    """A run of rows of one kind: left lines ``[left_start, left_end)``, right likewise.

    Equal and replace blocks pair line ``left_start + k`` with ``right_start + k``;
    a delete block has no right lines and an insert block no left lines.
    """

    tag: RowTag
    left_start: int
    left_end: int
    right_start: int
    right_end: int
    row_start: int

    @property
    def row_count(self) -> int:
        """Rows the block takes in the aligned view."""
        return max(self.left_end - self.left_start, self.right_end - self.right_start)


@dataclass(frozen=True, slots=True)
class DiffRow:
    """One row of the aligned view: a line on each side, or filler (``None``) on one."""

    tag: RowTag
    left: int | None
    right: int | None
    left_spans: tuple[Span, ...] = ()
    right_spans: tuple[Span, ...] = ()


@dataclass(frozen=True)
class DiffStats:
    """How much differs, in lines."""

    changed: int
    deleted: int
    inserted: int

    @property
    def total(self) -> int:
        """Rows that differ."""
        return self.changed + self.deleted + self.inserted


@dataclass
class TextDiff:
    """Two texts aligned row by row, read lazily: rows exist only when asked for.

    ``changes`` lists each change (a maximal run of differing rows) as a
    ``(first_row, end_row)`` pair, for next/previous navigation.
    """

    left_lines: list[str]
    right_lines: list[str]
    blocks: list[DiffBlock]
    ignore_whitespace: bool = False
    _spans: dict[int, tuple[tuple[Span, ...], tuple[Span, ...]]] = field(
        default_factory=dict, repr=False
    )
    _row_starts: list[int] = field(default_factory=list, repr=False)
    changes: list[tuple[int, int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._row_starts = [block.row_start for block in self.blocks]
        self.changes = _change_runs(self.blocks, self.left_lines)

    @property
    def row_count(self) -> int:
        """Rows in the aligned view (the longer side plus filler)."""
        if not self.blocks:
            return 0
        last = self.blocks[-1]
        return last.row_start + last.row_count

    @property
    def identical(self) -> bool:
        """Whether the two texts show no difference (under the whitespace rule chosen)."""
        return not self.changes

    @property
    def stats(self) -> DiffStats:
        """Lines changed in place, deleted and inserted."""
        changed = deleted = inserted = 0
        for block in self.blocks:
            if block.tag == "replace":
                changed += block.row_count
            elif block.tag == "delete":
                deleted += block.row_count
            elif block.tag == "insert":
                inserted += block.row_count
        return DiffStats(changed, deleted, inserted)

    def block_at(self, row: int) -> DiffBlock:
        """The block holding ``row``."""
        if not 0 <= row < self.row_count:
            raise IndexError(row)
        return self.blocks[bisect_right(self._row_starts, row) - 1]

    def row(self, index: int) -> DiffRow:
        """Row ``index`` of the aligned view, with its changed spans."""
        block = self.block_at(index)
        offset = index - block.row_start
        if block.tag == "equal":
            return DiffRow("equal", block.left_start + offset, block.right_start + offset)
        if block.tag == "delete":
            return DiffRow("delete", block.left_start + offset, None)
        if block.tag == "insert":
            return DiffRow("insert", None, block.right_start + offset)
        left = block.left_start + offset
        right = block.right_start + offset
        spans = self._spans.get(index)
        if spans is None:
            # Words are compared when a row is first read (shown or printed), not before:
            # the diff of a huge card costs only the rows anybody looks at.
            left_spans, right_spans, likeness, _cost = line_spans(
                self.left_lines[left], self.right_lines[right]
            )
            if likeness < SIMILAR_LINES:
                left_spans = whole_line(self.left_lines[left])
                right_spans = whole_line(self.right_lines[right])
            spans = self._spans[index] = (left_spans, right_spans)
        return DiffRow("replace", left, right, spans[0], spans[1])

    def row_of_line(self, line: int, *, right: bool = True) -> int:
        """The row showing line ``line`` (0-based) of the right text, or of the left one."""
        for block in self.blocks:
            start, end = (
                (block.right_start, block.right_end)
                if right
                else (block.left_start, block.left_end)
            )
            if start <= line < end:
                return block.row_start + line - start
        raise IndexError(line)

    def rows(self, start: int = 0, stop: int | None = None) -> Iterator[DiffRow]:
        """Rows ``start`` to ``stop`` (the end by default)."""
        end = self.row_count if stop is None else min(stop, self.row_count)
        for index in range(max(start, 0), end):
            yield self.row(index)

    def left_text(self, row: DiffRow) -> str | None:
        """The left line of ``row``, or ``None`` for filler."""
        return None if row.left is None else self.left_lines[row.left]

    def right_text(self, row: DiffRow) -> str | None:
        """The right line of ``row``, or ``None`` for filler."""
        return None if row.right is None else self.right_lines[row.right]

    def change_index(self, row: int) -> int | None:
        """Which change (0-based) ``row`` belongs to, if it differs."""
        position = bisect_right(self.changes, (row, self.row_count + 1)) - 1
        if position >= 0 and self.changes[position][0] <= row < self.changes[position][1]:
            return position
        return None

    def next_change(self, row: int) -> int | None:
        """The first row of the first change that starts after ``row``."""
        position = bisect_right(self.changes, (row, self.row_count + 1))
        return self.changes[position][0] if position < len(self.changes) else None

    def previous_change(self, row: int) -> int | None:
        """The first row of the last change that starts before ``row``."""
        position = bisect_left(self.changes, (row, -1)) - 1
        return self.changes[position][0] if position >= 0 else None

    def unified(self, context: int = 3, *, words: bool = True) -> list[str]:
        """The diff as unified-diff lines; with ``words``, changed words as ``[-old-]{+new+}``."""
        out: list[str] = []
        for start, end in _hunks(self.changes, self.row_count, context):
            rows = list(self.rows(start, end))
            lefts = [r.left for r in rows if r.left is not None]
            rights = [r.right for r in rows if r.right is not None]
            block = self.block_at(start)
            offset = start - block.row_start
            left_at = block.left_start + (0 if block.tag == "insert" else offset)
            right_at = block.right_start + (0 if block.tag == "delete" else offset)
            out.append(f"@@ -{_range_text(lefts, left_at)} +{_range_text(rights, right_at)} @@")
            pending_minus: list[str] = []
            pending_plus: list[str] = []
            for r in rows:
                if r.tag == "equal":
                    out.extend(pending_minus + pending_plus)
                    pending_minus, pending_plus = [], []
                    out.append(" " + self.left_lines[r.left or 0])
                    continue
                if r.left is not None:
                    text = self.left_lines[r.left]
                    marked = words and r.tag == "replace"
                    pending_minus.append(
                        "-" + (mark_spans(text, r.left_spans, "[-", "-]") if marked else text)
                    )
                if r.right is not None:
                    text = self.right_lines[r.right]
                    marked = words and r.tag == "replace"
                    pending_plus.append(
                        "+" + (mark_spans(text, r.right_spans, "{+", "+}") if marked else text)
                    )
            out.extend(pending_minus + pending_plus)
        return out


def diff_texts(left: str, right: str, *, ignore_whitespace: bool = False) -> TextDiff:
    """Align two texts line by line, marking the changed words of changed lines."""
    return diff_lines(split_lines(left), split_lines(right), ignore_whitespace=ignore_whitespace)


def split_lines(text: str) -> list[str]:
    """The lines of ``text``, on ``\\n`` and ``\\r\\n`` only (a final newline ends, not adds, a line)."""
    if not text:
        return []
    lines = (text.replace("\r\n", "\n") if "\r" in text else text).split("\n")
    if lines[-1] == "":
        lines.pop()
    return lines


def diff_lines(
    left: Sequence[str], right: Sequence[str], *, ignore_whitespace: bool = False
) -> TextDiff:
    """Align two lists of lines; with ``ignore_whitespace`` lines differing only in spacing are equal."""
    left_lines = list(left)
    right_lines = list(right)
    if ignore_whitespace:
        left_keys: list[str] = [" ".join(line.split()) for line in left_lines]
        right_keys: list[str] = [" ".join(line.split()) for line in right_lines]
    else:
        left_keys, right_keys = left_lines, right_lines
    opcodes = line_opcodes(left_keys, right_keys)
    builder = _Builder(left_lines, right_lines, left_keys, right_keys, ignore_whitespace)
    for opcode in opcodes:
        builder.add(opcode)
    return TextDiff(
        left_lines,
        right_lines,
        builder.blocks,
        ignore_whitespace=ignore_whitespace,
    )


# -- rows ---------------------------------------------------------------------------


class _Builder:
    """Turns line opcodes into square blocks and runs the bounded word pass."""

    def __init__(
        self,
        left: list[str],
        right: list[str],
        left_keys: list[str],
        right_keys: list[str],
        ignore_whitespace: bool,
    ) -> None:
        self.left = left
        self.right = right
        self.left_keys = left_keys
        self.right_keys = right_keys
        self.ignore_whitespace = ignore_whitespace
        self.blocks: list[DiffBlock] = []
        self.row = 0

    def add(self, opcode: Opcode) -> None:
        tag, i1, i2, j1, j2 = opcode
        if tag == "equal":
            self._block("equal", i1, i2, j1, j2)
        elif tag == "delete":
            self._block("delete", i1, i2, j1, j1)
        elif tag == "insert":
            self._block("insert", i1, i1, j1, j2)
        elif max(i2 - i1, j2 - j1) > HUGE_REPLACE_LINES:
            self._block("delete", i1, i2, j1, j1)
            self._block("insert", i2, i2, j1, j2)
        else:
            self._replace(i1, i2, j1, j2)

    def _block(self, tag: RowTag, i1: int, i2: int, j1: int, j2: int) -> None:
        if i1 == i2 and j1 == j2:
            return
        if self.blocks:
            last = self.blocks[-1]
            if last.tag == tag and last.left_end == i1 and last.right_end == j1:
                self.blocks[-1] = DiffBlock(
                    tag, last.left_start, i2, last.right_start, j2, last.row_start
                )
                self.row += max(i2 - i1, j2 - j1)
                return
        self.blocks.append(DiffBlock(tag, i1, i2, j1, j2, self.row))
        self.row += max(i2 - i1, j2 - j1)

    def _replace(self, i1: int, i2: int, j1: int, j2: int) -> None:
        n, m = i2 - i1, j2 - j1
        if n * m <= PAIRING_LIMIT and n * m > 1:
            pairs = _pair_by_similarity(self.left_keys[i1:i2], self.right_keys[j1:j2])
        else:
            pairs = []
        i, j = i1, j1
        for pi, pj in [*((i1 + p, j1 + q) for p, q in pairs), (i2, j2)]:
            self._square(i, pi, j, pj)
            if pi < i2:
                self._pair(pi, pj)
            i, j = pi + 1, pj + 1

    def _square(self, i1: int, i2: int, j1: int, j2: int) -> None:
        """Unpaired lines between two paired ones: pair them in order, the rest filler."""
        common = min(i2 - i1, j2 - j1)
        for k in range(common):
            self._pair(i1 + k, j1 + k)
        self._block("delete", i1 + common, i2, j1 + common, j1 + common)
        self._block("insert", i2, i2, j1 + common, j2)

    def _pair(self, i: int, j: int) -> None:
        if self.left_keys[i] == self.right_keys[j]:
            self._block("equal", i, i + 1, j, j + 1)
            return
        self._block("replace", i, i + 1, j, j + 1)


def _pair_by_similarity(left: Sequence[str], right: Sequence[str]) -> list[tuple[int, int]]:
    """Pairs (in order on both sides) of alike lines, most alike overall; a small block only."""
    left_words = [Counter(line.split()) for line in left]
    right_words = [Counter(line.split()) for line in right]
    n, m = len(left), len(right)
    score = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            best = max(score[i + 1][j], score[i][j + 1])
            alike = _word_overlap(left_words[i], right_words[j])
            if alike >= SIMILAR_LINES:
                best = max(best, alike + score[i + 1][j + 1])
            score[i][j] = best
    pairs: list[tuple[int, int]] = []
    i = j = 0
    while i < n and j < m:
        alike = _word_overlap(left_words[i], right_words[j])
        if alike >= SIMILAR_LINES and score[i][j] == alike + score[i + 1][j + 1]:
            pairs.append((i, j))
            i += 1
            j += 1
        elif score[i][j] == score[i + 1][j]:
            i += 1
        else:
            j += 1
    return pairs


def _word_overlap(left: Counter[str], right: Counter[str]) -> float:
    total = left.total() + right.total()
    if total == 0:
        return 1.0
    return 2 * (left & right).total() / total


def _change_runs(blocks: list[DiffBlock], left: list[str]) -> list[tuple[int, int]]:
    """Runs of differing rows; a blank line or two left alike inside a rewrite does not split it."""
    runs: list[tuple[int, int]] = []
    bridge: int | None = None  # where a short run of equal blank rows began
    for block in blocks:
        if block.tag == "equal":
            blank = block.row_count <= 2 and not any(
                left[i].strip() for i in range(block.left_start, block.left_end)
            )
            bridge = block.row_start if blank and runs and runs[-1][1] == block.row_start else None
            continue
        end = block.row_start + block.row_count
        if runs and (runs[-1][1] == block.row_start or bridge is not None):
            runs[-1] = (runs[-1][0], end)
        else:
            runs.append((block.row_start, end))
        bridge = None
    return runs


def _hunks(changes: list[tuple[int, int]], row_count: int, context: int) -> list[tuple[int, int]]:
    hunks: list[tuple[int, int]] = []
    for start, end in changes:
        low, high = max(0, start - context), min(row_count, end + context)
        if hunks and low <= hunks[-1][1]:
            hunks[-1] = (hunks[-1][0], high)
        else:
            hunks.append((low, high))
    return hunks


def _range_text(lines: list[int], position: int) -> str:
    """A hunk's range as diff -u writes it; an empty one names the line it follows."""
    if not lines:
        return f"{position},0"
    return f"{lines[0] + 1},{len(lines)}"
