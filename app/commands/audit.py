"""``countersign audit``: list the trail, verify it against the trusted signatures, or checkpoint it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from countersign.commands.context import services_for
from countersign.commands.output import EXIT_OK, EXIT_REFUSED, print_json
from countersign.commands.passphrase import ask_passphrase
from countersign.services.audit.trail import event_details, list_events
from countersign.services.integrity.registry_check import RegistryCheck, verify_registry
from countersign.services.trust.anchors import TrustAnchors, anchors_from_pem
from countersign.services.trust.store import TrustStore


def trusted_anchors(files: list[Path] | None) -> TrustAnchors:
    """The certificates pinned on this workstation and those given with ``--trust``."""
    from countersign.services.reports.reports import read_trusted_certificate

    return (
        TrustStore()
        .anchors()
        .with_more(
            anchor
            for file in files or []
            for anchor in anchors_from_pem(read_trusted_certificate(file), f"--trust {file.name}")
        )
    )


def audit(args: argparse.Namespace) -> int:
    """List events (``--json``), verify the trail (exit 1 if broken), or write a checkpoint."""
    if getattr(args, "audit_command", None) == "checkpoint":
        return _checkpoint(args)
    database = services_for(args).database
    if args.verify:
        from countersign.services.integrity.checkpoint import read_checkpoint

        anchors = trusted_anchors(args.trust)
        checkpoint = read_checkpoint(args.checkpoint) if args.checkpoint else None
        with database.read() as session:
            result = verify_registry(session, anchors, checkpoint)
        if args.json:
            print_json(_verdict_json(result))
        else:
            for good, line in result.lines():
                print(line, file=sys.stdout if good else sys.stderr)
        return EXIT_OK if result.ok else EXIT_REFUSED
    with database.read() as session:
        events = []
        after = 0
        while True:
            page = list_events(session, model_name=args.model, after_id=after, limit=5000)
            if not page:
                break
            events.extend(page)
            after = page[-1].id
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
                }
                for e in events
            ]
        )
        return EXIT_OK
    for e in events:
        subject = f" {e.model_name}" if e.model_name else ""
        print(
            f"{e.id:>6}  {e.at}  {e.actor:<12} {e.action:<24}{subject} [{e.object_type} {e.object_id[:16]}]"
        )
    if not events:
        print("The audit trail is empty.")
    return EXIT_OK


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
