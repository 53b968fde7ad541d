"""The canonical model card: one pydantic shape that every card format maps onto.

The sections follow "Model Cards for Model Reporting" (Mitchell et al., 2019):
model details, intended use, factors, metrics, evaluation data, training data,
quantitative analyses, ethical considerations, caveats and recommendations.
Beside them sit the facts the hubs add (licence, tags, languages, base model,
datasets, owners, risk rating) and free-form extra sections, so that a reader
never has to drop text it cannot map.

Every text field holds Markdown as the team wrote it.  Nothing here is ever
rendered as HTML without escaping.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal, get_args, get_origin

import orjson
from pydantic import BaseModel, ConfigDict, Field

CARD_FORMAT = "countersign-card"
CARD_FORMAT_VERSION: Literal[1] = 1


class _Part(BaseModel):
    """Base of every card part: unknown keys are refused, values are copied."""

    model_config = ConfigDict(extra="forbid", validate_assignment=False)


class Owner(_Part):
    """A person or team answerable for the model, with a way to reach them."""

    name: str = ""
    contact: str = ""
    role: str = ""


class Reference(_Part):
    """A paper, repository or page the card points to."""

    reference: str


class ModelDetails(_Part):
    """Who built the model, when, what it is, and how to cite it."""

    name: str = ""
    version: str = ""
    summary: str = ""
    description: str = ""
    developers: list[str] = Field(default_factory=list)
    date: str = ""
    model_type: str = ""
    architecture: str = ""
    references: list[Reference] = Field(default_factory=list)
    citation: str = ""


class IntendedUse(_Part):
    """What the model is for, for whom, and what it must not be used for."""

    text: str = ""
    primary_uses: list[str] = Field(default_factory=list)
    primary_users: list[str] = Field(default_factory=list)
    out_of_scope: list[str] = Field(default_factory=list)


class Factors(_Part):
    """Groups, instruments and environments whose variation matters."""

    text: str = ""
    relevant: list[str] = Field(default_factory=list)
    evaluation: list[str] = Field(default_factory=list)


class MetricsSection(_Part):
    """Which performance measures were chosen, thresholds, and why."""

    text: str = ""
    measures: list[str] = Field(default_factory=list)
    decision_thresholds: str = ""


class DatasetRef(_Part):
    """A data set named by a card, with what the card says about it."""

    name: str
    link: str = ""
    description: str = ""
    sensitive_data: str = ""


class DataSection(_Part):
    """Training or evaluation data: the data sets, motivation, preprocessing."""

    text: str = ""
    datasets: list[DatasetRef] = Field(default_factory=list)
    preprocessing: str = ""


class MetricResult(_Part):
    """One reported performance figure.

    ``value`` keeps the text exactly as the card gave it ("0.912", "NA",
    "20.0 ± 1.2"); ``numeric`` is the number read from it, or ``None`` when it
    holds none.  Results are identified by (name, dataset, split, slice).
    """

    name: str
    type: str = ""
    value: str = ""
    numeric: float | None = None
    task: str = ""
    dataset: str = ""
    split: str = ""
    slice: str = ""
    threshold: str = ""
    confidence_interval: str = ""
    details: dict[str, str] = Field(default_factory=dict)


class QuantitativeAnalyses(_Part):
    """Results, unitary and intersectional, with their discussion."""

    text: str = ""
    results: list[MetricResult] = Field(default_factory=list)


class Risk(_Part):
    """An ethical risk and what is done about it."""

    name: str
    mitigation: str = ""


class EthicalConsiderations(_Part):
    """Sensitive data, human life, risks and harms, and their mitigations."""

    text: str = ""
    risks: list[Risk] = Field(default_factory=list)


class CaveatsAndRecommendations(_Part):
    """Known limitations, trade-offs and advice to those who use the model."""

    text: str = ""
    limitations: list[str] = Field(default_factory=list)
    tradeoffs: list[str] = Field(default_factory=list)
    recommendations: list[str] = Field(default_factory=list)


class ExtraSection(_Part):
    """Text a reader found but could not map onto a canonical section.

    ``source`` says where it came from (a Markdown heading path, a JSON path)
    so that an officer can find it in the original file.
    """

    title: str
    text: str
    source: str = ""


RiskRating = Literal["", "unknown", "low", "medium", "high", "critical"]


class ModelCard(_Part):
    """The canonical model card stored by the registry (format version 1)."""

    format: Literal["countersign-card"] = "countersign-card"
    format_version: Literal[1] = CARD_FORMAT_VERSION
    model_details: ModelDetails = Field(default_factory=ModelDetails)
    intended_use: IntendedUse = Field(default_factory=IntendedUse)
    factors: Factors = Field(default_factory=Factors)
    metrics: MetricsSection = Field(default_factory=MetricsSection)
    evaluation_data: DataSection = Field(default_factory=DataSection)
    training_data: DataSection = Field(default_factory=DataSection)
    quantitative_analyses: QuantitativeAnalyses = Field(default_factory=QuantitativeAnalyses)
    ethical_considerations: EthicalConsiderations = Field(default_factory=EthicalConsiderations)
    caveats_and_recommendations: CaveatsAndRecommendations = Field(
        default_factory=CaveatsAndRecommendations
    )
    license: str = ""
    tags: list[str] = Field(default_factory=list)
    languages: list[str] = Field(default_factory=list)
    base_model: list[str] = Field(default_factory=list)
    datasets: list[str] = Field(default_factory=list)
    owners: list[Owner] = Field(default_factory=list)
    risk_rating: RiskRating = ""
    extra_sections: list[ExtraSection] = Field(default_factory=list)

    def canonical_json(self) -> str:
        """The card as canonical JSON: sorted keys, UTF-8, no insignificant space."""
        return canonical_json(self.model_dump(mode="json"))

    def sha256(self) -> str:
        """SHA-256 (hex) of :meth:`canonical_json`, the card version's identity."""
        return hashlib.sha256(self.canonical_json().encode("utf-8")).hexdigest()

    def plain_text(self) -> str:
        """Every piece of text in the card, one per line, for full-text search."""
        return self.canonical_forms()[1]

    def canonical_forms(self) -> tuple[str, str]:
        """:meth:`canonical_json` and :meth:`plain_text` from one serialisation (for bulk work).

        orjson writes the canonical JSON, with each number given as the json module
        writes it; the few values orjson refuses (a lone surrogate, a whole number
        over 64 bits) are written by the json module, so the text is the same.
        """
        dumped = self.model_dump(mode="json")
        parts: list[str] = []
        try:
            _collect_part_text(dumped, _CARD_SHAPE, parts)
        except KeyError:  # a part holding other keys than its fields: walked as any value
            dumped = self.model_dump(mode="json")
            parts = []
            _collect_text(dumped, parts)
        try:
            canonical = orjson.dumps(dumped, option=orjson.OPT_SORT_KEYS).decode("utf-8")
        except orjson.JSONEncodeError:
            canonical = canonical_json(self.model_dump(mode="json"))
        return canonical, "\n".join(parts)


def canonical_json(value: Any) -> str:
    """Serialise ``value`` canonically (sorted keys, compact, non-ASCII kept)."""
    return json.dumps(
        value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False
    )


def canonical_bytes(value: Any) -> bytes:
    """:func:`canonical_json` of ``value`` in UTF-8, written by orjson when it writes the same.

    It does for strings, integers, booleans, None, lists, tuples and dicts keyed by
    strings (the vocabulary's words are strings): orjson escapes and sorts as the json
    module does.  Anything else (a float, whose exponent orjson writes its own way;
    an object either may refuse) and what orjson refuses (a lone surrogate, a whole
    number over 64 bits, deep nesting) is written by the json module, so the bytes,
    and the errors, are the json module's.
    """
    if _orjson_writes_as_json(value, _DEPTH):
        try:
            return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
        except orjson.JSONEncodeError:
            pass
    return canonical_json(value).encode("utf-8")


_DEPTH = 32
"""Nesting :func:`canonical_bytes` leaves to orjson (audit details are a few levels deep)."""


def _orjson_writes_as_json(value: Any, depth: int) -> bool:
    """Whether ``value`` holds only what orjson writes as :func:`canonical_json` does."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return True
    if depth == 0:
        return False
    if kind is dict:
        for key, item in value.items():
            if type(key) is not str:
                return False
            leaf = type(item)  # most values are strings or integers: no call for them
            if leaf is not str and leaf is not int and not _orjson_writes_as_json(item, depth - 1):
                return False
        return True
    if kind is list or kind is tuple:
        return all(_orjson_writes_as_json(item, depth - 1) for item in value)
    # A StrEnum is its value as a string to both (a plain Enum, or another str subclass, not).
    return isinstance(value, StrEnum)


_NOT_TEXT = frozenset({"format", "format_version", "numeric"})
"""Keys whose values are no text to search (at any level)."""


def _collect_text(value: Any, out: list[str] | None) -> None:
    """Append the non-empty texts of ``value`` to ``out`` (keys sorted, as in the canonical JSON),
    and put each number in as the json module writes it, for orjson to copy.

    ``out`` is None below a key whose values are no text (numbers are still put in).
    """
    pairs = sorted(value.items()) if type(value) is dict else enumerate(value)
    for key, item in pairs:
        kind = type(item)
        if kind is str:
            if item and out is not None and key not in _NOT_TEXT:
                out.append(item)
        elif kind is dict or kind is list:
            if item:  # an empty one holds neither text nor numbers
                _collect_text(item, None if key in _NOT_TEXT else out)
        elif kind is float:
            value[key] = _json_float(item)


def _json_float(number: float) -> orjson.Fragment:
    """``number`` as json writes it (its repr); json refuses infinities and NaN itself."""
    return orjson.Fragment(
        repr(number) if math.isfinite(number) else json.dumps(number, allow_nan=False)
    )


@dataclass(frozen=True)
class _Shape:
    """The fields of a card part as its dump holds them, in key order, worked out once.

    Each field is (key, whether its values are text to search, the shape of the part
    it holds or of each part in its list, whether it holds a list of parts).
    """

    size: int
    fields: tuple[tuple[str, bool, _Shape | None, bool], ...]


def _shape_of(part: type[BaseModel]) -> _Shape:
    fields: list[tuple[str, bool, _Shape | None, bool]] = []
    for name in sorted(part.model_fields):
        annotation = part.model_fields[name].annotation
        inner: _Shape | None = None
        many = get_origin(annotation) is list
        held = get_args(annotation)[0] if many else annotation
        if isinstance(held, type) and issubclass(held, _Part):
            inner = _shape_of(held)
        fields.append((name, name not in _NOT_TEXT, inner, many))
    return _Shape(len(part.model_fields), tuple(fields))


def _collect_part_text(value: dict[str, Any], shape: _Shape, out: list[str] | None) -> None:
    """:func:`_collect_text` of a card part's dump, walked in its shape's key order (no
    sorting, no looking at what each field holds); a dump with more or fewer keys is walked
    as any value, one with other keys raises :class:`KeyError`."""
    if len(value) != shape.size:
        _collect_text(value, out)
        return
    for key, textual, inner, many in shape.fields:
        item = value[key]
        kind = type(item)
        if kind is str:
            if item and textual and out is not None:
                out.append(item)
        elif not item:
            if kind is float:
                value[key] = _json_float(item)
        elif inner is not None and kind is (list if many else dict):
            _collect_held_parts(item, inner, out if textual else None)
        elif kind is dict or kind is list:
            _collect_text(item, out if textual else None)
        elif kind is float:
            value[key] = _json_float(item)


def _collect_held_parts(held: Any, shape: _Shape, out: list[str] | None) -> None:
    """:func:`_collect_part_text` of the part a field holds, or of each in the list it holds."""
    if type(held) is dict:
        _collect_part_text(held, shape, out)
    elif all(type(element) is dict for element in held):
        for element in held:
            _collect_part_text(element, shape, out)
    else:
        _collect_text(held, out)


_NUMBER = re.compile(r"[-+]?(?:\d+(?:[.,]\d*)?|\.\d+)(?:[eE][-+]?\d+)?")


def parse_metric_number(raw: object) -> float | None:
    """Read the number a metric value states, or ``None`` when it states none.

    ``0.912`` and ``"0.912"`` give 0.912; ``"20.0 ± 1.2"`` gives 20.0;
    ``"96.5%"`` gives 96.5 (the unit stays in the raw text); ``"NA"``, ``""``,
    booleans, NaN and infinities give ``None``.
    """
    if isinstance(raw, bool) or raw is None:
        return None
    if isinstance(raw, int | float):
        number = float(raw)
        return number if math.isfinite(number) else None
    if not isinstance(raw, str):
        return None
    match = _NUMBER.search(raw.strip()[:64])
    if match is None or raw.strip()[: match.start()].strip() not in ("", "~", "≈"):
        return None
    text = match.group(0)
    digits = _DIGITS.match(raw.strip(), match.start())
    if digits is not None and "," in digits.group(0).rstrip(".,"):
        unambiguous = _decimal_comma(digits.group(0))
        if unambiguous is None:
            return None
        text = unambiguous
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


_DIGITS = re.compile(r"[-+]?[\d.,]{1,64}")
_THOUSANDS = re.compile(r"[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_DOT_THOUSANDS_DECIMAL_COMMA = re.compile(r"[-+]?\d{1,3}(?:\.\d{3})+,\d+")
_DECIMAL_COMMA = re.compile(r"[-+]?\d+,\d+")


def _decimal_comma(text: str) -> str | None:
    """The number in ``text`` (which holds a comma) in float syntax, only when unambiguous.

    ``0,912`` and ``12,5`` are decimal commas; ``1,234,567`` and ``1,234.5`` group
    thousands; ``1.234,5`` groups with dots.  ``1,234`` could be either, so it
    states no number (its raw text is kept).
    """
    text = text.rstrip(".,")
    if _DOT_THOUSANDS_DECIMAL_COMMA.fullmatch(text):
        return text.replace(".", "").replace(",", ".")
    if _THOUSANDS.fullmatch(text):
        grouped_only = text.count(",") == 1 and "." not in text
        if grouped_only and not text.lstrip("+-").startswith("0"):
            return None
        if not text.lstrip("+-").startswith("0"):
            return text.replace(",", "")
    if _DECIMAL_COMMA.fullmatch(text):
        return text.replace(",", ".")
    return None


def metric_value_text(raw: object) -> str:
    """The raw text of a metric value as the card gave it."""
    if isinstance(raw, float) and raw.is_integer() and abs(raw) < 1e15:
        return repr(raw)
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if raw is None:
        return ""
    return str(raw)


_CARD_SHAPE = _shape_of(ModelCard)
