"""The README reader's sections and the report's Markdown (markdown-it-py) find the same headings.

The reader keeps its own line cutter (about eight times faster than markdown-it-py
on hostile cards of tens of thousands of headings); this test holds the two to
one reading of what a heading is, on cards written here and on the corpus.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from countersign.formats.huggingface.markdown import outline, split_lines

_COMMONMARK = MarkdownIt("commonmark", {"html": True}).enable("table")

CARD = """\
# Router

Intro with a [link](https://example.org) and `code`.

Uses
====

Text.

```python
# a comment, not a heading
```

~~~
## inside a tilde fence
~~~

<!--
# commented out
-->

- # inside a list item

> # inside a quote

| Metric | Value |
| --- | --- |
| auc | 0.9 |

## Limitations ##

Setext two
----------

###### Six
"""


def _reader(text: str) -> list[tuple[int, int]]:
    cut = outline(split_lines(text), 1)
    return [(b.heading.line, b.heading.level) for b in cut.blocks if b.heading]


def _commonmark(text: str) -> list[tuple[int, int]]:
    return [
        (token.map[0] + 1, int(token.tag[1]))
        for token in _COMMONMARK.parse(text)
        if token.type == "heading_open" and token.level == 0 and token.map
    ]


def test_the_reader_and_commonmark_find_the_same_headings() -> None:
    assert (
        _reader(CARD)
        == _commonmark(CARD)
        == [
            (1, 1),
            (5, 1),
            (30, 2),
            (32, 2),
            (35, 6),
        ]
    )


def test_fenced_code_lines_are_the_fences_commonmark_sees() -> None:
    lines = split_lines(CARD)
    fences = set()
    for token in _COMMONMARK.parse(CARD):
        if token.type == "fence" and token.map:
            fences.update(range(*token.map))
    assert outline(lines, 1).code_lines == fences


@pytest.mark.parametrize(
    ("text", "reader", "commonmark"),
    [
        # Known differences, kept on purpose: the cutter does not take a setext
        # heading over several lines, and it opens a section at a heading inside
        # an HTML block (which the Hub would show as raw text).
        ("a\nb\n---\n", [], [(1, 2)]),
        ("<details>\n# inside\n</details>\n", [(2, 1)], []),
    ],
)
def test_the_known_differences(
    text: str, reader: list[tuple[int, int]], commonmark: list[tuple[int, int]]
) -> None:
    assert (_reader(text), _commonmark(text)) == (reader, commonmark)


def test_the_corpus_cards_have_the_same_headings_both_ways(corpus: Path) -> None:
    for path in sorted((corpus / "hf").iterdir()):
        text = path.read_text(encoding="utf-8-sig")
        lines = split_lines(text)
        if lines[0].rstrip() == "---":  # the front matter is not the body
            closing = next(i for i in range(1, len(lines)) if lines[i].rstrip() == "---")
            text = "\n".join(lines[closing + 1 :])
        assert _reader(text) == _commonmark(text), path.name
