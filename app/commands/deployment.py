"""``stages``, ``status``, ``classify``, ``revoke``, ``revocations export`` and ``gate``.

The gate imports no Qt and, with ``--evidence``, opens no registry: a
deployment pipeline runs it on a machine with neither a display nor Countersign's data.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from pathlib import Path
from typing import Any

from countersign.commands.context import services_for
from countersign.commands.output import EXIT_OK, EXIT_REFUSED, print_json
from countersign.commands.passphrase import ask_passphrase
from countersign.models.vocabulary import StageStatus
from countersign.plain_files import open_plain
from countersign.services.deployment.records import (
    ClassifyRequest,
    GateQuestion,
    GateResult,
    ModelStages,
    RevokeRequest,
    StageSummary,
)
from countersign.services.registry import split_reference
from countersign.services.reviews.stages import StageState

EXIT_USAGE = 2
_HEX64 = re.compile(r"^[0-9a-fA-F]{64}$")


def stages(args: argparse.Namespace) -> int:
    """Show the registry's stages, or set them before the first review."""
    deployment = services_for(args).deployment
    if args.stages_command == "set":
        names = deployment.set_stages(args.names)
        print(f"stages: {' → '.join(names)}")
        return EXIT_OK
    names = deployment.stages()
    if args.json:
        print_json(names)
    else:
        for position, name in enumerate(names, start=1):
            print(f"{position}. {name}")
    return EXIT_OK


def status(args: argparse.Namespace) -> int:
    """Per stage, the approved version and what is in review; per version, its status per stage."""
    model = services_for(args).deployment.status(args.model, args.as_of)
    if args.json:
        print_json(status_json(model))
        return EXIT_OK
    print(model.model)
    for stage in model.stages:
        review = f"; in review: {', '.join(stage.in_review)}" if stage.in_review else ""
        print(f"  {stage.stage:<12} {_approved_words(stage)}{review}")
    for v in model.versions:
        states = ", ".join(_state_words(s) for s in v.stages)
        tier = (
            f"{v.classification.tier} (classified by {v.classification.officer})"
            if v.classification
            else f"{v.card_rating or 'unknown'} (card's own rating)"
        )
        print(f"  {v.version:<10} {states}; risk {tier}")
    return EXIT_OK


def _approved_words(stage: StageSummary) -> str:
    if not stage.approved:
        return "nothing approved"
    if stage.expired:
        return f"{stage.approved} EXPIRED (the approval held until {stage.expires_on})"
    until = f" until {stage.expires_on}" if stage.expires_on else ""
    return f"{stage.approved} approved{until}"


def _state_words(state: StageState) -> str:
    words = f"{state.stage} {state.status}"
    if state.status == StageStatus.EXPIRED:
        words += f" (held until {state.expires_on})"
    elif state.status == StageStatus.APPROVED and state.expires_on:
        words += f" until {state.expires_on}"
    if state.conditions:
        words += " on conditions: " + "; ".join(state.conditions)
    return words


def status_json(model: ModelStages) -> dict[str, Any]:
    """The documented JSON of ``status MODEL --json``."""
    return {
        "model": model.model,
        "summary": model.summary,
        "stages": [
            {
                "stage": s.stage,
                "approved": s.approved,
                "approved_at": s.approved_at,
                "expires_on": s.expires_on,
                "expired": s.expired,
                "in_review": list(s.in_review),
            }
            for s in model.stages
        ],
        "versions": [
            {
                "version": v.version,
                "sha256": v.sha256,
                "card_rating": v.card_rating or None,
                "classification": (
                    {
                        "tier": v.classification.tier,
                        "reason": v.classification.reason,
                        "by": v.classification.officer,
                        "at": v.classification.signed_at,
                        "from_version": v.classification.version,
                    }
                    if v.classification
                    else None
                ),
                "stages": {
                    s.stage: {
                        "status": s.status,
                        "review": s.review_id,
                        "decided_at": s.decided_at,
                        "expires_on": s.expires_on,
                        "conditions": list(s.conditions),
                        "revoked": (
                            {"by": s.revoked_by, "at": s.revoked_at, "reason": s.revoked_reason}
                            if s.status == StageStatus.REVOKED
                            else None
                        ),
                    }
                    for s in v.stages
                },
            }
            for v in model.versions
        ],
    }


def classify(args: argparse.Namespace) -> int:
    """An officer's signed risk classification of a model, from a card version on."""
    services = services_for(args)
    model, version = split_reference(args.reference)
    request = ClassifyRequest(model, version, args.tier, args.reason, args.identity)
    found = services.deployment.check_classify(request)
    services.identities.keystore.backend  # noqa: B018  (no keyring: refuse before the prompt)
    passphrase = ask_passphrase(f"Passphrase for {args.identity}: ")
    services.deployment.classify(request, passphrase)
    print(f"classified: {model} {args.tier} risk from version {found} on, by {args.identity}")
    return EXIT_OK


def revoke(args: argparse.Namespace) -> int:
    """An officer's signed revocation of a version's approval for a stage."""
    services = services_for(args)
    model, version = split_reference(args.reference)
    request = RevokeRequest(model, version, args.stage, args.reason, args.identity)
    found = services.deployment.check_revoke(request)
    services.identities.keystore.backend  # noqa: B018
    passphrase = ask_passphrase(f"Passphrase for {args.identity}: ")
    services.deployment.revoke(request, passphrase)
    print(f"revoked: the approval of {model} {found} for {args.stage}, by {args.identity}")
    return EXIT_OK


def revocations(args: argparse.Namespace) -> int:
    """``revocations export``: every revocation as its signed act, for ``gate --revocations``."""
    exported = services_for(args).deployment.export_revocations()
    text = json.dumps(exported, indent=2, ensure_ascii=False) + "\n"
    if args.output is None:
        sys.stdout.write(text)
    else:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"wrote {len(exported['revocations'])} revocation(s) to {args.output}")
    return EXIT_OK


def gate(args: argparse.Namespace) -> int:
    """May this card version (these files) go to this stage?  0 yes, 1 no, 2 wrong usage."""
    usage = _usage_problem(args)
    if usage:
        print(f"countersign gate: {usage}", file=sys.stderr)
        return EXIT_USAGE
    question = GateQuestion(args.stage, _artifact_sha256(args), args.as_of)
    if args.evidence is not None:
        from countersign.services.deployment.evidence import evidence_gate

        result = evidence_gate(
            args.evidence, question, trust=args.trust, revocations=args.revocations
        )
    else:
        model, version = split_reference(args.reference)
        result = services_for(args).deployment.gate(model, version, question)
    _print_gate(result, args.json)
    return EXIT_OK if result.ok else EXIT_REFUSED


def _usage_problem(args: argparse.Namespace) -> str:
    if (args.reference is None) == (args.evidence is None):
        return "give either MODEL@VERSION (against the registry) or --evidence PATH"
    if args.reference is not None and "@" not in args.reference:
        return "name the exact card version: MODEL@VERSION"
    if args.evidence is not None and not args.trust:
        return "--evidence needs --trust CERT.pem: the certificates whose signatures count"
    if args.reference is not None and (args.trust or args.revocations):
        return "--trust and --revocations are for --evidence; the registry knows its own"
    if args.artifact is not None and args.artifact_sha256 is not None:
        return "give --artifact FILE or --artifact-sha256 HEX, not both"
    if args.artifact_sha256 is not None and not _HEX64.match(args.artifact_sha256):
        return "--artifact-sha256 takes 64 hexadecimal digits"
    return ""


def _artifact_sha256(args: argparse.Namespace) -> str | None:
    if args.artifact_sha256 is not None:
        return str(args.artifact_sha256).lower()
    if args.artifact is None:
        return None
    digest = hashlib.sha256()
    with open_plain(args.artifact) as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _print_gate(result: GateResult, as_json: bool) -> None:
    if as_json:
        print_json(result.as_json())
        return
    what = f"{result.model} {result.version}".strip() or "the evidence"
    verdict = "PASS" if result.ok else "FAIL"
    print(f"{verdict}: {what} for {result.stage}")
    for check in result.checks:
        print(f"  {'ok  ' if check.ok else 'FAIL'} {check.check}: {check.detail}")
