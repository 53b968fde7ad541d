"""Exit statuses and output helpers shared by every subcommand."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any

EXIT_OK = 0
EXIT_REFUSED = 1


def print_json(value: Any) -> None:
    """Print ``value`` as indented JSON (the documented, stable output format)."""
    json.dump(value, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


def print_columns(rows: Sequence[tuple[str, ...]], widest: int = 60) -> None:
    """Print ``rows`` (the first is the header) in columns two spaces apart, the last unpadded.

    A column is as wide as its longest cell, at most ``widest`` characters (a longer
    cell pushes its row out rather than being cut).
    """
    if not rows:
        return
    widths = [min(max(len(row[i]) for row in rows), widest) for i in range(len(rows[0]) - 1)]
    for row in rows:
        cells = [f"{cell:<{width}}" for cell, width in zip(row, widths, strict=False)]
        print("  ".join([*cells, row[-1]]).rstrip())


def fail(message: str) -> int:
    """Print a refusal for the officer on stderr and return the refused exit status."""
    print(f"countersign: {message}", file=sys.stderr)
    return EXIT_REFUSED
