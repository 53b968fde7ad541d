"""``countersign audit``: list the trail, or walk its hash chain and re-verify every sign-off."""

from __future__ import annotations

import argparse
import sys

from countersign.commands.context import services_for
from countersign.commands.output import EXIT_OK, EXIT_REFUSED, print_json
from countersign.services.audit.records import AuditRecord, records_of
from countersign.services.audit.trail import event_details, list_events, verify_chain
from countersign.services.audit.wording import describe
from countersign.services.reviews.signoff_verification import verify_signoffs


def audit(args: argparse.Namespace) -> int:
    """List events (``--json`` for machines), or verify the chain and sign-offs (exit 1 if broken)."""
    services = services_for(args)
    if args.model:
        services.registry.model(args.model)  # NotFound (exit 1) for a name the registry lacks
    database = services.database
    with database.read() as session:
        if args.verify:
            report = verify_chain(session)
            signoffs = verify_signoffs(session)
            ok = report.ok and signoffs.ok
            if args.json:
                print_json(
                    {
                        "ok": ok,
                        "events": report.events,
                        "first_broken": report.first_broken,
                        "reason": report.reason,
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
                    }
                )
            else:
                print(report.describe(), file=sys.stdout if report.ok else sys.stderr)
                print(signoffs.describe(), file=sys.stdout if signoffs.ok else sys.stderr)
                for problem in signoffs.problems:
                    print(f"  {problem.describe()}", file=sys.stderr)
            return EXIT_OK if ok else EXIT_REFUSED
        events = []
        records: list[AuditRecord] = []
        after = 0
        while True:
            page = list_events(session, model_name=args.model, after_id=after, limit=5000)
            if not page:
                break
            events.extend(page)
            if not args.json:
                records.extend(records_of(session, page))
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
    for record in records:
        # Words for the officer; --json keeps the stored codes and ids for machines.
        print(f"{record.id:>6}  {record.at[:19]}Z  {record.actor:<12} {describe(record)}")
    if not events:
        print("The audit trail is empty.")
    return EXIT_OK
