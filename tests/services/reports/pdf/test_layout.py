"""Report text without reportlab's markup: words, CJK breaks, font runs, Markdown blocks."""

from __future__ import annotations

from countersign.services.reports.pdf.fonts import BOLD, CJK, MONO, REGULAR, runs, width_function
from countersign.services.reports.pdf.layout import REPLACEMENT, Span, layout, printable
from countersign.services.reports.pdf.markdown import (
    MAX_COLUMNS,
    MAX_TABLE_ROWS,
    blocks,
)

WIDTH = width_function(9.0)


def _texts(lines: list[list[object]]) -> list[str]:
    return ["".join(piece.text for piece in line) for line in lines]  # type: ignore[attr-defined]


def test_markup_is_text_placed_as_typed() -> None:
    text = "<b>x</b> & <para> <script>alert(1)</script> &amp;"
    lines = layout([Span(text)], 1000.0, WIDTH)
    assert _texts(lines) == ["<b>x</b> & <para> <script>alert(1)</script> &amp;"]
    assert {piece.font for piece in lines[0]} == {REGULAR}


def test_cjk_runs_use_the_fallback_font_and_a_space_stays_in_its_run() -> None:
    assert [(run.text, run.font) for run in runs("Model 日本語 v2", "regular")] == [
        ("Model ", REGULAR),
        ("日本語 ", CJK),
        ("v2", REGULAR),
    ]
    assert [run.font for run in runs("太字 bold", "bold")] == [CJK, BOLD]
    assert [run.font for run in runs("Ωmega 中", "mono")] == [MONO, CJK]


def test_cjk_text_breaks_between_characters() -> None:
    text = "日本語のモデルカードです。" * 6
    lines = layout([Span(text)], 120.0, WIDTH)
    assert len(lines) > 3
    assert "".join(_texts(lines)) == text  # nothing lost, nothing added
    assert all(sum(p.width for p in line) <= 120.0 + 0.01 for line in lines)


def test_a_word_wider_than_the_line_is_cut_between_characters() -> None:
    word = "a" * 400
    lines = layout([Span(word)], 100.0, WIDTH)
    assert "".join(_texts(lines)) == word
    assert all(sum(p.width for p in line) <= 100.01 for line in lines)


def test_newlines_break_and_spaces_fold_unless_preserved() -> None:
    assert _texts(layout([Span("a   b\nc")], 500.0, WIDTH)) == ["a b", "c"]
    preserved = layout([Span("    indented  code", "mono")], 500.0, WIDTH, preserve=True)
    assert _texts(preserved) == ["    indented  code"]


def test_controls_and_lone_surrogates_show_as_replacement_characters() -> None:
    assert printable("a\x00b\x1bc\x7fd\ud800e\tf\r\ng\rh") == (
        f"a{REPLACEMENT}b{REPLACEMENT}c{REPLACEMENT}d{REPLACEMENT}e    f\ng\nh"
    )


def test_marked_words_keep_their_mark_and_the_space_between_them() -> None:
    line = layout(
        [Span("kept "), Span("gone words", mark="deleted"), Span(" kept")], 1000.0, WIDTH
    )[0]
    assert [(p.text, p.mark) for p in line] == [
        ("kept", ""),
        ("gone words", "deleted"),
        ("kept", ""),
    ]


def test_inline_bold_and_code_and_unclosed_markers() -> None:
    assert [(s.text, s.style) for s in blocks("a **b** `c` **d")[0].spans] == [
        ("a ", "regular"),
        ("b", "bold"),
        (" ", "regular"),
        ("c", "mono"),
        (" **d", "regular"),
    ]
    assert [(s.text, s.style) for s in blocks("`x <b>")[0].spans] == [("`x <b>", "regular")]


def test_markdown_blocks() -> None:
    found = blocks(
        "# Title\n\ntext\nmore\n\n- item\n  continued\n1. first\n\n"
        "| A | B |\n|---|---|\n| a \\| b | c |\n\n```\ncode <b>\n```\n---\n<div>html</div>"
    )
    assert [b.kind for b in found] == [
        "heading",
        "paragraph",
        "bullet",
        "bullet",
        "table",
        "code",
        "rule",
        "paragraph",
    ]
    assert found[1].spans[0].text == "text more"  # a soft line break, as Markdown reads it
    assert found[2].spans[0].text == "item continued" and found[3].marker == "1."
    assert [[s[0].text for s in row] for row in found[4].rows] == [["A", "B"], ["a | b", "c"]]
    assert found[5].text == "code <b>"
    assert found[7].spans[0].text == "<div>html</div>"


def test_hard_line_breaks_are_kept() -> None:
    [paragraph] = blocks("first line  \nsecond\\\nthird\n  fourth")
    assert paragraph.spans[0].text == "first line\nsecond\nthird fourth"


def test_list_items_take_their_lazy_continuation_lines() -> None:
    found = blocks("- first item\nwrapped without indent\n- second\n  indented\n\nafter")
    assert [(b.kind, b.spans[0].text) for b in found] == [
        ("bullet", "first item wrapped without indent"),
        ("bullet", "second indented"),
        ("paragraph", "after"),
    ]


def test_huge_tables_are_bounded() -> None:
    header = "| " + " | ".join(f"c{i}" for i in range(20)) + " |"
    rows = "\n".join(f"| {i} | x |" for i in range(MAX_TABLE_ROWS + 50))
    # GitHub's tables (and markdown-it's) need a delimiter cell per header cell.
    delimiter = "|" + "---|" * 20
    found = blocks(f"{header}\n{delimiter}\n{rows}")
    table, note = found
    assert len(table.rows) == MAX_TABLE_ROWS + 1
    assert all(len(row) == MAX_COLUMNS for row in table.rows)
    assert table.rows[0][-1][0].text.startswith("c7 | c8")
    assert note.spans[0].text == "… 50 more rows of this table are in the attached card."


def test_cells_split_on_unescaped_pipes() -> None:
    # markdown-it-py splits the cells now; the behaviour checked is the same.
    [table] = blocks("| a | b \\| c | d\\ |\n|---|---|---|")
    assert [span.text for cell in table.rows[0] for span in cell] == ["a", "b | c", "d\\"]


def test_parsing_stays_linear_on_long_hostile_lines() -> None:
    import time

    text = ("**" + "a" * 50 + "`") * 20_000 + "\n" + "|" * 200_000 + "\n" + "- " * 100_000
    start = time.process_time()
    found = blocks(text)
    for block in found:
        for span in block.spans:
            assert span.text is not None
    # A bound, not a benchmark: quadratic parsing of this text takes minutes; shared
    # machines are noisy, so the bound is generous.
    assert time.process_time() - start < 20


def test_links_show_their_address_and_html_and_entities_show_as_typed() -> None:
    [paragraph, first, nested] = blocks(
        "See [the docs](https://docs.example.org) &amp; <b>x</b>\n\n1. one\n   - nested"
    )
    assert [(s.text, s.style) for s in paragraph.spans] == [
        ("See the docs <https://docs.example.org> &amp; <b>x</b>", "regular")
    ]
    assert (first.kind, first.marker, first.level) == ("bullet", "1.", 0)
    assert (nested.kind, nested.marker, nested.level) == ("bullet", "•", 1)


def test_the_reader_and_the_report_agree_on_headings() -> None:
    # A "# comment" in a code block is no heading for either; a setext one is for both.
    text = "Uses\n====\n\n```\n# not a heading\n```\n"
    found = blocks(text)
    assert [(b.kind, b.level) for b in found] == [("heading", 1), ("code", 0)]
