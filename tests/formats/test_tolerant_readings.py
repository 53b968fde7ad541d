"""Readings that tolerate a shape where the intent is plain (issue 16, item 6).

Every card here is written for the test.
"""

from __future__ import annotations

import json

from countersign.formats.detect import read_card

_SPACY = """\
---
tags:
- spacy
- token-classification
model-index:
- name: en_pipeline_sm
  results:
  - tasks:
      name: NER
      type: token-classification
    metrics:
    - name: NER Precision
      type: precision
      value: 0.8454
    - name: NER Recall
      type: recall
      value: 0.8433
  - task:
      name: TAG
      type: token-classification
      metrics:
      - name: TAG (XPOS) Accuracy
        type: accuracy
        value: 0.9723
---

# en_pipeline_sm

An English pipeline.
"""


def test_a_spacy_model_index_with_tasks_keeps_every_figure() -> None:
    read = read_card(_SPACY.encode(), "README.md")
    results = read.card.quantitative_analyses.results
    assert [(r.name, r.task, r.numeric) for r in results] == [
        ("NER Precision", "token-classification", 0.8454),
        ("NER Recall", "token-classification", 0.8433),
        ("TAG (XPOS) Accuracy", "token-classification", 0.9723),
    ]
    assert not [e for e in read.card.extra_sections if e.title == "model-index (as written)"]
    messages = {w.field: w.message for w in read.warnings}
    assert messages["model-index[0].results[0].tasks"] == (
        "'tasks' where 'task' is expected; read as the task"
    )
    assert messages["model-index[0].results[1].task.metrics"] == (
        "the metrics are written inside the task; read as the result's metrics"
    )
    assert not any("states no figure" in message for message in messages.values())


def test_results_and_a_metric_given_as_mappings_are_read() -> None:
    text = """\
---
model-index:
- name: churn
  results:
    task: {type: tabular-classification}
    dataset: {name: holdout 2026, type: internal}
    metrics: {type: auc, value: 0.91}
---

# churn
"""
    read = read_card(text.encode(), "README.md")
    [result] = read.card.quantitative_analyses.results
    assert (result.type, result.dataset, result.numeric) == ("auc", "holdout 2026", 0.91)


_META = """\
# Model Information

A large language model for internal search.

# Hardware and Software

**Training Factors** Trained on the company cluster; 1,200 GPU hours.

# Benchmark scores

| Benchmark | Score |
| --- | --- |
| internal-qa | 71.2 |

# Responsibility & Safety

Red-teamed for prompt injection before release.
"""


def test_meta_style_headings_land_in_their_canonical_sections() -> None:
    card = read_card(_META.encode(), "search-llm.md").card
    assert card.training_data.text.startswith("**Training Factors**")
    assert "| internal-qa | 71.2 |" in card.quantitative_analyses.text
    assert card.ethical_considerations.text == "Red-teamed for prompt injection before release."
    assert card.extra_sections == []


def test_the_name_comes_from_front_matter_before_the_file_stem() -> None:
    text = "---\nmodel_name: invoice-router\nlicense: mit\n---\n\n## Intended uses\n\nRouting.\n"
    assert read_card(text.encode(), "README.md").card.model_details.name == "invoice-router"
    text = (
        "---\nmodel-index:\n- name: invoice-router-index\n  results: []\n---\n\n"
        "## Intended uses\n\nRouting.\n"
    )
    assert read_card(text.encode(), "README.md").card.model_details.name == "invoice-router-index"


def test_mct_out_of_scope_uses_are_out_of_scope_uses() -> None:
    card = {
        "model_details": {"name": "loan-scorer"},
        "considerations": {
            "use_cases": [{"description": "Pre-screening applications"}],
            "out_of_scope_uses": [{"description": "Final credit decisions without a person"}],
        },
    }
    read = read_card(json.dumps(card).encode(), "loan-scorer.json")
    assert read.card.intended_use.out_of_scope == ["Final credit decisions without a person"]
    assert not read.card.extra_sections
