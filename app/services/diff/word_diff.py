"""The changed words of a changed line: what the aligned diff marks inside a line pair.

The common head and tail of the two lines are found by comparing slices (C
speed, even on a 100 KB line); only the middle is cut into words and aligned
with :class:`difflib.SequenceMatcher`, and a pair with too little in common is
marked whole without running the matcher at all.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from difflib import SequenceMatcher

Span = tuple[int, int]
"""A changed stretch of a line: start and end character offsets."""

LINE_CHAR_LIMIT = 40_000
"""Characters (both sides) past which the changed middle of a line is marked whole, not by word."""

SIMILAR_LINES = 0.35
"""Below this share of common words two paired lines are marked whole, not word by word."""

_TOKEN = re.compile(r"\d+(?:[.,]\d+)*%?|\w+|[^\w\s]")
"""Numbers whole ("0.9731", "455,618", "9.4%"), words, and single punctuation marks."""


def word_spans(left: str, right: str) -> tuple[tuple[Span, ...], tuple[Span, ...], float]:
    """The changed stretches of two versions of a line, and how alike they are (0 to 1)."""
    left_spans, right_spans, similarity, _cost = line_spans(left, right)
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


def line_spans(left: str, right: str) -> tuple[tuple[Span, ...], tuple[Span, ...], float, int]:
    """Changed stretches of a line pair, their likeness (0 to 1), and the work it took.

    The common head and tail are found by comparing slices (fast even on a
    100 KB line), then only the middle is compared word by word, unless it is
    longer than LINE_CHAR_LIMIT, when it is marked whole.
    """
    head = _common_prefix(left, right)
    tail = _common_prefix(left[head:][::-1], right[head:][::-1])
    # Never cut a token: a change inside a word or a number marks all of it.
    while head and (
        _joined(left[head - 1], left[head : head + 1])
        or _joined(left[head - 1], right[head : head + 1])
    ):
        head -= 1
    while tail and (
        _joined(left[len(left) - tail - 1 : len(left) - tail], left[len(left) - tail])
        or _joined(right[len(right) - tail - 1 : len(right) - tail], left[len(left) - tail])
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
        return whole_line(left), whole_line(right), (kept + 2 * overlap) / total, middle
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


def is_word(char: str) -> bool:
    """Whether ``char`` is a letter, digit or underscore (a word character); False for ""."""
    return bool(char) and (char.isalnum() or char == "_")


def _joined(before: str, after: str) -> bool:
    """Whether two neighbouring characters belong to one token (a word, or a number)."""
    if not before or not after:
        return False
    if is_word(before) and is_word(after):
        return True
    return (before.isdigit() and after in ".,%") or (before in ".," and after.isdigit())


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
        if len(gap) <= 3 and not any(is_word(char) for char in gap):
            spans[-1] = (spans[-1][0], end)
            return
    spans.append((start, end))


def whole_line(line: str) -> tuple[Span, ...]:
    """The span covering all of ``line`` (none for an empty line)."""
    return ((0, len(line)),) if line else ()
