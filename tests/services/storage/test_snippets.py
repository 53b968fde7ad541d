"""A search hit's snippet: the words around the matched ones, made alike on either database."""

from __future__ import annotations

from countersign.services.storage.snippets import (
    ELLIPSIS,
    NO_SNIPPET,
    SCANNED_AT_MOST,
    SNIPPET_WORDS,
    Snippet,
    make_snippet,
)


def _marked(snippet: Snippet) -> list[str]:
    return [snippet.text[start:end] for start, end in snippet.matches]


def test_a_short_text_is_shown_whole_with_each_prefix_match_marked() -> None:
    snippet = make_snippet("The model is Monitored weekly;\n monitoring drift.", ["monitor"])
    assert snippet.text == "The model is Monitored weekly; monitoring drift"
    assert _marked(snippet) == ["Monitored", "monitoring"]
    assert [piece for piece, matched in snippet.pieces() if matched] == _marked(snippet)
    assert "".join(piece for piece, _ in snippet.pieces()) == snippet.text


def test_a_long_text_is_cut_around_the_most_matched_words() -> None:
    filler = " ".join(f"w{n}" for n in range(200))
    text = f"drift once. {filler} then drift and calibration together. {filler}"
    snippet = make_snippet(text, ["drift", "calib"])
    assert snippet.text.startswith(ELLIPSIS) and snippet.text.endswith(ELLIPSIS)
    assert _marked(snippet) == ["drift", "calibration"]
    assert len(snippet.text.split()) <= SNIPPET_WORDS
    # A few words of what comes before the first match lead in.
    assert snippet.text.startswith(f"{ELLIPSIS}w198 w199 then drift")


def test_words_match_as_the_index_cuts_them() -> None:
    # The index cuts at "_" and "-": "custom_details" holds the word "details".
    snippet = make_snippet("see additional_information.custom_details here", ["details"])
    assert _marked(snippet) == ["details"]
    # Only at the start of a word: "unmonitored" is not a match of "monitor".
    assert _marked(make_snippet("unmonitored and monitored", ["monitor"])) == ["monitored"]
    # A word typed with "_" looks for each of its parts, as the search does.
    assert _marked(make_snippet("custom details", ["custom_det"])) == ["custom", "details"]


def test_no_match_shows_the_start_and_no_text_shows_nothing() -> None:
    snippet = make_snippet("Name: pricing. Version 3.0", ["pricing3"])
    assert snippet.text == "Name: pricing. Version 3.0" and snippet.matches == ()
    assert make_snippet("", ["a"]) == NO_SNIPPET
    assert make_snippet("...", []) == NO_SNIPPET


def test_what_was_typed_is_never_pattern_syntax() -> None:
    text = "a (b|c)* costs [x] $1"
    assert make_snippet(text, ["a|costs"]).matches == ()  # no alternation: a literal word
    assert _marked(make_snippet(text, ["(b|c)*"])) == ["(b|c)*"]  # the characters themselves
    assert make_snippet(text, ["."]).matches == ()


def test_a_huge_text_is_looked_through_only_at_its_start() -> None:
    text = "lorem " * (SCANNED_AT_MOST // 6 + 10) + "needle"
    snippet = make_snippet(text, ["needle"])
    assert snippet.matches == ()
    assert snippet.text.endswith(ELLIPSIS)


def test_a_snippet_can_start_a_few_words_before_its_first_match() -> None:
    snippet = Snippet("…one two three four five six seven eight nine…", ((29, 34), (41, 45)))
    assert _marked(snippet) == ["seven", "nine"]
    shown = snippet.leading_to_match(2)
    assert shown.text == "…five six seven eight nine…"
    assert _marked(shown) == ["seven", "nine"]
    near = Snippet("a b c", ((2, 3),))
    assert near.leading_to_match(2) == near


def test_accents_are_folded_as_the_index_folds_them() -> None:
    # SQLite's index finds "résumé" for "resume": the snippet marks it, and every spelling.
    text = "Ranks each résumé sent to the café chain; RÉSUMÉ parsing and Resumes."
    assert _marked(make_snippet(text, ["resume"])) == ["résumé", "RÉSUMÉ", "Resumes"]
    # Typed with accents, the words without them are marked too.
    assert _marked(make_snippet(text, ["résumé", "CAFE"])) == [
        "résumé",
        "café",
        "RÉSUMÉ",
        "Resumes",
    ]
    # The offsets are those of the text itself, after accented letters of other words.
    snippet = make_snippet("Ærø Ångström: naïve Zürich über", ["uber", "angs", "zurich"])
    assert _marked(snippet) == ["Ångström", "Zürich", "über"]
    # Letters that are no accented form of another stay apart: "o" is not "ø" or "œ".
    assert _marked(make_snippet("søren and cœur", ["soren", "coeur"])) == []


def test_the_matched_stretch_is_found_through_accents() -> None:
    filler = " ".join(f"w{n}" for n in range(200))
    snippet = make_snippet(f"{filler} the Café terrace {filler}", ["cafe"])
    assert _marked(snippet) == ["Café"]
    assert snippet.text.startswith(f"{ELLIPSIS}w198 w199 the Café")
