"""``countersign bundle create``: write a bundle from a folder of cards."""

from __future__ import annotations

import argparse
import os

from countersign import __version__
from countersign.commands.output import EXIT_OK, fail
from countersign.formats.bundle import TeamKeyFiles, create_bundle


def bundle(args: argparse.Namespace) -> int:
    """Write a bundle; the team key's passphrase comes from COUNTERSIGN_PASSPHRASE if set."""
    if (args.sign_key is None) != (args.sign_cert is None):
        return fail("--sign-key and --sign-cert go together")
    passphrase = os.environ.get("COUNTERSIGN_PASSPHRASE")
    manifest = create_bundle(
        args.folder,
        args.output,
        args.team,
        producer=f"countersign {__version__}",
        signing=(
            TeamKeyFiles(
                args.sign_key,
                args.sign_cert,
                passphrase.encode("utf-8") if passphrase else None,
            )
            if args.sign_key is not None and args.sign_cert is not None
            else None
        ),
        version=args.card_version,
        artifacts=args.artifact or (),
        model_signatures=args.model_signature or (),
    )
    signed = "signed" if args.sign_key else "unsigned"
    print(f"wrote {args.output} ({signed}) for team {manifest.team}:")
    for card in manifest.cards:
        print(f"  {card.model} {card.version}  [{card.path}]")
    for attachment in manifest.attachments:
        print(f"  attachment {attachment.path} of {attachment.card}")
    for artifact in manifest.artifacts or []:
        print(f"  model file {artifact.name} SHA-256 {artifact.sha256} ({artifact.size} bytes)")
    for signature in manifest.model_signatures or []:
        print(f"  model signature {signature.path} of {signature.card}")
    return EXIT_OK
