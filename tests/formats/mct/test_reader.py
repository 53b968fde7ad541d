"""Model Card Toolkit JSON: the real corpus read through the sniffer, and each warning."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path
from typing import Any

import pytest

from countersign.formats.base import CardRefused, ReadCard
from countersign.formats.detect import read_card
from countersign.formats.graphics import decode_base64
from countersign.formats.mct.reader import looks_like_mct, read_mct
from countersign.formats.media_types import sniff_media_type

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(40))
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(30))
GIF = b"GIF89a\x01\x00\x01\x00" + bytes(range(20))
SVG = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>'


def _read(corpus: Path, name: str) -> ReadCard:
    path = corpus / "mct" / name
    return read_card(path.read_bytes(), path.name)


def _mct(value: dict[str, Any]) -> ReadCard:
    return read_mct(value, "card.json")


def _warnings(read: ReadCard) -> dict[str, str]:
    return {warning.field: warning.message for warning in read.warnings}


def _extra(read: ReadCard, source: str) -> str:
    texts = [section.text for section in read.card.extra_sections if section.source == source]
    assert texts, f"no extra section from {source}"
    return texts[0]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


# -- the corpus ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "model_name"),
    [
        ("mct-testdata-full.json", "name"),
        ("mct-testdata-cats_vs_dogs_v0_0_1.json", "Fine-tuned MobileNetV2 Model for Cat vs. Dogs"),
        ("mct-testdata-cats_vs_dogs_v0_0_2.json", "Fine-tuned MobileNetV2 Model for Cat vs. Dogs"),
        ("mct-testdata-considerations.json", "train and eval model"),
        (
            "intel-mcg-compas-recidivism.json",
            "COMPAS (Correctional Offender Management Profiling for Alternative Sanctions)",
        ),
        ("intel-mcg-lorem-ipsum-example.json", "dolore"),
    ],
)
def test_every_corpus_card_imports_as_mct(corpus: Path, name: str, model_name: str) -> None:
    read = _read(corpus, name)
    assert read.source_format == "mct"
    assert read.card.model_details.name == model_name


def test_corpus_has_no_mct_card_left_untested(corpus: Path) -> None:
    assert {path.name for path in (corpus / "mct").glob("*.json")} == {
        "mct-testdata-full.json",
        "mct-testdata-cats_vs_dogs_v0_0_1.json",
        "mct-testdata-cats_vs_dogs_v0_0_2.json",
        "mct-testdata-considerations.json",
        "intel-mcg-compas-recidivism.json",
        "intel-mcg-lorem-ipsum-example.json",
    }


def test_full_card_maps_every_section(corpus: Path) -> None:
    read = _read(corpus, "mct-testdata-full.json")
    card = read.card
    assert card.model_details.summary == "overview"
    assert card.model_details.description == "documentation"
    assert card.model_details.version == "v1.0"
    assert card.model_details.date == "2020/02/02"
    assert [(o.name, o.contact) for o in card.owners] == [
        ("name1", "contact1@email.com"),
        ("name2", "contact2@email.com"),
    ]
    assert card.license == "Apache-2.0"
    assert [r.reference for r in card.model_details.references] == [
        "https://www.kaggle.com/c/dogs-vs-cats",
        "https://arxiv.org/abs/1801.04381",
    ]
    assert card.model_details.citation == "https://google.com"
    assert _extra(read, "model_details.version.diff") == "The diff with last version."
    assert _extra(read, "model_details.path") == "my/model/path"
    assert _extra(read, "model_parameters.input_format") == "32-char-len-text"
    assert _extra(read, "model_parameters.output_format_map") == "type: 64-char-len-text"
    [dataset] = card.training_data.datasets
    assert (dataset.name, dataset.description, dataset.sensitive_data) == (
        "data name",
        "description",
        "age",
    )
    [metric] = card.quantitative_analyses.results
    assert (metric.name, metric.value, metric.numeric, metric.slice) == (
        "accuracy",
        "0.9",
        0.9,
        "overall",
    )
    assert metric.confidence_interval == "[0.85, 0.95]"
    assert card.intended_use.primary_uses == ["use_cases"]
    assert card.caveats_and_recommendations.limitations == ["limitations1", "limitations2"]
    [risk] = card.ethical_considerations.risks
    assert (risk.name, risk.mitigation) == ("ethical considerations name", "mitigation strategy")


def test_full_card_placeholder_images_warn_and_are_kept_as_text(corpus: Path) -> None:
    read = _read(corpus, "mct-testdata-full.json")
    warnings = _warnings(read)
    for field in (
        "model_parameters.data[0].graphics.collection[0].image",
        "model_parameters.data[0].graphics.collection[1].image",
        "quantitative_analysis.graphics.collection[0].image",
    ):
        assert "holds characters base64 never uses" in warnings[field]
    assert read.attachments == []
    mention = _extra(read, "model_parameters.data[0].graphics")
    assert "graphics description" in mention
    assert "img1: image could not be decoded; the text given: {image_bytes}" in mention


def test_cats_vs_dogs_v1_and_v2_give_the_same_card_facts(corpus: Path) -> None:
    old = _read(corpus, "mct-testdata-cats_vs_dogs_v0_0_1.json")
    new = _read(corpus, "mct-testdata-cats_vs_dogs_v0_0_2.json")

    def facts(read: ReadCard) -> list[tuple[str, str, float | None, str, str, str]]:
        return [
            (m.name, m.value, m.numeric, m.slice, m.threshold, m.confidence_interval)
            for m in read.card.quantitative_analyses.results
        ]

    assert facts(old) == facts(new)
    assert facts(old)[1] == (
        "accuracy",
        "0.9932885766029358",
        0.9932885766029358,
        "cat",
        "0.5",
        "[0.9832885766, 1.0032885766]",
    )
    for field in ("name", "summary", "version", "date", "citation", "references"):
        assert getattr(old.card.model_details, field) == getattr(new.card.model_details, field)
    assert old.card.license == new.card.license == "Apache-2.0"
    assert old.card.owners == new.card.owners
    assert old.card.intended_use == new.card.intended_use
    assert old.card.caveats_and_recommendations == new.card.caveats_and_recommendations
    assert old.card.caveats_and_recommendations.limitations == [
        "This model is not able to classify images of other classes."
    ]
    assert old.card.ethical_considerations == new.card.ethical_considerations
    assert [w.field for w in old.warnings] == [w.field for w in new.warnings]
    # v0.0.2 names its data sets; v0.0.1's eval entry holds only a graphic.
    assert [d.name for d in new.card.evaluation_data.datasets] == ["Validation Set"]
    assert [d.name for d in new.card.training_data.datasets] == ["Training Set"]


def test_cats_vs_dogs_graphics_whole_png_and_truncated_one(corpus: Path) -> None:
    read = _read(corpus, "mct-testdata-cats_vs_dogs_v0_0_1.json")
    png, truncated = read.attachments
    assert png.name == "graphic-01-validation-set-size.png"
    assert png.media_type == "image/png"
    assert png.content.startswith(b"\x89PNG") and png.content.endswith(b"IEND\xaeB`\x82")
    assert png.source == "model_parameters.data.eval.graphics.collection[0].image"
    mention = _extra(read, "model_parameters.data.eval.graphics")
    assert "Validation Set Size: attachment graphic-01-validation-set-size.png" in mention
    assert "This is the number of examples in the validation set." in mention
    # The Accuracy image in the toolkit's test data is cut short: not padded into a "PNG".
    field = "quantitative_analysis.graphics.collection[0].image"
    assert "probably cut short" in _warnings(read)[field]
    assert truncated.media_type == "text/plain"
    assert truncated.content.startswith(b"iVBORw0KGgo")
    assert truncated.name in _extra(read, "quantitative_analysis.graphics")


def test_considerations_card(corpus: Path) -> None:
    card = _read(corpus, "mct-testdata-considerations.json").card
    assert card.intended_use.primary_users == ["Testers"]
    assert card.intended_use.primary_uses == ["Testing"]
    assert card.caveats_and_recommendations.limitations == ["This model has no limitations"]
    assert card.caveats_and_recommendations.tradeoffs == ["no tradeoffs"]
    assert [(r.name, r.mitigation) for r in card.ethical_considerations.risks] == [
        ("Bugs", "Unit tests"),
        ("Broken edge cases", "Test coverage"),
    ]
    assert card.model_details.architecture == "knn"
    assert card.model_details.citation == "https://doi.org/foo/bar"
    assert card.license == "Apache 2.0"
    assert [(d.name, d.link) for d in card.training_data.datasets] == [
        ("train_split", "path/to/train")
    ]
    assert [(d.name, d.link) for d in card.evaluation_data.datasets] == [
        ("eval_split", "path/to/eval")
    ]


def test_compas_card_keeps_risk_text_and_html_attachments(corpus: Path) -> None:
    started = time.process_time()
    read = _read(corpus, "intel-mcg-compas-recidivism.json")
    assert time.process_time() - started < 2.0  # 520 KB: linear work only
    assert read.warnings == []
    summary = read.card.model_details.summary
    assert "a risk score intended to represent the defendant’s likelihood of reoffending" in summary
    assert "has a number of important ethical considerations" in summary
    assert [o.name for o in read.card.owners] == ["Intel XAI Team"]
    assert [d.name for d in read.card.evaluation_data.datasets] == ["Eval"]
    assert [d.name for d in read.card.training_data.datasets] == ["Train"]
    assert len(read.attachments) == 5
    assert {a.media_type for a in read.attachments} == {"text/html"}
    assert all(b"plotly-graph-div" in a.content for a in read.attachments)
    assert read.attachments[3].source == "quantitative_analysis.graphics.collection[0].html"
    mentions = "\n".join(s.text for s in read.card.extra_sections)
    for attachment in read.attachments:
        assert attachment.name in mentions
    assert "<script" not in mentions  # the HTML lives in the attachment only


def test_lorem_ipsum_card_warns_that_its_shape_is_0_0_2(corpus: Path) -> None:
    read = _read(corpus, "intel-mcg-lorem-ipsum-example.json")
    warnings = _warnings(read)
    assert warnings["schema_version"].startswith(
        "the card declares schema_version 0.0.1 but is written in the 0.0.2 shape"
    )
    assert "model_details.licenses" in warnings["schema_version"]
    assert warnings["quantitative_analysis.performance_metrics[0].value"] == (
        "the value 'voluptate' holds no number"
    )
    bound = "quantitative_analysis.performance_metrics[2].confidence_interval.lower_bound"
    assert warnings[bound] == "the bound 'Ut ad' holds no number"
    card = read.card
    assert card.license == "ut in anim eu cillum; ipsum"
    assert card.model_details.citation == (
        "ipsum\n\nsed adipisicing\n(citation style: dolor eu cillum cupidatat)"
    )
    assert card.quantitative_analyses.results[0].value == "voluptate"
    assert card.quantitative_analyses.results[0].numeric is None
    assert [a.name for a in read.attachments] == [
        "graphic-01-image-name.html",
        "graphic-02-quant-image-name.html",
    ]
    assert read.attachments[0].content.startswith(b'<img src="https://1000logos.net/')
    assert [r.mitigation for r in card.ethical_considerations.risks][1].startswith("dolore eu")


@pytest.mark.parametrize(
    "name",
    [
        "mct-model_card.schema.v0.0.1.json",
        "mct-model_card.schema.v0.0.2.json",
        "intel-model_card_gen.schema.v0.0.1.json",
        "sagemaker-core-model_card_schema.v0.1.0.json",
    ],
)
def test_corpus_json_schemas_are_refused(corpus: Path, name: str) -> None:
    path = corpus / "schemas" / name
    with pytest.raises(CardRefused) as refused:
        read_card(path.read_bytes(), name)
    assert refused.value.field == "$schema"
    assert refused.value.reason == "this is a JSON Schema that describes cards, not a model card"
    assert not looks_like_mct(json.loads(path.read_text()))


def test_corpus_schema_files_are_all_covered(corpus: Path) -> None:
    assert len(list((corpus / "schemas").glob("*.json"))) == 4


# -- recognising a card ---------------------------------------------------------


def test_looks_like_mct() -> None:
    assert looks_like_mct({"model_details": {"name": "m"}})
    assert looks_like_mct({"considerations": {}})
    assert looks_like_mct({"quantitative_analysis": {"performance_metrics": []}})
    assert not looks_like_mct({"model_details": "m"})
    assert not looks_like_mct({"metric_groups": []})
    assert not looks_like_mct(
        {"$schema": "http://json-schema.org/draft-07/schema#", "model_details": {}}
    )
    # A card that declares the schema it follows is still a card.
    assert looks_like_mct({"$schema": "./card.schema.json", "model_details": {}})
    assert not looks_like_mct({"type": "object", "properties": {"model_details": {}}})


def test_read_mct_refuses_a_document_with_no_mct_section() -> None:
    with pytest.raises(CardRefused) as refused:
        read_mct({"title": "x"}, "other.json")
    assert "this is not a Model Card Toolkit card" in str(refused.value)
    assert str(refused.value).startswith("other.json: ")


# -- shapes and versions ------------------------------------------------------------


def test_v0_0_1_shape_declared_as_0_0_2_warns() -> None:
    read = _mct(
        {
            "schema_version": "0.0.2",
            "model_details": {"name": "m", "license": "MIT", "references": ["https://a.example"]},
        }
    )
    assert _warnings(read)["schema_version"] == (
        "the card declares schema_version 0.0.2 but is written in the 0.0.1 shape "
        "(model_details.license, model_details.references as text); it was read as 0.0.1"
    )
    assert read.card.license == "MIT"
    assert read.card.model_details.references[0].reference == "https://a.example"


def test_mixed_shapes_warn() -> None:
    read = _mct(
        {
            "model_details": {"name": "m", "license": "MIT"},
            "considerations": {"limitations": [{"description": "Slow."}]},
        }
    )
    message = _warnings(read)["schema_version"]
    assert message.startswith("the card mixes the 0.0.1 shape (model_details.license)")
    assert read.card.caveats_and_recommendations.limitations == ["Slow."]


def test_unknown_schema_version_warns() -> None:
    read = _mct({"schema_version": "0.0.3", "model_details": {"name": "m"}})
    assert _warnings(read)["schema_version"] == (
        "schema_version '0.0.3' is not one Countersign knows (0.0.1, 0.0.2); "
        "the card was read by its shape"
    )


def test_matching_shapes_do_not_warn() -> None:
    read = _mct({"schema_version": "0.0.1", "model_details": {"name": "m", "license": "MIT"}})
    assert read.warnings == []


# -- wrong types and leftovers ----------------------------------------------------------


def test_wrong_types_warn_and_keep_the_value_as_text() -> None:
    read = _mct(
        {
            "model_details": {
                "name": 42,
                "overview": ["one", "two"],
                "owners": "Jane Doe",
            },
            "model_parameters": "a ResNet-50",
        }
    )
    warnings = _warnings(read)
    assert read.card.model_details.name == "42"
    assert warnings["model_details.name"] == (
        "expected text but found a number; the value is kept as text"
    )
    assert json.loads(read.card.model_details.summary) == ["one", "two"]
    assert "expected text but found a list" in warnings["model_details.overview"]
    assert read.card.owners[0].name == "Jane Doe"
    assert warnings["model_details.owners"] == (
        "expected a list but found text; it is read as one item"
    )
    assert _extra(read, "model_parameters") == "a ResNet-50"
    assert "expected an object but found text" in warnings["model_parameters"]


def test_unmapped_fields_become_extra_sections_with_their_json_path() -> None:
    read = _mct(
        {
            "model_details": {"name": "m", "team_slack": "#vision"},
            "considerations": {"out_of_scope": ["Medical images."]},
            "fairness_report": {"summary": "Balanced.", "score": 0.93},
        }
    )
    assert _extra(read, "model_details.team_slack") == "#vision"
    assert json.loads(_extra(read, "considerations.out_of_scope")) == ["Medical images."]
    assert json.loads(_extra(read, "fairness_report")) == {"summary": "Balanced.", "score": 0.93}
    titles = {s.source: s.title for s in read.card.extra_sections}
    assert titles["considerations.out_of_scope"] == "Out of scope"
    assert read.warnings == []


def test_no_model_name_warns() -> None:
    read = _mct({"considerations": {"users": ["Analysts"]}})
    assert _warnings(read)["model_details.name"] == "the card gives no model name"
    assert read.card.intended_use.primary_users == ["Analysts"]


def test_v0_0_1_data_train_eval_and_sensitive_flag() -> None:
    read = _mct(
        {
            "model_details": {"name": "m"},
            "model_parameters": {
                "data": {
                    "train": {"name": "clicks-2023", "link": "s3://d/train", "sensitive": True},
                    "eval": {"name": "clicks-2024", "sensitive": False},
                }
            },
        }
    )
    [train] = read.card.training_data.datasets
    [evaluation] = read.card.evaluation_data.datasets
    assert (train.name, train.link, train.sensitive_data) == ("clicks-2023", "s3://d/train", "yes")
    assert (evaluation.name, evaluation.sensitive_data) == ("clicks-2024", "no")
    assert read.card.datasets == ["clicks-2023", "clicks-2024"]


def test_long_custom_licence_text_is_kept_as_an_extra_section() -> None:
    licence = "Permission is granted to use this model for research only.\nNo warranty."
    read = _mct({"model_details": {"name": "m", "licenses": [{"custom_text": licence}]}})
    assert read.card.license == ""
    assert _extra(read, "model_details.licenses[0].custom_text") == licence


# -- metrics -------------------------------------------------------------------------


def test_metric_problems_warn() -> None:
    read = _mct(
        {
            "model_details": {"name": "m"},
            "quantitative_analysis": {
                "performance_metrics": [
                    {"type": "auc", "value": "NA"},
                    {"type": "recall"},
                    {"value": 0.5},
                    {"type": "f1", "value": 0.8, "confidence_interval": {"lower_bound": "?"}},
                    {
                        "type": "precision",
                        "confidence_interval": {"lower_bound": 0.7, "upper_bound": 0.9},
                    },
                    "accuracy 0.9",
                ]
            },
        }
    )
    base = "quantitative_analysis.performance_metrics"
    warnings = _warnings(read)
    assert warnings[f"{base}[0].value"] == "the value 'NA' holds no number"
    assert warnings[f"{base}[1].value"] == "the metric has no value"
    assert warnings[f"{base}[2].type"] == "the metric has no type, so it has no name"
    assert warnings[f"{base}[3].confidence_interval.lower_bound"] == "the bound '?' holds no number"
    assert f"{base}[4].value" not in warnings  # a confidence interval alone is a result
    assert warnings[f"{base}[5]"] == "expected a metric object but found text"
    results = read.card.quantitative_analyses.results
    assert (results[0].value, results[0].numeric) == ("NA", None)
    assert results[2].numeric == 0.5
    assert results[3].confidence_interval == "lower bound ?"
    assert results[4].confidence_interval == "[0.7, 0.9]"
    assert _extra(read, f"{base}[5]") == "accuracy 0.9"


def test_metric_extra_keys_go_to_details() -> None:
    metric = {"type": "mAP", "value": "0.41", "description": "COCO val2017", "threshold": 0.5}
    read = _mct(
        {"model_details": {"name": "m"}, "quantitative_analysis": {"performance_metrics": [metric]}}
    )
    [result] = read.card.quantitative_analyses.results
    assert result.details == {"description": "COCO val2017"}
    assert result.threshold == "0.5"


# -- graphics ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "media_type", "extension"),
    [
        (PNG, "image/png", "png"),
        (JPEG, "image/jpeg", "jpg"),
        (GIF, "image/gif", "gif"),
        (SVG, "image/svg+xml", "svg"),
        (b"%PDF-1.7 not an image", "application/octet-stream", "bin"),
    ],
)
def test_graphics_become_attachments_with_sniffed_media_types(
    content: bytes, media_type: str, extension: str
) -> None:
    graphics = {"collection": [{"name": "ROC curve", "image": _b64(content)}]}
    read = _mct({"model_details": {"name": "m"}, "quantitative_analysis": {"graphics": graphics}})
    [attachment] = read.attachments
    assert attachment.content == content
    assert attachment.media_type == media_type
    assert attachment.name == f"graphic-01-roc-curve.{extension}"
    assert attachment.source == "quantitative_analysis.graphics.collection[0].image"
    assert f"ROC curve: attachment graphic-01-roc-curve.{extension} ({media_type}" in _extra(
        read, "quantitative_analysis.graphics"
    )
    assert read.warnings == []


def test_sniffing_ignores_what_a_graphic_claims() -> None:
    assert sniff_media_type(b"\xef\xbb\xbf  <svg></svg>") == "image/svg+xml"
    assert sniff_media_type(b"<?xml version='1.0'?><html/>") == "application/octet-stream"
    assert sniff_media_type(b"") == "application/octet-stream"


def test_base64_decoding_is_validated() -> None:
    wrapped = _b64(PNG)
    wrapped = wrapped[:20] + "\n" + wrapped[20:]
    assert decode_base64(wrapped) == PNG
    assert decode_base64("data:image/png;base64," + _b64(PNG)) == PNG
    assert (
        decode_base64(base64.urlsafe_b64encode(b"\xfb\xff\xfe" * 5).decode()) == b"\xfb\xff\xfe" * 5
    )
    assert decode_base64(_b64(PNG)[:-2]) is None  # cut short: not repaired
    assert decode_base64("not base64!") is None
    assert decode_base64("") is None


def test_graphic_problems_warn() -> None:
    graphics = {
        "collection": [
            {"name": "empty", "image": ""},
            {"name": "cut", "image": _b64(PNG)[:-3]},
            {"name": "nothing"},
            "just a caption",
        ]
    }
    read = _mct({"model_details": {"name": "m"}, "quantitative_analysis": {"graphics": graphics}})
    base = "quantitative_analysis.graphics.collection"
    warnings = _warnings(read)
    assert warnings[f"{base}[0].image"] == (
        "the image of graphic 'empty' is empty; it was not decoded"
    )
    assert "is not valid base64: its length is not a multiple of 4" in warnings[f"{base}[1].image"]
    assert warnings[f"{base}[2]"] == "the graphic 'nothing' has neither an image nor html"
    assert warnings[f"{base}[3]"] == "expected a graphic object but found text"
    assert read.attachments == []
    mention = _extra(read, "quantitative_analysis.graphics")
    assert "- nothing: no image given" in mention
    assert "- just a caption" in mention


def test_long_undecodable_image_is_kept_as_a_text_attachment() -> None:
    text = "!" * 5000
    graphics = {"collection": [{"name": "Big", "image": text}]}
    read = _mct({"model_details": {"name": "m"}, "quantitative_analysis": {"graphics": graphics}})
    [attachment] = read.attachments
    assert (attachment.name, attachment.media_type) == ("graphic-01-big.txt", "text/plain")
    assert attachment.content == text.encode()
    assert "its text is kept as graphic-01-big.txt" in _extra(
        read, "quantitative_analysis.graphics"
    )


def test_graphics_inside_unmapped_fields_are_still_pulled_out() -> None:
    extra = {
        "note": "See plot.",
        "graphics": {"collection": [{"name": "Drift", "image": _b64(GIF)}]},
    }
    read = _mct({"model_details": {"name": "m"}, "monitoring": extra})
    [attachment] = read.attachments
    assert attachment.media_type == "image/gif"
    assert attachment.source == "monitoring.graphics.collection[0].image"
    assert json.loads(_extra(read, "monitoring")) == {"note": "See plot."}
    assert "Drift: attachment graphic-01-drift.gif" in _extra(read, "monitoring.graphics")


def test_html_graphic_is_kept_as_text_html_and_named() -> None:
    html = "<div><script>alert(1)</script></div>"
    graphics = {"collection": [{"html": html}]}
    read = _mct({"model_details": {"name": "m", "graphics": graphics}})
    [attachment] = read.attachments
    assert (attachment.name, attachment.media_type) == ("graphic-01.html", "text/html")
    assert attachment.content == html.encode()
    mention = _extra(read, "model_details.graphics")
    assert "(unnamed graphic): HTML graphic kept as attachment graphic-01.html" in mention
    assert "never rendered" in mention
