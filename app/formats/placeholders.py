"""Template placeholders: text a card template put there, which says nothing about the model.

An unfilled Hugging Face template card says ``[More Information Needed]``
under every heading, "Model ID" in its title and stock sentences such as
"Use the code below to get started with the model."; other templates leave
``{{ variables }}`` or "TBD".  Such a section is missing, not content: the
readers read it as empty and record a warning whose message starts with
:data:`PLACEHOLDER_MARK`, so that the card view and the report can say how many
sections were left as the template's placeholder.

Everything here works line by line with anchored patterns that cannot
backtrack far, so the cost stays linear in the text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

PLACEHOLDER_MARK = "placeholder: "
"""How the message of every placeholder warning begins."""

_TOKEN = re.compile(
    r"\[?\s*more\s+information\s+needed\s*\.?\s*\]?"
    r"|\{\{[^{}\n]{0,200}\}\}"
    r"|\[?(?:tbd|tba|tbc|todo|to\s+be\s+(?:added|determined|announced|confirmed|completed)"
    r"|coming\s+soon|fill\s+(?:me|this)\s+in|insert\s+[\w\s]{1,40}\s+here)\]?\.?",
    re.IGNORECASE,
)
# "- **Developed by:** ", "* Repository: ", "1. " and the like before a value.
_LABEL = re.compile(
    r"\s{0,3}(?:[-*+]\s+|\d{1,3}[.)]\s+)?(?:\*\*[^*\n]{1,80}\*\*|[^:\n]{1,60}:)?\s*"
)
_BULLET = re.compile(r"\s{0,3}(?:[-*+]|\d{1,3}[.)])\s+")
_LABEL_ONLY = re.compile(r"\s{0,3}(?:[-*+]\s+)?\*\*[^*\n]{1,80}:?\*\*:?\s*")
_HEADING = re.compile(r"#{1,6}\s")
_COMMENT_OPEN = "<!--"
_COMMENT_CLOSE = "-->"

STOCK_SENTENCES = (
    "This is the model card of a 🤗 transformers model that has been pushed on the Hub. "
    "This model card has been automatically generated.",
    "Use the code below to get started with the model.",
    "Users (both direct and downstream) should be made aware of the risks, biases and "
    "limitations of the model. More information needed for further recommendations.",
    "Carbon emissions can be estimated using the [Machine Learning Impact calculator]"
    "(https://mlco2.github.io/impact#compute) presented in [Lacoste et al. (2019)]"
    "(https://arxiv.org/abs/1910.09700).",
)
"""Sentences of the Hugging Face model card template that say nothing about a model."""

_STOCK = frozenset(" ".join(sentence.lower().split()) for sentence in STOCK_SENTENCES)
_TEMPLATE_NAMES = frozenset({"model id", "{model_id}", "model name", "your model name"})


def _without_comments(text: str) -> tuple[str, bool]:
    """``text`` with HTML comments removed, and whether there were any."""
    parts: list[str] = []
    position = 0
    found = False
    while True:
        start = text.find(_COMMENT_OPEN, position)
        if start < 0:
            parts.append(text[position:])
            return "".join(parts), found
        end = text.find(_COMMENT_CLOSE, start + len(_COMMENT_OPEN))
        if end < 0:
            parts.append(text[position:])
            return "".join(parts), found
        found = True
        parts.append(text[position:start])
        position = end + len(_COMMENT_CLOSE)


_STOCK_FIRST_WORDS = frozenset(sentence.split(" ", 1)[0] for sentence in _STOCK)


_MAY_OPEN = frozenset("[{mMtTcCfFiI\u0130\u0131uU")
"""Every character a placeholder can start with: a bracket, or a letter that (ignoring case,
as :data:`_TOKEN` and the stock sentences' first words are matched) opens one of their words;
``İ`` and ``ı`` match ``i`` ignoring case."""


def placeholder_value(value: str) -> str | None:
    """The placeholder ``value`` is, as written (``"TBD"``), or ``None`` when it says something."""
    stripped = value.strip().strip("*_`").strip()
    if not stripped or stripped[0] not in _MAY_OPEN:
        return None  # most text: it cannot start a placeholder
    if _TOKEN.fullmatch(stripped):
        return stripped
    # Only text that starts with a stock sentence's first word is folded to compare (lowering
    # works word by word: it neither makes nor takes away a space).
    first = stripped.split(None, 1)[0].lower() if stripped else ""
    if first in _STOCK_FIRST_WORDS and " ".join(stripped.lower().split()) in _STOCK:
        return stripped
    return None


def placeholder_only(text: str) -> str | None:
    """When ``text`` holds nothing but template placeholders, the first one; else ``None``.

    HTML comments (the template's guidance), the template's stock sentences,
    subheadings, bold labels with nothing after them and ``label: [More
    Information Needed]`` lines are placeholders; any other word is content.  Empty text is no
    placeholder: it was simply left empty.
    """
    visible, had_comments = _without_comments(text)
    first: str | None = None
    for line in visible.split("\n"):
        flat = _flat(line)
        for sentence, opening in _STOCK_OPENINGS:
            if opening in flat and sentence in flat:
                flat = flat.replace(sentence, "")
                first = first or sentence
        if not flat.strip() or _HEADING.match(flat):
            continue  # a subheading is the template's scaffolding, not content
        found = _placeholder_line(flat)
        if found is None:
            return None
        first = first or found or None
    if first is None and had_comments:
        return "<!-- … -->"
    return first


_STOCK_OPENINGS = tuple((sentence, sentence[:12]) for sentence in STOCK_SENTENCES)
"""Each stock sentence with its first words, looked for first (a short search is quicker)."""

_SPACES_BUT_SPACE = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f"
"""The ASCII characters other than the space that ``str.split()`` splits at."""


def _flat(line: str) -> str:
    """``" ".join(line.split())``: the line with its spaces single and none at either end.

    An ASCII line that is so already (most prose) is taken as it is, without the
    splitting and joining.
    """
    if (
        line.isascii()
        and "  " not in line
        and line[:1] != " "
        and line[-1:] != " "
        and not any(space in line for space in _SPACES_BUT_SPACE)
    ):
        return line
    return " ".join(line.split())


def _placeholder_line(line: str) -> str | None:
    """The placeholder a line holds ("" for a bare label), or ``None`` when it says something.

    ``line`` is flat (its spaces single, none at either end).
    """
    if _LABEL_ONLY.fullmatch(line):
        return ""
    label = _LABEL.match(line)
    value = line[label.end() :] if label else line
    found = _flat_placeholder_value(value)
    if found is not None:
        return found
    bullet = _BULLET.match(line)
    return _flat_placeholder_value(line[bullet.end() :] if bullet else line)


_LONGEST_STOCK = max(map(len, _STOCK))


def _flat_placeholder_value(value: str) -> str | None:
    """:func:`placeholder_value` of part of a flat line, whose spaces need no folding (and
    which cannot be a stock sentence when longer than the longest: lowering never shortens)."""
    stripped = value.strip().strip("*_`").strip()
    if stripped and _TOKEN.fullmatch(stripped):
        return stripped
    if len(stripped) <= _LONGEST_STOCK and stripped.lower() in _STOCK:
        return stripped
    return None


def is_template_name(name: str) -> bool:
    """Whether a model name is the template's stand-in ("Model ID") rather than a name."""
    return name.strip().lower() in _TEMPLATE_NAMES or placeholder_value(name) is not None


def placeholder_message(place: str, placeholder: str) -> str:
    """The message of a placeholder warning about ``place`` (a section or field)."""
    return (
        f"{PLACEHOLDER_MARK}{place} is left as the template's placeholder "
        f"({placeholder[:60]!r}); read as empty"
    )


def count_placeholders(warnings: Iterable[Mapping[str, str]]) -> int:
    """How many of a card version's warnings (as stored) are placeholder warnings."""
    return sum(1 for warning in warnings if warning.get("message", "").startswith(PLACEHOLDER_MARK))
