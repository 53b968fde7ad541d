"""``countersign review MODEL@VERSION``: a scripted, signed sign-off against a checklist."""

from __future__ import annotations

import argparse
import base64
from typing import Any

from countersign.commands.context import services_for
from countersign.commands.output import EXIT_OK, print_json
from countersign.commands.passphrase import ask_passphrase
from countersign.models.vocabulary import Decision
from countersign.services.registry import split_reference
from countersign.services.reviews.responses_file import read_responses
from countersign.services.reviews.reviews import (
    ReviewInfo,
    SignOffRequest,
)


def review(args: argparse.Namespace) -> int:
    """Check the sign-off against every rule, then ask for the passphrase, sign and store it."""
    reviews = services_for(args).reviews
    model, version = split_reference(args.reference)
    request = SignOffRequest(
        model=model,
        version=version,
        template=args.template,
        answers=read_responses(args.responses),
        decision=args.decision,
        identity=args.identity,
        comment=args.comment or "",
        stage=args.stage,
        source=args.responses.name,
    )
    # Every rule first, so that nobody types a passphrase for a sign-off that is refused.
    draft = reviews.check(request)
    reviews.identities.keystore.backend  # noqa: B018  (no keyring: refuse before the prompt)
    passphrase = ask_passphrase(f"Passphrase for {args.identity}: ")
    result = reviews.sign(request, passphrase)
    if args.json:
        print_json(
            {
                "signature": result.signature_id,
                "payload_sha256": result.payload_sha256,
                "status": result.card_status,
                "review": review_json(result.review),
            }
        )
        return EXIT_OK
    r = result.review
    label = Decision.word(request.decision)
    print(
        f"signed: {label} {draft.model} {draft.version} for {draft.stage} "
        f"against {draft.template.reference}"
    )
    print(f"  by {args.identity}, payload SHA-256 {result.payload_sha256}")
    print(f"  review {r.id}: {r.status} ({r.approvals} of {r.quorum} approvals)")
    print(f"  {draft.model} {draft.version} is now {r.status} for {draft.stage}")
    return EXIT_OK


def review_json(r: ReviewInfo) -> dict[str, Any]:
    """The documented JSON of one review round with every sign-off."""
    return {
        "id": r.id,
        "stage": r.stage,
        "template": {"id": r.template_id, "version": r.template_version, "title": r.template_title},
        "quorum": r.quorum,
        "approvals": r.approvals,
        "status": r.status,
        "opened_at": r.opened_at,
        "closed_at": r.closed_at,
        "signatures": [
            {
                "id": s.id,
                "signer": {
                    "name": s.signer_name,
                    "email": s.signer_email,
                    "role": s.signer_role,
                    "fingerprint": s.fingerprint,
                },
                "decision": s.decision,
                "comment": s.comment,
                "signed_at": s.signed_at,
                "chain": {"seq": s.chain[0], "hash": s.chain[1]} if s.chain else None,
                "algorithm": "ECDSA P-256 SHA-256",
                "signature": base64.b64encode(s.signature).decode("ascii"),
                "responses": [
                    {
                        "item": resp.item,
                        "answer": resp.answer,
                        "note": resp.note,
                        "automatic": (
                            {"result": resp.automatic, "evidence": resp.evidence}
                            if resp.automatic
                            else None
                        ),
                    }
                    for resp in s.responses
                ],
            }
            for s in r.signatures
        ],
    }


def print_reviews(reviews: list[ReviewInfo]) -> None:
    """The review rounds of a card version, in words (for ``show``)."""
    for r in reviews:
        print(
            f"  review {r.id}  {r.stage or 'every stage (before stages)'}  "
            f"{r.template_id}@{r.template_version}  {r.status} "
            f"({r.approvals} of {r.quorum} approvals)"
        )
        for s in r.signatures:
            comment = f": {s.comment}" if s.comment else ""
            print(
                f"    {s.signed_at[:16]}Z  {Decision.word(s.decision):<15} "
                f"{s.signer_name} <{s.signer_email}> ({s.signer_role}){comment}"
            )
