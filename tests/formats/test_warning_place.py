"""A warning's place in words: keys as words, list items by what they hold."""

from __future__ import annotations

from countersign.formats.detect import read_card
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


def test_a_readme_model_index_warning_names_its_metric() -> None:
    """The front matter is at hand while a README is read: no ordinals for the officer."""
    readme = (
        "---\nmodel-index:\n- name: scorer\n  results:\n"
        "  - task: {type: text-classification}\n    dataset: {name: holdout, type: holdout}\n"
        "    metrics:\n    - {type: accuracy, value: 0.9}\n"
        "    - {type: auc, name: AUC, value: [1, 2]}\n---\n# Scorer\n\n## Intended uses\n\nScoring.\n"
    )
    (warning,) = read_card(readme.encode(), "README.md").warnings
    assert warning.field == "model-index[0].results[0].metrics[1].value"
    assert warning.where == (
        "model index “scorer” › results “text-classification” › metrics “AUC” › value"
    )
