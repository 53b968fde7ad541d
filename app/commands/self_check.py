"""``countersign --self-check``: report, in words, whether this installation can work here."""

from __future__ import annotations

import argparse

from countersign.commands.output import EXIT_OK, EXIT_REFUSED
from countersign.services.self_check import report_lines, run_self_check


def self_check(_args: argparse.Namespace) -> int:
    """Run every check and print one line for each; exit 0 when every required check passed."""
    report = run_self_check()
    for line in report_lines(report):
        print(line, flush=True)
    return EXIT_OK if report.passed else EXIT_REFUSED
