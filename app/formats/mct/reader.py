"""Model Card Toolkit JSON cards (schema v0.0.1, v0.0.2 and Intel's Model Card Generator).

The Model Card Toolkit (MCT) writes a card as one JSON object with four
sections: ``model_details``, ``model_parameters``, ``quantitative_analysis``
and ``considerations``.  Version 0.0.1 and 0.0.2 of its schema differ in shape
(a ``license`` string against a ``licenses`` list, bare strings against
``{"description": ...}`` objects, ``data.train``/``data.eval`` against a
``data`` list), and real cards mix them, so the reader accepts either shape
wherever it occurs and warns when a card's shape contradicts the version it
declares.  The 0.0.2 ``data`` list does not say which data sets trained the
model and which evaluated it: a name that says evaluation, validation or test
goes to the evaluation data, every other data set to the training data.
Intel's Model Card Generator writes the 0.0.2 shape with no ``schema_version``
and adds graphics holding HTML instead of base64 images.

Graphics become :class:`CardAttachment` files; the card keeps a mention of
each one, so an officer sees that a graphic was there and which file holds it.
"""

from __future__ import annotations

from typing import Any

from countersign.formats.base import CardAttachment, CardRefused, ReadCard
from countersign.formats.graphics import EXTENSIONS, base64_problem, decode_base64, slug
from countersign.formats.json_reader import JsonCardReader
from countersign.formats.json_schema import is_json_schema
from countersign.formats.json_values import as_text, json_type, title_from_path
from countersign.formats.mct.shape import listing, shape_markers
from countersign.formats.media_types import sniff_media_type
from countersign.models.card import (
    DataSection,
    DatasetRef,
    MetricResult,
    Owner,
    Reference,
    Risk,
    parse_metric_number,
)
from countersign.models.vocabulary import CardFormat

MCT_SECTIONS = ("model_details", "model_parameters", "quantitative_analysis", "considerations")
"""The top-level sections of a Model Card Toolkit card."""

KNOWN_SCHEMA_VERSIONS = ("0.0.1", "0.0.2")
"""The MCT schema versions this reader knows."""

_SHORT_LICENCE = 100
_RAW_TEXT_LIMIT = 2000
# Words in a v0.0.2 data set's name that mark it as evaluation data; the list
# form does not say which data sets trained the model and which evaluated it.
_EVALUATION_WORDS = ("eval", "valid", "test", "holdout", "hold-out")


def looks_like_mct(value: dict[str, Any]) -> bool:
    """Whether a parsed document is a Model Card Toolkit card (and not a JSON Schema)."""
    if is_json_schema(value):
        return False
    if isinstance(value.get("model_details"), dict):
        return True
    return any(key in value for key in MCT_SECTIONS[1:])


def read_mct(value: dict[str, Any], file: str) -> ReadCard:
    """Read a Model Card Toolkit card onto the canonical card, warning about what is amiss.

    Raises :class:`CardRefused` when ``value`` has none of the MCT sections.
    """
    if not looks_like_mct(value):
        raise CardRefused(
            file,
            "",
            "this is not a Model Card Toolkit card: it has none of the sections "
            + ", ".join(MCT_SECTIONS),
        )
    reader = _MctReader(file)
    reader.read(value)
    return ReadCard(
        card=reader.card,
        source_format=CardFormat.MCT,
        warnings=reader.warnings,
        attachments=reader.attachments,
    )


class _MctReader(JsonCardReader):
    """One pass over an MCT document, collecting the card, warnings and attachments."""

    def __init__(self, file: str) -> None:
        super().__init__()
        self.file = file
        self.attachments: list[CardAttachment] = []

    def leftover(self, value: Any, path: str) -> None:
        """Keep an unmapped value as an extra section, its graphics as attachments."""
        super().leftover(self.pull_graphics(value, path), path)

    # -- graphics --------------------------------------------------------------

    def pull_graphics(self, value: Any, path: str) -> Any:
        """Turn every graphics collection inside unmapped JSON into attachments."""
        if isinstance(value, dict):
            kept: dict[str, Any] = {}
            for key, item in value.items():
                if key == "graphics" and isinstance(item, dict):
                    self.graphics(item, f"{path}.graphics", path)
                else:
                    kept[key] = self.pull_graphics(item, f"{path}.{key}")
            return kept
        if isinstance(value, list):
            return [self.pull_graphics(item, f"{path}[{i}]") for i, item in enumerate(value)]
        return value

    def graphics(self, value: Any, path: str, context: str) -> None:
        """Read a graphics collection: attachments out, a mention of each graphic kept."""
        collection = self.section(value, path)
        lines: list[str] = []
        description = self.text(collection.get("description"), f"{path}.description")
        if description.strip():
            lines.append(description.strip())
        for item_path, item in self.items(collection.get("collection"), f"{path}.collection"):
            lines.extend(self.graphic(item, item_path))
        self.extra(f"Graphics: {context}", "\n".join(lines), path)
        self.leftovers(collection, {"description", "collection"}, path)

    def graphic(self, item: Any, path: str) -> list[str]:
        if not isinstance(item, dict):
            self.warn(path, f"expected a graphic object but found {json_type(item)}")
            return [f"- {as_text(item)}"]
        name = self.text(item.get("name"), f"{path}.name")
        label = name or "(unnamed graphic)"
        lines: list[str] = []
        if "image" in item:
            lines.append(self.image(item["image"], f"{path}.image", name, label))
        if "html" in item:
            html = self.text(item["html"], f"{path}.html")
            content = html.encode("utf-8")
            attachment = self.attach(name, "text/html", content, f"{path}.html")
            lines.append(
                f"- {label}: HTML graphic kept as attachment {attachment} "
                f"({len(content):,} bytes; never rendered)"
            )
        if "image" not in item and "html" not in item:
            self.warn(path, f"the graphic {label!r} has neither an image nor html")
            lines.append(f"- {label}: no image given")
        for key, extra in item.items():
            if key not in ("name", "image", "html"):
                lines.append(f"  {key}: {as_text(extra)}")
        return lines

    def image(self, value: Any, path: str, name: str, label: str) -> str:
        text = self.text(value, path)
        content = decode_base64(text)
        if content is None:
            problem = base64_problem(text)
            self.warn(path, f"the image of graphic {label!r} {problem}; it was not decoded")
            if len(text) <= _RAW_TEXT_LIMIT:
                return f"- {label}: image could not be decoded; the text given: {text}"
            attachment = self.attach(name, "text/plain", text.encode("utf-8"), path)
            return f"- {label}: image could not be decoded; its text is kept as {attachment}"
        media_type = sniff_media_type(content)
        attachment = self.attach(name, media_type, content, path)
        return f"- {label}: attachment {attachment} ({media_type}, {len(content):,} bytes)"

    def attach(self, name: str, media_type: str, content: bytes, source: str) -> str:
        number = len(self.attachments) + 1
        name_part = slug(name)
        stem = f"graphic-{number:02d}-{name_part}" if name_part else f"graphic-{number:02d}"
        file_name = f"{stem}.{EXTENSIONS.get(media_type, 'bin')}"
        self.attachments.append(CardAttachment(file_name, media_type, content, source))
        return file_name

    # -- the card --------------------------------------------------------------

    def read(self, value: dict[str, Any]) -> None:
        self.check_shape(value)
        readers = {
            "model_details": self.model_details,
            "model_parameters": self.model_parameters,
            "quantitative_analysis": self.quantitative_analysis,
            "considerations": self.considerations,
        }
        for key, item in value.items():
            if key in readers:
                readers[key](self.section(item, key))
            elif key != "schema_version":
                self.leftover(item, key)
        if not self.card.model_details.name.strip():
            self.warn("model_details.name", "the card gives no model name")

    def check_shape(self, value: dict[str, Any]) -> None:
        """Warn when the card's shape contradicts the schema version it declares."""
        declared = value.get("schema_version")
        if declared is not None and not isinstance(declared, str):
            declared = self.text(declared, "schema_version")
        old, new = shape_markers(value)
        if declared == "0.0.1" and new and not old:
            self.warn(
                "schema_version",
                "the card declares schema_version 0.0.1 but is written in the 0.0.2 shape "
                f"({listing(new)}); it was read as 0.0.2",
            )
        elif declared == "0.0.2" and old and not new:
            self.warn(
                "schema_version",
                "the card declares schema_version 0.0.2 but is written in the 0.0.1 shape "
                f"({listing(old)}); it was read as 0.0.1",
            )
        elif old and new:
            self.warn(
                "schema_version",
                f"the card mixes the 0.0.1 shape ({listing(old)}) and the 0.0.2 shape "
                f"({listing(new)}); each field was read in the shape it has",
            )
        if declared and declared not in KNOWN_SCHEMA_VERSIONS:
            self.warn(
                "schema_version",
                f"schema_version {declared!r} is not one Countersign knows "
                f"({', '.join(KNOWN_SCHEMA_VERSIONS)}); the card was read by its shape",
            )

    def model_details(self, section: dict[str, Any]) -> None:
        details = self.card.model_details
        details.name = self.text(section.get("name"), "model_details.name")
        details.summary = self.text(section.get("overview"), "model_details.overview")
        details.description = self.text(section.get("documentation"), "model_details.documentation")
        for path, item in self.items(section.get("owners"), "model_details.owners"):
            if isinstance(item, dict):
                owner = Owner(
                    name=self.text(item.get("name"), f"{path}.name"),
                    contact=self.text(item.get("contact"), f"{path}.contact"),
                )
                self.leftovers(item, {"name", "contact"}, path)
                written = item.get("name") or item.get("contact")
            else:
                owner = Owner(name=self.text(item, path))
                written = item
            # An owner whose every word was a placeholder is no owner.
            if owner.name or owner.contact or not written:
                self.card.owners.append(owner)
        self.version(section.get("version"))
        self.licences(section)
        for path, item in self.items(section.get("references"), "model_details.references"):
            if isinstance(item, dict):
                reference = self.text(item.get("reference"), f"{path}.reference")
                self.leftovers(item, {"reference"}, path)
            else:
                reference = self.text(item, path)
            if reference:
                details.references.append(Reference(reference=reference))
        citations: list[str] = []
        for key in ("citation", "citations"):
            citations.extend(self.citations(section.get(key), f"model_details.{key}"))
        details.citation = "\n\n".join(citations)
        path_text = self.text(section.get("path"), "model_details.path")
        self.extra("Model path", path_text, "model_details.path")
        if "graphics" in section:
            self.graphics(section["graphics"], "model_details.graphics", "model details")
        known = {"name", "overview", "documentation", "owners", "version", "license"}
        known |= {"licenses", "references", "citation", "citations", "path", "graphics"}
        self.leftovers(section, known, "model_details")

    def version(self, value: Any) -> None:
        path = "model_details.version"
        if value is None or not isinstance(value, dict):
            self.card.model_details.version = self.text(value, path)
            return
        self.card.model_details.version = self.text(value.get("name"), f"{path}.name")
        self.card.model_details.date = self.text(value.get("date"), f"{path}.date")
        diff = self.text(value.get("diff"), f"{path}.diff")
        self.extra("Changes in this version", diff, f"{path}.diff")
        self.leftovers(value, {"name", "date", "diff"}, path)

    def licences(self, section: dict[str, Any]) -> None:
        names: list[str] = []
        if "license" in section:
            names.append(self.text(section["license"], "model_details.license"))
        for path, item in self.items(section.get("licenses"), "model_details.licenses"):
            if not isinstance(item, dict):
                names.append(self.text(item, path))
                continue
            identifier = self.text(item.get("identifier"), f"{path}.identifier")
            custom = self.text(item.get("custom_text"), f"{path}.custom_text")
            if identifier:
                names.append(identifier)
            # A short one-line custom text names the licence; a long one is the licence itself.
            if custom and "\n" not in custom.strip() and len(custom) <= _SHORT_LICENCE:
                names.append(custom.strip())
            else:
                self.extra("Licence text", custom, f"{path}.custom_text")
            self.leftovers(item, {"identifier", "custom_text"}, path)
        self.card.license = "; ".join(name for name in names if name)

    def citations(self, value: Any, path: str) -> list[str]:
        if value is None or isinstance(value, str):
            return [value] if value else []
        if isinstance(value, dict):
            citation = self.text(value.get("citation"), f"{path}.citation")
            style = self.text(value.get("style"), f"{path}.style")
            self.leftovers(value, {"citation", "style"}, path)
            return [f"{citation}\n(citation style: {style})" if style else citation]
        if isinstance(value, list):
            found: list[str] = []
            for item_path, item in self.items(value, path):
                found.extend(self.citations(item, item_path))
            return found
        return [self.text(value, path)]

    def model_parameters(self, section: dict[str, Any]) -> None:
        self.card.model_details.architecture = self.text(
            section.get("model_architecture"), "model_parameters.model_architecture"
        )
        data = section.get("data")
        if isinstance(data, dict):
            for role in ("train", "eval"):
                if role in data:
                    self.dataset(data[role], f"model_parameters.data.{role}", role == "eval")
            self.leftovers(data, {"train", "eval"}, "model_parameters.data")
        else:
            for path, item in self.items(data, "model_parameters.data"):
                name = item.get("name") if isinstance(item, dict) else None
                evaluation = isinstance(name, str) and _names_evaluation_data(name)
                self.dataset(item, path, evaluation)
        for key, title in (("input_format", "Input format"), ("output_format", "Output format")):
            path = f"model_parameters.{key}"
            self.extra(title, self.text(section.get(key), path), path)
            self.key_values(section.get(f"{key}_map"), f"{path}_map", f"{title} (by key)")
        known = {"model_architecture", "data", "input_format", "output_format"}
        known |= {"input_format_map", "output_format_map"}
        self.leftovers(section, known, "model_parameters")

    def key_values(self, value: Any, path: str, title: str) -> None:
        lines: list[str] = []
        for item_path, item in self.items(value, path):
            if isinstance(item, dict) and set(item) <= {"key", "value"}:
                key = self.text(item.get("key"), f"{item_path}.key")
                lines.append(f"{key}: {self.text(item.get('value'), f'{item_path}.value')}")
            else:
                lines.append(as_text(item))
        self.extra(title, "\n".join(lines), path)

    def dataset(self, value: Any, path: str, evaluation: bool) -> None:
        section: DataSection = self.card.evaluation_data if evaluation else self.card.training_data
        role = "evaluation data" if evaluation else "training data"
        if not isinstance(value, dict):
            name = self.text(value, path)
            if name:
                section.datasets.append(DatasetRef(name=name))
            return
        name = self.text(value.get("name"), f"{path}.name")
        link = self.text(value.get("link"), f"{path}.link")
        description = self.text(value.get("description"), f"{path}.description")
        sensitive = self.sensitive(value.get("sensitive"), f"{path}.sensitive")
        if name or link or description or sensitive:
            section.datasets.append(
                DatasetRef(
                    name=name or link,
                    link=link,
                    description=description,
                    sensitive_data=sensitive,
                )
            )
            if name and name not in self.card.datasets:
                self.card.datasets.append(name)
        if "graphics" in value:
            context = f"{role}: {name}" if name else role
            self.graphics(value["graphics"], f"{path}.graphics", context)
        self.leftovers(value, {"name", "link", "description", "sensitive", "graphics"}, path)

    def sensitive(self, value: Any, path: str) -> str:
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, dict):
            listed = value.get("sensitive_data")
            found = [self.text(item, p) for p, item in self.items(listed, f"{path}.sensitive_data")]
            self.leftovers(value, {"sensitive_data"}, path)
            return ", ".join(text for text in found if text)
        return self.text(value, path)

    def quantitative_analysis(self, section: dict[str, Any]) -> None:
        base = "quantitative_analysis.performance_metrics"
        for path, item in self.items(section.get("performance_metrics"), base):
            if isinstance(item, dict):
                self.card.quantitative_analyses.results.append(self.metric(item, path))
            else:
                self.warn(path, f"expected a metric object but found {json_type(item)}")
                self.extra(title_from_path(path), as_text(item), path)
        if "graphics" in section:
            self.graphics(
                section["graphics"], "quantitative_analysis.graphics", "quantitative analysis"
            )
        self.leftovers(section, {"performance_metrics", "graphics"}, "quantitative_analysis")

    def metric(self, item: dict[str, Any], path: str) -> MetricResult:
        name = self.text(item.get("type"), f"{path}.type")
        if not name:
            self.warn(f"{path}.type", "the metric has no type, so it has no name")
        raw = item.get("value")
        value = self.value_text(raw, f"{path}.value")
        numeric = parse_metric_number(raw)
        interval = self.interval(item.get("confidence_interval"), f"{path}.confidence_interval")
        if not value.strip():
            if not interval:
                self.warn(f"{path}.value", "the metric has no value")
        elif numeric is None and not isinstance(raw, dict | list):
            self.warn(f"{path}.value", f"the value {value!r} holds no number")
        details: dict[str, str] = {}
        for key, extra in item.items():
            if key == "graphics" and isinstance(extra, dict):
                self.graphics(extra, f"{path}.graphics", f"metric {name}")
            elif key not in ("type", "value", "confidence_interval", "threshold", "slice"):
                details[key] = as_text(extra)
        return MetricResult(
            name=name,
            type=name,
            value=value,
            numeric=numeric,
            slice=self.text(item.get("slice"), f"{path}.slice"),
            threshold=self.value_text(item.get("threshold"), f"{path}.threshold"),
            confidence_interval=interval,
            details=details,
        )

    def interval(self, value: Any, path: str) -> str:
        if value is None:
            return ""
        if not isinstance(value, dict):
            return self.text(value, path)
        bounds: dict[str, str] = {}
        for key in ("lower_bound", "upper_bound"):
            if key in value:
                bounds[key] = self.value_text(value[key], f"{path}.{key}")
                if parse_metric_number(value[key]) is None:
                    self.warn(f"{path}.{key}", f"the bound {bounds[key]!r} holds no number")
        self.leftovers(value, {"lower_bound", "upper_bound"}, path)
        if len(bounds) == 2:
            return f"[{bounds['lower_bound']}, {bounds['upper_bound']}]"
        return "; ".join(f"{key.replace('_', ' ')} {text}" for key, text in bounds.items())

    def considerations(self, section: dict[str, Any]) -> None:
        intended = self.card.intended_use
        caveats = self.card.caveats_and_recommendations
        targets = {
            "users": intended.primary_users,
            "use_cases": intended.primary_uses,
            # Not in MCT's schema, but written by teams who mean exactly this.
            "out_of_scope_uses": intended.out_of_scope,
            "limitations": caveats.limitations,
            "tradeoffs": caveats.tradeoffs,
        }
        for key, target in targets.items():
            for path, item in self.items(section.get(key), f"considerations.{key}"):
                if isinstance(item, dict):
                    text = self.text(item.get("description"), f"{path}.description")
                    self.leftovers(item, {"description"}, path)
                else:
                    text = self.text(item, path)
                if text:
                    target.append(text)
        base = "considerations.ethical_considerations"
        for path, item in self.items(section.get("ethical_considerations"), base):
            if isinstance(item, dict):
                risk = Risk(
                    name=self.text(item.get("name"), f"{path}.name"),
                    mitigation=self.text(
                        item.get("mitigation_strategy"), f"{path}.mitigation_strategy"
                    ),
                )
                self.leftovers(item, {"name", "mitigation_strategy"}, path)
            else:
                risk = Risk(name=self.text(item, path))
            self.card.ethical_considerations.risks.append(risk)
        self.leftovers(section, {*targets, "ethical_considerations"}, "considerations")


def _names_evaluation_data(name: str) -> bool:
    lowered = name.lower()
    return "train" not in lowered and any(word in lowered for word in _EVALUATION_WORDS)
