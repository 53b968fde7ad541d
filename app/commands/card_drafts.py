"""``countersign card new`` and ``card check``: the team's side, before a card is sent.

Neither touches a registry: ``card new`` writes a card file from model info,
``card check`` says what a reviewer would ask of a card file.  A template the
registry holds (imported by the officer) is looked up only when ``--db`` or
``COUNTERSIGN_DB`` names a registry.
"""

from __future__ import annotations

import argparse
import os
from typing import Any

from countersign.commands.context import services_for
from countersign.commands.output import EXIT_OK, EXIT_REFUSED, print_json
from countersign.models.checklist import ChecklistTemplate
from countersign.models.vocabulary import AnswerValue, DraftFormat
from countersign.services.counting import counted
from countersign.services.drafts import (
    Completeness,
    ModelInfoRefused,
    create_model_card,
    format_for,
    judge,
    load_template,
    open_draft,
    read_model_info_file,
)
from countersign.services.drafts.draft import FORMAT_LABELS
from countersign.services.reviews.errors import TemplateNotFound


def card(args: argparse.Namespace) -> int:
    """``card new`` or ``card check``."""
    if args.card_command == "new":
        return _new(args)
    return _check(args)


def _new(args: argparse.Namespace) -> int:
    info = read_model_info_file(args.info)
    try:
        chosen = DraftFormat(args.format or format_for(args.output) or DraftFormat.NATIVE)
        draft = create_model_card(info, args.output, format=chosen)
    except ModelInfoRefused as refusal:
        raise refusal.in_file(str(args.info)) from None
    print(
        f"wrote {args.output} ({FORMAT_LABELS[draft.format]}) for "
        f"{draft.name or '(no name)'} {draft.version or '(no version)'}"
    )
    if not draft.name.strip() or not draft.version.strip():
        print("  the card names no model or no version: an import will need --model/--version")
    report = judge(draft.card, _template(args), draft.import_warnings())
    failing = report.required_failing
    if failing:
        ids = ", ".join(status.item for status in failing)
        items = counted(len(failing), "required item")
        print(f"  {items} of {report.template.reference} would fail: {ids}")
        print(f"  see: countersign card check {args.output}")
    return EXIT_OK


def _check(args: argparse.Namespace) -> int:
    draft = open_draft(args.file)
    report = judge(draft.card, _template(args), draft.warnings)
    if args.json:
        print_json(_report_json(args, draft.name, draft.version, report, draft.warnings))
    else:
        _print_report(args, draft.name, draft.version, report)
    return EXIT_REFUSED if report.required_failing else EXIT_OK


def _template(args: argparse.Namespace) -> ChecklistTemplate:
    try:
        return load_template(args.template)
    except TemplateNotFound:
        if not (args.db or os.environ.get("COUNTERSIGN_DB")):
            raise
    return services_for(args).checklists.get(args.template).template


def _print_report(args: argparse.Namespace, name: str, version: str, report: Completeness) -> None:
    template = report.template
    print(
        f"{args.file}: {name or '(no name)'} {version or '(no version)'}, "
        f"checked against {template.title} ({template.reference})"
    )
    for status in (*report.missing, *report.manual):
        flag = "required" if status.required else "optional"
        label = "FAIL" if status.state == AnswerValue.FAIL else "ASK"
        print(f"  {label:<4} {status.item} [{flag}]: {status.text}")
        print(f"       {status.evidence}")
    failing = len(report.required_failing)
    print(
        f"{len(report.passed)} of {len(report.items)} items pass their automatic check; "
        f"{len(report.manual)} the reviewer judges by hand (ASK); "
        f"{failing} required item{'s' if failing != 1 else ''} would fail"
    )


def _report_json(
    args: argparse.Namespace, name: str, version: str, report: Completeness, warnings: list[Any]
) -> dict[str, Any]:
    template = report.template
    return {
        "file": str(args.file),
        "model": name,
        "version": version,
        "template": {"id": template.id, "version": template.version, "title": template.title},
        "ok": not report.required_failing,
        "required_failing": [status.item for status in report.required_failing],
        "warnings": [{"field": w.field, "message": w.message} for w in warnings],
        "items": [status.as_json() for status in report.items],
    }
