"""Hugging Face README.md model cards (and plain Markdown model cards), read and written.

A Hugging Face card is Markdown with optional YAML front matter between two
``---`` lines.  The front matter carries the licence, tags, languages, data
sets, base model, metric ids and the ``model-index`` of evaluation results
(see :mod:`countersign.formats.huggingface.model_index`); the body carries the prose, which
:mod:`countersign.formats.huggingface.body` maps onto the canonical sections by heading.

The reader is lenient on content: front matter that is not valid YAML, a
broken ``model-index`` or junk before the opening ``---`` are warnings, and
the raw text is kept.  Keys it has no place for (``widget``, ``thumbnail``,
``co2_eq_emissions``...) are kept as JSON in one "Metadata" extra section.
It refuses what is no card: Markdown with neither front matter nor headings,
an unfilled card template, and documentation that embeds a JSON Schema.

:func:`write_huggingface` writes a README.md that this reader maps back onto
the same canonical card.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from pathlib import PurePosixPath
from typing import Any

import yaml

from countersign.formats.base import CardRefused, FormatWarning, ReadCard
from countersign.formats.huggingface.body import name_from_title, read_body, write_body
from countersign.formats.huggingface.markdown import outline, split_lines
from countersign.formats.huggingface.model_index import (
    detail_text,
    read_model_index,
    write_model_index,
)
from countersign.formats.json_schema import embedded_json_schema_line
from countersign.formats.limits import YamlProblem, hub_yaml_difference, load_json, load_yaml
from countersign.formats.placeholders import is_template_name, placeholder_message
from countersign.formats.warning_place import place_in_words
from countersign.models.card import ExtraSection, ModelCard
from countersign.models.vocabulary import CardFormat

METADATA_TITLE = "Metadata"
"""Title of the extra section that keeps front matter keys the card has no field for."""

FRONT_MATTER = "front matter"
"""Field and source naming the YAML front matter in warnings and extra sections."""

MODEL_INDEX_SOURCE = "front matter: model-index"
"""Source of the extra section that keeps a model-index with parts no result could hold."""

PLACEHOLDER_LIMIT = 3
"""A file with this many unfilled template placeholders is a template, not a card."""

_JUNK = "\ufeff\ufffc \t"
_KNOWN_KEYS = frozenset(
    {
        "license",
        "license_name",
        "license_link",
        "tags",
        "language",
        "datasets",
        "base_model",
        "metrics",
        "pipeline_tag",
        "library_name",
        "version",
        "risk_rating",
        "model-index",
    }
)
_RISK_RATINGS = ("unknown", "low", "medium", "high", "critical")
_FRONT_MATTER_PLACEHOLDER = re.compile(r"\s*(?:-\s+|[\w.-]+:\s+)\{\s*[A-Za-z_]\w*\s*\}\s*(?:#.*)?$")
# The pipeline tags of the Hub: a model type that is one of them goes back into
# the front matter as pipeline_tag; any other model type is written as prose.
_PIPELINE_TAGS = frozenset(
    {
        "text-classification",
        "token-classification",
        "table-question-answering",
        "question-answering",
        "zero-shot-classification",
        "translation",
        "summarization",
        "feature-extraction",
        "text-generation",
        "text2text-generation",
        "fill-mask",
        "sentence-similarity",
        "text-to-speech",
        "text-to-audio",
        "automatic-speech-recognition",
        "audio-to-audio",
        "audio-classification",
        "voice-activity-detection",
        "depth-estimation",
        "image-classification",
        "object-detection",
        "image-segmentation",
        "text-to-image",
        "image-to-text",
        "image-to-image",
        "image-to-video",
        "unconditional-image-generation",
        "video-classification",
        "reinforcement-learning",
        "robotics",
        "tabular-classification",
        "tabular-regression",
        "tabular-to-text",
        "table-to-text",
        "multiple-choice",
        "text-retrieval",
        "time-series-forecasting",
        "text-to-video",
        "image-text-to-text",
        "visual-question-answering",
        "document-question-answering",
        "zero-shot-image-classification",
        "graph-ml",
        "mask-generation",
        "zero-shot-object-detection",
        "text-to-3d",
        "image-to-3d",
        "image-feature-extraction",
        "video-text-to-text",
        "keypoint-detection",
        "any-to-any",
        "audio-text-to-text",
        "visual-document-retrieval",
        "conversational",
    }
)


@dataclass
class _FrontMatter:
    """Where the front matter is: the YAML lines and the index of the first body line."""

    yaml_lines: list[str]
    first_line: int
    body_start: int


def _fenced(text: str, info: str) -> str:
    """``text`` in a fenced code block longer than any backtick run that opens its lines."""
    longest = max((len(line) - len(line.lstrip("`")) for line in text.split("\n")), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n{text}\n{fence}"


def _unfenced_json(text: str) -> Any:
    """The JSON inside a ```json block written by :func:`_fenced`, or ``None``."""
    if not (text.startswith("```json\n") and text.endswith("\n```")):
        return None
    try:
        return load_json(text[len("```json\n") : -len("\n```")], METADATA_TITLE)
    except CardRefused:
        return None


def _describe_junk(junk: str) -> str:
    names = {"\ufeff": "U+FEFF (byte order mark)", "\ufffc": "U+FFFC (object replacement)"}
    kinds = [names[char] for char in dict.fromkeys(junk) if char in names]
    if "\n" in junk:
        kinds.append("line breaks")
    if any(char in " \t" for char in junk):
        kinds.append("spaces")
    return ", ".join(kinds)


def _front_matter(lines: list[str], warnings: list[FormatWarning]) -> _FrontMatter | None:
    """Find the front matter after any junk at the very start, if it is there."""
    index = 0
    while index < len(lines) and not lines[index].lstrip(_JUNK):
        index += 1
    if index == len(lines) or lines[index].lstrip(_JUNK).rstrip() != "---":
        return None
    opening = lines[index]
    junk = "\n".join(lines[:index]) + ("\n" if index else "") + opening[: opening.index("-")]
    for end in range(index + 1, len(lines)):
        if lines[end].rstrip() == "---":
            if junk:
                hub = " the Hub would not find this front matter;" if junk.strip(" \t\n") else ""
                warnings.append(
                    FormatWarning(
                        FRONT_MATTER,
                        f"junk comes before the opening --- ({_describe_junk(junk)});{hub} "
                        "it was skipped",
                    )
                )
            return _FrontMatter(lines[index + 1 : end], index + 2, end + 1)
    warnings.append(
        FormatWarning(
            FRONT_MATTER,
            f"line {index + 1} opens front matter with --- but no line closes it; "
            "the file is read as Markdown without front matter",
        )
    )
    return None


def _jinja_placeholder(line: str) -> str | None:
    """A ``{{ ... }}`` or ``{% ... %}`` placeholder outside inline code, if ``line`` has one."""
    for part in line.split("`")[0::2]:
        for opening, closing in (("{{", "}}"), ("{%", "%}")):
            start = part.find(opening)
            if start >= 0:
                end = part.find(closing, start + 2)
                if end > start and part[start + 2 : end].strip():
                    return part[start : end + 2]
    return None


def _placeholders(
    lines: list[str], front: _FrontMatter | None, code_lines: set[int]
) -> list[tuple[int, str]]:
    """(line number, placeholder) for each unfilled template placeholder."""
    found: list[tuple[int, str]] = []
    front_range = range(front.first_line - 1, front.body_start - 1) if front else range(0)
    for index, line in enumerate(lines):
        if index in code_lines or "{" not in line:
            continue
        placeholder = _jinja_placeholder(line)
        in_front = index in front_range and len(line) < 1000
        if placeholder is None and in_front and _FRONT_MATTER_PLACEHOLDER.match(line):
            placeholder = line.strip()
        if placeholder is not None:
            found.append((index + 1, placeholder[:60]))
    return found


def _refuse_schema_documentation(text: str, file: str) -> None:
    """Refuse Markdown that documents a card schema by embedding a JSON Schema."""
    line = embedded_json_schema_line(text)
    if line is not None:
        raise CardRefused(
            file,
            f"line {line}",
            "documentation of a card schema, not a card: the Markdown embeds a JSON Schema",
        )


def read_huggingface(text: str, file: str) -> ReadCard:
    """Read a Hugging Face README.md card, or a plain Markdown model card.

    ``text`` is the decoded file (UTF-8, byte order mark removed).  Raises
    :class:`CardRefused` when the text is no card: no front matter and no
    headings, an unfilled card template, or documentation of a card schema.
    """
    lines = split_lines(text)
    warnings: list[FormatWarning] = []
    front = _front_matter(lines, warnings)
    _refuse_schema_documentation(text, file)
    body_start = front.body_start if front else 0
    cut = outline(lines[body_start:], body_start + 1)
    code = {body_start + index for index in cut.code_lines}
    placeholders = _placeholders(lines, front, code)
    if len(placeholders) >= PLACEHOLDER_LIMIT:
        line, example = placeholders[0]
        raise CardRefused(
            file,
            f"line {line}",
            f"a template, not a filled-in card: {len(placeholders)} placeholders such as "
            f"{example!r} are not filled in",
        )
    for line, example in placeholders:
        warnings.append(
            FormatWarning(f"line {line}", f"a template placeholder is not filled in: {example!r}")
        )
    blocks = cut.blocks
    if front is None and len(blocks) == 1:
        raise CardRefused(
            file,
            "body",
            "plain text with no sections (no front matter and no headings): "
            "this is not a model card",
        )
    card = ModelCard()
    front_extras: list[ExtraSection] = []
    index_name = ""
    if front is not None:
        index_name = _read_front_matter(front, card, front_extras, warnings, file)
    body = read_body(card, blocks, file)
    warnings.extend(body.warnings)
    title_name = name_from_title(body.title.title) if body.title else ""
    if body.title is not None and title_name and is_template_name(title_name):
        warnings.append(
            FormatWarning(f"line {body.title.line}", placeholder_message("the title", title_name))
        )
        title_name = ""
    card.model_details.name = (
        index_name or title_name or PurePosixPath(file.replace("\\", "/")).stem
    )
    extras = front_extras
    if body.title is not None and title_name and title_name != card.model_details.name:
        # The title says something the name does not: keep it.
        extras.append(ExtraSection(title="Title", text=body.title.display, source="Title"))
    card.extra_sections = [*extras, *body.extras]
    return ReadCard(card=card, source_format=CardFormat.HUGGINGFACE, warnings=warnings)


# -- front matter ---------------------------------------------------------------------


def _strings(value: Any, place: str, warnings: list[FormatWarning]) -> list[str]:
    """A text or list of texts; anything else is kept as text with a warning."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list):
        warnings.append(FormatWarning(place, "expected a text or a list of texts"))
        return [detail_text(value)]
    out: list[str] = []
    for index, item in enumerate(value):
        if item is None:
            warnings.append(FormatWarning(f"{place}[{index}]", "an empty entry; left out"))
        elif isinstance(item, str):
            out.append(item)
        else:
            warnings.append(FormatWarning(f"{place}[{index}]", "not a text; kept as JSON text"))
            out.append(detail_text(item))
    return out


def _one_string(value: Any, place: str, warnings: list[FormatWarning]) -> str:
    texts = _strings(value, place, warnings)
    if len(texts) > 1:
        warnings.append(FormatWarning(place, "a list where one text is expected; joined"))
    return ", ".join(texts)


def _license(data: dict[str, Any], warnings: list[FormatWarning]) -> str:
    text = _one_string(data.get("license"), "license", warnings)
    name = _one_string(data.get("license_name"), "license_name", warnings)
    link = _one_string(data.get("license_link"), "license_link", warnings)
    if name:
        text = name if text in ("", "other") else f"{text} ({name})"
    if link:
        text = f"{text} <{link}>" if text else link
    return text


def _raw_front_matter(front: _FrontMatter, title: str) -> ExtraSection:
    return ExtraSection(
        title=title, text=_fenced("\n".join(front.yaml_lines), "yaml"), source=FRONT_MATTER
    )


def _read_front_matter(
    front: _FrontMatter,
    card: ModelCard,
    extras: list[ExtraSection],
    warnings: list[FormatWarning],
    file: str,
) -> str:
    """Map the front matter onto ``card``; return the model name it states (model-index first)."""
    data = _front_matter_mapping(front, extras, warnings, file)
    if data is None:
        return ""
    first_warning = len(warnings)
    name = _read_front_matter_mapping(data, card, extras, warnings)
    # Word the places while the front matter is at hand, so that a model-index
    # warning names its metric (metrics “AUC” › value), not an ordinal.
    warnings[first_warning:] = [
        w if w.where else replace(w, where=place_in_words(w.field, data))
        for w in warnings[first_warning:]
    ]
    return name


def _read_front_matter_mapping(
    data: dict[Any, Any], card: ModelCard, extras: list[ExtraSection], warnings: list[FormatWarning]
) -> str:
    _read_known_keys(data, card, warnings)
    unknown = {key: value for key, value in data.items() if key not in _KNOWN_KEYS}
    rating = data.get("risk_rating")
    if rating in _RISK_RATINGS:
        card.risk_rating = rating
    elif rating is not None:
        warnings.append(
            FormatWarning("risk_rating", f"{rating!r} is not one of {', '.join(_RISK_RATINGS)}")
        )
        unknown["risk_rating"] = rating
    if unknown:
        text = json.dumps(unknown, indent=2, ensure_ascii=False)
        extras.append(
            ExtraSection(title=METADATA_TITLE, text=_fenced(text, "json"), source=FRONT_MATTER)
        )
    # A model_name key (written by some exporters) names the model when no model-index does.
    name = data["model_name"].strip() if isinstance(data.get("model_name"), str) else ""
    if "model-index" not in data:
        return name
    return _read_model_index_key(data["model-index"], card, extras, warnings) or name


def _front_matter_mapping(
    front: _FrontMatter, extras: list[ExtraSection], warnings: list[FormatWarning], file: str
) -> dict[Any, Any] | None:
    """The front matter's keys and values; None (raw text kept as an extra) if it has none."""
    try:
        data = load_yaml("\n".join(front.yaml_lines), file, FRONT_MATTER)
    except YamlProblem as problem:
        warnings.append(
            FormatWarning(
                FRONT_MATTER, f"not valid YAML: {problem}; the raw text is kept as an extra section"
            )
        )
        extras.append(_raw_front_matter(front, "Front matter (not valid YAML)"))
        return None
    difference = hub_yaml_difference("\n".join(front.yaml_lines), data)
    if difference is not None:
        warnings.append(FormatWarning(FRONT_MATTER, difference))
    if data is None:
        return None
    if not isinstance(data, dict):
        warnings.append(
            FormatWarning(
                FRONT_MATTER,
                "the front matter is not a mapping of keys to values; "
                "the raw text is kept as an extra section",
            )
        )
        extras.append(_raw_front_matter(front, "Front matter (not a mapping)"))
        return None
    return data


def _read_known_keys(data: dict[Any, Any], card: ModelCard, warnings: list[FormatWarning]) -> None:
    """Licence, tags, languages, datasets, base model, metrics, pipeline tag and version."""
    card.license = _license(data, warnings)
    card.tags = _strings(data.get("tags"), "tags", warnings)
    library = _one_string(data.get("library_name"), "library_name", warnings)
    if library and library not in card.tags:
        card.tags.append(library)
    card.languages = _strings(data.get("language"), "language", warnings)
    card.datasets = _strings(data.get("datasets"), "datasets", warnings)
    card.base_model = _strings(data.get("base_model"), "base_model", warnings)
    card.metrics.measures = _strings(data.get("metrics"), "metrics", warnings)
    card.model_details.model_type = _one_string(data.get("pipeline_tag"), "pipeline_tag", warnings)
    card.model_details.version = _one_string(data.get("version"), "version", warnings)


def _read_model_index_key(
    value: Any, card: ModelCard, extras: list[ExtraSection], warnings: list[FormatWarning]
) -> str:
    """The model-index's results onto ``card`` (kept as written when lossy); its model name."""
    index = read_model_index(value)
    warnings.extend(index.warnings)
    card.quantitative_analyses.results = index.results
    if index.lossy:
        text = json.dumps(value, indent=2, ensure_ascii=False)
        extras.append(
            ExtraSection(
                title="model-index (as written)",
                text=_fenced(text, "json"),
                source=MODEL_INDEX_SOURCE,
            )
        )
    return index.name


# -- writing ----------------------------------------------------------------------------


def _dump_yaml(data: dict[str, Any]) -> str:
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    text: str = yaml.dump(
        data,
        Dumper=dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=2**31 - 1,
    )
    return text


def _mergeable_metadata(card: ModelCard) -> dict[str, Any] | None:
    """The front matter keys of a first "Metadata" extra section, when they can go back."""
    if not card.extra_sections:
        return None
    first = card.extra_sections[0]
    if first.title != METADATA_TITLE or first.source != FRONT_MATTER:
        return None
    data = _unfenced_json(first.text)
    if not isinstance(data, dict) or not data or set(data) & _KNOWN_KEYS:
        return None
    # The reader writes exactly this JSON; anything else would not read back the same.
    if json.dumps(data, indent=2, ensure_ascii=False) != first.text[len("```json\n") : -4]:
        return None
    return data


def _license_keys(text: str) -> dict[str, Any]:
    """The licence keys for ``text``: "name <link>" goes back to other/name/link."""
    if not text:
        return {}
    if text.endswith(">") and " <" in text:
        name, link = text[:-1].rsplit(" <", 1)
        keys = {"license": "other", "license_name": name, "license_link": link}
        if name and link and _license(keys, []) == text:
            return keys
    return {"license": text}


def write_huggingface(card: ModelCard) -> str:
    """A README.md for ``card`` that :func:`read_huggingface` reads back as the same card."""
    front, skip = _front_matter_of(card)
    extras = list(card.extra_sections)
    metadata = _mergeable_metadata(card)
    if metadata is not None:
        front.update(metadata)
        extras = extras[1:]
    if card.quantitative_analyses.results:
        front["model-index"] = write_model_index(
            card.model_details.name, card.quantitative_analyses.results
        )
    body = write_body(card, extras, frozenset(skip))
    if not front:
        return body
    return f"---\n{_dump_yaml(front)}---\n\n{body}"


def _front_matter_of(card: ModelCard) -> tuple[dict[str, Any], set[str]]:
    """The card's fields that have a front matter key, and the fields the body then leaves out."""
    front: dict[str, Any] = _license_keys(card.license)
    if card.languages:
        front["language"] = list(card.languages)
    if card.tags:
        front["tags"] = list(card.tags)
    if card.datasets:
        front["datasets"] = list(card.datasets)
    if card.base_model:
        front["base_model"] = (
            card.base_model[0] if len(card.base_model) == 1 else list(card.base_model)
        )
    if card.metrics.measures:
        front["metrics"] = list(card.metrics.measures)
    skip: set[str] = set()
    if card.model_details.model_type in _PIPELINE_TAGS:
        front["pipeline_tag"] = card.model_details.model_type
        skip.add("model_details.model_type")
    if card.model_details.version:
        front["version"] = card.model_details.version
    if card.risk_rating:
        front["risk_rating"] = card.risk_rating
    return front, skip
