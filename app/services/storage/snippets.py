"""A search hit's snippet: a few words of the card around the matched ones, which it marks.

Made here, from the card's text, the same way on SQLite and PostgreSQL: each
word searched for matches the words of the text that start with it, whatever
their case and accents, as the full-text index matched them (both indexes
fold accents: "resume" finds "résumé", which is then marked too).  Made for the hits a search
returns only (measured at 100,000 card versions: FTS5's ``snippet()`` in the
ranking statement is worked out for every ranked match, up to 10,000, and
cost a quarter more per search).  Bounded: only the start of a very long text
is looked through.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from itertools import islice

SNIPPET_WORDS = 14
"""How many words of a card a search hit's snippet shows."""

CONTEXT_WORDS = 3
"""Words shown before the first matched word, when the text goes on before it."""

ELLIPSIS = "…"
"""Where a snippet cuts the card's text."""

SCANNED_AT_MOST = 200_000
"""Characters of a card's text looked through for a snippet (a hostile card stays quick)."""

_TOKEN = re.compile(r"[^\W_]+")
"""A word, as the full-text index cuts the text: letters and digits (``_`` separates)."""

_SPACES = re.compile(r"\s+")

MATCHES_AT_MOST = 1000
"""Matched words weighed when choosing where a snippet starts (the first ones)."""

_SPAN_CHARACTERS = 120
"""How far after a matched word others count towards the same snippet (about its length)."""


@dataclass(frozen=True)
class Snippet:
    """A few words of a matching card version, and where the matched words are in them."""

    text: str
    matches: tuple[tuple[int, int], ...] = ()
    """``(start, end)`` character offsets of each matched word in ``text``, in order."""

    def pieces(self) -> list[tuple[str, bool]]:
        """``text`` cut into runs, each with whether it is a matched word."""
        out: list[tuple[str, bool]] = []
        at = 0
        for start, end in self.matches:
            if start > at:
                out.append((self.text[at:start], False))
            out.append((self.text[start:end], True))
            at = end
        if at < len(self.text):
            out.append((self.text[at:], False))
        return out

    def leading_to_match(self, words_before: int = CONTEXT_WORDS) -> Snippet:
        """The same snippet starting at most ``words_before`` words before its first match.

        A narrow column shows two lines of a snippet: the matched word must be in them.
        """
        if not self.matches:
            return self
        cut = self.matches[0][0]
        for _ in range(words_before + 1):
            space = self.text.rfind(" ", 0, cut)
            if space <= 0:
                return self
            cut = space
        shift = cut + 1 - len(ELLIPSIS)
        matches = tuple((start - shift, end - shift) for start, end in self.matches)
        return Snippet(ELLIPSIS + self.text[cut + 1 :], matches)


NO_SNIPPET = Snippet("")
"""A hit shown without a snippet."""


@cache
def _unaccented() -> dict[int, int]:
    """Each accented letter (before U+3000) and the letter under its accents: é → e, Å → A.

    Letters whose canonical decomposition is one base letter and combining marks
    only, as FTS5's ``remove_diacritics`` folds them; one character for one, so
    that offsets in the folded text are offsets in the text.
    """
    table: dict[int, int] = {}
    for code in range(0x80, 0x3000):
        parts = unicodedata.normalize("NFD", chr(code))
        marks = parts[1:]
        if marks and not unicodedata.combining(parts[0]) and all(map(unicodedata.combining, marks)):
            table[code] = ord(parts[0])
    return table


def fold(text: str) -> str:
    """``text`` with its accents taken off, character for character (the same length)."""
    return text if text.isascii() else text.translate(_unaccented())


def word_pattern(words: list[str]) -> re.Pattern[str] | None:
    """The words of the text that start with one of ``words`` (their ``_`` parts), any case.

    The pattern is of folded words: match it in :func:`fold`'s text (see :func:`word_spans`).
    """
    parts = sorted({fold(part) for word in words for part in word.split("_") if part}, key=len)
    if not parts:
        return None
    alternatives = "|".join(re.escape(part) for part in reversed(parts))
    return re.compile(rf"(?<![^\W_])(?:{alternatives})[^\W_]*", re.IGNORECASE)


def word_spans(pattern: re.Pattern[str], text: str) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of each word of ``text`` that ``pattern`` matches, accents or not."""
    return (match.span() for match in pattern.finditer(fold(text)))


def make_snippet(text: str, words: list[str], size: int = SNIPPET_WORDS) -> Snippet:
    """About ``size`` words of ``text`` around the most matched words, each matched word marked."""
    pattern = word_pattern(words)
    scanned = text[:SCANNED_AT_MOST]
    folded = fold(scanned)
    found = list(islice(pattern.finditer(folded), MATCHES_AT_MOST)) if pattern is not None else []
    anchor = _best_anchor(found)
    start = _words_back(scanned, anchor, CONTEXT_WORDS) if found else 0
    tokens = _TOKEN.finditer(scanned, start)
    end = start
    for _count, token in zip(range(size), tokens, strict=False):
        end = token.end()
    shown = _SPACES.sub(" ", scanned[start:end]).strip()
    if not shown:
        return NO_SNIPPET
    before = ELLIPSIS if _TOKEN.search(scanned, 0, start) else ""
    after = ELLIPSIS if _TOKEN.search(text, end) else ""
    shown = before + shown + after
    marks = tuple(word_spans(pattern, shown)) if pattern is not None else ()
    return Snippet(shown, marks)


def _best_anchor(found: list[re.Match[str]]) -> int:
    """Where the stretch with the most different matched words starts (the first on a tie).

    One pass: a window of the matches within :data:`_SPAN_CHARACTERS` of its first.
    """
    best, best_count = 0, 0
    counts: Counter[str] = Counter()
    end = 0
    for match in found:
        while end < len(found) and found[end].start() - match.start() < _SPAN_CHARACTERS:
            counts[found[end].group().lower()] += 1
            end += 1
        if len(counts) > best_count:
            best, best_count = match.start(), len(counts)
        word = match.group().lower()
        counts[word] -= 1
        if not counts[word]:
            del counts[word]
    return best


def _words_back(text: str, position: int, count: int) -> int:
    """Where the ``count``-th word before ``position`` starts (the text's start if fewer)."""
    window = text[max(0, position - 40 * count) : position]
    starts = [token.start() for token in _TOKEN.finditer(window)]
    if len(starts) < count:
        return max(0, position - len(window)) if len(window) < 40 * count else position
    return position - len(window) + starts[-count]
