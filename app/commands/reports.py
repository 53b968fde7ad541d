"""``countersign export-pdf``, ``verify`` and ``publish``: signed review reports."""

from __future__ import annotations

import argparse
import sys

from countersign.commands.context import services_for
from countersign.commands.output import EXIT_OK, EXIT_REFUSED, print_json
from countersign.commands.passphrase import ask_passphrase
from countersign.services.registry import split_reference
from countersign.services.reports.reports import PublishSource, Reports, ReportSigner


def _reports(args: argparse.Namespace) -> Reports:
    return services_for(args).reports


def export_pdf(args: argparse.Namespace) -> int:
    """Make, sign (after asking the passphrase) and write the report of a card version."""
    reports = _reports(args)
    model, version = split_reference(args.reference)
    # Everything that can be refused without the key first: nobody types a passphrase for nothing.
    reports.check_export(model, version, args.identity)
    passphrase = ask_passphrase(f"Passphrase for {args.identity}: ")
    result = reports.export(model, version, ReportSigner(args.identity, passphrase), args.output)
    print(f"exported: {result.model} {result.version} ({result.status}) to {result.path}")
    print(f"  {result.pages} pages, {result.size:,} bytes, signed by {result.signer}")
    print(f"  card SHA-256 {result.card_sha256}")
    print(f"  PDF SHA-256  {result.pdf_sha256}")
    if result.unverified_signoffs:
        print(
            f"  warning: {result.unverified_signoffs} of {result.signoffs} sign-offs no longer "
            "verify against the registry; the report says so (run `countersign audit --verify`)",
            file=sys.stderr,
        )
    return EXIT_OK


def verify(args: argparse.Namespace) -> int:
    """Check a report: its PDF signature, signer, sign-offs and card; exit 1 unless all hold."""
    reports = _reports(args)
    result = reports.verify(args.file, trust=args.trust or [])
    if args.json:
        print_json(
            {
                "file": result.file,
                "valid": result.ok,
                "model": result.model,
                "version": result.version,
                "status": result.status,
                "card_sha256": result.card_sha256,
                "signer": result.signer,
                "checks": [
                    {"check": check.name, "ok": check.ok, "detail": check.detail}
                    for check in result.checks
                ],
            }
        )
    else:
        for check in result.checks:
            print(f"  {check.describe()}")
        print(result.verdict(), file=sys.stdout if result.ok else sys.stderr)
    return EXIT_OK if result.ok else EXIT_REFUSED


def publish(args: argparse.Namespace) -> int:
    """Write an approved card version with its signed report and sign-offs into a new folder."""
    reports = _reports(args)
    model, version = split_reference(args.reference)
    reports.check_publish(model, version, args.output)
    passphrase = None
    if args.identity is not None and args.report is None:
        reports.check_export(model, version, args.identity)
        passphrase = ask_passphrase(f"Passphrase for {args.identity}: ")
    result = reports.publish(
        model,
        version,
        args.output,
        PublishSource(
            identity=args.identity,
            passphrase=passphrase,
            report=args.report,
            trust=args.trust or [],
        ),
    )
    stages = ", ".join(result.approved_for)
    print(
        f"published: {result.model} {result.version} (approved for {stages}; risk {result.risk}) "
        f"to {result.folder}"
    )
    for file in result.files:
        print(f"  {file.sha256}  {file.name}")
    if result.attested:
        print(
            f"approval attestation: {', '.join(result.attested)}, signed by {result.attested_by} "
            f"(in-toto, DSSE: attestations/STAGE.intoto.json, its certificate beside it)"
        )
    else:
        print(
            "no approval attestation: only an officer's key signs one "
            "(countersign attest MODEL@VERSION --stage STAGE -o FILE --identity OFFICER)"
        )
    return EXIT_OK
