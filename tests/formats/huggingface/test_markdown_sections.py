"""The README reader's sections: cut where markdown-it-py (CommonMark with tables) sees headings.

The report renders card text with the same parser, so both agree on what a
heading, a list, a table and a code block are; the cutting keeps every line
of the card as written.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from markdown_it.token import Token

from countersign.formats.huggingface import markdown
from countersign.formats.huggingface.markdown import (
    Block,
    format_items,
    heading_line,
    min_heading_level,
    outline,
    parse_items,
    split_lines,
)

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


def _rejoined(blocks: list[Block]) -> str:
    """The text the blocks were cut from: each heading as written, then its lines."""
    lines: list[str] = []
    for block in blocks:
        if block.heading is not None:
            lines.extend(block.heading.raw.split("\n"))
        lines.extend(block.lines)
    return "\n".join(lines)


def test_sections_open_at_top_level_headings_only() -> None:
    # Not in a fence, an HTML comment, a list item or a quote; ATX closing #s and
    # setext underlines are headings as CommonMark has them.
    assert _reader(CARD) == [(1, 1), (5, 1), (30, 2), (32, 2), (35, 6)]
    titles = [b.heading.title for b in outline(split_lines(CARD), 1).blocks if b.heading]
    assert titles == ["Router", "Uses", "Limitations", "Setext two", "Six"]


def test_code_lines_are_the_fenced_and_indented_code_blocks() -> None:
    lines = split_lines(CARD)
    assert outline(lines, 1).code_lines == {9, 10, 11, 13, 14, 15}
    assert outline(
        split_lines("Text.\n\n    {{ indented code }}\n\n- ```\n  x\n  ```\n"), 1
    ).code_lines == {
        2,
        4,
        5,
        6,
    }


def test_a_setext_heading_may_span_several_lines() -> None:
    blocks = outline(split_lines("a\nb\n---\ntext\n"), 7).blocks
    heading = blocks[1].heading
    assert heading is not None
    assert (heading.level, heading.title, heading.raw, heading.line) == (2, "a\nb", "a\nb\n---", 7)
    assert blocks[1].lines == ["text", ""]


def test_a_heading_inside_an_html_block_is_text_of_its_section() -> None:
    # The Hub shows it as raw text inside the HTML; it opens no section.
    assert _reader("<details>\n# inside\n</details>\n") == []
    assert _reader("<details>\n\n# after a blank line\n\n</details>\n") == [(3, 1)]


def test_the_blocks_keep_every_line_as_written() -> None:
    texts = (
        CARD,
        "a\nb\n---\n",
        "   ## Indented #  \t\nx\r\n\n```\nunclosed\n# fence",
        # Deeper than markdown-it's nesting bound (20 levels): it reads no further
        # blocks after it, so no heading below is cut at, but every line is kept.
        "# Title\n\n" + "1. " * 50 + "x\n\n## After\n\ntext\n",
    )
    for text in texts:
        assert _rejoined(outline(split_lines(text), 1).blocks) == "\n".join(split_lines(text))


def test_a_heading_line_and_the_shallowest_level() -> None:
    heading = heading_line("## Usage ##")
    assert heading is not None and (heading.level, heading.title) == (2, "Usage")
    assert heading_line("## two\n## lines") is None
    assert heading_line("not a heading") is None
    assert min_heading_level("Title\n=\n\n### x") == 1
    assert min_heading_level("```\n# code\n```\n\n- # in a list") == 7


def test_the_corpus_cards_are_cut_without_losing_a_line(corpus: Path) -> None:
    for path in sorted((corpus / "hf").iterdir()):
        lines = split_lines(path.read_text(encoding="utf-8-sig"))
        assert _rejoined(outline(lines, 1).blocks) == "\n".join(lines), path.name


# -- list items, as markdown-it reads them ------------------------------------------


@pytest.mark.parametrize(
    "items",
    [
        ["one", "two"],
        ["Ada Lovelace\nemail: ada@example.org\nrole: owner", "Team B"],
        ["first paragraph\n\nsecond paragraph", "- nested\n- list"],
        ["", "an item after an empty one"],
        ["code:\n\n      indented six", "# not a heading of the card"],
    ],
)
def test_items_written_are_read_back_exactly(items: list[str]) -> None:
    assert parse_items(format_items(items)) == items


def test_a_lazy_continuation_line_belongs_to_its_item() -> None:
    """CommonMark (and the Hub) continue an item's paragraph on an unindented line."""
    assert parse_items("- credit decisions for\napplicants over 18\n- nothing else") == [
        "credit decisions for\napplicants over 18",
        "nothing else",
    ]


def test_a_change_of_bullet_marker_is_still_one_list_of_items() -> None:
    assert parse_items("- one\n* two\n+ three") == ["one", "two", "three"]


@pytest.mark.parametrize(
    "text",
    [
        "1. a numbered list\n2. is prose, not items",
        "- an item\n\nthen a paragraph after the list",
        "a paragraph before\n\n- an item",
        "    - indented four: code, not a list",
        "",
    ],
)
def test_anything_but_a_bullet_list_has_no_items(text: str) -> None:
    assert parse_items(text) is None


MARKDOWN_TEXTS = [
    CARD,
    "",
    "\n\n",
    "# Title\r\n\r\nText\rmore\n## Next\n",
    "NUL \x00 inside\n# Heading\n",
    "| a | b |\n|---|---|\n| 1 | 2 |\n\n> # quoted\n\n- # listed\n\n    # code\n",
    "```\n# fenced\n```\n<!--\n# commented\n-->\n[ref]: https://example.org\n\nTitle\n---\n",
    "<div>\n\n# in html\n\n</div>\n\t# tab\n* * *\n1. one\n2) two\n",
]


@pytest.mark.parametrize("text", MARKDOWN_TEXTS)
def test_block_tokens_are_markdown_its_own(text: str) -> None:
    """The block parser run directly gives the tokens markdown-it's full parse gives."""

    def shown(tokens: list[Token]) -> list[tuple[object, ...]]:
        return [
            (t.type, t.tag, t.nesting, t.map, t.level, t.content, t.markup, t.info, t.block)
            for t in tokens
        ]

    assert shown(markdown._block_tokens(text)) == shown(markdown._BLOCK_PARSER.parse(text))
