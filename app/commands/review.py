"""``countersign review MODEL@VERSION``: a scripted, signed sign-off against a checklist."""

from __future__ import annotations

import argparse
import base64
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from countersign.commands.context import services_for
from countersign.commands.output import EXIT_OK, EXIT_REFUSED, print_columns, print_json
from countersign.commands.passphrase import ask_passphrase
from countersign.errors import CountersignError
from countersign.models.vocabulary import CardStatus, Decision
from countersign.services.counting import counted
from countersign.services.registry import split_reference
from countersign.services.reviews import conditions
from countersign.services.reviews.conditions import ApprovalTerms, add_months, parse_date
from countersign.services.reviews.errors import ResponsesInvalid, TermsRefused
from countersign.services.reviews.records import Answer, ReviewDraft
from countersign.services.reviews.responses_file import (
    read_responses,
    read_responses_listing_problems,
)
from countersign.services.reviews.reviews import (
    ItemView,
    ReviewInfo,
    SignOffRequest,
    SignOffResult,
)

EXIT_USAGE = 2


def review(args: argparse.Namespace) -> int:
    """Check the sign-off against every rule, then ask for the passphrase, sign and store it."""
    if args.dry_run:
        return dry_run(args)
    needed = [
        option
        for option, value in (
            ("--responses", args.responses),
            ("--decision", args.decision),
            ("--identity", args.identity),
        )
        if value is None
    ]
    if needed:
        print(
            f"countersign review: {', '.join(needed)} needed to sign (or --dry-run to check "
            "without signing)",
            file=sys.stderr,
        )
        return EXIT_USAGE
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
        terms=_terms(args),
        re_review=args.re_review,
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
    _print_signed(request, draft, result)
    return EXIT_OK


def _print_signed(request: SignOffRequest, draft: ReviewDraft, result: SignOffResult) -> None:
    """What was signed, in words: the decision, its terms, and where it leaves the round."""
    r = result.review
    label = Decision.word(request.decision)
    print(
        f"signed: {label} {draft.model} {draft.version} for {draft.stage} "
        f"against {draft.template.reference}"
    )
    print(f"  by {request.identity}, payload SHA-256 {result.payload_sha256}")
    if request.terms.expires_on:
        print(f"  the approval holds until {request.terms.expires_on}")
    for number, condition in enumerate(request.terms.conditions, start=1):
        print(f"  condition {number}: {condition}")
    signed = r.signatures[-1].escalations.signed if r.signatures else ()
    for key in signed:
        print(f"  signs the escalation {key}")
    print(f"  review {r.id}: {CardStatus.word(r.status)} ({approvals_text(r)})")
    for lacking in result.lacking:
        print(f"  still needed: {lacking}")
    print(f"  {draft.model} {draft.version} for {draft.stage}: {CardStatus.word(r.status)}")


def dry_run(args: argparse.Namespace) -> int:
    """``review --dry-run``: the automatic checks' results and every problem, nothing signed."""
    model, version = split_reference(args.reference)
    answers: dict[str, Answer] = {}
    problems: list[CountersignError] = []
    source = ""
    if args.responses is not None:
        answers, file_problems = read_responses_listing_problems(args.responses)
        problems.extend(file_problems)
        source = args.responses.name
    request = SignOffRequest(
        model=model,
        version=version,
        template=args.template,
        answers=answers,
        decision=args.decision or Decision.APPROVE,
        identity=args.identity or "",
        comment=args.comment or "",
        stage=args.stage,
        source=source,
        terms=_terms(args),
        re_review=args.re_review,
    )
    result = services_for(args).reviews.dry_run(request)
    problems.extend(_asked_problems(args, result.problems))
    draft = result.draft
    if args.json:
        print_json(_dry_run_json(draft, answers, problems))
        return EXIT_REFUSED if problems else EXIT_OK
    decision = f" to {Decision.word(request.decision)}" if args.decision else ""
    print(
        f"Dry run{decision}: {draft.model} {draft.version} ({draft.risk_tier} risk) against "
        f"{draft.template.reference}; nothing is signed or stored."
    )
    print()
    print("Checklist items (automatic checks run on the card):")
    print_columns(_dry_run_rows(draft, answers))
    print()
    for line in [*escalation_lines(draft), *_expiry_lines(draft, args)]:
        print(line)
    if not problems:
        what = "the sign-off would be accepted" if args.responses else "no problem found"
        print(f"No problems: {what}.")
        return EXIT_OK
    print(f"{counted(len(problems), 'problem')}:", file=sys.stderr)
    for problem in problems:
        print(f"  - {problem}", file=sys.stderr)
    return EXIT_REFUSED


def _dry_run_json(
    draft: ReviewDraft, answers: Mapping[str, Answer], problems: Sequence[CountersignError]
) -> dict[str, Any]:
    """The documented JSON of ``review --dry-run``."""
    return {
        "model": draft.model,
        "version": draft.version,
        "template": draft.template.reference,
        "ok": not problems,
        "items": [
            {
                "item": view.item.id,
                "text": view.item.text,
                "required": view.item.required,
                "automatic": _automatic_json(view),
                "escalation": _escalation_json(view),
                "answer": answers[view.item.id].answer if view.item.id in answers else None,
            }
            for view in draft.items
        ],
        "problems": [str(problem) for problem in problems],
    }


def _dry_run_rows(
    draft: ReviewDraft, answers: Mapping[str, Answer]
) -> list[tuple[str, str, str, str]]:
    """The dry run's table: each item, whether required, its automatic result and answer."""
    rows = [("", "Item", "Required", "Automatic check")]
    for view in draft.items:
        mark = "ASK"
        evidence = "no automatic check: the reviewer judges"
        if view.automatic is not None:
            mark = "PASS" if view.automatic.passed else "FAIL"
            evidence = _short(view.automatic.evidence)
        answer = answers.get(view.item.id)
        if answer is not None:
            evidence += f"  [answered {answer.answer}]"
        rows.append(
            (mark, view.item.id, "required" if view.item.required else "optional", evidence)
        )
    return rows


def _asked_problems(
    args: argparse.Namespace, found: Sequence[CountersignError]
) -> list[CountersignError]:
    """The dry run's problems with what was given: without answers, not the items still to
    answer; without a decision, expiry or condition, not the terms still to give."""
    no_terms = args.decision is None and args.expires is None and not args.condition
    return [
        p
        for p in found
        if not (args.responses is None and isinstance(p, ResponsesInvalid))
        and not (no_terms and isinstance(p, TermsRefused))
    ]


def _expiry_lines(draft: ReviewDraft, args: argparse.Namespace) -> list[str]:
    """What an approval must say about its expiry, when the checklist limits it."""
    longest = draft.longest_validity
    if longest is None or args.expires is not None:
        return []
    latest = add_months(conditions.today(), longest)
    return [
        f"An approval of a {draft.risk_tier} risk card must say until when it holds under "
        f"{draft.template.reference}: --expires on or before {latest} (at most "
        f"{counted(longest, 'month')})."
    ]


def _terms(args: argparse.Namespace) -> ApprovalTerms:
    """The approval's conditions and expiry from ``--condition`` and ``--expires``."""
    expires = parse_date(args.expires, "--expires") if args.expires is not None else None
    return ApprovalTerms(tuple(args.condition), expires)


def _automatic_json(view: ItemView) -> dict[str, Any] | None:
    result = view.automatic
    if result is None:
        return None
    out: dict[str, Any] = {"result": result.result, "evidence": result.evidence}
    if result.measurements:
        out["baseline"] = result.baseline or None
        out["values"] = [
            {"where": m.where, "value": m.value, "baseline": m.previous or None, "passed": m.passed}
            for m in result.measurements
        ]
    return out


def _escalation_json(view: ItemView) -> dict[str, Any] | None:
    if view.escalation is None:
        return None
    return {
        "id": view.item.escalation,
        "text": view.escalation.text,
        "asks": view.escalation.describe(),
        "needed": view.escalates,
    }


def escalation_lines(draft: ReviewDraft) -> list[str]:
    """What the failed thresholds of ``draft`` need before the card can be approved, in words."""
    signatures = draft.open_review.signatures if draft.open_review is not None else ()
    lines = []
    for view in draft.items:
        if not view.escalates or view.escalation is None:
            continue
        key = view.item.escalation
        who = [s.signer_email for s in signatures if key in s.escalations.signed]
        state = f"signed by {', '.join(who)}" if who else "not signed yet"
        if not view.escalation.role:
            state = "counted when the round is decided"
        lines.append(
            f"Escalation {key} needed ({view.item.id} failed its threshold): "
            f"{view.escalation.text}, {view.escalation.describe()}; {state}."
        )
    return [*lines, ""] if lines else []


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
                "conditions": list(s.conditions),
                "expires_on": s.expires_on,
                "escalations": {
                    "needed": list(s.escalations.needed),
                    "signed": list(s.escalations.signed),
                },
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


def approvals_text(r: ReviewInfo) -> str:
    """``1 of 2 approvals``, ``0 of 1 approval``: the approvals signed against the quorum."""
    return f"{r.approvals} of {counted(r.quorum, 'approval')}"


def print_reviews(reviews: list[ReviewInfo]) -> None:
    """The review rounds of a card version, in words (for ``show``)."""
    for r in reviews:
        print(
            f"  review {r.id}  {r.stage or 'every stage (before stages)'}  "
            f"{r.template_id}@{r.template_version}  {CardStatus.word(r.status)} "
            f"({approvals_text(r)})"
        )
        for s in r.signatures:
            comment = f": {s.comment}" if s.comment else ""
            print(
                f"    {s.signed_at[:16]}Z  {Decision.word(s.decision):<15} "
                f"{s.signer_name} <{s.signer_email}> ({s.signer_role}){comment}"
            )
            for key in s.escalations.signed:
                print(f"      fulfils the escalation {key} (as {s.escalations.role})")


EVIDENCE_CHARS = 90
"""Characters of a check's evidence in the dry run's table (``--json`` has it whole)."""


def _short(text: str) -> str:
    return text if len(text) <= EVIDENCE_CHARS else text[: EVIDENCE_CHARS - 1] + "…"
