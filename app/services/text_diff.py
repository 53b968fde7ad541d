"""Aligned side-by-side line diffs with the changed words marked inside changed lines.

The engine behind the Compare tab, ``countersign diff`` and the report's
"changes since" section.  It must stay fast on big cards (two 50,000-line texts
within a second) and must never go quadratic on a rewritten block, so:

* lines are matched first on anchors, lines that occur exactly once on each
  side, kept in order (the longest increasing run, as patience diff does);
* between anchors, :class:`difflib.SequenceMatcher` aligns what is left, with
  our own junk rule (lines frequent in that gap are junk) instead of difflib's
  autojunk, which only starts at 200 lines and then hides structure;
* words are compared only inside the line pairs of a changed block, under a
  total budget of tokens; past it, or in a huge replaced block, lines are shown
  as deleted then inserted, unmarked.

``HtmlDiff`` and ``ndiff`` are never used: both compare every line of a
replaced block with every other, which is quadratic.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from itertools import compress, islice
from operator import lt
from typing import Literal

RowTag = Literal["equal", "replace", "delete", "insert"]
"""What a row of the aligned diff shows: both sides alike, a changed pair, left only, right only."""

Span = tuple[int, int]
"""A changed stretch of a line: start and end character offsets."""

HUGE_REPLACE_LINES = 3_000
"""A replaced block longer than this on either side is shown as deletion then insertion."""

WORD_BUDGET = 2_000_000
"""Characters the word-level pass may compare in one diff; past it, changed lines are marked whole."""

LINE_CHAR_LIMIT = 40_000
"""Characters (both sides) past which the changed middle of a line is marked whole, not by word."""

MATCH_WORK = 200_000
"""Pairs of equal lines the line matcher may visit in one gap before more lines are made junk."""

PAIRING_LIMIT = 400
"""Replaced blocks up to this many line pairs (left x right) are paired by similarity."""

SIMILAR_LINES = 0.35
"""Below this share of common words two paired lines are marked whole, not word by word."""

_ANCHOR_DEPTH = 6
_TOKEN = re.compile(r"\w+|[^\w\s]")
"""Words and single punctuation marks: what the word-level pass compares."""

Opcode = tuple[str, int, int, int, int]


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
            spans = (_whole(self.left_lines[left]), _whole(self.right_lines[right]))
        return DiffRow("replace", left, right, spans[0], spans[1])

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
            out.append(f"@@ -{_range_text(lefts)} +{_range_text(rights)} @@")
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
    lines = text.replace("\r\n", "\n").split("\n")
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
        _spans=builder.spans,
    )


def word_spans(left: str, right: str) -> tuple[tuple[Span, ...], tuple[Span, ...], float]:
    """The changed stretches of two versions of a line, and how alike they are (0 to 1)."""
    left_spans, right_spans, similarity, _cost = _line_spans(left, right)
    return left_spans, right_spans, similarity


def mark_spans(text: str, spans: Sequence[Span], opening: str, closing: str) -> str:
    """``text`` with each span wrapped in ``opening`` and ``closing``."""
    parts: list[str] = []
    position = 0
    for start, end in spans:
        parts.append(text[position:start])
        parts.append(opening + text[start:end] + closing)
        position = end
    parts.append(text[position:])
    return "".join(parts)


# -- line matching ------------------------------------------------------------------


def line_opcodes(left: Sequence[str], right: Sequence[str]) -> list[Opcode]:
    """``SequenceMatcher``-style opcodes aligning two line lists (equal, replace, delete, insert)."""
    out: list[Opcode] = []
    _match_range(left, right, 0, len(left), 0, len(right), out, 0)
    return out


def _emit(out: list[Opcode], tag: str, i1: int, i2: int, j1: int, j2: int) -> None:
    if i1 == i2 and j1 == j2:
        return
    if out:
        last = out[-1]
        if last[0] == tag and last[2] == i1 and last[4] == j1:
            out[-1] = (tag, last[1], i2, last[3], j2)
            return
    out.append((tag, i1, i2, j1, j2))


def _match_range(
    a: Sequence[str],
    b: Sequence[str],
    alo: int,
    ahi: int,
    blo: int,
    bhi: int,
    out: list[Opcode],
    depth: int,
) -> None:
    start_a, start_b = alo, blo
    while alo < ahi and blo < bhi and a[alo] == b[blo]:
        alo += 1
        blo += 1
    _emit(out, "equal", start_a, alo, start_b, blo)
    end_a, end_b = ahi, bhi
    while ahi > alo and bhi > blo and a[ahi - 1] == b[bhi - 1]:
        ahi -= 1
        bhi -= 1
    if alo == ahi or blo == bhi:
        _emit(out, "delete" if blo == bhi else "insert", alo, ahi, blo, bhi)
    else:
        anchors = _unique_anchors(a, b, alo, ahi, blo, bhi) if depth < _ANCHOR_DEPTH else []
        if anchors:
            i0, j0 = alo, blo
            run_i, run_j = alo, blo  # where the pending run of equal lines starts
            for i, j in anchors:
                # Equal lines after an anchor extend the run without a call.
                while i0 < i and j0 < j and a[i0] == b[j0]:
                    i0 += 1
                    j0 += 1
                if i0 != i or j0 != j:
                    _emit(out, "equal", run_i, i0, run_j, j0)
                    _match_range(a, b, i0, i, j0, j, out, depth + 1)
                    run_i, run_j = i, j
                i0, j0 = i + 1, j + 1
            _emit(out, "equal", run_i, i0, run_j, j0)
            if i0 != ahi or j0 != bhi:
                _match_range(a, b, i0, ahi, j0, bhi, out, depth + 1)
        else:
            _sequence_match(a, b, alo, ahi, blo, bhi, out)
    _emit(out, "equal", ahi, end_a, bhi, end_b)


def _unique_anchors(
    a: Sequence[str], b: Sequence[str], alo: int, ahi: int, blo: int, bhi: int
) -> list[tuple[int, int]]:
    """Lines found exactly once on each side, the longest run of them in the same order."""
    # Built from C-level iterators: on 50,000 lines a Python loop per line costs more
    # than everything else the anchor search does.
    a_part = a[alo:ahi]
    b_part = b[blo:bhi]
    count_a = Counter(a_part)
    count_b = Counter(b_part)
    once = (1).__eq__
    unique = set(compress(count_a, map(once, count_a.values())))
    unique.intersection_update(compress(count_b, map(once, count_b.values())))
    if not unique:
        return []
    position_b = dict(zip(b_part, range(blo, bhi), strict=True))
    in_both = list(map(unique.__contains__, a_part))
    rows_a = list(compress(range(alo, ahi), in_both))
    rows_b = list(map(position_b.__getitem__, compress(a_part, in_both)))
    return _longest_increasing(rows_a, rows_b)


def _longest_increasing(rows_a: list[int], rows_b: list[int]) -> list[tuple[int, int]]:
    """The longest run of pairs ``(rows_a[k], rows_b[k])`` in which ``rows_b`` increases too."""
    if all(map(lt, rows_b, islice(rows_b, 1, None))):
        return list(zip(rows_a, rows_b, strict=True))
    tails: list[int] = []
    tail_index: list[int] = []
    previous = [-1] * len(rows_b)
    for index, j in enumerate(rows_b):
        if not tails or j > tails[-1]:
            position = len(tails)
            tails.append(j)
            tail_index.append(index)
        else:
            position = bisect_left(tails, j)
            tails[position] = j
            tail_index[position] = index
        previous[index] = tail_index[position - 1] if position else -1
    result: list[tuple[int, int]] = []
    index = tail_index[-1] if tail_index else -1
    while index >= 0:
        result.append((rows_a[index], rows_b[index]))
        index = previous[index]
    result.reverse()
    return result


def _sequence_match(
    a: Sequence[str], b: Sequence[str], alo: int, ahi: int, blo: int, bhi: int, out: list[Opcode]
) -> None:
    a_part = a[alo:ahi]
    b_part = b[blo:bhi]
    # Lines frequent in this gap (blank lines, table rules) are junk: they may
    # extend a match but never anchor one.  Past a few, and while the pairs of
    # equal lines the matcher would visit exceed MATCH_WORK, the most frequent
    # lines are made junk too, which keeps the matcher near-linear.
    count_a = Counter(a_part)
    count_b = Counter(b_part)
    limit = max(3, len(b_part) // 100 + 1)
    frequent = {line for line, count in count_b.items() if count > limit}
    work = [
        (count * count_a[line], line)
        for line, count in count_b.items()
        if line not in frequent and line in count_a
    ]
    total = sum(pairs for pairs, _line in work)
    if total > MATCH_WORK:
        for pairs, line in sorted(work, reverse=True):
            if total <= MATCH_WORK:
                break
            frequent.add(line)
            total -= pairs
    isjunk: Callable[[str], bool] | None = frequent.__contains__ if frequent else None
    matcher = SequenceMatcher(isjunk, a_part, b_part, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        _emit(out, tag, i1 + alo, i2 + alo, j1 + blo, j2 + blo)


# -- rows and words -----------------------------------------------------------------


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
        self.spans: dict[int, tuple[tuple[Span, ...], tuple[Span, ...]]] = {}
        self.row = 0
        self.budget = WORD_BUDGET

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
        row = self.row
        self._block("replace", i, i + 1, j, j + 1)
        if self.budget <= 0:
            return
        left_spans, right_spans, similarity, cost = _line_spans(self.left[i], self.right[j])
        self.budget -= cost
        if similarity >= SIMILAR_LINES:
            self.spans[row] = (left_spans, right_spans)


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


def _line_spans(left: str, right: str) -> tuple[tuple[Span, ...], tuple[Span, ...], float, int]:
    """Changed stretches of a line pair, their likeness (0 to 1), and the work it took.

    The common head and tail are found by comparing slices (fast even on a
    100 KB line), then only the middle is compared word by word, unless it is
    longer than LINE_CHAR_LIMIT, when it is marked whole.
    """
    head = _common_prefix(left, right)
    tail = _common_prefix(left[head:][::-1], right[head:][::-1])
    # Never cut a word: a change inside a word marks the whole word.
    while (
        head
        and _is_word(left[head - 1])
        and (_is_word(left[head : head + 1]) or _is_word(right[head : head + 1]))
    ):
        head -= 1
    while (
        tail
        and _is_word(left[len(left) - tail])
        and (
            _is_word(left[len(left) - tail - 1 : len(left) - tail])
            or _is_word(right[len(right) - tail - 1 : len(right) - tail])
        )
    ):
        tail -= 1
    left_end, right_end = len(left) - tail, len(right) - tail
    total = _visible(left) + _visible(right)
    kept = 2 * (_visible(left[:head]) + _visible(left[left_end:]))
    middle = (left_end - head) + (right_end - head)
    if (
        middle > LINE_CHAR_LIMIT
        or not left[head:left_end].strip()
        or not right[head:right_end].strip()
    ):
        similarity = 1.0 if total == 0 else kept / total
        return _span(head, left_end), _span(head, right_end), similarity, middle
    a = _TOKEN.findall(left, head, left_end)
    b = _TOKEN.findall(right, head, right_end)
    if a == b:
        # Same words, different spacing: mark the stretch where the spacing differs.
        return _span(head, left_end), _span(head, right_end), 1.0, middle
    # An upper bound on the words in common: a pair that cannot reach SIMILAR_LINES
    # is marked whole without running the matcher, so a rewritten block costs little.
    overlap = sum(len(word) * count for word, count in (Counter(a) & Counter(b)).items())
    if total and (kept + 2 * overlap) / total < SIMILAR_LINES:
        return _whole(left), _whole(right), (kept + 2 * overlap) / total, middle
    left_tokens = _token_offsets(left, head, left_end)
    right_tokens = _token_offsets(right, head, right_end)
    matcher = SequenceMatcher(None, a, b, autojunk=len(b) > 2_000)
    left_spans: list[Span] = []
    right_spans: list[Span] = []
    common = 0
    i = j = 0
    for block in matcher.get_matching_blocks():
        if block.a > i:
            _add_span(left_spans, left, left_tokens[i][0], left_tokens[block.a - 1][1])
        if block.b > j:
            _add_span(right_spans, right, right_tokens[j][0], right_tokens[block.b - 1][1])
        common += sum(map(len, a[block.a : block.a + block.size]))
        i, j = block.a + block.size, block.b + block.size
    similarity = 1.0 if total == 0 else (kept + 2 * common) / total
    return tuple(left_spans), tuple(right_spans), similarity, middle


def _common_prefix(left: str, right: str) -> int:
    """Length of the common start of two strings, by bisection on slices (C speed)."""
    low, high = 0, min(len(left), len(right))
    if left[:high] == right[:high]:
        return high
    high -= 1  # left[:high + 1] differs from right[:high + 1]
    while low < high:
        mid = (low + high + 1) // 2
        if left[:mid] == right[:mid]:
            low = mid
        else:
            high = mid - 1
    return low


def _is_word(char: str) -> bool:
    return bool(char) and (char.isalnum() or char == "_")


def _visible(text: str) -> int:
    """Characters of ``text`` that are not whitespace (likeness ignores spacing)."""
    return len("".join(text.split()))


def _token_offsets(line: str, start: int, end: int) -> list[tuple[int, int]]:
    """Where each word and punctuation mark of ``line[start:end]`` lies in ``line``."""
    return [match.span() for match in _TOKEN.finditer(line, start, end)]


def _span(start: int, end: int) -> tuple[Span, ...]:
    return ((start, end),) if end > start else ()


def _add_span(spans: list[Span], text: str, start: int, end: int) -> None:
    # Changed stretches apart by only spacing or a mark or two ("455,618") read as one.
    if spans:
        gap = text[spans[-1][1] : start]
        if len(gap) <= 3 and not any(_is_word(char) for char in gap):
            spans[-1] = (spans[-1][0], end)
            return
    spans.append((start, end))


def _whole(line: str) -> tuple[Span, ...]:
    return ((0, len(line)),) if line else ()


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


def _range_text(lines: list[int]) -> str:
    if not lines:
        return "0,0"
    return f"{lines[0] + 1},{len(lines)}"
