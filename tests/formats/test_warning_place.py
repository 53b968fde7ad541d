"""A warning's place in words: keys as words, list items by what they hold."""

from __future__ import annotations

from countersign.formats.warning_place import place_in_words

MCT_LIKE = {
    "evaluation_details": [
        {
            "name": "holdout",
            "metric_groups": [{}, {}, {}, {"metric_data": [{"type": "accuracy"}, {"type": "AUC"}]}],
        }
    ]
}


def test_list_items_are_named_by_what_they_hold() -> None:
    path = "evaluation_details[0].metric_groups[3].metric_data[1].value"
    assert place_in_words(path, MCT_LIKE) == (
        "evaluation details “holdout” › metric groups #4 › metric data “AUC” › value"
    )


def test_without_the_file_indexes_become_ordinals() -> None:
    assert place_in_words("model-index[0].results[5].dataset") == (
        "model index #1 › results #6 › dataset"
    )
    assert place_in_words('extra_sections[title="Monitoring"].text') == (
        "extra sections “Monitoring” › text"
    )
    assert place_in_words("license") == "license"
