"""The aligned text diff: rows, filler, changed words, whitespace, speed on big texts."""

from __future__ import annotations

import random
import time

from countersign.services.diff.text_diff import (
    HUGE_REPLACE_LINES,
    DiffRow,
    TextDiff,
    diff_lines,
    diff_texts,
    split_lines,
)
from countersign.services.diff.word_diff import mark_spans, word_spans

CARD = """## Model details

The model scores loan applications for default risk.
It was trained on 455,618 applications.

## Limitations

- Thin credit files are ranked less well.
- Pension-only incomes are under-represented.
"""


def _rows(diff: TextDiff) -> list[tuple[str, str | None, str | None]]:
    return [(r.tag, diff.left_text(r), diff.right_text(r)) for r in diff.rows()]


def _marked(diff: TextDiff, row: DiffRow) -> tuple[str, str]:
    left = mark_spans(diff.left_text(row) or "", row.left_spans, "[", "]")
    right = mark_spans(diff.right_text(row) or "", row.right_spans, "{", "}")
    return left, right


def test_identical_texts_have_no_changes() -> None:
    diff = diff_texts(CARD, CARD)
    assert diff.identical
    assert diff.row_count == len(split_lines(CARD)) == 9
    assert diff.changes == []
    assert {r.tag for r in diff.rows()} == {"equal"}
    assert diff.unified() == []


def test_an_edited_line_is_one_row_with_the_changed_words_marked() -> None:
    new = CARD.replace("scores loan applications for", "ranks loan applications by")
    diff = diff_texts(CARD, new)
    assert diff.row_count == 9
    row = diff.row(2)
    assert (row.tag, row.left, row.right) == ("replace", 2, 2)
    assert _marked(diff, row) == (
        "The model [scores] loan applications [for] default risk.",
        "The model {ranks} loan applications {by} default risk.",
    )
    assert diff.changes == [(2, 3)]
    assert diff.stats.changed == 1


def test_inserted_and_deleted_lines_get_filler_and_the_rest_stays_aligned() -> None:
    new = CARD.replace(
        "It was trained on 455,618 applications.\n",
        "It was trained on 455,618 applications.\nIt is retrained every quarter.\n",
    ).replace("- Pension-only incomes are under-represented.\n", "")
    diff = diff_texts(CARD, new)
    rows = _rows(diff)
    assert rows[4] == ("insert", None, "It is retrained every quarter.")
    assert rows[9] == ("delete", "- Pension-only incomes are under-represented.", None)
    # Every other row pairs a line with its unchanged twin.
    assert all(left == right for tag, left, right in rows if tag == "equal")
    assert [tag for tag, _l, _r in rows].count("equal") == 8
    assert diff.stats.inserted == 1 and diff.stats.deleted == 1
    assert len(diff.changes) == 2


def test_a_reordered_list_is_a_deletion_and_an_insertion_not_a_rewrite() -> None:
    new = CARD.replace(
        "- Thin credit files are ranked less well.\n- Pension-only incomes are under-represented.",
        "- Pension-only incomes are under-represented.\n- Thin credit files are ranked less well.",
    )
    diff = diff_texts(CARD, new)
    kinds = [r.tag for r in diff.rows()]
    assert "replace" not in kinds
    assert kinds.count("delete") == 1 and kinds.count("insert") == 1


def test_whitespace_changes_count_unless_ignored() -> None:
    new = CARD.replace("scores loan", "scores  loan").replace(
        "## Limitations", "##   Limitations  "
    )
    strict = diff_texts(CARD, new)
    assert strict.stats.changed == 2
    row = strict.row(2)
    assert row.tag == "replace"
    # Same words, different spacing: only the stretch of spacing is marked.
    assert row.left_spans == () and row.right_spans == ((17, 18),)
    relaxed = diff_texts(CARD, new, ignore_whitespace=True)
    assert relaxed.identical
    assert (
        relaxed.right_text(relaxed.row(2))
        == "The model scores  loan applications for default risk."
    )


def test_unicode_lines_are_marked_by_character_offsets() -> None:
    old = "Zbiór danych: język polski\n日本語のテキスト\nemoji 🚀 ok\n"
    new = "Zbiór danych: język czeski\n日本語のテキスト\nemoji 🛰️ ok\n"
    diff = diff_texts(old, new)
    assert _marked(diff, diff.row(0)) == (
        "Zbiór danych: język [polski]",
        "Zbiór danych: język {czeski}",
    )
    assert diff.row(1).tag == "equal"
    left, right = _marked(diff, diff.row(2))
    assert left == "emoji [🚀] ok" and right == "emoji {🛰️} ok"


def test_empty_texts() -> None:
    assert diff_texts("", "").row_count == 0
    assert diff_texts("", "").identical
    added = diff_texts("", "one\ntwo\n")
    assert _rows(added) == [("insert", None, "one"), ("insert", None, "two")]
    removed = diff_texts("one\n", "")
    assert _rows(removed) == [("delete", "one", None)]


def test_split_lines_takes_crlf_and_a_final_newline() -> None:
    assert split_lines("a\r\nb\r\n") == ["a", "b"]
    assert split_lines("a\nb") == ["a", "b"]
    assert split_lines("a\n\n") == ["a", ""]
    assert split_lines("a\u2028b\n") == ["a\u2028b"]
    assert diff_texts("a\r\nb\r\n", "a\nb\n").identical


def test_next_and_previous_change() -> None:
    old = [f"line {i}" for i in range(100)]
    new = list(old)
    new[10] = "line ten"
    new[50:52] = []
    new.insert(80, "added")
    diff = diff_lines(old, new)
    starts = [start for start, _end in diff.changes]
    # Row 82 holds new line 80: the two deleted lines took two rows of filler.
    assert starts == [10, 50, 82]
    assert diff.next_change(0) == 10
    assert diff.next_change(10) == 50
    assert diff.next_change(82) is None
    assert diff.previous_change(82) == 50
    assert diff.previous_change(10) is None
    assert diff.change_index(51) == 1
    assert diff.change_index(52) is None


def test_unified_lines_mark_words() -> None:
    new = CARD.replace("455,618", "301,442")
    lines = diff_texts(CARD, new).unified(context=1)
    assert lines == [
        "@@ -3,3 +3,3 @@",
        " The model scores loan applications for default risk.",
        "-It was trained on [-455,618-] applications.",
        "+It was trained on {+301,442+} applications.",
        " ",
    ]


def test_unified_ranges_match_gnu_diff_for_pure_insertions() -> None:
    lines = diff_lines(["a", "b", "c"], ["a", "b", "new", "c"]).unified(context=0)
    assert lines == ["@@ -2,0 +3,1 @@", "+new"]
    lines = diff_lines(["a", "gone", "b"], ["a", "b"]).unified(context=0)
    assert lines == ["@@ -2,1 +1,0 @@", "-gone"]


def test_a_line_with_nothing_in_common_is_marked_whole() -> None:
    left, right, likeness = word_spans(
        "Gradient-boosted trees on bureau data.", "A recurrent network reads transcripts."
    )
    assert left == ((0, 38),) and right == ((0, 38),)
    assert likeness < 0.35


def test_one_word_changed_in_a_very_long_line_is_found_fast() -> None:
    words = [f"w{i}" for i in range(30_000)]
    old = " ".join(words)
    new = " ".join([*words[:20_000], "CHANGED", *words[20_001:]])
    start = time.process_time()
    diff = diff_lines([old], [new])
    # A bound, not a benchmark (python -m benchmarks measures): a quadratic word
    # match takes minutes here; shared machines are noisy, so the bound is generous.
    assert time.process_time() - start < 20
    row = diff.row(0)
    assert row.tag == "replace"
    assert [old[a:b] for a, b in row.left_spans] == ["w20000"]
    assert [new[a:b] for a, b in row.right_spans] == ["CHANGED"]


def test_a_rewritten_block_of_1000_lines_completes_quickly() -> None:
    rng = random.Random(5)
    vocabulary = ["model", "data", "risk", "score", "review", "holdout", "the", "a", "of", "and"]

    def sentence() -> str:
        return " ".join(rng.choice(vocabulary) for _ in range(12)) + f" {rng.random():.6f}."

    before = [f"Context line {i}." for i in range(200)]
    after = [f"Closing line {i}." for i in range(200)]
    old = before + ["" if i % 4 == 3 else sentence() for i in range(1000)] + after
    new = before + ["" if i % 4 == 3 else sentence() for i in range(1000)] + after
    start = time.process_time()
    diff = diff_lines(old, new)
    elapsed = time.process_time() - start
    assert elapsed < 20, f"{elapsed:.2f} s"  # a generous bound, not a benchmark
    assert diff.row_count == 1400
    # The rewritten block is one change; the context on both sides is untouched.
    assert diff.changes == [(200, 1199)]  # its last line is blank on both sides
    assert all(r.tag == "equal" for r in diff.rows(0, 200))
    assert all(r.tag == "equal" for r in diff.rows(1200, 1400))


def test_a_huge_replaced_block_is_shown_as_deletion_then_insertion() -> None:
    size = HUGE_REPLACE_LINES + 1
    old = [f"old {i}" for i in range(size)]
    new = [f"new {i}" for i in range(size)]
    diff = diff_lines(old, new)
    assert [b.tag for b in diff.blocks] == ["delete", "insert"]
    assert diff.row_count == 2 * size
    assert diff.row(0) == DiffRow("delete", 0, None)
    assert diff.row(size) == DiffRow("insert", None, 0)


def test_big_texts_with_scattered_edits_stay_fast() -> None:
    rng = random.Random(9)
    old = [f"{rng.random():.10f} line {i}" if i % 5 else "" for i in range(50_000)]
    new = list(old)
    for i in rng.sample(range(50_000), 500):
        new[i] = new[i] + " edited"
    del new[1000:1010]
    new[30_000:30_000] = ["inserted"] * 10
    start = time.process_time()
    diff = diff_lines(old, new)
    elapsed = time.process_time() - start
    assert elapsed < 5.0, f"{elapsed:.2f} s"  # generous: the benchmark holds the real goal
    assert diff.stats.inserted == 10 and diff.stats.deleted == 10
    assert diff.stats.changed <= 500


def test_lines_of_a_small_vocabulary_shuffled_do_not_go_quadratic() -> None:
    rng = random.Random(3)
    vocabulary = [f"| row {i} |" for i in range(50)]
    old = [rng.choice(vocabulary) for _ in range(20_000)]
    new = list(old)
    rng.shuffle(new)
    start = time.process_time()
    diff = diff_lines(old, new)
    assert time.process_time() - start < 5.0
    kept = [r for r in diff.rows() if r.tag == "equal"]
    assert all(
        old[r.left] == new[r.right] for r in kept if r.left is not None and r.right is not None
    )


def test_rows_read_lazily_cover_both_texts_once() -> None:
    old = split_lines(CARD)
    new = split_lines(CARD.replace("Thin", "Thin or absent").replace("## Limitations\n", ""))
    diff = diff_lines(old, new)
    lefts = [r.left for r in diff.rows() if r.left is not None]
    rights = [r.right for r in diff.rows() if r.right is not None]
    assert lefts == list(range(len(old)))
    assert rights == list(range(len(new)))
