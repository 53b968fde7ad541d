"""``countersign audit``: list the trail, verify it against the trusted signatures, or checkpoint it."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from countersign.commands.context import services_for
from countersign.commands.output import EXIT_OK, EXIT_REFUSED, print_json
from countersign.commands.passphrase import ask_passphrase
from countersign.models.tables import AuditEvent, MergedEvent
from countersign.services.audit.records import AuditRecord, records_of
from countersign.services.audit.trail import (
    TRAIL_START,
    TrailFilter,
    event_details,
    trail_key,
    whole_trail,
)
from countersign.services.audit.wording import describe
from countersign.services.integrity.registry_check import RegistryCheck
from countersign.services.trust.anchors import TrustAnchors, anchors_from_pem
from countersign.services.workstation import Services


def given_anchors(files: list[Path] | None) -> TrustAnchors:
    """The certificates given with ``--trust`` (those pinned here are added by the check)."""
    from countersign.services.reports.reports import read_trusted_certificate

    return TrustAnchors(
        anchor
        for file in files or []
        for anchor in anchors_from_pem(read_trusted_certificate(file), f"--trust {file.name}")
    )


def _verify(args: argparse.Namespace, services: Services) -> int:
    """``audit --verify``: every check in words (failures on stderr), exit 1 if any fails."""
    result = services.integrity.verify(given_anchors(args.trust), args.checkpoint)
    if args.json:
        print_json(_verdict_json(result))
    else:
        for good, line in result.lines():
            print(line, file=sys.stdout if good else sys.stderr)
    return EXIT_OK if result.ok else EXIT_REFUSED


def audit(args: argparse.Namespace) -> int:
    """List events (``--json``), verify the trail (exit 1 if broken), or write a checkpoint."""
    if getattr(args, "audit_command", None) == "checkpoint":
        return _checkpoint(args)
    services = services_for(args)
    database = services.database
    if args.verify:
        return _verify(args, services)
    if args.model:
        services.registry.model(args.model)  # NotFound (exit 1) for a name the registry lacks
    with database.read() as session:
        events: list[AuditEvent | MergedEvent] = []
        records: list[AuditRecord] = []
        for page in _pages(session, args.model):
            events.extend(page)
            if not args.json:
                records.extend(records_of(session, page))
            session.expunge_all()
    if args.json:
        print_json(
            [
                {
                    "id": e.id,
                    "at": e.at,
                    "actor": e.actor,
                    "action": e.action,
                    "object_type": e.object_type,
                    "object_id": e.object_id,
                    "model": e.model_name,
                    "details": event_details(e),
                    "prev_hash": e.prev_hash,
                    "hash": e.hash,
                    **({"merged_by": e.segment} if isinstance(e, MergedEvent) else {}),
                }
                for e in events
            ]
        )
        return EXIT_OK
    for record in records:
        # Words for the officer; --json keeps the stored codes and ids for machines.
        merged = f" (merged by event {record.merged_by})" if record.merged_by else ""
        print(f"{record.id:>6}  {record.at[:19]}Z  {record.actor:<12} {describe(record)}{merged}")
    if not events:
        print("The audit trail is empty.")
    return EXIT_OK


def _pages(session: Session, model: str | None) -> Iterator[list[AuditEvent | MergedEvent]]:
    """The trail a page at a time (a model's events, with the merges that brought work on it,
    or the whole trail), merged work just before the event that merged it."""
    wanted, after = TrailFilter(model_name=model), TRAIL_START
    while True:
        page: list[AuditEvent | MergedEvent] = whole_trail(session, wanted, after=after, limit=5000)
        if not page:
            return
        yield page
        after = trail_key(page[-1])


def _verdict_json(result: RegistryCheck) -> dict[str, Any]:
    chain, signoffs, head = result.chain, result.signoffs, result.head
    return {
        "ok": result.ok,
        "events": chain.events,
        "first_broken": chain.first_broken,
        "reason": chain.reason,
        "signoffs": {
            "ok": signoffs.ok,
            "reviews": signoffs.reviews,
            "signatures": signoffs.signatures,
            "problems": [
                {
                    "review": p.review_id,
                    "signature": p.signature_id,
                    "model": p.model,
                    "version": p.version,
                    "problem": p.problem,
                }
                for p in signoffs.problems
            ],
        },
        "problems": list(result.problems),
        "anchored": result.anchored,
        "signed_head": None
        if head is None
        else {
            "seq": head.seq,
            "hash": head.hash,
            "signer": head.signer,
            "signed_at": head.signed_at,
            "act": head.what,
            "events_after": max(0, result.events - head.seq),
        },
        "checkpoint": result.checkpoint or None,
    }


def _checkpoint(args: argparse.Namespace) -> int:
    from countersign.services.integrity.checkpoint import write_checkpoint

    services = services_for(args)
    database, identities = services.database, services.identities
    identities.get(args.identity)  # unknown identity: refused before the passphrase
    passphrase = ask_passphrase(f"Passphrase for {args.identity}: ")
    signing = identities.unlock(args.identity, passphrase)
    act = write_checkpoint(database, signing, args.output)
    head = act.head
    assert head is not None
    print(f"checkpoint: event {head.seq} ({head.hash}) signed by {signing.identity.email}")
    print(f"  written to {args.output}; keep it outside this computer")
    return EXIT_OK
