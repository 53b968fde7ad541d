"""Read a card file of any supported format, recognised by its content.

The file name never decides the format on its own: a README saved as
``card.json`` is still read as Markdown.  Markdown is the default: the JSON
and YAML readers only get a JSON object, or a YAML mapping that has the keys
of a card format, because a README can parse as YAML (a heading is a YAML
comment, ``Chapter 10: Training`` a mapping) or start with ``[`` (a link).
Model Card Toolkit's protobuf text (``.pbtxt``) is read into MCT's JSON shape.
What is no card at all (a JSON Schema, a card template, a protobuf text file of
another message, a fragment of a card, plain text with no sections, an empty file) is refused
with a message that says what the file looks like instead, never a parser's
complaint about a format the file never was.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, replace
from pathlib import PurePosixPath
from typing import Any

from countersign.formats import cyclonedx, cyclonedx_xml, native, sagemaker, sagemaker_envelope
from countersign.formats.base import CardRefused, FormatWarning, ReadCard
from countersign.formats.huggingface import readme as huggingface
from countersign.formats.huggingface.markdown import split_blocks, split_lines
from countersign.formats.json_schema import is_json_schema
from countersign.formats.limits import (
    MAX_CARD_BYTES,
    MAX_YAML_BYTES,
    YamlProblem,
    decode_utf8,
    load_json,
    load_yaml,
)
from countersign.formats.mct import pbtxt
from countersign.formats.mct import reader as mct
from countersign.formats.warning_place import place_in_words
from countersign.models.vocabulary import CardFormat

_YAML_SUFFIXES = (".yaml", ".yml")
_PROTOBUF_SUFFIXES = (".pbtxt", ".textproto", ".prototxt")
_PROTOBUF_HEADER = re.compile(r"#\s*proto-(?:message|file|import)\s*:")
# One line of protobuf text format: "field {", "field: value", "}" or a comment.
_PROTOBUF_LINE = re.compile(r"\s*(?:[A-Za-z_]\w*\s*:?\s*[{<]|[}>]|[A-Za-z_]\w*\s*:\s*\S.*|#.*)?\s*")
_DATA_KEY = re.compile(r"[A-Za-z_][\w.-]*")


def read_card(data: bytes, file: str, model: str | None = None) -> ReadCard:
    """Read the card in ``data`` (the bytes of ``file``) onto the canonical form.

    A file holding several cards (a CycloneDX BOM with several models) gives
    the card of ``model``; without one it is refused, naming the models.
    Raises :class:`CardRefused` when the file is no card in a supported format.
    """
    cards = read_cards(data, file)
    if len(cards) == 1:
        return cards[0]
    names = [read.card.model_details.name for read in cards]
    chosen = [read for read in cards if model is not None and read.card.model_details.name == model]
    if len(chosen) == 1:
        return chosen[0]
    listed = ", ".join(repr(name) for name in names)
    which = f"none of them is {model!r}" if model is not None else "say which one"
    raise CardRefused(
        file,
        "components",
        f"the BOM holds {len(cards)} model cards ({listed}); {which}",
    )


def read_cards(data: bytes, file: str) -> list[ReadCard]:
    """Every card in ``data``: one, or one per model of a CycloneDX BOM.

    Raises :class:`CardRefused` when the file is no card in a supported format.
    """
    if len(data) > MAX_CARD_BYTES:
        raise CardRefused(
            file,
            "",
            f"the file is larger than {MAX_CARD_BYTES // 1024 // 1024} MiB, the limit for a card",
        )
    text = decode_utf8(data, file)
    if cyclonedx_xml.looks_like_cyclonedx_xml(text):
        return cyclonedx.read_cyclonedx(cyclonedx_xml.read_bom_xml(text, file), file)
    parsed = _structured(text, file) if text.strip() and "\x00" not in text else _Parsed()
    if parsed.json is not None and cyclonedx.looks_like_cyclonedx(parsed.json):
        reads = cyclonedx.read_cyclonedx(parsed.json, file)
    else:
        reads = [_read_one(text, parsed, file)]
    document = parsed.json if parsed.json is not None else parsed.yaml
    for read in reads:
        read.warnings = [_worded(warning, document) for warning in read.warnings]
    return reads


def _worded(warning: FormatWarning, document: Any) -> FormatWarning:
    """``warning`` with its place in words, list items named from the file's own data."""
    if warning.where:
        return warning
    return replace(warning, where=place_in_words(warning.field, document))


def _read_one(text: str, parsed: _Parsed, file: str) -> ReadCard:
    if not text.strip():
        raise CardRefused(file, "", "the file is empty")
    if "\x00" in text:
        raise CardRefused(file, "", "the file holds NUL characters; it is binary, not a card")
    if _is_protobuf_text(text, file):
        return _read_protobuf_text(text, file)
    if parsed.json is not None:
        return _read_mapping(parsed.json, file, source="JSON")
    if parsed.yaml is not None and (_has_card_keys(parsed.yaml) or _is_yaml_file(file)):
        return _read_mapping(parsed.yaml, file, source="YAML")
    try:
        return huggingface.read_huggingface(text, file)
    except CardRefused as refusal:
        if refusal.field != "body":
            raise
        return _refuse_sectionless(parsed, text, file)


@dataclass
class _Parsed:
    """What the text is as data: a JSON object, a YAML mapping or list, or neither."""

    json: dict[str, Any] | None = None
    yaml: dict[str, Any] | list[Any] | None = None
    json_problem: CardRefused | None = None


def _structured(text: str, file: str) -> _Parsed:
    stripped = text.lstrip("\ufeff\ufffc \t\r\n")
    if stripped[:1] in ("{", "["):
        try:
            value = load_json(text, file)
        except CardRefused as problem:
            if not problem.reason.startswith("not valid JSON"):
                raise  # too deep: hostile whatever it was meant to be
            return _Parsed(json_problem=problem, yaml=_yaml_data(text, file))
        if isinstance(value, dict):
            return _Parsed(json=value)
        raise CardRefused(
            file, "", f"the JSON holds a {type(value).__name__}, not a model card object"
        )
    return _Parsed(yaml=_yaml_data(text, file))


def _yaml_data(text: str, file: str) -> dict[str, Any] | list[Any] | None:
    """The document as YAML data, or ``None`` when it is not a YAML mapping or list.

    Front matter (``---`` first) is Markdown's business.
    """
    if text.lstrip("\ufeff\ufffc \t\r\n").startswith("---"):
        return None
    if len(text) > MAX_YAML_BYTES and not _is_yaml_file(file):
        return None  # too large for a YAML card: a long README is not refused as YAML
    try:
        value = load_yaml(text, file)
    except YamlProblem:
        return None
    except CardRefused:
        if _is_yaml_file(file):
            raise
        return None  # too many values or too deep for YAML data: let Markdown read it
    if isinstance(value, dict | list):
        return value
    return None


def _has_card_keys(value: dict[str, Any] | list[Any]) -> bool:
    """Whether YAML data has the keys of a card format (or of a known non-card).

    Only a key holding an object or a list counts: a README line such as
    ``model_details: see below`` parses as YAML too.
    """
    if not isinstance(value, dict):
        return False
    if native.looks_native(value) or is_json_schema(value):
        return True
    if sagemaker_envelope.looks_like_describe_response(value):
        return True
    sections = (*sagemaker.SAGEMAKER_SECTIONS, *mct.MCT_SECTIONS, "metric_groups")
    return any(isinstance(value.get(key), dict | list) for key in sections)


def _is_yaml_file(file: str) -> bool:
    """A file named ``.yaml`` whose text is YAML data is YAML, whatever comments it has."""
    return PurePosixPath(file.replace("\\", "/")).suffix.lower() in _YAML_SUFFIXES


def _has_sections(text: str) -> bool:
    """Whether Markdown text has front matter or at least one heading."""
    if text.lstrip("\ufeff\ufffc \t\r\n").startswith("---"):
        return True
    return len(split_blocks(split_lines(text), 1)) > 1


def _looks_like_data(value: dict[str, Any] | list[Any]) -> bool:
    """Whether YAML parsed from heading-less text is data rather than prose that parsed."""
    if isinstance(value, list):
        return any(isinstance(item, dict | list) for item in value)
    keys = list(value)
    return len(keys) >= 2 and all(_DATA_KEY.fullmatch(key) for key in keys)


def _refuse_sectionless(parsed: _Parsed, text: str, file: str) -> ReadCard:
    """Refuse text with no headings, saying what it looked like."""
    if parsed.json_problem is not None and text.lstrip("\ufeff\ufffc \t\r\n").startswith("{"):
        raise parsed.json_problem
    if parsed.yaml is not None and _looks_like_data(parsed.yaml):
        return _read_mapping(parsed.yaml, file, source="YAML")
    raise CardRefused(
        file,
        "body",
        "plain text with no sections (no front matter and no headings): this is not a model card",
    )


def _is_protobuf_text(text: str, file: str) -> bool:
    """Whether ``text`` is protobuf text format (Model Card Toolkit's ``.pbtxt``).

    It is when its first non-blank line is a ``# proto-message:`` (or file, import)
    header; or when its first 200 non-blank lines (two at least) are each a protobuf
    line and one of its lines opens a message; or when it is named ``.pbtxt`` (or the
    like) and has no Markdown sections.  Most text fails on its first line, read first.
    """
    lines = split_lines(text)
    filled = (line for line in lines if line.strip())
    first = next(filled, "")
    if first and _PROTOBUF_HEADER.match(first.lstrip()) is not None:
        return True
    if first and _PROTOBUF_LINE.fullmatch(first):
        head = list(itertools.islice(filled, 199))
        if (
            head
            and all(_PROTOBUF_LINE.fullmatch(line) for line in head)
            and any(line.rstrip().endswith(("{", "<")) for line in lines)
        ):
            return True
    return _has_protobuf_suffix(file) and not _has_sections(text)


def _has_protobuf_suffix(file: str) -> bool:
    """Whether ``file`` is named ``.pbtxt`` or the like (a name without one of those words
    in it, as most are, is not looked at further)."""
    lowered = file.lower()
    if not any(suffix in lowered for suffix in _PROTOBUF_SUFFIXES):
        return False
    return PurePosixPath(file.replace("\\", "/")).suffix.lower() in _PROTOBUF_SUFFIXES


def _read_protobuf_text(text: str, file: str) -> ReadCard:
    """Read a Model Card Toolkit card written as protobuf text; refuse any other message."""
    message = pbtxt.message_name(text)
    if message is not None and message.rsplit(".", 1)[-1] != "ModelCard":
        raise CardRefused(
            file,
            "proto-message",
            f"a protobuf text file of a {message} message, not a Model Card Toolkit ModelCard",
        )
    value = pbtxt.parse_pbtxt(text, file)
    if not mct.looks_like_mct(value):
        keys = ", ".join(sorted(value)[:8]) or "none"
        raise CardRefused(
            file,
            "",
            "a protobuf text file with none of a Model Card Toolkit card's sections "
            f"({', '.join(mct.MCT_SECTIONS)}); its fields are: {keys}",
        )
    return mct.read_mct(value, file)


def _read_mapping(value: dict[str, Any] | list[Any], file: str, source: str) -> ReadCard:
    if not isinstance(value, dict):
        raise CardRefused(
            file, "", f"the {source} holds a list, not a model card; a card is one object"
        )
    if native.looks_native(value):
        return native.read_native(
            value, file, CardFormat.NATIVE_JSON if source == "JSON" else CardFormat.NATIVE_YAML
        )
    if is_json_schema(value):
        raise CardRefused(
            file, "$schema", "this is a JSON Schema that describes cards, not a model card"
        )
    if sagemaker_envelope.looks_like_describe_response(value):
        return sagemaker_envelope.read_describe_response(value, file)
    if sagemaker.looks_like_sagemaker(value):
        return sagemaker.read_sagemaker(value, file)
    if set(value) == {"metric_groups"}:
        raise CardRefused(
            file,
            "metric_groups",
            "this is a fragment of a SageMaker card (the metric_groups of one "
            "evaluation_details entry), not a whole model card",
        )
    if mct.looks_like_mct(value):
        return mct.read_mct(value, file)
    keys = ", ".join(sorted(value)[:8]) or "none"
    raise CardRefused(
        file,
        "",
        f"the {source} is not a model card in a known format (Countersign, Hugging Face, "
        f"Model Card Toolkit, SageMaker or CycloneDX); its top-level keys are: {keys}",
    )
