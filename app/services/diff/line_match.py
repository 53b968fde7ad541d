"""Aligning two lists of lines: which are equal, replaced, deleted, inserted.

Lines are matched first on anchors, lines that occur exactly once on each
side, kept in order (the longest increasing run, as patience diff does); then,
between anchors, :class:`difflib.SequenceMatcher` aligns what is left, with our
own junk rule (lines frequent in that gap are junk) instead of difflib's
autojunk, which only starts at 200 lines and then hides structure.  Both steps
are near-linear, so two 50,000-line texts align in a fraction of a second.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Sequence
from difflib import SequenceMatcher
from itertools import compress, islice
from operator import lt
from typing import NamedTuple

Opcode = tuple[str, int, int, int, int]
"""``(tag, left_start, left_end, right_start, right_end)`` as difflib's opcodes."""

MATCH_WORK = 200_000
"""Pairs of equal lines the line matcher may visit in one gap before more lines are made junk."""

_ANCHOR_DEPTH = 6


def line_opcodes(left: Sequence[str], right: Sequence[str]) -> list[Opcode]:
    """``SequenceMatcher``-style opcodes aligning two line lists (equal, replace, delete, insert)."""
    matcher = _LineMatcher(left, right)
    matcher.match(_Gap(0, len(left), 0, len(right)), 0)
    return matcher.out


class _Gap(NamedTuple):
    """The lines ``a[alo:ahi]`` and ``b[blo:bhi]``, still to align."""

    alo: int
    ahi: int
    blo: int
    bhi: int


class _LineMatcher:
    """One alignment in progress: the two line lists, and the opcodes found so far."""

    def __init__(self, a: Sequence[str], b: Sequence[str]) -> None:
        self.a = a
        self.b = b
        self.out: list[Opcode] = []

    def emit(self, tag: str, i1: int, i2: int, j1: int, j2: int) -> None:
        """Add an opcode, merged into the last one when it continues it."""
        if i1 == i2 and j1 == j2:
            return
        out = self.out
        if out:
            last = out[-1]
            if last[0] == tag and last[2] == i1 and last[4] == j1:
                out[-1] = (tag, last[1], i2, last[3], j2)
                return
        out.append((tag, i1, i2, j1, j2))

    def match(self, gap: _Gap, depth: int) -> None:
        """Align ``gap``: equal ends first, then on anchors, then with difflib."""
        a, b = self.a, self.b
        alo, ahi, blo, bhi = gap
        start_a, start_b = alo, blo
        while alo < ahi and blo < bhi and a[alo] == b[blo]:
            alo += 1
            blo += 1
        self.emit("equal", start_a, alo, start_b, blo)
        end_a, end_b = ahi, bhi
        while ahi > alo and bhi > blo and a[ahi - 1] == b[bhi - 1]:
            ahi -= 1
            bhi -= 1
        inner = _Gap(alo, ahi, blo, bhi)
        if alo == ahi or blo == bhi:
            self.emit("delete" if blo == bhi else "insert", alo, ahi, blo, bhi)
        else:
            anchors = _unique_anchors(a, b, inner) if depth < _ANCHOR_DEPTH else []
            if anchors:
                self._match_between(inner, anchors, depth)
            else:
                self._sequence_match(inner)
        self.emit("equal", ahi, end_a, bhi, end_b)

    def _match_between(self, gap: _Gap, anchors: list[tuple[int, int]], depth: int) -> None:
        """Align ``gap`` with ``anchors`` equal, and each stretch between them in turn."""
        a, b = self.a, self.b
        i0, j0 = gap.alo, gap.blo
        run_i, run_j = i0, j0  # where the pending run of equal lines starts
        for i, j in anchors:
            # Equal lines after an anchor extend the run without a call.
            while i0 < i and j0 < j and a[i0] == b[j0]:
                i0 += 1
                j0 += 1
            if i0 != i or j0 != j:
                self.emit("equal", run_i, i0, run_j, j0)
                self.match(_Gap(i0, i, j0, j), depth + 1)
                run_i, run_j = i, j
            i0, j0 = i + 1, j + 1
        self.emit("equal", run_i, i0, run_j, j0)
        if i0 != gap.ahi or j0 != gap.bhi:
            self.match(_Gap(i0, gap.ahi, j0, gap.bhi), depth + 1)

    def _sequence_match(self, gap: _Gap) -> None:
        alo, ahi, blo, bhi = gap
        a_part = self.a[alo:ahi]
        b_part = self.b[blo:bhi]
        matcher = SequenceMatcher(_junk_rule(a_part, b_part), a_part, b_part, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            self.emit(tag, i1 + alo, i2 + alo, j1 + blo, j2 + blo)


def _unique_anchors(a: Sequence[str], b: Sequence[str], gap: _Gap) -> list[tuple[int, int]]:
    """Lines found exactly once on each side, the longest run of them in the same order."""
    alo, ahi, blo, bhi = gap
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


def _junk_rule(a_part: Sequence[str], b_part: Sequence[str]) -> Callable[[str], bool] | None:
    """Which lines of a gap are junk to the line matcher (None: no line is)."""
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
    return frequent.__contains__ if frequent else None
