"""``countersign queue``: the home screen's lists on the command line."""

from __future__ import annotations

import argparse

from countersign.commands.context import services_for
from countersign.commands.output import EXIT_OK, print_columns, print_json
from countersign.models.safe_text import terminal_text as line
from countersign.models.vocabulary import DeskList
from countersign.services.counting import counted
from countersign.services.desk.records import Desk, DeskPage, Officer, Row, expiry_words

NOT_STATED = "-"
"""Printed for an empty cell, so that columns stay readable."""

EMPTY = {
    DeskList.TO_REVIEW: "nothing waits for a review: every imported card version is in a round",
    DeskList.CHANGES_REQUESTED: "no card version is waiting for its team to answer a request",
    DeskList.APPROVED: "no card version is approved for any stage yet",
}
"""What an empty list says (the two that depend on more are worded in :func:`_empty`)."""


def queue(args: argparse.Namespace) -> int:
    """Print every list of the home screen (the first ``--limit`` rows of each)."""
    desk = services_for(args).desk.desk(first=args.limit)
    if args.json:
        print_json(desk.as_json())
        return EXIT_OK
    print(_whose(desk.officer))
    _section(desk.to_review, desk, _to_review_rows(desk))
    _section(desk.awaiting_signature, desk, _awaiting_rows(desk))
    _section(desk.changes_requested, desk, _changes_rows(desk))
    _section(desk.approved, desk, _approved_rows(desk))
    _section(desk.expiring, desk, _expiring_rows(desk))
    _section(desk.import_warnings, desk, _warning_rows(desk))
    return EXIT_OK


def _whose(officer: Officer) -> str:
    if officer.keyring_problem:
        return f"Your identities: none readable ({line(officer.keyring_problem)})"
    if not officer.known:
        return "Your identities: none on this workstation (countersign identity create)"
    return "Your identities: " + ", ".join(
        f"{line(name)} <{line(email)}>"
        for name, email in zip(officer.names, officer.emails, strict=True)
    )


def _section(page: DeskPage[Row], desk: Desk, rows: list[tuple[str, ...]]) -> None:
    print()
    print(f"{page.kind.label} ({page.total:,})")
    if not page.rows:
        print(f"  {_empty(page.kind, desk)}")
        return
    print_columns([_indented(cells) for cells in rows])
    if page.total > len(page.rows):
        more = counted(page.total - len(page.rows), "more row")
        print(f"  … and {more} (countersign queue --limit N)")


def _indented(cells: tuple[str, ...]) -> tuple[str, ...]:
    return ("  " + cells[0], *cells[1:])


def _empty(kind: DeskList, desk: Desk) -> str:
    if kind == DeskList.AWAITING_SIGNATURE:
        if not desk.officer.known:
            return "none: no identity of yours is on this workstation to sign with"
        return "no open round waits for your signature"
    if kind == DeskList.EXPIRING:
        return f"no approval ends within {desk.expiring_within} days"
    if kind == DeskList.IMPORT_WARNINGS:
        return f"no warnings in the {desk.recent_window:,} newest card versions"
    return EMPTY.get(kind, "")


def _date(stamp: str) -> str:
    return stamp[:10] or NOT_STATED


def _to_review_rows(desk: Desk) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = [
        ("Model", "Version", "Team", "Risk tier", "Imported", "Warnings")
    ]
    rows += [
        (
            line(r.model),
            line(r.version),
            line(r.team) or NOT_STATED,
            r.risk_tier or NOT_STATED,
            _date(r.imported_at),
            str(r.warnings),
        )
        for r in desk.to_review.rows
    ]
    return rows


def _awaiting_rows(desk: Desk) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = [
        ("Model", "Version", "Stage", "Checklist", "Approvals", "Opened", "Signed by")
    ]
    rows += [
        (
            line(r.model),
            line(r.version),
            r.stage or "any",
            line(r.template),
            f"{r.approvals} of {r.quorum}",
            _date(r.opened_at),
            ", ".join(line(name) for name in r.signed_by) or NOT_STATED,
        )
        for r in desk.awaiting_signature.rows
    ]
    return rows


def _changes_rows(desk: Desk) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = [("Model", "Version", "Team", "Stage", "Requested", "By")]
    rows += [
        (
            line(r.model),
            line(r.version),
            line(r.team) or NOT_STATED,
            r.stage or "any",
            _date(r.requested_at),
            line(r.requested_by) or NOT_STATED,
        )
        for r in desk.changes_requested.rows
    ]
    return rows


def _approved_rows(desk: Desk) -> list[tuple[str, ...]]:
    header: tuple[str, ...] = ("Model", "Team", *(stage.capitalize() for stage in desk.stages))
    rows: list[tuple[str, ...]] = [header]
    rows += [
        (
            line(r.model),
            line(r.team) or NOT_STATED,
            *(line(r.approved_for(stage)) or NOT_STATED for stage in desk.stages),
        )
        for r in desk.approved.rows
    ]
    return rows


def _expiring_rows(desk: Desk) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = [("Model", "Version", "Stage", "Expires", "When", "Conditions")]
    rows += [
        (
            line(r.model),
            line(r.version),
            r.stage or "any",
            r.expires_on,
            expiry_words(r.days_left),
            "; ".join(line(c) for c in r.conditions) or NOT_STATED,
        )
        for r in desk.expiring.rows
    ]
    return rows


def _warning_rows(desk: Desk) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = [("Model", "Version", "Imported", "Warnings", "First warning")]
    rows += [
        (
            line(r.model),
            line(r.version),
            _date(r.imported_at),
            str(r.warnings),
            line(r.first),
        )
        for r in desk.import_warnings.rows
    ]
    return rows
