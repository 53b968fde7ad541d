"""``countersign trust``: the certificates this workstation trusts, kept outside any registry."""

from __future__ import annotations

import argparse
import sys

from countersign.commands.context import services_for
from countersign.commands.output import EXIT_OK, EXIT_REFUSED, print_json
from countersign.services.trust.store import TrustStore


def trust(args: argparse.Namespace) -> int:
    """Run one ``trust`` action: pin, add, list, remove."""
    store = TrustStore()
    action = args.trust_command
    if action == "list":
        entries = [*store.entries(), *store.team_entries()]
        if args.json:
            print_json([e.as_json() for e in entries])
        elif not entries:
            print(f"No certificate is trusted on this workstation yet ({store.path}).")
        for e in [] if args.json else entries:
            team = f"  model signatures of team {e.team}" if e.team else ""
            print(
                f"{e.fingerprint[:16]}…  pinned {e.pinned_at[:10]}  {e.label}  ({e.subject}){team}"
            )
        return EXIT_OK
    if action == "remove":
        removed = store.remove(args.fingerprint)
        print(f"no longer trusted: {removed.label} ({removed.fingerprint})")
        return EXIT_OK
    if action == "add":
        from countersign.services.reports.reports import read_trusted_certificate

        pem = read_trusted_certificate(args.file)
        if args.team is not None:
            entry, new = store.pin_team(pem, args.team, args.label or args.file.name)
            print(
                f"{'trusted' if new else 'already trusted'} for the model signatures of team "
                f"{entry.team}: {entry.subject}"
            )
        else:
            entry, new = store.pin(pem, args.label or args.file.name)
            print(f"{'trusted' if new else 'already trusted'}: {entry.subject}")
        print(f"  SHA-256 {entry.fingerprint}")
        return EXIT_OK
    return _pin(args, store)


def _pin(args: argparse.Namespace, store: TrustStore) -> int:
    person = services_for(args).identities.get(args.email)
    print(f"{person.name} <{person.email}>, role {person.role or 'none'}")
    print(f"  certificate SHA-256 {person.fingerprint}")
    if not args.yes:
        if not sys.stdin.isatty():
            print(
                "countersign: compare the fingerprint with the officer's own, then pin with --yes",
                file=sys.stderr,
            )
            return EXIT_REFUSED
        answer = input("Is this the fingerprint the officer gave you? Trust it here [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("nothing was pinned", file=sys.stderr)
            return EXIT_REFUSED
    _entry, new = store.pin(person.certificate_pem, f"{person.name} <{person.email}>")
    print(f"{'pinned' if new else 'already pinned'} on this workstation ({store.path})")
    return EXIT_OK
