"""The ``model-index`` of a Hugging Face card, read into and written from metric results.

A ``model-index`` is a list of models, each with ``results``; a result names a
``task``, a ``dataset`` and ``metrics``, and every metric becomes one
:class:`MetricResult`.  What the canonical result has no field for (the data
set's type, config, revision and arguments, a metric's config, arguments and
verification, the result's source) goes into ``details`` as text, under keys
such as ``dataset.type`` and ``metric.verified``, so that the writer can put
it back.

Real cards get this structure wrong in many ways (huggingface_hub#1361): a
result without a dataset, metrics in the wrong list item, "NA" where a number
belongs.  Each problem is a warning naming its place; whatever metric can be
read is imported.  When something could not be attached to any metric, the
caller keeps the whole ``model-index`` as written, so that nothing is lost.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from countersign.formats.base import CardRefused, FormatWarning
from countersign.formats.limits import load_json
from countersign.models.card import (
    MetricResult,
    canonical_json,
    metric_value_text,
    parse_metric_number,
)

MODEL_DETAIL = "model"
"""Details key naming the model of a result listed under a later model-index entry."""

_METRIC_FIELDS = ("name", "type", "value", "threshold", "confidence_interval")


@dataclass
class ModelIndexReading:
    """What a ``model-index`` held: results, the first model's name, and the problems."""

    results: list[MetricResult] = field(default_factory=list)
    name: str = ""
    warnings: list[FormatWarning] = field(default_factory=list)
    lossy: bool = False
    """True when part of the model-index could not be attached to any result."""

    def warn(self, place: str, message: str, *, lossy: bool = False) -> None:
        """Record a problem at ``place``; ``lossy`` when the part is not imported."""
        self.warnings.append(FormatWarning(place, message))
        self.lossy = self.lossy or lossy


def detail_text(value: Any) -> str:
    """A YAML value as the text kept in ``details`` (JSON for anything but a string)."""
    return value if isinstance(value, str) else canonical_json(value)


def detail_value(text: str) -> Any:
    """The YAML value to write for a ``details`` text, inverse of :func:`detail_text`."""
    if not text or text[0] not in '{["-0123456789tfn':
        return text
    try:
        value = load_json(text, "details")
    except CardRefused:
        return text
    if isinstance(value, str) or canonical_json(value) != text:
        return text
    return value


def _slice_of(dataset: dict[str, Any]) -> str:
    """The slice a data set's config (or else its args) names, when it is a plain value."""
    for key in ("config", "args"):
        value = dataset.get(key)
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            text = detail_text(value)
            if text:
                return text
    return ""


def _text(value: Any, place: str, reading: ModelIndexReading) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        reading.warn(place, "a structure where a text is expected; kept as JSON text")
    return detail_text(value)


def read_model_index(value: Any) -> ModelIndexReading:
    """Read a parsed ``model-index`` value into metric results and warnings."""
    reading = ModelIndexReading()
    entries = value
    if isinstance(value, dict):
        reading.warn("model-index", "a single model where a list of models is expected")
        entries = [value]
    if not isinstance(entries, list):
        reading.warn("model-index", f"expected a list of models, found {_kind(value)}", lossy=True)
        return reading
    for i, entry in enumerate(entries):
        place = f"model-index[{i}]"
        if not isinstance(entry, dict):
            reading.warn(place, f"expected a model (a mapping), found {_kind(entry)}", lossy=True)
            continue
        name = _text(entry.get("name"), f"{place}.name", reading)
        if "name" not in entry:
            reading.warn(f"{place}.name", "the model has no name")
        if i == 0:
            reading.name = name
        extra_keys = sorted(set(entry) - {"name", "results"})
        if extra_keys:
            reading.warn(place, f"unknown keys {', '.join(extra_keys)}", lossy=True)
        details = {MODEL_DETAIL: name} if i > 0 and name != reading.name else {}
        _read_results(entry.get("results"), f"{place}.results", details, reading)
    return reading


def _read_results(
    results: Any, place: str, base: dict[str, str], reading: ModelIndexReading
) -> None:
    if results is None:
        reading.warn(place, "the model lists no results")
        return
    if isinstance(results, dict):
        reading.warn(place, "a single result where a list of results is expected")
        results = [results]
    if not isinstance(results, list):
        reading.warn(place, f"expected a list of results, found {_kind(results)}", lossy=True)
        return
    for j, result in enumerate(results):
        here = f"{place}[{j}]"
        if not isinstance(result, dict):
            reading.warn(here, f"expected a result (a mapping), found {_kind(result)}", lossy=True)
            continue
        _read_result(result, here, base, reading)


def _read_result(
    result: dict[str, Any], place: str, base: dict[str, str], reading: ModelIndexReading
) -> None:
    details = dict(base)
    common: dict[str, str] = {"task": "", "dataset": "", "split": "", "slice": ""}
    task = _task_of(result, place, reading)
    _read_task(task, place, common, details, reading)
    _read_dataset(result.get("dataset"), place, common, details, reading)
    _keep_other_details(result, details)
    metrics = result.get("metrics")
    if metrics is None and isinstance(task, dict) and "metrics" in task:
        reading.warn(
            f"{place}.task.metrics",
            "the metrics are written inside the task; read as the result's metrics",
        )
        metrics = task["metrics"]
    metrics = _metric_list(metrics, place, reading)
    for k, metric in enumerate(metrics):
        here = f"{place}.metrics[{k}]"
        if not isinstance(metric, dict):
            reading.warn(here, f"expected a metric (a mapping), found {_kind(metric)}", lossy=True)
            continue
        reading.results.append(_read_metric(metric, here, common, details, reading))


def _task_of(result: dict[str, Any], place: str, reading: ModelIndexReading) -> Any:
    """The result's task, read from ``tasks:`` (spaCy writes it so) or a one-item list too."""
    task = result.get("task")
    if task is None and "tasks" in result:
        reading.warn(f"{place}.tasks", "'tasks' where 'task' is expected; read as the task")
        task = result["tasks"]
    if isinstance(task, list) and len(task) == 1 and isinstance(task[0], dict):
        reading.warn(f"{place}.task", "a list of one task where a task is expected; read as it")
        task = task[0]
    return task


def _read_task(
    task: Any,
    place: str,
    common: dict[str, str],
    details: dict[str, str],
    reading: ModelIndexReading,
) -> None:
    """The result's task into ``common``; its other keys into ``details``."""
    if task is None:
        reading.warn(f"{place}.task", "the result names no task")
    elif isinstance(task, dict):
        common["task"] = _text(task.get("type", task.get("name")), f"{place}.task.type", reading)
        if "type" not in task:
            reading.warn(f"{place}.task.type", "the task has no type")
        for key, item in task.items():
            if key not in ("type", "metrics"):
                details[f"task.{key}"] = detail_text(item)
    else:
        reading.warn(f"{place}.task", "a plain value where a mapping (type, name) is expected")
        common["task"] = detail_text(task)


def _read_dataset(
    dataset: Any,
    place: str,
    common: dict[str, str],
    details: dict[str, str],
    reading: ModelIndexReading,
) -> None:
    """The result's dataset, split and slice into ``common``; its other keys into ``details``."""
    if dataset is None:
        reading.warn(f"{place}.dataset", "the result names no dataset")
    elif isinstance(dataset, dict):
        name = dataset.get("name", dataset.get("type"))
        common["dataset"] = _text(name, f"{place}.dataset.name", reading)
        common["split"] = _text(dataset.get("split"), f"{place}.dataset.split", reading)
        if "slice" in dataset:
            common["slice"] = _text(dataset["slice"], f"{place}.dataset.slice", reading)
        else:
            common["slice"] = _slice_of(dataset)
        for key, item in dataset.items():
            if key not in ("name", "split", "slice"):
                details[f"dataset.{key}"] = detail_text(item)
    else:
        reading.warn(f"{place}.dataset", "a plain value where a mapping (type, name) is expected")
        common["dataset"] = detail_text(dataset)


def _keep_other_details(result: dict[str, Any], details: dict[str, str]) -> None:
    """The result's source and unknown keys, kept as details of each of its metrics."""
    source = result.get("source")
    if isinstance(source, dict):
        details.update({f"source.{key}": detail_text(item) for key, item in source.items()})
    elif source is not None:
        details["source"] = detail_text(source)
    for key, item in result.items():
        if key not in ("task", "tasks", "dataset", "metrics", "source"):
            details[f"result.{key}"] = detail_text(item)


def _metric_list(metrics: Any, place: str, reading: ModelIndexReading) -> list[Any]:
    """The result's metrics as a list; empty, with a warning, when it states none."""
    if isinstance(metrics, dict):
        reading.warn(f"{place}.metrics", "a single metric where a list of metrics is expected")
        metrics = [metrics]
    if not isinstance(metrics, list) or not metrics:
        found = "none" if metrics is None or metrics == [] else _kind(metrics)
        reading.warn(
            f"{place}.metrics",
            f"expected a list of metrics, found {found}; this result states no figure "
            "and is kept only in the model-index as written",
            lossy=True,
        )
        return []
    return metrics


def _read_metric(
    metric: dict[str, Any],
    place: str,
    common: dict[str, str],
    base: dict[str, str],
    reading: ModelIndexReading,
) -> MetricResult:
    details = dict(base)
    for key, item in metric.items():
        if key not in _METRIC_FIELDS:
            details[f"metric.{key}"] = detail_text(item)
    if "type" not in metric and "name" not in metric:
        reading.warn(f"{place}.type", "the metric has neither a type nor a name")
    elif "type" not in metric:
        reading.warn(f"{place}.type", "the metric has no type")
    raw = metric.get("value")
    numeric = parse_metric_number(raw)
    if "value" not in metric:
        reading.warn(f"{place}.value", "the metric has no value")
    elif numeric is None:
        reading.warn(f"{place}.value", f"{raw!r} is not a number; the text is kept as written")
    value = canonical_json(raw) if isinstance(raw, dict | list) else metric_value_text(raw)
    return MetricResult(
        name=_text(metric.get("name", metric.get("type")), f"{place}.name", reading),
        type=_text(metric.get("type"), f"{place}.type", reading),
        value=value,
        numeric=numeric,
        threshold=_text(metric.get("threshold"), f"{place}.threshold", reading),
        confidence_interval=_text(
            metric.get("confidence_interval"), f"{place}.confidence_interval", reading
        ),
        details=details,
        **common,
    )


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, str):
        return "a text"
    if isinstance(value, bool):
        return "a true/false value"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


# -- writing ----------------------------------------------------------------------


def _value_for_yaml(text: str) -> Any:
    """A metric value as a YAML number when the number reads back as the same text."""
    stripped = text.strip()
    if stripped != text or not stripped or stripped[0] not in "-+.0123456789":
        return text
    if stripped.lstrip("-").isdigit():
        number = int(stripped)
        return number if str(number) == text else text
    try:
        number_f = float(stripped)
    except ValueError:
        return text
    if math.isfinite(number_f) and metric_value_text(number_f) == text:
        return number_f
    return text


def _prefixed(details: dict[str, str], prefix: str) -> dict[str, Any]:
    return {
        key[len(prefix) :]: detail_value(text)
        for key, text in details.items()
        if key.startswith(prefix)
    }


def _result_frame(result: MetricResult, details: dict[str, str]) -> dict[str, Any]:
    """The task, dataset and source of a result: everything but its metric."""
    frame: dict[str, Any] = {}
    # The reader falls back from a missing task type to the task name and from a
    # missing data set name to its type, so both are written whenever the part is.
    task = {k: v for k, v in _prefixed(details, "task.").items() if k != "type"}
    if task or result.task:
        frame["task"] = {"type": result.task, **task}
    dataset = {
        k: v
        for k, v in _prefixed(details, "dataset.").items()
        if k not in ("name", "split", "slice")
    }
    if result.split:
        dataset["split"] = result.split
    if result.slice != _slice_of(dataset):
        dataset["slice"] = result.slice
    if dataset or result.dataset:
        frame["dataset"] = {"name": result.dataset, **dataset}
    source = _prefixed(details, "source.")
    if "source" in details:
        frame["source"] = detail_value(details["source"])
    elif source:
        frame["source"] = source
    for key, item in _prefixed(details, "result.").items():
        if key not in ("task", "tasks", "dataset", "metrics", "source"):
            frame[key] = item
    return frame


def _metric(result: MetricResult, details: dict[str, str]) -> dict[str, Any]:
    metric: dict[str, Any] = {}
    if result.name or result.type:
        metric["name"] = result.name
    if result.type:
        metric["type"] = result.type
    if result.value:
        metric["value"] = _value_for_yaml(result.value)
    if result.threshold:
        metric["threshold"] = result.threshold
    if result.confidence_interval:
        metric["confidence_interval"] = result.confidence_interval
    for key, item in _prefixed(details, "metric.").items():
        if key not in _METRIC_FIELDS:
            metric[key] = item
    return metric


def write_model_index(name: str, results: list[MetricResult]) -> list[dict[str, Any]]:
    """A ``model-index`` holding ``results`` that :func:`read_model_index` reads back."""
    entries: list[dict[str, Any]] = [{"name": name, "results": []}]
    last_frame = ""
    for result in results:
        details = dict(result.details)
        model = details.pop(MODEL_DETAIL, name)
        if model != entries[-1]["name"]:
            entries.append({"name": model, "results": []})
            last_frame = ""
        frame = _result_frame(result, details)
        frame_key = canonical_json(frame)
        metric = _metric(result, details)
        if frame_key == last_frame:
            entries[-1]["results"][-1]["metrics"].append(metric)
        else:
            entries[-1]["results"].append({**frame, "metrics": [metric]})
            last_frame = frame_key
    return entries
