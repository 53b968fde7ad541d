"""``countersign attest``: an officer's signed approval attestation (in-toto, DSSE) of a card version."""

from __future__ import annotations

import argparse

from countersign.commands.context import services_for
from countersign.commands.output import EXIT_OK
from countersign.commands.passphrase import ask_passphrase
from countersign.services.registry import split_reference
from countersign.services.reports.reports import ReportSigner


def attest(args: argparse.Namespace) -> int:
    """Sign the approval of MODEL@VERSION for --stage into -o FILE, the certificate beside it."""
    reports = services_for(args).reports
    model, version = split_reference(args.reference)
    reports.check_attest(model, version, args.stage, args.identity)
    passphrase = ask_passphrase(f"Passphrase for {args.identity}: ")
    signer = ReportSigner(args.identity, passphrase)
    result = reports.attest(model, version, args.stage, signer, args.output)
    print(
        f"attested: {result.model} {result.version} approved for {result.stage}, "
        f"signed by {result.signer}"
    )
    print(f"  {result.path} (in-toto statement in a DSSE envelope, {result.subjects} subjects)")
    print(f"  {result.certificate_path} (the signer's certificate)")
    print(f"  card SHA-256     {result.card_sha256}")
    print(f"  envelope SHA-256 {result.envelope_sha256}")
    return EXIT_OK
