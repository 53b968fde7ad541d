"""Sections as CommonMark (markdown-it-py) reads them: what the Hub, the Card tab and the report show."""

from __future__ import annotations

from countersign.formats.huggingface.markdown import outline, split_lines


def _headings(text: str) -> list[tuple[int, str, int]]:
    cut = outline(split_lines(text), 1)
    return [(b.heading.level, b.heading.title, b.heading.line) for b in cut.blocks if b.heading]


def test_atx_and_setext_headings_open_sections() -> None:
    text = "# Router\n\nIntro.\n\nUses\n====\n\nText.\n\nLimits spread\nover two lines\n---\n"
    assert _headings(text) == [
        (1, "Router", 1),
        (1, "Uses", 5),
        (2, "Limits spread over two lines", 10),
    ]


def test_headings_inside_code_html_lists_and_quotes_open_no_section() -> None:
    text = (
        "# Router\n\n```python\n# a comment\n```\n\n<!--\n# commented out\n-->\n\n"
        "<details>\n# inside an HTML block\n</details>\n\n- # inside a list item\n\n"
        "> # inside a quote\n\n## Uses\n"
    )
    assert _headings(text) == [(1, "Router", 1), (2, "Uses", 19)]


def test_fenced_code_lines_are_known_and_an_unclosed_fence_runs_to_the_end() -> None:
    lines = split_lines("# Router\n\n```\ncode\n```\n\n~~~\nopen\n")
    assert outline(lines, 1).code_lines == {2, 3, 4, 6, 7}
