"""Hugging Face README cards: the real corpus, our own fixtures, refusals and round trips."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from countersign.formats.base import CardRefused, ReadCard
from countersign.formats.detect import read_card
from countersign.formats.huggingface.body import layout_headings
from countersign.formats.huggingface.heading_map import heading_key, resolve_heading
from countersign.formats.huggingface.markdown import split_blocks, split_lines
from countersign.formats.huggingface.readme import read_huggingface, write_huggingface
from countersign.formats.limits import load_yaml
from countersign.formats.placeholders import PLACEHOLDER_MARK, placeholder_value
from countersign.models.card import (
    CaveatsAndRecommendations,
    DataSection,
    DatasetRef,
    EthicalConsiderations,
    ExtraSection,
    Factors,
    IntendedUse,
    MetricResult,
    MetricsSection,
    ModelCard,
    ModelDetails,
    Owner,
    QuantitativeAnalyses,
    Reference,
    Risk,
)

HF_CORPUS = [
    "hfhub-fixture-sample_invalid_card_data.md",
    "hfhub-fixture-sample_invalid_model_index.md",
    "hfhub-fixture-sample_no_metadata.md",
    "hfhub-fixture-sample_simple_model_index.md",
    "hfhub-fixture-sample_windows_line_breaks.md",
    "mirror-drishtisharma-xls-r-hi-cv8-string-NA-metric-values.md",
    "mirror-helsinki-opus-mt-tc-base-gmw-gmw-62-results.md",
    "mirror-ivanlau-wav2vec2-xls-r-300m-cantonese.md",
    "mirror-keras-io-tf-decision-trees-junk-before-frontmatter.md",
    "mirror-qqhann-xlsr-ja-invalid-yaml.md",
    "mirror-rajaram1996-facialemorecog-malformed-model-index.md",
    "mirror-spacy-pl_core_news_sm-large-nonascii.md",
    "plain-meta-llama2-MODEL_CARD.md",
    "plain-openai-clip-model-card.md",
    "plain-openai-whisper-model-card.md",
]


def _read(corpus: Path, name: str) -> ReadCard:
    path = corpus / "hf" / name
    return read_card(path.read_bytes(), path.name)


def _fixture(fixtures: Path, name: str) -> ReadCard:
    path = fixtures / "cards" / "hf" / name
    return read_card(path.read_bytes(), path.name)


def _warnings(read: ReadCard) -> dict[str, str]:
    return {warning.field: warning.message for warning in read.warnings}


def _extra(read: ReadCard, source: str) -> ExtraSection:
    found = [section for section in read.card.extra_sections if section.source == source]
    assert found, f"no extra section from {source}: {[e.source for e in read.card.extra_sections]}"
    return found[0]


def _body_lines(text: str) -> list[str]:
    """The non-blank, non-heading lines of a card's Markdown body (front matter left out)."""
    lines = split_lines(text.lstrip("\ufeff\ufffc \t\r\n"))
    if lines[0].rstrip() == "---":
        closing = next(i for i in range(1, len(lines)) if lines[i].rstrip() == "---")
        lines = lines[closing + 1 :]
    out: list[str] = []
    for block in split_blocks(lines, 1):
        for line in block.lines:
            stripped = line.strip()
            if stripped[:2] in ("- ", "* ", "+ "):
                stripped = stripped[2:].strip()
            if stripped:
                out.append(stripped)
    return out


# -- every corpus card reads, and nothing of its body is dropped -----------------------


@pytest.mark.parametrize("name", HF_CORPUS)
def test_corpus_card_reads_through_the_sniffer_without_dropping_text(
    corpus: Path, name: str
) -> None:
    read = _read(corpus, name)
    assert read.source_format == "huggingface"
    assert read.card.model_details.name
    haystack = read.card.plain_text()
    text = (corpus / "hf" / name).read_text(encoding="utf-8-sig")
    missing = [line for line in _body_lines(text) if line not in haystack]
    # A template's placeholder is read as empty on purpose, each with a warning.
    placeholders = [line for line in missing if placeholder_value(line) is not None]
    assert [line for line in missing if line not in placeholders] == []
    flagged = " ".join(w.message for w in read.warnings if w.message.startswith(PLACEHOLDER_MARK))
    assert all(line in flagged for line in placeholders)


def test_every_corpus_file_is_covered(corpus: Path) -> None:
    assert sorted(path.name for path in (corpus / "hf").iterdir()) == sorted(HF_CORPUS)


# -- named facts from the corpus -------------------------------------------------------------


def test_ivanlau_cantonese_card(corpus: Path) -> None:
    read = _read(corpus, "mirror-ivanlau-wav2vec2-xls-r-300m-cantonese.md")
    card = read.card
    assert card.model_details.name == "XLS-R-300M - Chinese_HongKong (Cantonese)"
    assert card.license == "apache-2.0"
    assert card.languages == ["zh-HK"]
    assert card.datasets == ["mozilla-foundation/common_voice_8_0"]
    assert "robust-speech-event" in card.tags
    results = card.quantitative_analyses.results
    assert len(results) == 8
    wer = results[0]
    assert (wer.name, wer.type, wer.task) == ("Test WER", "wer", "automatic-speech-recognition")
    assert wer.value == "0.8111349803079126"
    assert wer.numeric == pytest.approx(0.8111349803079126)
    assert (wer.dataset, wer.slice) == ("Common Voice 8", "zh-HK")
    assert wer.details["dataset.type"] == "mozilla-foundation/common_voice_8_0"
    assert wer.details["dataset.args"] == "zh-HK"
    assert wer.details["task.name"] == "Automatic Speech Recognition"
    assert results[3].value == "0.6160564326503191"
    assert "fine-tuned version of [facebook/wav2vec2-xls-r-300m]" in card.model_details.summary
    # The Trainer's template says "More information needed": missing, not content.
    assert card.model_details.description == ""
    assert card.intended_use.text == ""
    # "Training procedure" keeps its subsections, hyperparameters and framework versions included.
    assert card.training_data.text.startswith("## Training procedure\n\n### Training hyper")
    assert "- learning_rate: 0.0003" in card.training_data.text
    assert "### Framework versions" in card.training_data.text
    assert [(w.field, w.message.split(" is left")[0]) for w in read.warnings] == [
        ("line 84", "placeholder: the section 'Model description'"),
        ("line 88", "placeholder: the section 'Intended uses & limitations'"),
        ("line 92", "placeholder: the section 'Training and evaluation data'"),
    ]


def test_helsinki_card_has_62_results(corpus: Path) -> None:
    read = _read(corpus, "mirror-helsinki-opus-mt-tc-base-gmw-gmw-62-results.md")
    card = read.card
    assert card.model_details.name == "opus-mt-tc-base-gmw-gmw"
    assert card.license == "cc-by-4.0"
    assert len(card.quantitative_analyses.results) == 62
    assert all(result.type == "bleu" for result in card.quantitative_analyses.results)
    first = card.quantitative_analyses.results[0]
    assert (first.value, first.numeric, first.dataset) == ("21.6", 21.6, "flores101-devtest")
    assert first.details["task.args"] == "afr-deu"
    assert first.slice == "afr deu devtest"
    last = card.quantitative_analyses.results[-1]
    assert (last.dataset, last.value) == ("newstest2020-ende", "23.9")
    assert "| eng-deu | newstestB2020-ende | 0.532 | 23.3 | 1418 | 53092 |" in (
        card.quantitative_analyses.text
    )
    assert "* Release: 2021-02-23" in card.model_details.description
    assert "Neural machine translation model" in card.model_details.summary
    assert _extra(read, "Usage").text.startswith("A short example code:")
    assert read.warnings == []


def test_drishtisharma_na_metric_values_warn_and_have_no_number(corpus: Path) -> None:
    read = _read(corpus, "mirror-drishtisharma-xls-r-hi-cv8-string-NA-metric-values.md")
    warnings = _warnings(read)
    for k in (0, 1):
        field = f"model-index[0].results[1].metrics[{k}].value"
        assert "'NA' is not a number" in warnings[field]
    results = read.card.quantitative_analyses.results
    assert len(results) == 4
    assert (results[2].name, results[2].value, results[2].numeric) == ("Test WER", "NA", None)
    assert results[2].dataset == "Robust Speech Event - Dev Data"
    assert results[0].numeric == pytest.approx(0.3628727037755008)
    assert "Note: Hindi language not found" in _extra(read, "Evaluation Commands").text
    assert "- num_epochs: 50" in read.card.training_data.text


def test_qqhann_invalid_yaml_warns_and_keeps_the_raw_front_matter(corpus: Path) -> None:
    read = _read(corpus, "mirror-qqhann-xlsr-ja-invalid-yaml.md")
    warning = _warnings(read)["front matter"]
    assert warning.startswith("not valid YAML: could not find expected ':' (line 6")
    raw = _extra(read, "front matter")
    assert raw.title == "Front matter (not valid YAML)"
    assert "- common_voice #TODO: remove if you did not use the common voice dataset" in raw.text
    assert "name: Japanese XLSR Wav2Vec2 Large 53" in raw.text
    assert raw.text.startswith("```yaml\n")
    card = read.card
    assert card.model_details.name == "Wav2Vec2-Large-XLSR-53-Japanese"
    assert card.license == ""  # the licence is only in the broken YAML, kept as text above
    assert "**Test Result**: 70.18 %" in card.quantitative_analyses.text
    assert 'test_dataset = load_dataset("common_voice", "ja", split="test[:2%]")' in (
        _extra(read, "Usage").text
    )
    assert "The script used for training can be found" in card.training_data.text


def test_spacy_card_reads_fast_and_keeps_its_polish_text(corpus: Path) -> None:
    data = (corpus / "hf" / "mirror-spacy-pl_core_news_sm-large-nonascii.md").read_bytes()
    started = time.process_time()
    read = read_card(data, "README.md")
    assert time.process_time() - started < 5
    card = read.card
    assert card.model_details.name == "pl_core_news_sm"
    assert card.license == "gpl-3.0"
    assert card.languages == ["pl"]
    details = _extra(read, "Details: https://spacy.io/models/pl#pl_core_news_sm")
    assert "Mirosław Bańko, Rafał L. Górski" in details.text
    assert "`Animacy=Hum\\|Case=Nom\\|Gender=Masc" in _extra(read, "Label Scheme").text
    assert "| `DEP_LAS` | 79.65 |" in card.quantitative_analyses.text
    results = card.quantitative_analyses.results
    assert len(results) == 9
    assert (results[0].name, results[0].task, results[0].dataset) == (
        "NER Precision",
        "token-classification",
        "",
    )
    assert results[0].details["task.name"] == "NER"
    # huggingface_hub#1361: results without a dataset are kept, each with a warning.
    warnings = _warnings(read)
    assert sorted(warnings) == [f"model-index[0].results[{j}].dataset" for j in range(5)]


def test_whisper_plain_card_maps_its_sections(corpus: Path) -> None:
    read = _read(corpus, "plain-openai-whisper-model-card.md")
    card = read.card
    assert card.model_details.name == "Whisper"
    assert "official codebase for running the automatic speech recognition" in (
        card.model_details.summary
    )
    assert "There are 9 models of different sizes" in card.model_details.description
    assert card.model_details.date.startswith("September 2022 (original series)")
    assert card.model_details.model_type.startswith("Sequence-to-sequence ASR")
    assert card.model_details.references == [
        Reference(
            reference="[Paper](https://arxiv.org/abs/2212.04356) / [Blog](https://openai.com/blog/whisper)"
        )
    ]
    assert "### Evaluated Use" in card.intended_use.text
    assert "680,000 hours of audio" in card.training_data.text
    assert "the predictions may include texts that are not actually spoken" in (
        card.caveats_and_recommendations.text
    )
    assert "dual-use concerns" in card.ethical_considerations.text
    assert card.extra_sections == []
    assert read.warnings == []


def test_clip_plain_card_maps_its_sections(corpus: Path) -> None:
    read = _read(corpus, "plain-openai-clip-model-card.md")
    card = read.card
    assert card.model_details.name == "CLIP"
    assert card.model_details.date == "January 2021"
    assert "masked self-attention Transformer" in card.model_details.model_type
    assert "### Model Versions" in card.model_details.description
    assert [ref.reference for ref in card.model_details.references] == [
        "[Blog Post](https://openai.com/blog/clip/)",
        "[CLIP Paper](https://arxiv.org/abs/2103.00020)",
    ]
    assert card.intended_use.primary_uses[0].startswith("The primary intended users")
    assert len(card.intended_use.out_of_scope) == 1
    assert card.intended_use.out_of_scope[0].startswith("**Any** deployed use case")
    assert "### Data Mission Statement" in card.training_data.text
    assert "- ImageNet Sketch" in card.quantitative_analyses.text
    limitation = card.caveats_and_recommendations.limitations
    assert len(limitation) == 1
    assert limitation[0].startswith("CLIP and our analysis of it have a number of limitations.")
    assert "crime-related and non-human animal categories" in card.ethical_considerations.text
    assert card.owners == [
        Owner(contact="Please use [this Google Form](https://forms.gle/Uv7afRH5dvY34ZEs9)")
    ]
    assert _extra(read, "Feedback").text == ""


def test_llama2_bold_h1_card_maps_its_sections(corpus: Path) -> None:
    read = _read(corpus, "plain-meta-llama2-MODEL_CARD.md")
    card = read.card
    # No title: every H1 is a section, so the name comes from the file.
    assert card.model_details.name == "plain-meta-llama2-MODEL_CARD"
    assert card.model_details.description.startswith(
        "Meta developed and released the Llama 2 family"
    )
    assert "**Out-of-scope Uses** Use in any manner that violates" in card.intended_use.text
    assert "pretrained on 2 trillion tokens" in card.training_data.text
    assert "|Llama-2-Chat|70B|**64.14**|0.01|" in card.quantitative_analyses.text
    assert card.caveats_and_recommendations.text.startswith(
        "Llama 2 is a new technology that carries risks with use."
    )
    # Meta's "Hardware and Software" (training factors, GPU hours) is about training.
    assert card.training_data.text.startswith("**Training Factors** We used custom training")
    assert "3.3M GPU hours" in card.training_data.text
    assert "# **Training Data**\n\n**Overview** Llama 2 was pretrained" in card.training_data.text
    assert read.card.extra_sections == []


def test_keras_junk_before_front_matter(corpus: Path) -> None:
    read = _read(corpus, "mirror-keras-io-tf-decision-trees-junk-before-frontmatter.md")
    warning = _warnings(read)["front matter"]
    assert "U+FFFC" in warning and "junk comes before the opening ---" in warning
    card = read.card
    assert card.model_details.name == "TF_Decision_Trees"
    assert card.license == "apache-2.0"
    assert card.languages == ["en"]
    assert card.model_details.model_type == "structured-data-classification"
    result = card.quantitative_analyses.results[0]
    assert (result.type, result.value, result.numeric, result.dataset) == (
        "accuracy",
        "96.57",
        96.57,
        "Census-Income Data Set",
    )
    metadata = json.loads(_extra(read, "front matter").text.strip("`json\n"))
    assert metadata == {"thumbnail": None, "libraries": "TensorBoard"}
    assert _extra(read, "Title").text == "Classification with TensorFlow Decision Forests"
    nested = _extra(
        read,
        "Using TensorFlow Decision Forests for structured data classification > This example uses "
        "Gradient Boosted Trees model in binary classification of structured data, and covers the "
        "following scenarios:",
    )
    assert "Adapted implementation: Tannia Dubon" in nested.text


def test_rajaram_malformed_model_index(corpus: Path) -> None:
    read = _read(corpus, "mirror-rajaram1996-facialemorecog-malformed-model-index.md")
    warnings = _warnings(read)
    assert sorted(warnings) == [
        "model-index[0].results[0].dataset",
        "model-index[0].results[0].metrics",
        "model-index[0].results[1].dataset",
        "model-index[0].results[1].metrics",
        "model-index[0].results[1].task",
    ]
    assert (
        "a single metric where a list of metrics is expected"
        in (warnings["model-index[0].results[1].metrics"])
    )
    (result,) = read.card.quantitative_analyses.results
    assert (result.name, result.type, result.task) == ("Accuracy", "accuracy", "")
    assert result.numeric == pytest.approx(0.9189583659172058)
    # The task of results[0] has no metric to go with: the model-index is kept as written.
    kept = _extra(read, "front matter: model-index")
    assert '"name": "Image Classification"' in kept.text
    assert read.card.model_details.model_type == "image-classification"
    assert json.loads(_extra(read, "front matter").text.strip("`json\n")) == {"inference": True}
    assert _extra(read, "Example Images").text == ""


def test_hfhub_simple_model_index_details(corpus: Path) -> None:
    read = _read(corpus, "hfhub-fixture-sample_simple_model_index.md")
    card = read.card
    assert (card.model_details.name, card.license, card.languages) == (
        "my-cool-model",
        "mit",
        ["en"],
    )
    assert card.tags == ["pytorch", "image-classification", "timm"]  # library_name joins the tags
    assert card.metrics.measures == ["accuracy"]
    first, second = card.quantitative_analyses.results
    assert (first.name, first.value, first.dataset, first.split) == ("accuracy", "0.9", "Beans", "")
    assert (second.name, second.split, second.slice) == ("f1", "test", "default")
    assert second.details == {
        "dataset.type": "beans",
        "dataset.config": "default",
        "dataset.revision": "5503434ddd753f426f4b38109466949a1217c2bb",
        "dataset.args": '{"date":20220120}',
    }
    assert card.model_details.description.startswith("This is a test model card")
    assert read.warnings == []


def test_hfhub_invalid_model_index_still_imports_the_metric(corpus: Path) -> None:
    read = _read(corpus, "hfhub-fixture-sample_invalid_model_index.md")
    assert _warnings(read) == {"model-index[0].results[0].dataset": "the result names no dataset"}
    (result,) = read.card.quantitative_analyses.results
    assert (result.type, result.numeric, result.dataset) == ("acc", 0.9, "")
    assert _extra(read, "Title").text == "Invalid Model Index"


def test_hfhub_windows_line_breaks(corpus: Path) -> None:
    read = _read(corpus, "hfhub-fixture-sample_windows_line_breaks.md")
    card = read.card
    assert (card.model_details.name, card.license, card.languages) == (
        "Hello old Windows line breaks",
        "mit",
        ["eo"],
    )
    metadata = _extra(read, "front matter")
    assert metadata.title == "Metadata"
    assert '"text": "Jen finiĝas bela <mask>."' in metadata.text
    assert "\r" not in metadata.text


def test_hfhub_front_matter_that_is_a_list(corpus: Path) -> None:
    read = _read(corpus, "hfhub-fixture-sample_invalid_card_data.md")
    assert "not a mapping" in _warnings(read)["front matter"]
    assert _extra(read, "front matter").text == "```yaml\n[]\n```"
    assert read.card.model_details.name == "invalid-card-data"
    assert "card data between the `---` is a list" in read.card.model_details.summary


def test_hfhub_card_without_metadata(corpus: Path) -> None:
    read = _read(corpus, "hfhub-fixture-sample_no_metadata.md")
    assert read.card.model_details.name == "MyCoolModel"
    assert read.card.model_details.summary.startswith("In this example, we don't have any metadata")
    assert read.warnings == []


def test_model_index_problems_are_warnings_naming_the_path() -> None:
    text = (
        "---\n"
        "model-index:\n"
        "- name: m\n"
        "  results:\n"
        "  - task: {type: t}\n"
        "    dataset: {name: d, config: c}\n"
        "    metrics:\n"
        "    - {type: acc, value: 0.5}\n"
        "    - just a string\n"
        "    - {name: Loss}\n"
        "  - not a mapping\n"
        "- 42\n"
        "---\n"
        "# m\n"
    )
    read = read_huggingface(text, "README.md")
    assert _warnings(read) == {
        "model-index[0].results[0].metrics[1]": "expected a metric (a mapping), found a text",
        "model-index[0].results[0].metrics[2].type": "the metric has no type",
        "model-index[0].results[0].metrics[2].value": "the metric has no value",
        "model-index[0].results[1]": "expected a result (a mapping), found a text",
        "model-index[1]": "expected a model (a mapping), found a number",
    }
    accuracy, loss = read.card.quantitative_analyses.results
    assert (accuracy.type, accuracy.numeric, accuracy.dataset, accuracy.slice) == (
        "acc",
        0.5,
        "d",
        "c",
    )
    assert (loss.name, loss.type, loss.value, loss.numeric) == ("Loss", "", "", None)
    assert '"just a string"' in _extra(read, "front matter: model-index").text


def test_a_model_index_that_is_no_list_is_kept_as_written() -> None:
    read = read_huggingface("---\nmodel-index: oops\n---\n# m\n", "README.md")
    assert _warnings(read) == {"model-index": "expected a list of models, found a text"}
    assert read.card.quantitative_analyses.results == []
    assert _extra(read, "front matter: model-index").text == '```json\n"oops"\n```'


# -- what is not a card ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "field", "reason"),
    [
        (
            "awsdocs-sagemaker-model-cards-with-json-schema.md",
            "line 54",
            "documentation of a card schema, not a card",
        ),
        ("hf-hub-docs-modelcard-metadata-spec.md", "line 4", "a template, not a filled-in card"),
        ("hf-huggingface_hub-modelcard_template.md", "line 4", "a template, not a filled-in card"),
    ],
)
def test_schema_documents_are_refused(corpus: Path, name: str, field: str, reason: str) -> None:
    path = corpus / "schemas" / name
    with pytest.raises(CardRefused) as refused:
        read_card(path.read_bytes(), name)
    assert refused.value.file == name
    assert refused.value.field == field
    assert reason in refused.value.reason
    assert str(refused.value).startswith(f"{name}: {field}: ")


def test_template_refusal_names_a_placeholder(corpus: Path) -> None:
    path = corpus / "schemas" / "hf-huggingface_hub-modelcard_template.md"
    with pytest.raises(CardRefused, match=r"45 placeholders such as '\{\{ card_data \}\}'"):
        read_huggingface(path.read_text(), "template.md")


def test_markdown_without_front_matter_or_headings_is_refused(fixtures: Path) -> None:
    with pytest.raises(CardRefused) as refused:
        _fixture(fixtures, "no-headings.md")
    assert refused.value.file == "no-headings.md"
    assert refused.value.field == "body"
    assert refused.value.reason == (
        "plain text with no sections (no front matter and no headings): this is not a model card"
    )


def test_alias_bomb_in_front_matter_is_refused() -> None:
    bomb = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 8):
        bomb.append(
            f"{chr(97 + level)}: &{chr(97 + level)} [{', '.join(['*' + chr(96 + level)] * 10)}]"
        )
    text = "---\n" + "\n".join(bomb) + "\n---\n\n# Bomb\n"
    with pytest.raises(CardRefused) as refused:
        read_huggingface(text, "bomb.md")
    assert refused.value.field == "front matter"
    assert "alias" in refused.value.reason


# -- our own fixtures ------------------------------------------------------------------------


def test_bom_and_crlf(fixtures: Path) -> None:
    read = _fixture(fixtures, "bom-crlf.md")
    card = read.card
    assert (card.model_details.name, card.license, card.languages) == (
        "Windows Card",
        "mit",
        ["eo"],
    )
    assert card.model_details.summary == "Saluton, ĉu vi aŭdas?"
    assert card.caveats_and_recommendations.limitations == ["Only Esperanto."]
    assert read.warnings == []  # read_card drops the byte order mark


def test_a_byte_order_mark_left_in_the_text_is_junk_before_the_front_matter() -> None:
    read = read_huggingface("\ufeff---\nlicense: mit\n---\n# Card\n", "card.md")
    assert "U+FEFF" in _warnings(read)["front matter"]
    assert read.card.license == "mit"


def test_headings_in_code_fences_and_comments_do_not_count(fixtures: Path) -> None:
    read = _fixture(fixtures, "fenced-code.md")
    usage = _extra(read, "Usage").text
    for line in (
        "# Not a heading inside a backtick fence",
        "# Not a heading inside a tilde fence",
        "# Still inside: a backtick line does not close a tilde fence",
        "# Inside a longer fence",
        "# Not a heading inside an HTML comment",
    ):
        assert line in usage
    # "## Limitations ##": the closing hashes are not part of the title.  The lines
    # after the list are no bullets, so the whole text is one limitation.
    (limitation,) = read.card.caveats_and_recommendations.limitations
    assert limitation.startswith("- Only says hello.")
    assert "#Not a heading without a space" in limitation
    assert "####### Not a heading: seven hashes" in limitation
    assert [section.source for section in read.card.extra_sections] == ["Usage"]


def test_mitchell_headings_and_setext(fixtures: Path) -> None:
    read = _fixture(fixtures, "mitchell-headings.md")
    card = read.card
    assert card.model_details.name == "Smile Detector"
    assert card.model_details.summary.startswith("A model card in the layout of Mitchell")
    assert card.model_details.description.startswith("- Developed by the vision team")
    assert card.intended_use.primary_uses == ["Photo album organisation."]
    assert card.intended_use.primary_users == ["Hobbyists."]
    assert card.intended_use.out_of_scope == ["Not for emotion recognition or for judging people."]
    assert card.factors.relevant == ["Age", "Skin tone"]
    assert card.factors.evaluation == ["Skin tone, Fitzpatrick scale."]
    assert "False positive rate and false negative rate." in card.metrics.text
    assert card.metrics.decision_thresholds == "0.5"
    assert card.evaluation_data.text == "CelebA test split."
    assert card.training_data.text == "CelebA training split."
    assert card.quantitative_analyses.text == "False positive rate 0.04 for all groups."
    assert card.ethical_considerations.text == "Faces are sensitive data."
    assert card.caveats_and_recommendations.limitations == [
        "Trained on celebrities only.",
        "Fails on profile views.",
    ]
    assert card.caveats_and_recommendations.tradeoffs == [
        "Fewer false positives cost more false negatives."
    ]
    assert card.extra_sections == [
        ExtraSection(title="Inference", text="Call `detect(image)`.", source="Usage > Inference")
    ]


def test_huggingface_template_headings_filled_in(fixtures: Path) -> None:
    read = _fixture(fixtures, "template-style-filled.md")
    card = read.card
    assert card.license == "acme-research-1.0 <LICENSE>"
    assert card.model_details.version == "2.1.0"
    assert card.model_details.model_type == "text-classification"
    assert card.tags == ["text-classification", "transformers"]
    assert card.base_model == ["distilbert-base-uncased"]
    assert "Routes customer complaints" in card.model_details.summary
    assert "### Model Description" in card.model_details.description
    assert [ref.reference for ref in card.model_details.references] == [
        "**Repository:** https://example.org/acme/router",
        "**Paper [optional]:** https://example.org/acme/router-paper",
    ]
    assert "### Direct Use" in card.intended_use.text
    assert "### Downstream Use [optional]" in card.intended_use.text
    assert card.intended_use.out_of_scope == [
        "Deciding refunds without a human in the loop.",
        "Complaints written in languages other than English or French.",
    ]
    assert card.caveats_and_recommendations.text.startswith("Complaints from small regions")
    assert card.caveats_and_recommendations.recommendations == [
        "Review the routing of complaints from small regions every month."
    ]
    assert card.training_data.preprocessing == (
        "Personal names and addresses were removed before training."
    )
    assert "#### Training Hyperparameters" in card.training_data.text
    assert "The complaints of January 2023." in card.evaluation_data.text
    assert card.factors.text == "Language of the complaint and region of the customer."
    assert card.metrics.text.startswith("Macro F1, because")
    assert "Macro F1 of 0.912" in card.quantitative_analyses.text
    assert card.model_details.architecture.startswith("DistilBERT encoder")
    assert "@misc{acme2023router" in card.model_details.citation
    assert card.owners == [
        Owner(name="Jane Doe", role="model card author"),
        Owner(contact="ml-governance@example.org"),
    ]
    f1, accuracy = card.quantitative_analyses.results
    assert (f1.name, f1.value, f1.split, f1.slice) == ("Macro F1", "0.912", "test", "fr")
    assert f1.details["metric.verified"] == "false"
    assert f1.details["source.url"] == "https://example.org/leaderboard"
    assert (accuracy.value, accuracy.numeric) == ("93.4 %", 93.4)
    assert _extra(read, "Environmental Impact").text.startswith("- **Hardware Type:** 1 x A100")
    hardware = _extra(
        read, "Technical Specifications [optional] > Compute Infrastructure > Hardware"
    )
    assert hardware.text == "One cloud GPU."
    assert "# Not a heading: a comment inside code." in (
        _extra(read, "How to Get Started with the Model").text
    )
    metadata = json.loads(_extra(read, "front matter").text.strip("`json\n"))
    assert metadata["co2_eq_emissions"] == {"emissions": 12.5, "source": "codecarbon"}


def test_one_unfilled_placeholder_is_a_warning_and_code_is_not_counted(fixtures: Path) -> None:
    read = _fixture(fixtures, "one-placeholder.md")
    assert _warnings(read) == {
        "line 7": "a template placeholder is not filled in: '{{ model_card_contact }}'"
    }
    assert "{% for message in messages %}" in read.card.intended_use.text


def test_unclosed_front_matter_is_read_as_markdown(fixtures: Path) -> None:
    read = _fixture(fixtures, "unclosed-front-matter.md")
    assert "no line closes it" in _warnings(read)["front matter"]
    assert read.card.model_details.name == "Unclosed Model"
    assert read.card.model_details.summary.startswith("---\nlicense: mit")


# -- writing and round trips -------------------------------------------------------------------


def _rich_card() -> ModelCard:
    """A native card with something in every field."""
    metadata = {"thumbnail": "https://example.org/t.png", "widget": [{"text": "Payment of 12 €"}]}
    return ModelCard(
        model_details=ModelDetails(
            name="acme-fraud-scorer",
            version="3.2.0",
            summary="Scores card payments for fraud risk.\n\nUsed by the payments team.",
            description=(
                "Gradient-boosted trees over 140 payment features.\n\n"
                "### Feature groups\n\nAmounts, merchants and device signals."
            ),
            developers=["Fraud Analytics team", "Jane Doe <jane@example.org>"],
            date="2024-03-01",
            model_type="Gradient-boosted decision trees",
            architecture="XGBoost, 400 trees of depth 6",
            references=[
                Reference(reference="https://example.org/fraud-paper"),
                Reference(reference="Internal design note DN-17"),
            ],
            citation="```bibtex\n@misc{acme2024fraud,\n  title={Fraud scorer}\n}\n```",
        ),
        intended_use=IntendedUse(
            text="Real-time scoring of card payments.",
            primary_uses=["Flag payments for review", "Step-up authentication"],
            primary_users=["Fraud analysts"],
            out_of_scope=[
                "Credit decisions",
                "Payments outside the EU:\n\n- the model has never seen them",
            ],
        ),
        factors=Factors(
            text="Merchant category and country.",
            relevant=["Merchant category"],
            evaluation=["Country", "Card type"],
        ),
        metrics=MetricsSection(
            text="Precision at a fixed review budget.",
            measures=["precision", "recall"],
            decision_thresholds="A score of 0.7 sends a payment to review.",
        ),
        evaluation_data=DataSection(
            text="Payments of Q4 2023.",
            datasets=[
                DatasetRef(
                    name="payments-q4-2023",
                    link="https://example.org/data/q4",
                    description="All EU card payments.\nLabels from chargebacks.",
                    sensitive_data="Card numbers, hashed",
                ),
                DatasetRef(name="synthetic-attacks"),
            ],
            preprocessing="Card numbers hashed with a salted SHA-256.",
        ),
        training_data=DataSection(
            text="Payments of 2021 to 2023.",
            datasets=[DatasetRef(name="payments-2021-2023")],
            preprocessing="Duplicates removed.",
        ),
        quantitative_analyses=QuantitativeAnalyses(
            text="Results per country are in the appendix.",
            results=[
                MetricResult(
                    name="Precision",
                    type="precision",
                    value="0.912",
                    numeric=0.912,
                    task="tabular-classification",
                    dataset="payments-q4-2023",
                    split="test",
                    slice="FR",
                    threshold="0.7",
                    confidence_interval="0.90-0.92",
                    details={
                        "dataset.type": "acme/payments",
                        "dataset.config": "FR",
                        "metric.verified": "false",
                    },
                ),
                MetricResult(
                    name="Recall",
                    type="recall",
                    value="20.0 ± 1.2",
                    numeric=20.0,
                    task="tabular-classification",
                    dataset="payments-q4-2023",
                    split="test",
                    slice="FR",
                    details={"dataset.type": "acme/payments", "dataset.config": "FR"},
                ),
                MetricResult(
                    name="Recall",
                    type="recall",
                    value="NA",
                    task="tabular-classification",
                    dataset="synthetic-attacks",
                    slice="night",
                    details={
                        "dataset.args": '{"hours":[0,6]}',
                        "source.url": "https://example.org/board",
                    },
                ),
                MetricResult(
                    name="AUC",
                    type="roc_auc",
                    value="1",
                    numeric=1.0,
                    details={"model": "acme-fraud-scorer-small"},
                ),
            ],
        ),
        ethical_considerations=EthicalConsiderations(
            text="Payments reveal where people shop.",
            risks=[
                Risk(
                    name="Disparate review rates by country",
                    mitigation="Monthly review of the rates per country.",
                ),
                Risk(name="Leaked card numbers"),
            ],
        ),
        caveats_and_recommendations=CaveatsAndRecommendations(
            text="Fraud patterns drift.",
            limitations=["Not tested on cash withdrawals"],
            tradeoffs=["More reviews catch more fraud"],
            recommendations=["Retrain every quarter", "Watch the review queue"],
        ),
        license="apache-2.0",
        tags=["fraud", "tabular"],
        languages=["en", "de"],
        base_model=["acme/fraud-base-2"],
        datasets=["acme/payments"],
        owners=[
            Owner(name="Jane Doe", contact="jane@example.org", role="owner"),
            Owner(contact="fraud-ml@example.org"),
        ],
        risk_rating="high",
        extra_sections=[
            ExtraSection(
                title="Metadata",
                text="```json\n" + json.dumps(metadata, indent=2, ensure_ascii=False) + "\n```",
                source="front matter",
            ),
            ExtraSection(title="Usage", text="Call `score(payment)`.", source="Usage"),
            ExtraSection(title="Batch", text="Use `score_many`.", source="Usage > Batch"),
            ExtraSection(
                title="Monitoring",
                text="Dashboards at https://example.org/dash.",
                source="mct: considerations.monitoring",
            ),
            ExtraSection(
                title="Limitations",
                text="An extra section titled like a canonical one.",
                source="sagemaker: additional_information",
            ),
            ExtraSection(title="Empty parent", text="", source="Empty parent"),
            ExtraSection(
                title="Child", text="Under an empty parent.", source="Empty parent > Child"
            ),
        ],
    )


def test_rich_native_card_survives_write_and_read() -> None:
    card = _rich_card()
    written = write_huggingface(card)
    read = read_huggingface(written, "README.md")
    assert read.card == card
    assert read.source_format == "huggingface"
    # The warnings are about what the card itself holds: an "NA" value, and a
    # result that names neither task nor dataset.
    assert sorted(_warnings(read)) == [
        "model-index[0].results[1].metrics[0].value",
        "model-index[1].results[0].dataset",
        "model-index[1].results[0].task",
    ]


def test_written_readme_is_hugging_face_shaped() -> None:
    written = write_huggingface(_rich_card())
    assert written.startswith("---\n")
    front_text, body = written[4:].split("\n---\n", 1)
    front = load_yaml(front_text, "README.md")
    assert front["license"] == "apache-2.0"
    assert front["language"] == ["en", "de"]
    assert front["base_model"] == "acme/fraud-base-2"
    assert front["metrics"] == ["precision", "recall"]
    assert front["thumbnail"] == "https://example.org/t.png"
    first, second = front["model-index"]
    assert first["name"] == "acme-fraud-scorer"
    assert second == {
        "name": "acme-fraud-scorer-small",
        "results": [{"metrics": [{"name": "AUC", "type": "roc_auc", "value": 1}]}],
    }
    precision_result = first["results"][0]
    assert precision_result["task"] == {"type": "tabular-classification"}
    assert precision_result["dataset"] == {
        "name": "payments-q4-2023",
        "type": "acme/payments",
        "config": "FR",
        "split": "test",
    }
    assert precision_result["metrics"][0]["value"] == 0.912
    assert precision_result["metrics"][0]["verified"] is False
    assert precision_result["metrics"][1]["value"] == "20.0 ± 1.2"
    assert first["results"][1]["dataset"]["args"] == {"hours": [0, 6]}
    assert first["results"][1]["dataset"]["slice"] == "night"
    assert body.lstrip().startswith("# Model Card for acme-fraud-scorer\n")
    for heading in (
        "## Intended Use",
        "### Out-of-Scope Uses",
        "## Model Card Contact",
        "## Usage",
    ):
        assert f"\n{heading}\n" in body
    assert '<!-- countersign-source: "mct: considerations.monitoring" -->' in body


def test_a_licence_with_a_link_is_written_as_other_name_and_link(fixtures: Path) -> None:
    card = _fixture(fixtures, "template-style-filled.md").card
    written = write_huggingface(card)
    front = load_yaml(written[4:].split("\n---\n", 1)[0], "README.md")
    assert (front["license"], front["license_name"], front["license_link"]) == (
        "other",
        "acme-research-1.0",
        "LICENSE",
    )
    assert read_huggingface(written, "README.md").card == card


def test_texts_with_shallow_headings_move_sections_up_a_level() -> None:
    card = _rich_card()
    card.intended_use.text = (
        "Real-time scoring.\n\n## How the queue works\n\nReviews happen in order."
    )
    written = write_huggingface(card)
    assert "\n# Intended Use\n" in written
    assert read_huggingface(written, "README.md").card == card


@pytest.mark.parametrize("name", HF_CORPUS)
def test_corpus_card_survives_write_and_read(corpus: Path, name: str) -> None:
    first = _read(corpus, name).card
    again = read_huggingface(write_huggingface(first), name).card
    assert again == first


def test_every_written_heading_maps_back_to_its_field() -> None:
    for heading, target in layout_headings():
        assert resolve_heading(heading_key(heading), None) == target, heading


def test_sections_seen_in_the_corpus_map_to_the_right_places() -> None:
    expected = {
        "Model Use": "intended_use.text",
        "Performance and Limitations": "caveats_and_recommendations.text",
        "Broader Implications": "ethical_considerations.text",
        "Limitations": "caveats_and_recommendations.limitations",
        "Intended uses & limitations": "intended_use.text",
        "Training procedure": "training_data.text",
        "Training hyperparameters": "training_data.text",
        "Evaluation results": "quantitative_analyses.text",
        "**Ethical Considerations and Limitations**": "caveats_and_recommendations.text",
        "Bias, Risks, and Limitations": "caveats_and_recommendations.text",
        "Out-of-Scope Use": "intended_use.out_of_scope",
        "Downstream Use [optional]": "intended_use.text",
        "Model Card Contact": "owners",
        "Citation [optional]": "model_details.citation",
        "Usage": None,
        "Environmental Impact": None,
    }
    for title, target in expected.items():
        assert resolve_heading(heading_key(title), None) == target, title
    assert resolve_heading("preprocessing", "evaluation_data") == "evaluation_data.preprocessing"
    assert resolve_heading("preprocessing", "training_data") == "training_data.preprocessing"


# -- size and speed ------------------------------------------------------------------------------


def test_a_5_mb_card_with_very_long_lines_reads_in_linear_time() -> None:
    long_words = "word " * 20_000  # 100 KB lines
    parts = ["---", "license: mit", "tags:", "- big", "---", "", "# Model Card for big", ""]
    for index in range(40):
        parts += [f"## Section {index} " + "x" * 5_000 + " #", "", long_words, ""]
        parts += ["### Limitations", "", *(f"- item {i} {long_words[:200]}" for i in range(50)), ""]
    parts += ["## Usage", "", "#" * 200_000, " " * 200_000 + "x", "- " * 100_000, "```"]
    parts += ["# inside an unclosed fence " + "{" * 100_000]
    text = "\n".join(parts)
    assert len(text) > 5_000_000
    started = time.process_time()
    read = read_huggingface(text, "big.md")
    elapsed = time.process_time() - started
    assert elapsed < 10, f"took {elapsed:.1f} s"
    assert len(read.card.caveats_and_recommendations.limitations) == 40 * 50
    assert len(read.card.extra_sections) == 41


def test_a_card_made_of_tens_of_thousands_of_headings_reads_in_linear_time() -> None:
    sections = (f"## Part {i}\n\ntext {i}\n\n### Training\n\nmore {i}\n" for i in range(20_000))
    text = "# Model Card for many\n\n" + "".join(sections)
    assert len(text) > 1_000_000
    # The reader's own CPU time (about 2 s here, markdown-it's block parse most of
    # it): the wall clock also counts whatever else the machine runs meanwhile.
    started = time.process_time()
    read = read_huggingface(text, "many.md")
    elapsed = time.process_time() - started
    assert elapsed < 10, f"took {elapsed:.1f} s"
    assert len(read.card.extra_sections) == 20_000
    assert read.card.training_data.text.endswith("### Training\n\nmore 19999")
