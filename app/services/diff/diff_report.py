"""A comparison of two card versions as readable text or as the documented JSON.

The command line prints these (``countersign diff``), and the Compare tab
copies the same text to the clipboard, so the words match everywhere.
"""

from __future__ import annotations

import json
from typing import Any

from countersign.services.diff.card_diff import CardDiff, FieldChange, VersionComparison
from countersign.services.diff.metric_diff import MetricChange
from countersign.services.registry import VersionSummary

VALUE_WIDTH = 100
"""Characters of a value shown in a field line before it is cut (the text diff shows it all)."""


def comparison_json(comparison: VersionComparison) -> dict[str, Any]:
    """The documented JSON of ``diff --json``: both versions, a summary and every change."""
    return {
        "model": comparison.new.summary.model,
        "old": _version_json(comparison.old.summary),
        "new": _version_json(comparison.new.summary),
        **diff_json(comparison.diff),
    }


def diff_json(diff: CardDiff) -> dict[str, Any]:
    """A card diff as JSON: summary, sections, and every change with path, kind, old and new."""
    changes: list[dict[str, Any]] = [_field_json(change) for change in diff.fields]
    changes.extend(_metric_json(change) for change in diff.metrics)
    verdicts = diff.verdicts()
    stats = diff.text.stats if diff.text is not None else None
    return {
        "summary": {
            "identical": diff.identical,
            "changes": diff.change_count,
            "fields_changed": len(diff.fields),
            "metrics_changed": len(diff.metrics),
            "metrics_unchanged": diff.unchanged_metrics,
            "metrics_better": verdicts["better"],
            "metrics_worse": verdicts["worse"],
            "lines_changed": stats.changed if stats else None,
            "lines_deleted": stats.deleted if stats else None,
            "lines_inserted": stats.inserted if stats else None,
            "ignore_whitespace": diff.ignore_whitespace,
        },
        "sections": [{"title": s.title, "kind": s.kind} for s in diff.sections],
        "changes": changes,
    }


def comparison_report(comparison: VersionComparison, *, whole_card: bool = False) -> list[str]:
    """The comparison as readable lines: header, field paths, metric deltas, then text changes.

    With ``whole_card`` the text changes are the unified diff of the whole
    rendered card rather than of each long field.
    """
    old, new = comparison.old.summary, comparison.new.summary
    lines = [f"{new.model}: {old.version} ({old.status}) → {new.version} ({new.status})"]
    return lines + diff_report(comparison.diff, whole_card=whole_card)


def diff_report(diff: CardDiff, *, whole_card: bool = False) -> list[str]:
    """A card diff as readable lines (without the header naming the versions)."""
    lines = [summary_sentence(diff)]
    if diff.sections:
        by_kind: dict[str, list[str]] = {}
        for section in diff.sections:
            by_kind.setdefault(section.kind, []).append(section.title)
        lines.append(
            "Sections: "
            + "; ".join(f"{kind} {', '.join(titles)}" for kind, titles in by_kind.items())
        )
    if diff.fields:
        lines += ["", "Fields"]
        lines += [f"  {change.kind:<8} {_field_line(change)}" for change in diff.fields]
    if diff.metrics:
        lines += ["", "Metrics"]
        lines += [f"  {change.kind:<8} {metric_line(change)}" for change in diff.metrics]
    text_lines: list[str] = []
    if whole_card and diff.text is not None:
        text_lines = ["  " + line for line in diff.text.unified()]
    elif not whole_card:
        for change in diff.fields:
            if change.text is not None:
                text_lines.append(f"  {change.path}")
                text_lines += ["    " + line for line in change.text.unified()]
    if text_lines:
        lines += ["", "Text changes" if not whole_card else "Whole card"]
        lines += text_lines
    return lines


def summary_sentence(diff: CardDiff) -> str:
    """One sentence: how many fields and metrics changed, and how the metrics moved."""
    if diff.identical:
        return "No changes: the two card versions say the same."
    fields = len(diff.fields)
    metrics = len(diff.metrics)
    text = (
        f"{diff.change_count} change{'s' if diff.change_count != 1 else ''}: "
        f"{fields} field{'s' if fields != 1 else ''}, "
        f"{metrics} metric{'s' if metrics != 1 else ''}"
    )
    verdicts = diff.verdicts()
    judged = [
        f"{verdicts[name]} {word}"
        for name, word in (
            ("better", "better"),
            ("worse", "worse"),
            ("same", "same value"),
            ("unknown", "cannot be judged"),
        )
        if verdicts[name]
    ]
    if judged:
        text += f" ({', '.join(judged)})"
    return text + "."


def metric_line(change: MetricChange) -> str:
    """One metric change: key, old → new, delta and verdict."""
    old = change.old.value if change.old is not None else ""
    new = change.new.value if change.new is not None else ""
    line = f"{change.key.label()}: {old or '—'} → {new or '—'}"
    if change.delta is not None:
        line += f"  {format_delta(change.delta)}"
    if change.kind == "changed":
        if change.verdict != "same":
            line += f"  {change.rule.verdict_words(change.verdict)}"
        others = [name for name in change.changed_fields if name != "value"]
        if others:
            line += f"  [also changed: {', '.join(others)}]"
    return line


def format_delta(delta: float) -> str:
    """A metric delta with its sign and the digits it needs (``+0.008``, ``-3.6``)."""
    return f"{delta:+.6g}"


def _field_line(change: FieldChange) -> str:
    if change.kind == "added":
        return f"{change.path}: {_short(change.new)}"
    if change.kind == "removed":
        return f"{change.path}: {_short(change.old)}"
    if change.text is not None:
        return f"{change.path} (text, see below)"
    return f"{change.path}: {_short(change.old)} → {_short(change.new)}"


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= VALUE_WIDTH else text[: VALUE_WIDTH - 1] + "…"


def _field_json(change: FieldChange) -> dict[str, Any]:
    out: dict[str, Any] = {
        "path": change.path,
        "kind": change.kind,
        "section": change.section,
        "old": change.old,
        "new": change.new,
    }
    if change.text is not None:
        out["diff"] = change.text.unified()
    return out


def _metric_json(change: MetricChange) -> dict[str, Any]:
    return {
        "path": change.path,
        "kind": change.kind,
        "section": "Quantitative analyses",
        "old": change.old.value if change.old is not None else None,
        "new": change.new.value if change.new is not None else None,
        "metric": {
            "name": change.key.name,
            "dataset": change.key.dataset,
            "split": change.key.split,
            "slice": change.key.slice,
        },
        "old_numeric": change.old.numeric if change.old is not None else None,
        "new_numeric": change.new.numeric if change.new is not None else None,
        "delta": change.delta,
        "direction": change.direction,
        "target": change.rule.target,
        "rule": change.rule.words(),
        "verdict": change.verdict,
        "changed": list(change.changed_fields),
    }


def _version_json(summary: VersionSummary) -> dict[str, Any]:
    return {"version": summary.version, "status": summary.status, "sha256": summary.sha256}
