"""``countersign checklists``, ``checklist show ID`` and ``checklist import FILE``."""

from __future__ import annotations

import argparse
from typing import Any

from countersign.commands.context import services_for
from countersign.commands.output import EXIT_OK, print_json
from countersign.models.checklist import (
    AutomaticCheck,
    FieldPresent,
    LicenseIn,
    ListNotEmpty,
    MetricAtLeast,
    MetricAtMost,
    Regression,
    Threshold,
)
from countersign.services.counting import counted
from countersign.services.reviews.checklists import TemplateInfo


def list_checklists(args: argparse.Namespace) -> int:
    """List every checklist template version, shipped or stored."""
    templates = services_for(args).checklists.list_templates()
    if args.json:
        print_json([_summary_json(info) for info in templates])
        return EXIT_OK
    for info in templates:
        t = info.template
        state = "frozen" if info.frozen else ("stored" if info.stored else "built-in")
        print(
            f"{t.reference:<22} {t.title:<36} tiers {', '.join(t.risk_tiers):<24} "
            f"quorum {t.quorum}  {counted(len(t.items), 'item')}  {state}"
        )
    return EXIT_OK


def checklist(args: argparse.Namespace) -> int:
    """``checklist show`` or ``checklist import``."""
    checklists = services_for(args).checklists
    if args.checklist_command == "import":
        info, outcome = checklists.import_file(args.file)
        messages = {
            "imported": "imported",
            "unchanged": "already in the registry with the same content: nothing changed",
            "replaced": "replaced the stored copy (no review had used it yet)",
        }
        print(f"checklist {info.reference} ({info.template.title}): {messages[outcome]}")
        return EXIT_OK
    info = checklists.get(args.template)
    if args.json:
        print_json(template_json(info))
        return EXIT_OK
    _print_template(info)
    return EXIT_OK


def _summary_json(info: TemplateInfo) -> dict[str, Any]:
    t = info.template
    return {
        "id": t.id,
        "version": t.version,
        "title": t.title,
        "risk_tiers": list(t.risk_tiers),
        "stages": list(t.stages),
        "quorum": t.quorum,
        "by_choice": t.by_choice,
        "items": len(t.items),
        "references": [ref.label() for ref in t.references()],
        "source": info.source,
        "sha256": info.sha256,
        "stored": info.stored,
        "frozen": info.frozen,
    }


def template_json(info: TemplateInfo) -> dict[str, Any]:
    """The documented JSON of ``checklist show --json``: the template and where it stands."""
    out = info.template.model_dump(mode="json")
    for item, shown in zip(info.template.items, out["items"], strict=True):
        shown["references"] = [
            {**ref.model_dump(mode="json"), "label": ref.label()} for ref in item.references
        ]
    out.update(
        {"source": info.source, "sha256": info.sha256, "stored": info.stored, "frozen": info.frozen}
    )
    return out


def _print_template(info: TemplateInfo) -> None:
    t = info.template
    print(f"{t.title}  ({t.reference}, {info.source})")
    print(f"  for {', '.join(t.risk_tiers)} risk cards; {counted(t.quorum, 'approval')} needed")
    print(f"  for the stages: {', '.join(t.stages) if t.stages else 'every stage'}")
    if t.validity_months:
        limits = ", ".join(
            f"{counted(months, 'month')} for {tier}" for tier, months in t.validity_months.items()
        )
        print(f"  an approval holds at most {limits} risk, and says until when")
    if t.by_choice:
        print("  used only when chosen (another template is the default for these tiers)")
    if t.description:
        print(f"  {t.description}")
    for key, named in t.escalations.items():
        print(f"  escalation {key}: {named.text} ({named.describe()})")
    print()
    for item in t.items:
        flag = "required" if item.required else "optional"
        print(f"{item.id}  [{flag}]")
        print(f"    {item.text}")
        if item.check is not None:
            print(f"    automatic check: {describe_check(item.check)}")
        escalation = t.escalation_of(item)
        if escalation is not None:
            print(
                f"    if it fails: escalation {item.escalation} ({escalation.text}: "
                f"{escalation.describe()})"
            )
        if item.references:
            print(f"    evidences: {'; '.join(ref.label() for ref in item.references)}")


def describe_check(check: AutomaticCheck) -> str:
    """An automatic check in words."""
    if isinstance(check, FieldPresent):
        return f"{check.field} has at least {check.min_length} characters"
    if isinstance(check, ListNotEmpty):
        noun = "entry" if check.min_items == 1 else "entries"
        return f"{check.field} has at least {check.min_items} {noun}"
    if isinstance(check, MetricAtLeast | MetricAtMost):
        bound = "at least" if isinstance(check, MetricAtLeast) else "at most"
        where = f" on {check.dataset}" if check.dataset else ""
        where += f" for slice {check.slice}" if check.slice else ""
        return f"{check.metric}{where} is {bound} {check.value:g}"
    if isinstance(check, Threshold | Regression):
        return check.rule
    if isinstance(check, LicenseIn):
        return f"the licence is one of {', '.join(check.allowed)}"
    return "the card was read with no format warnings"
