"""CycloneDX ML-BOM: model cards on the machine-learning-model components of a BOM.

CycloneDX 1.5 added components of type ``machine-learning-model`` carrying a
``modelCard`` (``modelParameters``, ``quantitativeAnalysis``,
``considerations``, ``properties``); 1.6 and 1.7 keep that shape and add
environmental considerations.  Many build pipelines already emit such BOMs.
Each machine-learning-model component is one card: its name and version name
the model, its hashes are kept as the model artifact's digests, and the BOM's
serial number is kept with it.  The BOM is parsed by the bounded JSON loader
before it reaches this module, like every other card; an XML BOM is first turned
into the same JSON shape by :mod:`countersign.formats.cyclonedx_xml`.

What has no canonical place (inputs and outputs go with the architecture;
environmental considerations, properties and the BOM's identity become extra
sections) is kept, never dropped; keys this reader does not know are kept as
extra sections named by their JSON path.
"""

from __future__ import annotations

import re
from typing import Any

from countersign.formats.base import CardAttachment, CardRefused, ReadCard
from countersign.formats.graphics import EXTENSIONS, base64_problem, decode_base64, slug
from countersign.formats.json_reader import JsonCardReader
from countersign.formats.json_values import as_text, json_type
from countersign.formats.media_types import sniff_media_type
from countersign.models.card import (
    DatasetRef,
    ExtraSection,
    MetricResult,
    Owner,
    Reference,
    Risk,
    parse_metric_number,
)
from countersign.models.vocabulary import CardFormat

KNOWN_SPEC_VERSIONS = ("1.5", "1.6", "1.7")
"""The CycloneDX versions with model cards that this reader knows."""

MODEL_TYPE = "machine-learning-model"
"""The component type that carries a model card."""

BOM_TITLE = "CycloneDX BOM"
"""Title of the extra section that keeps where in which BOM the card came from."""

DIGESTS_TITLE = "Model artifact digests"
"""Title of the extra section that keeps the component's hashes."""

_SHA256_HEX = re.compile(r"[0-9a-f]{64}")

_EVALUATION_WORDS = ("eval", "valid", "test", "holdout", "hold-out", "benchmark")
_COMPONENT_KEYS = {
    "type",
    "bom-ref",
    "name",
    "version",
    "group",
    "description",
    "licenses",
    "hashes",
    "authors",
    "author",
    "supplier",
    "manufacturer",
    "tags",
    "externalReferences",
    "purl",
    "modelCard",
    "components",
}


def looks_like_cyclonedx(value: dict[str, Any]) -> bool:
    """Whether a parsed document is a CycloneDX BOM."""
    return value.get("bomFormat") == "CycloneDX"


def read_cyclonedx(value: dict[str, Any], file: str) -> list[ReadCard]:
    """One card per machine-learning-model component of the BOM ``value`` (outer ones first).

    Raises :class:`CardRefused` when the BOM has no such component.
    """
    models = list(_model_components(value.get("components"), "components"))
    if not models:
        raise CardRefused(
            file,
            "components",
            "a CycloneDX BOM with no machine-learning-model component: there is no model card "
            "in it (a software BOM lists libraries, not models)",
        )
    data_components = {
        component["bom-ref"]: component
        for component, _ in _all_components(value.get("components"), "components")
        if isinstance(component.get("bom-ref"), str)
    }
    cards: list[ReadCard] = []
    for component, path in models:
        reader = _CycloneDxReader(file, data_components)
        reader.bom(value)
        reader.component(component, path)
        cards.append(
            ReadCard(
                card=reader.card,
                source_format=CardFormat.CYCLONEDX,
                warnings=reader.warnings,
                attachments=reader.attachments,
                artifacts=reader.artifacts,
            )
        )
    return cards


def _all_components(value: Any, path: str) -> list[tuple[dict[str, Any], str]]:
    """Every component object of a components list, nested ones included, with its path."""
    found: list[tuple[dict[str, Any], str]] = []
    stack: list[tuple[Any, str]] = [(value, path)]
    while stack:
        listed, here = stack.pop()
        if not isinstance(listed, list):
            continue
        nested: list[tuple[Any, str]] = []
        for index, component in enumerate(listed):
            if isinstance(component, dict):
                found.append((component, f"{here}[{index}]"))
                nested.append((component.get("components"), f"{here}[{index}].components"))
        stack.extend(reversed(nested))
    return found


def _model_components(value: Any, path: str) -> list[tuple[dict[str, Any], str]]:
    return [pair for pair in _all_components(value, path) if pair[0].get("type") == MODEL_TYPE]


class _CycloneDxReader(JsonCardReader):
    """One pass over one machine-learning-model component and its model card."""

    def __init__(self, file: str, components: dict[str, dict[str, Any]]) -> None:
        super().__init__()
        self.file = file
        self.components = components
        self.attachments: list[CardAttachment] = []
        self.artifacts: list[dict[str, object]] = []
        self.facts: list[str] = []

    def bom(self, value: dict[str, Any]) -> None:
        spec = value.get("specVersion")
        if spec not in KNOWN_SPEC_VERSIONS:
            self.warn(
                "specVersion",
                f"CycloneDX {as_text(spec) if spec is not None else '(no version)'} is not a "
                f"version Countersign knows ({', '.join(KNOWN_SPEC_VERSIONS)}); "
                "the model card was read by its shape",
            )
        for key, label in (
            ("serialNumber", "BOM serial number"),
            ("version", "BOM version"),
            ("specVersion", "CycloneDX version"),
        ):
            if value.get(key) not in (None, ""):
                self.facts.append(f"- {label}: {as_text(value[key])}")

    def component(self, component: dict[str, Any], path: str) -> None:
        details = self.card.model_details
        details.name = self.text(component.get("name"), f"{path}.name").strip()
        if not details.name:
            self.warn(f"{path}.name", "the component gives no model name")
        details.version = self.value_text(component.get("version"), f"{path}.version")
        details.description = self.text(component.get("description"), f"{path}.description")
        for key, label in (("bom-ref", "Component bom-ref"), ("group", "Group"), ("purl", "purl")):
            if component.get(key) not in (None, ""):
                self.facts.append(f"- {label}: {as_text(component[key])}")
        self.card.license = self.licenses(component.get("licenses"), f"{path}.licenses")
        self.card.tags = [
            self.text(tag, tag_path) for tag_path, tag in self.items(component.get("tags"), path)
        ]
        self.owners(component, path)
        self.references(component.get("externalReferences"), f"{path}.externalReferences")
        self.hashes(component.get("hashes"), f"{path}.hashes")
        model_card = self.section(component.get("modelCard"), f"{path}.modelCard")
        if "modelCard" not in component:
            self.warn(f"{path}.modelCard", "the model component carries no model card")
        self.model_card(model_card, f"{path}.modelCard")
        self.leftovers(component, _COMPONENT_KEYS, path)
        self.card.extra_sections.insert(
            0, ExtraSection(title=BOM_TITLE, text="\n".join(self.facts), source=path)
        )

    # -- the component ---------------------------------------------------------

    def licenses(self, value: Any, path: str) -> str:
        names: list[str] = []
        for item_path, item in self.items(value, path):
            if not isinstance(item, dict):
                names.append(self.text(item, item_path))
                continue
            if "expression" in item:
                names.append(self.text(item["expression"], f"{item_path}.expression"))
                continue
            licence = self.section(item.get("license"), f"{item_path}.license")
            name = licence.get("id", licence.get("name"))
            names.append(self.text(name, f"{item_path}.license.id"))
            if isinstance(licence.get("url"), str):
                names[-1] = f"{names[-1]} <{licence['url']}>" if names[-1] else licence["url"]
        return ", ".join(name for name in names if name)

    def owners(self, component: dict[str, Any], path: str) -> None:
        for item_path, item in self.items(component.get("authors"), f"{path}.authors"):
            self.person(item, item_path, "author")
        if component.get("author") not in (None, ""):
            self.card.owners.append(
                Owner(name=self.text(component["author"], f"{path}.author"), role="author")
            )
        for key in ("supplier", "manufacturer"):
            party = component.get(key)
            if isinstance(party, dict):
                contacts = party.get("contact") or []
                if isinstance(contacts, dict):  # XML: one <contact> is no list
                    contacts = [contacts]
                emails = [c.get("email", "") for c in contacts if isinstance(c, dict)]
                self.card.owners.append(
                    Owner(
                        name=self.text(party.get("name"), f"{path}.{key}.name"),
                        contact=", ".join(e for e in emails if isinstance(e, str) and e),
                        role=key,
                    )
                )
            elif party is not None:
                self.leftover(party, f"{path}.{key}")

    def person(self, item: Any, path: str, role: str) -> None:
        if isinstance(item, dict):
            owner = Owner(
                name=self.text(item.get("name"), f"{path}.name"),
                contact=self.text(item.get("email"), f"{path}.email"),
                role=role,
            )
            self.leftovers(item, {"name", "email", "bom-ref"}, path)
        else:
            owner = Owner(name=self.text(item, path), role=role)
        if owner.name or owner.contact:  # placeholders alone make no owner
            self.card.owners.append(owner)

    def references(self, value: Any, path: str) -> None:
        for item_path, item in self.items(value, path):
            if isinstance(item, dict):
                url = self.text(item.get("url"), f"{item_path}.url")
                kind = self.text(item.get("type"), f"{item_path}.type")
                comment = self.text(item.get("comment"), f"{item_path}.comment")
                text = " — ".join(part for part in (kind, url, comment) if part)
            else:
                text = self.text(item, item_path)
            if text:
                self.card.model_details.references.append(Reference(reference=text))

    def hashes(self, value: Any, path: str) -> None:
        lines: list[str] = []
        for item_path, item in self.items(value, path):
            if isinstance(item, dict) and isinstance(item.get("content"), str):
                algorithm = self.text(item.get("alg"), f"{item_path}.alg") or "(no algorithm)"
                lines.append(f"- {algorithm}: {item['content']}")
                digest = item["content"].strip().lower()
                if algorithm.upper() == "SHA-256" and _SHA256_HEX.fullmatch(digest):
                    # The model file the component describes: what an approval binds to.
                    name = self.card.model_details.name or "model"
                    self.artifacts.append({"name": name, "sha256": digest, "size": None})
            else:
                self.warn(item_path, "a hash needs an alg and a content; kept as written")
                lines.append(f"- {as_text(item)}")
        if lines:
            self.extra(DIGESTS_TITLE, "\n".join(lines), path)

    # -- the model card --------------------------------------------------------

    def model_card(self, section: dict[str, Any], path: str) -> None:
        self.model_parameters(
            self.section(section.get("modelParameters"), f"{path}.modelParameters"),
            f"{path}.modelParameters",
        )
        self.quantitative_analysis(
            self.section(section.get("quantitativeAnalysis"), f"{path}.quantitativeAnalysis"),
            f"{path}.quantitativeAnalysis",
        )
        self.considerations(
            self.section(section.get("considerations"), f"{path}.considerations"),
            f"{path}.considerations",
        )
        if section.get("properties"):
            self.extra("Model card properties", self.properties(section["properties"]), path)
        self.leftovers(
            section,
            {"bom-ref", "modelParameters", "quantitativeAnalysis", "considerations", "properties"},
            path,
        )

    def model_parameters(self, section: dict[str, Any], path: str) -> None:
        details = self.card.model_details
        details.model_type = self.text(section.get("task"), f"{path}.task")
        lines: list[str] = []
        approach = section.get("approach")
        if isinstance(approach, dict):
            lines.append(f"Approach: {self.text(approach.get('type'), f'{path}.approach.type')}")
            self.leftovers(approach, {"type"}, f"{path}.approach")
        elif approach is not None:
            lines.append(f"Approach: {self.text(approach, f'{path}.approach')}")
        for key, label in (
            ("architectureFamily", "Architecture family"),
            ("modelArchitecture", "Model architecture"),
        ):
            text = self.text(section.get(key), f"{path}.{key}")
            if text:
                lines.append(f"{label}: {text}")
        for key, label in (("inputs", "Inputs"), ("outputs", "Outputs")):
            formats = [
                self.text(item.get("format"), f"{item_path}.format")
                if isinstance(item, dict)
                else self.text(item, item_path)
                for item_path, item in self.items(section.get(key), f"{path}.{key}")
            ]
            if formats:
                lines.append(f"{label}: {', '.join(f for f in formats if f)}")
        details.architecture = "\n".join(lines)
        for item_path, item in self.items(section.get("datasets"), f"{path}.datasets"):
            self.dataset(item, item_path)
        known = {"task", "approach", "architectureFamily", "modelArchitecture", "inputs"}
        self.leftovers(section, known | {"outputs", "datasets"}, path)

    def dataset(self, item: Any, path: str) -> None:
        if not isinstance(item, dict):
            self.not_an_object(item, path)
            return
        if "ref" in item and len(item) == 1:
            ref = self.text(item["ref"], f"{path}.ref")
            component = self.components.get(ref)
            if component is None:
                self.add_dataset(DatasetRef(name=ref, description="(a bom-ref not in this BOM)"))
                self.warn(f"{path}.ref", f"the data set {ref!r} is not a component of this BOM")
                return
            described = [d for d in component.get("data") or [] if isinstance(d, dict)]
            item = described[0] if described else component
            item = {"name": component.get("name", ref), **item}
        name = self.text(item.get("name"), f"{path}.name")
        sensitive = item.get("sensitiveData")
        self.add_dataset(
            DatasetRef(
                name=name or "(unnamed data set)",
                link=self.text(item.get("url"), f"{path}.url") if "url" in item else "",
                description=self.text(item.get("description"), f"{path}.description")
                if "description" in item
                else "",
                sensitive_data=", ".join(as_text(s) for s in sensitive)
                if isinstance(sensitive, list)
                else as_text(sensitive)
                if sensitive is not None
                else "",
            )
        )

    def add_dataset(self, ref: DatasetRef) -> None:
        lowered = ref.name.lower()
        evaluation = "train" not in lowered and any(w in lowered for w in _EVALUATION_WORDS)
        target = self.card.evaluation_data if evaluation else self.card.training_data
        target.datasets.append(ref)
        if ref.name not in self.card.datasets:
            self.card.datasets.append(ref.name)

    def quantitative_analysis(self, section: dict[str, Any], path: str) -> None:
        results = self.card.quantitative_analyses.results
        base = f"{path}.performanceMetrics"
        for item_path, item in self.items(section.get("performanceMetrics"), base):
            if isinstance(item, dict):
                results.append(self.metric(item, item_path))
            else:
                self.not_an_object(item, item_path)
        graphics = section.get("graphics")
        if isinstance(graphics, dict):
            self.graphics(graphics, f"{path}.graphics")
        elif graphics is not None:
            self.not_an_object(graphics, f"{path}.graphics")
        self.leftovers(section, {"performanceMetrics", "graphics"}, path)

    def metric(self, item: dict[str, Any], path: str) -> MetricResult:
        name = self.text(item.get("type"), f"{path}.type")
        if not name:
            self.warn(f"{path}.type", "the metric has no type, so it has no name")
        raw = item.get("value")
        value = self.value_text(raw, f"{path}.value")
        numeric = parse_metric_number(raw)
        if not value.strip():
            self.warn(f"{path}.value", "the metric has no value")
        elif numeric is None:
            self.warn(f"{path}.value", f"the value {value!r} holds no number")
        interval = ""
        bounds = item.get("confidenceInterval")
        if isinstance(bounds, dict):
            lower = self.value_text(bounds.get("lowerBound"), f"{path}.confidenceInterval")
            upper = self.value_text(bounds.get("upperBound"), f"{path}.confidenceInterval")
            interval = f"[{lower}, {upper}]"
            self.leftovers(bounds, {"lowerBound", "upperBound"}, f"{path}.confidenceInterval")
        elif bounds is not None:
            interval = self.text(bounds, f"{path}.confidenceInterval")
        details = {
            key: as_text(extra)
            for key, extra in item.items()
            if key not in ("type", "value", "slice", "confidenceInterval")
        }
        return MetricResult(
            name=name,
            type=name,
            value=value,
            numeric=numeric,
            slice=self.text(item.get("slice"), f"{path}.slice"),
            confidence_interval=interval,
            details=details,
        )

    def graphics(self, section: dict[str, Any], path: str) -> None:
        description = self.text(section.get("description"), f"{path}.description")
        if description:
            text = self.card.quantitative_analyses.text
            self.card.quantitative_analyses.text = f"{text}\n\n{description}".strip()
        for item_path, item in self.items(section.get("collection"), f"{path}.collection"):
            if not isinstance(item, dict):
                self.not_an_object(item, item_path)
                continue
            name = self.text(item.get("name"), f"{item_path}.name") or "graphic"
            image = item.get("image")
            content = image.get("content") if isinstance(image, dict) else image
            if not isinstance(content, str):
                self.warn(f"{item_path}.image", "the graphic holds no image")
                continue
            data = decode_base64(content)
            if data is None:
                self.warn(
                    f"{item_path}.image",
                    f"the image {base64_problem(content)}; the graphic was left out",
                )
                continue
            media_type = sniff_media_type(data)
            number = len(self.attachments) + 1
            extension = EXTENSIONS.get(media_type, "bin")
            file_name = f"graphic-{number:02d}-{slug(name) or 'graphic'}.{extension}"
            self.attachments.append(CardAttachment(file_name, media_type, data, item_path))

    def considerations(self, section: dict[str, Any], path: str) -> None:
        intended = self.card.intended_use
        caveats = self.card.caveats_and_recommendations
        targets = {
            "users": intended.primary_users,
            "useCases": intended.primary_uses,
            "technicalLimitations": caveats.limitations,
            "performanceTradeoffs": caveats.tradeoffs,
        }
        for key, target in targets.items():
            for item_path, item in self.items(section.get(key), f"{path}.{key}"):
                text = self.text(item, item_path)
                if text:
                    target.append(text)
        risks = self.card.ethical_considerations.risks
        base = f"{path}.ethicalConsiderations"
        for item_path, item in self.items(section.get("ethicalConsiderations"), base):
            if isinstance(item, dict):
                risks.append(
                    Risk(
                        name=self.text(item.get("name"), f"{item_path}.name"),
                        mitigation=self.text(
                            item.get("mitigationStrategy"), f"{item_path}.mitigationStrategy"
                        ),
                    )
                )
                self.leftovers(item, {"name", "mitigationStrategy"}, item_path)
            else:
                risks.append(Risk(name=self.text(item, item_path)))
        base = f"{path}.fairnessAssessments"
        for item_path, item in self.items(section.get("fairnessAssessments"), base):
            if isinstance(item, dict):
                risks.append(self.fairness(item, item_path))
            else:
                risks.append(Risk(name=self.text(item, item_path)))
        environment = section.get("environmentalConsiderations")
        if environment not in (None, {}, []):
            self.extra(
                "Environmental considerations",
                as_text(environment),
                f"{path}.environmentalConsiderations",
            )
        known = {*targets, "ethicalConsiderations", "fairnessAssessments"}
        self.leftovers(section, known | {"environmentalConsiderations"}, path)

    def fairness(self, item: dict[str, Any], path: str) -> Risk:
        group = self.text(item.get("groupAtRisk"), f"{path}.groupAtRisk")
        parts = [f"Fairness for {group}" if group else "Fairness"]
        for key, label in (("harms", "harms"), ("benefits", "benefits")):
            text = self.text(item.get(key), f"{path}.{key}")
            if text:
                parts.append(f"{label}: {text}")
        self.leftovers(item, {"groupAtRisk", "harms", "benefits", "mitigationStrategy"}, path)
        return Risk(
            name="; ".join(parts),
            mitigation=self.text(item.get("mitigationStrategy"), f"{path}.mitigationStrategy"),
        )

    def properties(self, value: Any) -> str:
        lines: list[str] = []
        for _, item in self.items(value, "properties"):
            if isinstance(item, dict) and "name" in item:
                lines.append(f"- {as_text(item['name'])}: {as_text(item.get('value', ''))}")
            else:
                lines.append(f"- {as_text(item)} ({json_type(item)})")
        return "\n".join(lines)
