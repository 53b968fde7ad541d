"""``countersign diff MODEL V1 V2``: what changed between two card versions."""

from __future__ import annotations

import argparse

from countersign.commands.context import services_for
from countersign.commands.output import EXIT_OK, print_json
from countersign.services.diff.card_diff import compare_versions
from countersign.services.diff.diff_report import comparison_json, comparison_report


def diff(args: argparse.Namespace) -> int:
    """Compare card versions V1 (old) and V2 (new) of MODEL; NotFound exits 1 with the reason."""
    comparison = compare_versions(
        services_for(args).registry,
        args.model,
        args.old_version,
        args.new_version,
        ignore_whitespace=args.ignore_whitespace,
    )
    if args.json:
        print_json(comparison_json(comparison))
    else:
        print("\n".join(comparison_report(comparison, whole_card=args.whole_card)))
    return EXIT_OK
