"""``countersign import``, ``models``, ``versions`` and ``show``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from countersign.commands.context import services_for
from countersign.commands.output import EXIT_OK, EXIT_REFUSED, print_columns, print_json
from countersign.formats.warning_place import place_in_words
from countersign.models.safe_text import terminal_text as line
from countersign.models.vocabulary import CardOutcome, CardStatus
from countersign.services.counting import counted
from countersign.services.diff.card_text import card_sections
from countersign.services.importing.importer import ImportPlan, LooseCardInfo
from countersign.services.importing.model_files import signature_sentence, team_signature
from countersign.services.registry import (
    CardVersionDetail,
    ModelSummary,
    VersionSummary,
    split_reference,
)


def import_files(args: argparse.Namespace) -> int:
    """Import each file in its own transaction; exit 1 if any was refused."""
    importer = services_for(args, create=True).importer
    reports = []
    status = EXIT_OK
    loose = LooseCardInfo(model=args.model, version=args.card_version, team=args.team)
    for path in args.files:
        report = importer.import_file(path, loose)
        reports.append(report)
        if not report.ok:
            status = EXIT_REFUSED
        if not args.json:
            _print_plan(report.plan, report.landed)
    if args.json:
        print_json([_plan_json(r.plan, r.landed) for r in reports])
    return status


def _print_plan(plan: ImportPlan, landed: bool) -> None:
    label = "bundle" if plan.kind == "bundle" else "card"
    team = f", team {plan.team}" if plan.team else ""
    signature = f", team signature {plan.signature_status}" if plan.kind == "bundle" else ""
    print(f"{label} {line(plan.source.name)}{line(team)}{signature}")
    if plan.refusal:
        print(f"  refused: {plan.refusal}", file=sys.stderr)
        print("  nothing was imported", file=sys.stderr)
        return
    for card in plan.cards:
        note = f" ({counted(len(card.warnings), 'warning')})" if card.warnings else ""
        row = (
            f"  {card.outcome:<12} {line(card.model)} {line(card.version)}  "
            f"[{line(card.file)}]{note}"
        )
        if card.outcome == CardOutcome.REFUSED:
            print(f"{row}: {card.reason}", file=sys.stderr)
        else:
            print(row)
        _print_model_files(card.artifacts, "      ")
        for warning in card.warnings[:20]:
            detail = f"  [{line(warning.field)}]" if warning.place != warning.field else ""
            print(f"      warning: {line(warning.place)}: {line(warning.message)}{detail}")
        if len(card.warnings) > 20:
            more = counted(len(card.warnings) - 20, "more warning")
            print(f"      … and {more} (see `countersign show`)")
    if plan.refused:
        print(f"  refused: {plan.reason()}", file=sys.stderr)
    elif landed:
        new = sum(1 for c in plan.cards if c.outcome.adds_a_version)
        print(f"  imported {counted(new, 'new card version')}")
    else:
        print("  already in the registry: nothing changed")


def _print_model_files(artifacts: Sequence[dict[str, Any]], indent: str) -> None:
    """Each model file a card names, with its SHA-256 and whether the team signed it."""
    for artifact in artifacts:
        print(
            f"{indent}model file {line(str(artifact.get('name')))} SHA-256 "
            f"{artifact.get('sha256')}: {signature_sentence(artifact)}"
        )


def _plan_json(plan: ImportPlan, landed: bool) -> dict[str, Any]:
    return {
        "file": str(plan.source),
        "kind": plan.kind,
        "sha256": plan.file_sha256,
        "team": plan.team,
        "signature": plan.signature_status,
        "landed": landed,
        "refused": plan.refused,
        "reason": plan.reason(),
        "cards": [
            {
                "file": c.file,
                "model": c.model,
                "version": c.version,
                "outcome": c.outcome,
                "reason": c.reason,
                "sha256": c.sha256,
                "warnings": [{"field": w.field, "message": w.message} for w in c.warnings],
                "artifacts": [
                    {**a, "team_signature": team_signature(a).value} for a in c.artifacts
                ],
            }
            for c in plan.cards
        ],
    }


def list_models(args: argparse.Namespace) -> int:
    """List every model, by name."""
    registry = services_for(args).registry
    models: list[ModelSummary] = []
    after: tuple[str, int] | None = None
    while True:
        page = registry.models(after=after, limit=1000)
        if not page:
            break
        models.extend(page)
        after = (page[-1].name, page[-1].id)
    if args.json:
        print_json([_model_json(m) for m in models])
        return EXIT_OK
    if not models:
        print("The registry is empty. Import a bundle with `countersign import FILE`.")
        return EXIT_OK
    rows = [("Model", "Latest", "Status", "Risk tier", "Team")]
    rows += [
        (
            line(m.name),
            line(m.latest_version),
            CardStatus.word(m.status),
            m.risk_tier or "-",
            line(m.team) or "-",
        )
        for m in models
    ]
    print_columns(rows)
    return EXIT_OK


def list_versions(args: argparse.Namespace) -> int:
    """List the card versions of one model, oldest first, under a header row."""
    versions = services_for(args).registry.versions(args.model)
    if args.json:
        print_json([_version_json(v) for v in versions])
        return EXIT_OK
    rows = [("Version", "Status", "Imported (UTC)", "SHA-256", "From")]
    rows += [
        (
            line(v.version),
            CardStatus.word(v.status),
            v.imported_at[:19],
            v.sha256[:12],
            line(v.bundle.file_name if v.bundle else v.original_name),
        )
        for v in versions
    ]
    print_columns(rows)
    return EXIT_OK


def show(args: argparse.Namespace) -> int:
    """Show one card version: the card, its status, warnings and provenance."""
    from countersign.commands.review import print_reviews, review_json
    from countersign.services.reviews.records import load_reviews

    model, version = split_reference(args.reference)
    services = services_for(args)
    detail = services.registry.card_version(model, version)
    with services.database.read() as session:
        reviews = load_reviews(session, [detail.summary.id]).get(detail.summary.id, [])
    if args.json:
        out = card_version_json(detail)
        out["reviews"] = [review_json(r) for r in reviews]
        print_json(out)
    else:
        _print_card_version(detail)
        if reviews:
            print("Reviews")
            print("-------")
            print_reviews(reviews)
    return EXIT_OK


def _model_json(m: ModelSummary) -> dict[str, Any]:
    return {
        "name": m.name,
        "team": m.team,
        "risk_tier": m.risk_tier,
        "latest_version": m.latest_version,
        "status": m.status,
        "versions": m.version_count,
        "last_activity": m.last_activity,
    }


def _version_json(v: VersionSummary) -> dict[str, Any]:
    return {
        "model": v.model,
        "version": v.version,
        "status": v.status,
        "sha256": v.sha256,
        "source_format": v.source_format,
        "file": v.original_name,
        "imported_at": v.imported_at,
        "imported_by": v.imported_by,
        "warnings": v.warning_count,
        "bundle": (
            {
                "file": v.bundle.file_name,
                "sha256": v.bundle.sha256,
                "team": v.bundle.team,
                "producer": v.bundle.producer,
                "created": v.bundle.created,
                "signature": v.bundle.signature_status,
                "signer": v.bundle.signer_subject,
                "signer_fingerprint": v.bundle.signer_fingerprint,
            }
            if v.bundle
            else None
        ),
    }


def card_version_json(detail: CardVersionDetail) -> dict[str, Any]:
    """The documented JSON of ``show --json``."""
    out = _version_json(detail.summary)
    out["warnings"] = detail.warnings
    out["attachments"] = [
        {"path": a.path, "media_type": a.media_type, "size": a.size, "sha256": a.sha256}
        for a in detail.attachments
    ]
    out["artifacts"] = [dict(a) for a in detail.artifacts]
    out["card"] = detail.card.model_dump(mode="json")
    return out


def _print_card_version(detail: CardVersionDetail) -> None:
    s = detail.summary
    card = detail.card
    print(f"{line(s.model)} {line(s.version)}  ({s.status})")
    print(f"  sha256     {s.sha256}")
    print(f"  format     {s.source_format}, file {s.original_name}")
    print(f"  imported   {s.imported_at} by {s.imported_by}")
    if s.bundle:
        print(
            f"  bundle     {s.bundle.file_name} from {s.bundle.team}, "
            f"team signature {s.bundle.signature_status}"
        )
    if detail.warnings:
        print(f"  warnings   {len(detail.warnings)}")
        for warning in detail.warnings:
            path = warning.get("field", "")
            where = warning.get("where") or place_in_words(path)
            detail_path = f"  [{line(path)}]" if path != where else ""
            print(f"    - {line(where)}: {line(warning.get('message', ''))}{detail_path}")
    for attachment in detail.attachments:
        print(f"  attachment {attachment.path} ({attachment.media_type}, {attachment.size} bytes)")
    _print_model_files(detail.artifacts, "  ")
    print()
    for section in card_sections(card):
        print(section.title)
        print("-" * len(section.title))
        print(section.text.rstrip())
        print()
