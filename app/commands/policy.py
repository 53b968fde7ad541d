"""``countersign policy show [--json]`` and ``countersign policy import FILE``."""

from __future__ import annotations

import argparse
from typing import Any

from countersign.commands.context import services_for
from countersign.commands.output import EXIT_OK, print_columns, print_json
from countersign.models.metric_policy import MetricTerm
from countersign.models.safe_text import terminal_text as line
from countersign.services.policy.policies import PolicyVersion, shipped_policy
from countersign.services.policy.terms import MetricJudge


def policy(args: argparse.Namespace) -> int:
    """``policy show`` or ``policy import``."""
    policies = services_for(args).policies
    if args.policy_command == "import":
        version, outcome, changes = policies.import_file(args.file)
        messages = {
            "imported": "imported; it is now the policy in force",
            "unchanged": "already in the registry with the same content: nothing changed",
            "replaced": "replaced the stored copy (no sign-off had been made under it yet)",
        }
        print(
            line(
                f"metric policy version {version.policy.version} ({version.policy.title}): "
                f"{messages[outcome]}"
            )
        )
        for change in changes:
            print(f"  {line(change.line())}")
        return EXIT_OK
    judge = policies.judge()
    versions = policies.versions()
    if args.json:
        print_json(policy_json(judge, versions))
        return EXIT_OK
    _print_policy(judge, versions)
    return EXIT_OK


def policy_json(judge: MetricJudge, versions: list[PolicyVersion]) -> dict[str, Any]:
    """The documented JSON of ``policy show --json``: where the rules come from, and every term."""
    shipped = shipped_policy()
    return {
        "shipped": {"version": shipped.version, "title": shipped.title},
        "versions": [
            {
                "version": v.policy.version,
                "title": v.policy.title,
                "source": v.source,
                "sha256": v.sha256,
                "stored_at": v.stored_at,
                "stored_by": v.stored_by,
                "frozen": v.frozen,
                "in_force": index == len(versions) - 1,
            }
            for index, v in enumerate(versions)
        ],
        "terms": [_term_json(term, source) for term, source in judge.terms()],
    }


def _term_json(term: MetricTerm, source: str) -> dict[str, Any]:
    return {
        "name": term.name,
        "aliases": list(term.aliases),
        "direction": term.direction if term.direction is not None else "target",
        "target": term.target,
        "target_label": term.target_label,
        "rule": term.rule(),
        "note": term.note,
        "source": source,
    }


def _print_policy(judge: MetricJudge, versions: list[PolicyVersion]) -> None:
    shipped = shipped_policy()
    print(f"Shipped: {shipped.title} (version {shipped.version})")
    if versions:
        newest = versions[-1]
        state = "frozen" if newest.frozen else "not yet used by a sign-off"
        print(
            line(
                f"In force: version {newest.policy.version}, {newest.policy.title} "
                f"(from {newest.source}, {newest.stored_at[:10]} by {newest.stored_by}; "
                f"{state}), over the shipped terms"
            )
        )
    else:
        print("In force: the shipped terms (no policy imported: `countersign policy import FILE`)")
    print()
    rows = [("TERM", "RULE", "FROM", "ALIASES")]
    rows.extend(
        (line(term.name), line(term.rule()), line(source), line(", ".join(term.aliases)))
        for term, source in judge.terms()
    )
    print_columns(rows, widest=44)
