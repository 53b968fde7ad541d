"""SageMaker model card JSON (the ``Content`` of an Amazon SageMaker Model Card).

The content has up to seven sections: ``model_overview``, ``intended_uses``,
``business_details``, ``training_details``, ``evaluation_details``,
``additional_information`` and ``model_package_details``.  Two published
snapshots of its schema disagree (the developer guide's "Default model card
schema" has ``model_name``, ``model_id``, ``model_version`` and
``inference_environment``; the sagemaker-core schema has ``business_details``
and the hyper-parameter lists), so the reader takes every field of either and
keeps whatever else it finds as extra sections.

Evaluation metrics come in metric groups, as SageMaker Clarify and Model
Monitor reports are translated into them.  Chart metrics (``matrix``,
``bar_chart``, ``linear_graph``) are legitimately not one number: their value
is kept as JSON text with no number and no warning.
"""

from __future__ import annotations

from typing import Any

from countersign.formats.base import CardRefused, ReadCard
from countersign.formats.json_reader import JsonCardReader
from countersign.formats.json_schema import is_json_schema
from countersign.formats.json_values import as_text, compact_json, json_type
from countersign.models.card import (
    DataSection,
    DatasetRef,
    MetricResult,
    Owner,
    RiskRating,
    metric_value_text,
    parse_metric_number,
)
from countersign.models.vocabulary import CardFormat

SAGEMAKER_SECTIONS = (
    "model_overview",
    "intended_uses",
    "business_details",
    "training_details",
    "evaluation_details",
    "additional_information",
    "model_package_details",
)
"""The top-level sections of a SageMaker model card's content."""

CHART_METRIC_TYPES = ("matrix", "bar_chart", "linear_graph")
"""Metric types whose value is a list of numbers, not one number."""

_RISK_RATINGS: dict[str, RiskRating] = {
    "high": "high",
    "medium": "medium",
    "low": "low",
    "unknown": "unknown",
}
# Clarify names a bias metric group "<analysis> - label <L> and facet <F>=<v>":
# the part after the dash is the slice of the population the metric describes.
_FACET_MARK = "facet "


def looks_like_sagemaker(value: dict[str, Any]) -> bool:
    """Whether a parsed document is a SageMaker model card (and not a JSON Schema)."""
    if is_json_schema(value):
        return False
    return any(key in value for key in SAGEMAKER_SECTIONS)


def read_sagemaker(value: dict[str, Any], file: str) -> ReadCard:
    """Read a SageMaker model card onto the canonical card, warning about what is amiss.

    Raises :class:`CardRefused` when ``value`` has none of the SageMaker sections.
    """
    if not looks_like_sagemaker(value):
        raise CardRefused(
            file,
            "",
            "this is not a SageMaker model card: it has none of the sections "
            + ", ".join(SAGEMAKER_SECTIONS),
        )
    return read_sagemaker_content(value)


def read_sagemaker_content(value: dict[str, Any]) -> ReadCard:
    """Read a SageMaker card's content, whatever sections it has (an envelope's may have none)."""
    reader = _SageMakerReader()
    reader.read(value)
    return ReadCard(card=reader.card, source_format=CardFormat.SAGEMAKER, warnings=reader.warnings)


class _SageMakerReader(JsonCardReader):
    """One pass over a SageMaker card's content, collecting the card and warnings."""

    def texts(self, value: Any, path: str) -> list[str]:
        """A list of texts; a lone text is read as a one-item list, with a warning."""
        if value is None:
            return []
        if not isinstance(value, list):
            self.warn(path, f"expected a list but found {json_type(value)}; it is read as one item")
            value = [value]
        found = [self.text(item, f"{path}[{index}]") for index, item in enumerate(value)]
        return [text for text in found if text]

    def objects(self, value: Any, path: str) -> list[tuple[str, dict[str, Any]]]:
        """The (path, object) pairs of a list of objects; other items are kept with a warning."""
        found: list[tuple[str, dict[str, Any]]] = []
        for item_path, item in self.items(value, path):
            if isinstance(item, dict):
                found.append((item_path, item))
            else:
                self.not_an_object(item, item_path)
        return found

    def keep(self, title: str, section: dict[str, Any], key: str, path: str) -> None:
        """Keep one text field as an extra section titled ``title``."""
        self.extra(title, self.text(section.get(key), f"{path}.{key}"), f"{path}.{key}")

    # -- the card --------------------------------------------------------------

    def read(self, value: dict[str, Any]) -> None:
        readers = {
            "model_overview": self.model_overview,
            "intended_uses": self.intended_uses,
            "business_details": self.business_details,
            "training_details": self.training_details,
            "additional_information": self.additional_information,
        }
        for key, item in value.items():
            if key in readers:
                readers[key](self.section(item, key))
            elif key == "evaluation_details":
                for path, evaluation in self.objects(item, key):
                    self.evaluation(evaluation, path)
            else:
                self.leftover(item, key)
        if not self.card.model_details.name.strip():
            self.warn("model_overview.model_name", "the card gives no model name")

    def model_overview(self, section: dict[str, Any]) -> None:
        path = "model_overview"
        details = self.card.model_details
        details.name = self.text(section.get("model_name"), f"{path}.model_name")
        details.description = self.text(
            section.get("model_description"), f"{path}.model_description"
        )
        details.model_type = self.text(section.get("problem_type"), f"{path}.problem_type")
        details.architecture = self.text(section.get("algorithm_type"), f"{path}.algorithm_type")
        version = section.get("model_version")
        if isinstance(version, int | float) and not isinstance(version, bool):
            details.version = metric_value_text(version)
        else:
            details.version = self.text(version, f"{path}.model_version")
        owner = self.text(section.get("model_owner"), f"{path}.model_owner")
        if owner:
            self.card.owners.append(Owner(name=owner, role="model owner"))
        creator = self.text(section.get("model_creator"), f"{path}.model_creator")
        if creator:
            details.developers.append(creator)
        self.keep("Model ID", section, "model_id", path)
        artifacts = self.texts(section.get("model_artifact"), f"{path}.model_artifact")
        self.extra("Model artifacts", "\n".join(artifacts), f"{path}.model_artifact")
        self.environment(
            section.get("inference_environment"),
            f"{path}.inference_environment",
            "Inference environment",
        )
        known = {"model_name", "model_description", "problem_type", "algorithm_type"}
        known |= {"model_version", "model_owner", "model_creator", "model_id"}
        known |= {"model_artifact", "inference_environment"}
        self.leftovers(section, known, path)

    def environment(self, value: Any, path: str, title: str) -> None:
        environment = self.section(value, path)
        images = self.texts(environment.get("container_image"), f"{path}.container_image")
        self.extra(title, "\n".join(images), f"{path}.container_image")
        self.leftovers(environment, {"container_image"}, path)

    def intended_uses(self, section: dict[str, Any]) -> None:
        path = "intended_uses"
        intended = self.card.intended_use
        intended.text = self.text(section.get("purpose_of_model"), f"{path}.purpose_of_model")
        uses = self.text(section.get("intended_uses"), f"{path}.intended_uses")
        if uses:
            intended.primary_uses.append(uses)
        self.card.factors.text = self.text(
            section.get("factors_affecting_model_efficiency"),
            f"{path}.factors_affecting_model_efficiency",
        )
        self.risk_rating(section.get("risk_rating"), f"{path}.risk_rating")
        self.keep("Explanations for risk rating", section, "explanations_for_risk_rating", path)
        known = {"purpose_of_model", "intended_uses", "factors_affecting_model_efficiency"}
        known |= {"risk_rating", "explanations_for_risk_rating"}
        self.leftovers(section, known, path)

    def risk_rating(self, value: Any, path: str) -> None:
        if value is None:
            return
        text = self.text(value, path)
        rating = _RISK_RATINGS.get(text.strip().lower())
        if rating is None:
            self.warn(
                path,
                f"the risk rating {text!r} is not one of High, Medium, Low or Unknown; "
                "the card has no risk rating and the text is kept as an extra section",
            )
            self.extra("Risk rating (as given)", text, path)
        else:
            self.card.risk_rating = rating

    def business_details(self, section: dict[str, Any]) -> None:
        path = "business_details"
        self.keep("Business problem", section, "business_problem", path)
        self.keep("Business stakeholders", section, "business_stakeholders", path)
        self.keep("Line of business", section, "line_of_business", path)
        self.leftovers(
            section, {"business_problem", "business_stakeholders", "line_of_business"}, path
        )

    def training_details(self, section: dict[str, Any]) -> None:
        path = "training_details"
        self.objective_function(section.get("objective_function"), f"{path}.objective_function")
        self.card.training_data.text = self.text(
            section.get("training_observations"), f"{path}.training_observations"
        )
        job_path = f"{path}.training_job_details"
        job = self.section(section.get("training_job_details"), job_path)
        self.keep("Training job", job, "training_arn", job_path)
        datasets = self.texts(job.get("training_datasets"), f"{job_path}.training_datasets")
        self.add_datasets(self.card.training_data, datasets)
        self.environment(
            job.get("training_environment"),
            f"{job_path}.training_environment",
            "Training environment",
        )
        for key in ("training_metrics", "user_provided_training_metrics"):
            reported_by = "team" if key.startswith("user_provided") else "training job"
            for metric_path, metric in self.objects(job.get(key), f"{job_path}.{key}"):
                self.training_metric(metric, metric_path, reported_by)
        for key, title in (
            ("hyper_parameters", "Hyper-parameters"),
            ("user_provided_hyper_parameters", "Hyper-parameters (provided by the team)"),
        ):
            self.hyper_parameters(job.get(key), f"{job_path}.{key}", title)
        known = {"training_arn", "training_datasets", "training_environment", "training_metrics"}
        known |= {"user_provided_training_metrics", "hyper_parameters"}
        known |= {"user_provided_hyper_parameters"}
        self.leftovers(job, known, job_path)
        known = {"objective_function", "training_observations", "training_job_details"}
        self.leftovers(section, known, path)

    def objective_function(self, value: Any, path: str) -> None:
        objective = self.section(value, path)
        function = self.section(objective.get("function"), f"{path}.function")
        goal, facet, condition = (
            self.text(function.get(key), f"{path}.function.{key}")
            for key in ("function", "facet", "condition")
        )
        lines = [" ".join(word for word in (goal, facet) if word)]
        if condition:
            lines.append(f"Condition: {condition}")
        lines.append(self.text(objective.get("notes"), f"{path}.notes"))
        self.extra("Objective function", "\n".join(line for line in lines if line), path)
        self.leftovers(function, {"function", "facet", "condition"}, f"{path}.function")
        self.leftovers(objective, {"function", "notes"}, path)

    def training_metric(self, metric: dict[str, Any], path: str, reported_by: str) -> None:
        name = self.text(metric.get("name"), f"{path}.name")
        if not name:
            self.warn(f"{path}.name", "the metric has no name")
        raw = metric.get("value")
        value = self.value_text(raw, f"{path}.value")
        numeric = parse_metric_number(raw)
        if numeric is None and not isinstance(raw, dict | list):
            self.warn(f"{path}.value", f"the value {value!r} holds no number")
        details = {"source": path, "reported_by": reported_by}
        notes = self.text(metric.get("notes"), f"{path}.notes")
        if notes:
            details["notes"] = notes
        for key, extra in metric.items():
            if key not in ("name", "value", "notes"):
                details[key] = as_text(extra)
        self.card.quantitative_analyses.results.append(
            MetricResult(name=name, value=value, numeric=numeric, details=details)
        )

    def hyper_parameters(self, value: Any, path: str, title: str) -> None:
        lines: list[str] = []
        for item_path, item in self.objects(value, path):
            name = self.text(item.get("name"), f"{item_path}.name")
            lines.append(f"{name} = {self.value_text(item.get('value'), f'{item_path}.value')}")
            self.leftovers(item, {"name", "value"}, item_path)
        self.extra(title, "\n".join(lines), path)

    def evaluation(self, evaluation: dict[str, Any], path: str) -> None:
        name = self.text(evaluation.get("name"), f"{path}.name")
        if not name:
            self.warn(f"{path}.name", "the evaluation has no name")
        datasets = self.texts(evaluation.get("datasets"), f"{path}.datasets")
        self.add_datasets(self.card.evaluation_data, datasets)
        observation = self.text(
            evaluation.get("evaluation_observation"), f"{path}.evaluation_observation"
        )
        if observation:
            analyses = self.card.quantitative_analyses
            heading = f"{name}: " if name else ""
            analyses.text = "\n\n".join(
                part for part in (analyses.text, heading + observation) if part
            )
        self.keep(f"Evaluation job: {name}", evaluation, "evaluation_job_arn", path)
        metadata = self.section(evaluation.get("metadata"), f"{path}.metadata")
        lines = [
            f"{key}: {self.text(item, f'{path}.metadata.{key}')}" for key, item in metadata.items()
        ]
        self.extra(f"Evaluation metadata: {name}", "\n".join(lines), f"{path}.metadata")
        dataset = ", ".join(datasets) or name
        for group_path, group in self.objects(
            evaluation.get("metric_groups"), f"{path}.metric_groups"
        ):
            self.metric_group(group, group_path, name, dataset)
        known = {"name", "datasets", "evaluation_observation", "evaluation_job_arn"}
        known |= {"metadata", "metric_groups"}
        self.leftovers(evaluation, known, path)

    def metric_group(self, group: dict[str, Any], path: str, evaluation: str, dataset: str) -> None:
        group_name = self.text(group.get("name"), f"{path}.name")
        if not group_name:
            self.warn(f"{path}.name", "the metric group has no name")
        _, dash, tail = group_name.partition(" - ")
        slice_name = tail.strip() if dash and _FACET_MARK in tail else ""
        for metric_path, metric in self.objects(group.get("metric_data"), f"{path}.metric_data"):
            result = self.metric(metric, metric_path)
            result.dataset = dataset
            result.slice = slice_name
            result.details["evaluation"] = evaluation
            result.details["metric_group"] = group_name
            self.card.quantitative_analyses.results.append(result)
        self.leftovers(group, {"name", "metric_data"}, path)

    def metric(self, metric: dict[str, Any], path: str) -> MetricResult:
        name = self.text(metric.get("name"), f"{path}.name")
        if not name:
            self.warn(f"{path}.name", "the metric has no name")
        kind = self.text(metric.get("type"), f"{path}.type")
        raw = metric.get("value")
        details: dict[str, str] = {"source": path}
        if kind not in (*CHART_METRIC_TYPES, "number", "string", "boolean"):
            problem = f"the metric type {kind!r} is unknown" if kind else "the metric has no type"
            self.warn(f"{path}.type", f"{problem}; the value is kept as text")
        value, numeric = self.metric_value(raw, kind, path)
        for key, extra in metric.items():
            if key == "notes":
                details[key] = self.text(extra, f"{path}.notes")
            elif key not in ("name", "type", "value"):
                # Axis names are a text or a list of texts, by metric type.
                details[key] = extra if isinstance(extra, str) else compact_json(extra)
        return MetricResult(name=name, type=kind, value=value, numeric=numeric, details=details)

    def metric_value(self, raw: Any, kind: str, path: str) -> tuple[str, float | None]:
        """The metric's value as text and as a number (None when it holds none)."""
        if raw is None:
            self.warn(f"{path}.value", "the metric has no value")
            return "", None
        if isinstance(raw, dict | list):
            # A chart is a list of numbers by design: no single number to read.
            if kind in ("number", "string", "boolean"):
                self.warn(
                    f"{path}.value",
                    f"a {kind} metric holds {json_type(raw)}; it is kept as JSON text",
                )
            return compact_json(raw), None
        value = metric_value_text(raw)
        numeric = parse_metric_number(raw)
        if kind in CHART_METRIC_TYPES:
            self.warn(f"{path}.value", f"a {kind} metric holds {json_type(raw)}, not a list")
        elif kind == "number" and numeric is None:
            self.warn(f"{path}.value", f"the value {value!r} holds no number")
        return value, numeric

    def add_datasets(self, section: DataSection, names: list[str]) -> None:
        for name in names:
            if all(dataset.name != name for dataset in section.datasets):
                section.datasets.append(DatasetRef(name=name))
            if name not in self.card.datasets:
                self.card.datasets.append(name)

    def additional_information(self, section: dict[str, Any]) -> None:
        path = "additional_information"
        self.card.ethical_considerations.text = self.text(
            section.get("ethical_considerations"), f"{path}.ethical_considerations"
        )
        self.card.caveats_and_recommendations.text = self.text(
            section.get("caveats_and_recommendations"), f"{path}.caveats_and_recommendations"
        )
        custom_path = f"{path}.custom_details"
        custom = self.section(section.get("custom_details"), custom_path)
        for key, item in custom.items():
            item_path = f"{custom_path}.{key}"
            self.extra(key, self.text(item, item_path), item_path)
        known = {"ethical_considerations", "caveats_and_recommendations", "custom_details"}
        self.leftovers(section, known, path)
