"""The detector: Markdown unless the text is a JSON object or YAML with card keys.

Every card here is written for the test; none comes from the shared corpus.
"""

from __future__ import annotations

import pytest

from countersign.formats.base import CardRefused
from countersign.formats.detect import read_card

_LINK_FIRST = """\
[![CI](https://example.org/badge.svg)](https://example.org/ci)

# Churn predictor

Predicts which customers will leave next quarter.

## Intended uses

Retention campaigns.
"""

_PROSE_WITH_COLON = """\
# CodeParrot

CodeParrot is a GPT-2 model trained to generate Python code.
The training is described in the book, Chapter 10: Training transformers from scratch.
"""

_TITLE_AND_BULLETS = """\
# Invoice classifier

- Developed by: Finance Analytics
- License: MIT
"""

_STARTS_WITH_BRACE = """\
{: .note }
# Loan scorer

Scores loan applications.
"""


@pytest.mark.parametrize(
    ("text", "name"),
    [
        (_LINK_FIRST, "Churn predictor"),
        (_PROSE_WITH_COLON, "CodeParrot"),
        (_TITLE_AND_BULLETS, "Invoice classifier"),
        (_STARTS_WITH_BRACE, "Loan scorer"),
        ("# Fraud model\n\nmodel_overview: see below\n", "Fraud model"),
    ],
)
def test_a_readme_is_read_as_markdown_whatever_its_first_line(text: str, name: str) -> None:
    read = read_card(text.encode(), "README.md")
    assert read.source_format == "huggingface"
    assert read.card.model_details.name == name


def test_a_readme_saved_as_json_is_still_markdown() -> None:
    assert read_card(_LINK_FIRST.encode(), "card.json").source_format == "huggingface"


def test_yaml_with_card_keys_and_a_comment_is_read_as_yaml() -> None:
    text = "# SageMaker card, exported\nmodel_overview:\n  model_name: churn\n"
    read = read_card(text.encode(), "card.txt")
    assert read.source_format == "sagemaker"
    assert read.card.model_details.name == "churn"


@pytest.mark.parametrize(
    ("text", "file", "field", "reason"),
    [
        (
            "Note: this file only says where the card is.\n",
            "README.md",
            "body",
            "plain text with no sections (no front matter and no headings): "
            "this is not a model card",
        ),
        (
            "- first point\n- second point\n",
            "notes.md",
            "body",
            "plain text with no sections (no front matter and no headings): "
            "this is not a model card",
        ),
        (
            '{"model_details": {"name": "x"',
            "card.json",
            "line 1 column 31",
            "not valid JSON: Expecting ',' delimiter",
        ),
        (
            "name: churn\nlayers: 3\n",
            "config.txt",
            "",
            "the YAML is not a model card in a known format (Countersign, Hugging Face, "
            "Model Card Toolkit, SageMaker or CycloneDX); its top-level keys are: layers, name",
        ),
        (
            "# the results\n- dataset: {id: x}\n  value: 1\n",
            "results.yaml",
            "",
            "the YAML holds a list, not a model card; a card is one object",
        ),
    ],
)
def test_a_non_card_says_what_it_looked_like(text: str, file: str, field: str, reason: str) -> None:
    with pytest.raises(CardRefused) as refused:
        read_card(text.encode(), file)
    assert (refused.value.file, refused.value.field, refused.value.reason) == (file, field, reason)


_PBTXT = """\
model_details {
  name: "Fine-tuned MobileNetV2 model for cats vs. dogs"
  overview: "This model distinguishes cat and dog images."
  owners {
    name: "Model Cards Team"
    contact: "model-cards@example.org"
  }
}
"""


@pytest.mark.parametrize(
    ("text", "file"),
    [
        ("# proto-file: model_card.proto\n# proto-message: ModelCard\n\n" + _PBTXT, "card.txt"),
        (_PBTXT, "model_card.txt"),
        (_PBTXT, "model_card.pbtxt"),
    ],
)
def test_protobuf_text_is_read_as_a_model_card_toolkit_card(text: str, file: str) -> None:
    read = read_card(text.encode(), file)
    assert read.source_format == "mct"
    assert read.card.model_details.name == "Fine-tuned MobileNetV2 model for cats vs. dogs"
    assert [(o.name, o.contact) for o in read.card.owners] == [
        ("Model Cards Team", "model-cards@example.org")
    ]


@pytest.mark.parametrize(
    ("text", "field", "reason"),
    [
        (
            "# proto-message: TrainingConfig\nbatch_size: 32\n",
            "proto-message",
            "a protobuf text file of a TrainingConfig message, not a Model Card Toolkit ModelCard",
        ),
        (
            'name: "cats vs dogs"\n',
            "",
            "a protobuf text file with none of a Model Card Toolkit card's sections "
            "(model_details, model_parameters, quantitative_analysis, considerations); "
            "its fields are: name",
        ),
        (
            'model_details {\n  name: "x"\n',
            "line 2",
            "a protobuf text file that cannot be read: a message is not closed",
        ),
    ],
)
def test_protobuf_text_that_is_no_card_is_refused_by_name(
    text: str, field: str, reason: str
) -> None:
    with pytest.raises(CardRefused) as refused:
        read_card(text.encode(), "model_card.pbtxt")
    assert (refused.value.field, refused.value.reason) == (field, reason)


def test_a_readme_larger_than_the_yaml_limit_is_still_a_readme() -> None:
    text = "# Big model\n\n" + ("word " * 200 + "\n") * 5_000
    assert len(text) > 4 * 1024 * 1024
    read = read_card(text.encode(), "README.md")
    assert (read.source_format, read.card.model_details.name) == ("huggingface", "Big model")
    with pytest.raises(CardRefused, match="YAML is larger than 4 MiB"):
        read_card(("a: b\n" * 1_000_000).encode(), "card.yaml")


def test_a_readme_of_many_keyed_bullets_is_not_refused_as_yaml() -> None:
    text = "# Inventory model\n\n" + "".join(f"- item {i}: value {i}\n" for i in range(70_000))
    read = read_card(text.encode(), "README.md")
    assert read.card.model_details.name == "Inventory model"
