"""Model info, as a training pipeline collects it, turned into a canonical card.

Model info is a plain mapping: the pipeline's own words (``name``,
``version``, ``metrics``, ``limitations``) and, for everything else, the
canonical card's section and field names (``intended_use``,
``training_data``, ``metrics.decision_thresholds``).  Each value may take the
simplest shape that says it: a text where the card holds a list of texts, a
mapping ``{"accuracy": 0.92}`` where the card holds metric results.

Every key and value is checked, and a refusal names the key as the model info
spelt it (``metrics.accuracy.dataset``, ``owners[1]``), so that a pipeline
author can find it.  Nothing is guessed: an unknown key is refused, with the
nearest known key suggested.
"""

from __future__ import annotations

import difflib
import math
import numbers
from collections.abc import Mapping
from pathlib import Path
from typing import Any, get_args, get_origin

from pydantic import BaseModel, ValidationError

from countersign.errors import InputRefused
from countersign.formats.limits import YamlProblem, decode_utf8, load_json, load_yaml
from countersign.models.card import ModelCard, metric_value_text, parse_metric_number
from countersign.plain_files import read_plain
from countersign.services.drafts.errors import ModelInfoRefused

FieldPath = tuple[str, ...]

SHORTCUTS: dict[str, FieldPath] = {
    "name": ("model_details", "name"),
    "version": ("model_details", "version"),
    "summary": ("model_details", "summary"),
    "description": ("model_details", "description"),
    "developers": ("model_details", "developers"),
    "date": ("model_details", "date"),
    "model_type": ("model_details", "model_type"),
    "architecture": ("model_details", "architecture"),
    "citation": ("model_details", "citation"),
    "references": ("model_details", "references"),
    "primary_uses": ("intended_use", "primary_uses"),
    "primary_users": ("intended_use", "primary_users"),
    "out_of_scope": ("intended_use", "out_of_scope"),
    "limitations": ("caveats_and_recommendations", "limitations"),
    "tradeoffs": ("caveats_and_recommendations", "tradeoffs"),
    "recommendations": ("caveats_and_recommendations", "recommendations"),
    "risks": ("ethical_considerations", "risks"),
    "decision_thresholds": ("metrics", "decision_thresholds"),
    "measures": ("metrics", "measures"),
    "language": ("languages",),
}
"""Model info words -> the card field they fill."""

METRIC_KEYS = (
    "name",
    "type",
    "value",
    "task",
    "dataset",
    "split",
    "slice",
    "threshold",
    "confidence_interval",
    "details",
)
"""The keys one metric may have, beside its name when the metrics are a mapping."""

_SECTIONS: dict[str, type[BaseModel]] = {
    name: field.annotation
    for name, field in ModelCard.model_fields.items()
    if isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel)
}
_TOP_FIELDS = tuple(name for name in ModelCard.model_fields if name not in _SECTIONS)
# Given as a plain list, these sections mean the list that is their heart.
_SECTION_LISTS = {
    "training_data": "datasets",
    "evaluation_data": "datasets",
    "factors": "relevant",
}


def known_keys() -> list[str]:
    """Every top-level key model info may use."""
    keys = ["metrics", *SHORTCUTS, *_SECTIONS, *_TOP_FIELDS]
    return list(dict.fromkeys(key for key in keys if key not in ("format", "format_version")))


def card_from_model_info(info: Mapping[str, Any]) -> ModelCard:
    """The canonical card that ``info`` describes, or :class:`ModelInfoRefused` naming the key."""
    if not isinstance(info, Mapping):
        raise ModelInfoRefused("", f"model info is a mapping of keys to values, not {_kind(info)}")
    builder = _Builder()
    for key, value in info.items():
        if not isinstance(key, str):
            raise ModelInfoRefused(repr(key), "a key must be a text")
        builder.take(key, value)
    return builder.card()


class _Builder:
    """Collects canonical field values, remembering which model info key gave each."""

    def __init__(self) -> None:
        self.data: dict[str, Any] = {}
        self.origin: dict[FieldPath, str] = {}

    def take(self, key: str, value: Any) -> None:
        if key == "metrics":
            self.put(("quantitative_analyses", "results"), _metrics(value, key), key)
        elif key in SHORTCUTS:
            self.leaf(SHORTCUTS[key], value, key)
        elif key in _SECTIONS:
            self.section(key, value)
        elif key in _TOP_FIELDS:
            self.leaf((key,), value, key)
        elif "." in key:
            section, _, field = key.partition(".")
            if section not in _SECTIONS or field not in _SECTIONS[section].model_fields:
                raise ModelInfoRefused(key, f"unknown key{_suggest(key, _dotted_keys())}")
            self.leaf((section, field), value, key)
        else:
            raise ModelInfoRefused(key, f"unknown key{_suggest(key, known_keys())}")

    def section(self, name: str, value: Any) -> None:
        if isinstance(value, str):
            self.leaf((name, "text"), value, name)
        elif isinstance(value, list) and name in _SECTION_LISTS:
            self.leaf((name, _SECTION_LISTS[name]), value, name)
        elif isinstance(value, Mapping):
            fields = _SECTIONS[name].model_fields
            for field, item in value.items():
                key = f"{name}.{field}"
                if field not in fields:
                    raise ModelInfoRefused(key, f"unknown key{_suggest(str(field), list(fields))}")
                self.leaf((name, field), item, key)
        else:
            shapes = "a text, a list" if name in _SECTION_LISTS else "a text"
            raise ModelInfoRefused(name, f"expected {shapes} or a mapping, found {_kind(value)}")

    def leaf(self, path: FieldPath, value: Any, key: str) -> None:
        if path == ("quantitative_analyses", "results"):
            self.put(path, _metrics(value, key), key)
            return
        self.put(path, _coerce(path, value, key), key)

    def put(self, path: FieldPath, value: Any, key: str) -> None:
        earlier = self.origin.get(path)
        if earlier is not None:
            raise ModelInfoRefused(key, f"{'.'.join(path)} is already given by {earlier!r}")
        self.origin[path] = key
        target = self.data
        for part in path[:-1]:
            target = target.setdefault(part, {})
        target[path[-1]] = value

    def card(self) -> ModelCard:
        try:
            return ModelCard.model_validate(self.data)
        except ValidationError as error:
            problem = error.errors(include_url=False)[0]
            location = tuple(str(part) for part in problem["loc"])
            raise ModelInfoRefused(self._key_for(location), _reason(problem)) from None

    def _key_for(self, location: tuple[str, ...]) -> str:
        for size in range(len(location), 0, -1):
            key = self.origin.get(location[:size])
            if key is not None:
                rest = "".join(
                    f"[{part}]" if part.isdigit() else f".{part}" for part in location[size:]
                )
                return key + rest
        return ".".join(location)


def _dotted_keys() -> list[str]:
    return [
        f"{section}.{field}" for section, model in _SECTIONS.items() for field in model.model_fields
    ]


def _annotation(path: FieldPath) -> Any:
    if len(path) == 1:
        return ModelCard.model_fields[path[0]].annotation
    return _SECTIONS[path[0]].model_fields[path[1]].annotation


_OBJECT_LISTS: dict[FieldPath, str] = {
    ("model_details", "references"): "reference",
    ("training_data", "datasets"): "name",
    ("evaluation_data", "datasets"): "name",
    ("ethical_considerations", "risks"): "name",
    ("owners",): "name",
}
"""Lists of parts that may be given as texts: each text fills the named key."""


def _coerce(path: FieldPath, value: Any, key: str) -> Any:
    """``value`` in the shape the card field at ``path`` holds, or refused naming ``key``."""
    if path in _OBJECT_LISTS:
        return _object_list(value, key, _OBJECT_LISTS[path])
    if path == ("extra_sections",):
        return _extra_sections(value, key)
    annotation = _annotation(path)
    if annotation is str:
        return _text(value, key)
    if get_origin(annotation) is list and get_args(annotation) == (str,):
        return _texts(value, key)
    return value  # a literal or a mapping: the card's own validation names any problem


def _text(value: Any, key: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return _number_text(value, key)
    raise ModelInfoRefused(key, f"expected a text, found {_kind(value)}")


def _texts(value: Any, key: str) -> list[str]:
    if isinstance(value, str):
        return [value] if value.strip() else []
    if not isinstance(value, list | tuple):
        raise ModelInfoRefused(key, f"expected a text or a list of texts, found {_kind(value)}")
    return [_text(item, f"{key}[{index}]") for index, item in enumerate(value)]


def _object_list(value: Any, key: str, text_key: str) -> list[Any]:
    items = [value] if isinstance(value, str | Mapping) else value
    if not isinstance(items, list | tuple):
        raise ModelInfoRefused(key, f"expected a list, found {_kind(value)}")
    out: list[Any] = []
    for index, item in enumerate(items):
        place = f"{key}[{index}]" if items is value else key
        if isinstance(item, str):
            out.append({text_key: item})
        elif isinstance(item, Mapping):
            out.append(dict(item))
        else:
            raise ModelInfoRefused(place, f"expected a text or a mapping, found {_kind(item)}")
    return out


def _extra_sections(value: Any, key: str) -> list[Any]:
    if isinstance(value, Mapping):
        return [
            {"title": str(title), "text": _text(text, f"{key}.{title}")}
            for title, text in value.items()
        ]
    return _object_list(value, key, "title")


def _number_text(value: numbers.Real, key: str) -> str:
    number = float(value)
    if not math.isfinite(number):
        raise ModelInfoRefused(key, f"{value!r} is not a finite number")
    if isinstance(value, float | int):
        return metric_value_text(value)
    return str(value)  # numpy and friends print their own shortest form


# -- metrics ------------------------------------------------------------------------


def _metrics(value: Any, key: str) -> list[dict[str, Any]]:
    """Metric results from a mapping (name -> value or fields) or a list of mappings."""
    results: list[dict[str, Any]] = []
    if isinstance(value, Mapping):
        for name, item in value.items():
            place = f"{key}.{name}"
            if not isinstance(name, str) or not name.strip():
                raise ModelInfoRefused(place, "a metric name must be a non-empty text")
            fields = dict(item) if isinstance(item, Mapping) else {"value": item}
            if "name" in fields and fields["name"] != name:
                raise ModelInfoRefused(f"{place}.name", "differs from the metric's key")
            fields["name"] = name
            results.append(_metric(fields, place))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            place = f"{key}[{index}]"
            if not isinstance(item, Mapping):
                raise ModelInfoRefused(
                    place, f"expected a mapping with name and value, found {_kind(item)}"
                )
            results.append(_metric(dict(item), place))
    else:
        raise ModelInfoRefused(
            key,
            "expected a mapping of metric names to values ({'accuracy': 0.92}) or a list of "
            f"metrics with name, value, dataset, split and slice; found {_kind(value)}",
        )
    seen: dict[tuple[str, str, str, str], int] = {}
    for index, result in enumerate(results):
        identity = (result["name"], result["dataset"], result["split"], result["slice"])
        if identity in seen:
            raise ModelInfoRefused(
                f"{key}[{index}]" if isinstance(value, list | tuple) else f"{key}.{result['name']}",
                "the same metric, dataset, split and slice as an earlier metric; "
                "each result must differ in at least one of them",
            )
        seen[identity] = index
    return results


def _metric(fields: dict[str, Any], place: str) -> dict[str, Any]:
    for field in fields:
        if field not in METRIC_KEYS:
            raise ModelInfoRefused(
                f"{place}.{field}", f"unknown key{_suggest(str(field), list(METRIC_KEYS))}"
            )
    name = _text(fields.get("name", ""), f"{place}.name").strip()
    if not name:
        raise ModelInfoRefused(f"{place}.name", "every metric needs a name")
    if "value" not in fields or fields["value"] is None:
        raise ModelInfoRefused(f"{place}.value", "every metric needs a value")
    raw = fields["value"]
    if isinstance(raw, bool) or not isinstance(raw, str | numbers.Real):
        raise ModelInfoRefused(f"{place}.value", f"expected a number or a text, found {_kind(raw)}")
    value = _text(raw, f"{place}.value")
    if not value.strip():
        raise ModelInfoRefused(f"{place}.value", "is empty")
    numeric = float(raw) if isinstance(raw, numbers.Real) else parse_metric_number(raw)
    result: dict[str, Any] = {"name": name, "value": value, "numeric": numeric}
    for field in ("type", "task", "dataset", "split", "slice", "threshold", "confidence_interval"):
        result[field] = _text(fields.get(field, ""), f"{place}.{field}")
    # A metric's type is its id (a Hugging Face model-index needs one): the name, unless given.
    result["type"] = result["type"] or name
    details = fields.get("details", {})
    if not isinstance(details, Mapping):
        raise ModelInfoRefused(f"{place}.details", f"expected a mapping, found {_kind(details)}")
    result["details"] = {str(k): _text(v, f"{place}.details.{k}") for k, v in details.items()}
    return result


# -- messages -----------------------------------------------------------------------


def _suggest(key: str, known: list[str]) -> str:
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    if close:
        return f" (did you mean {close[0]!r}?)"
    return f"; the keys are {', '.join(known)}" if len(known) <= 12 else ""


def _kind(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"the true/false value {value}"
    if isinstance(value, str):
        return "a text"
    if isinstance(value, numbers.Real):
        return f"the number {value}"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    return f"a {type(value).__name__}"


def _reason(problem: Any) -> str:
    kind = problem["type"]
    if kind == "extra_forbidden":
        return "unknown key; it is not a field of the card"
    if kind == "missing":
        return "required, but missing"
    if kind == "literal_error":
        expected = problem.get("ctx", {}).get("expected", "")
        return f"{problem.get('input')!r} is not one of {expected}"
    message = str(problem["msg"])
    return message[0].lower() + message[1:] if message else "invalid"


MAX_INFO_BYTES = 4 * 1024 * 1024
"""A model info file larger than this is refused (real ones are a few KiB)."""


def read_model_info_file(path: Path, data: bytes | None = None) -> dict[str, Any]:
    """The model info in a YAML or JSON file, read with size, depth and aliases bounded.

    Refusals are :class:`ModelInfoRefused` naming the file (and the line, for
    a file that is not valid YAML or JSON).
    """
    name = str(path)
    if data is None:
        try:
            if path.stat().st_size > MAX_INFO_BYTES:
                raise ModelInfoRefused("", "the file is over 4 MiB; model info is a few KiB", name)
            data = read_plain(path)
        except OSError as error:
            raise ModelInfoRefused("", f"cannot be read: {error.strerror or error}", name) from None
    if len(data) > MAX_INFO_BYTES:
        raise ModelInfoRefused("", "the file is over 4 MiB; model info is a few KiB", name)
    try:
        text = decode_utf8(data, name)
        value = load_json(text, name) if text.lstrip()[:1] in "{[" else load_yaml(text, name)
    except InputRefused as refusal:
        raise ModelInfoRefused(refusal.field, refusal.reason, name) from None
    except YamlProblem as problem:
        raise ModelInfoRefused("", f"not valid YAML: {problem}", name) from None
    if not isinstance(value, dict):
        raise ModelInfoRefused(
            "", f"model info is a mapping of keys to values, not {_kind(value)}", name
        )
    return value
