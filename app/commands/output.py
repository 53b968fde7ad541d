"""Exit statuses and output helpers shared by every subcommand."""

from __future__ import annotations

import json
import sys
from typing import Any

EXIT_OK = 0
EXIT_REFUSED = 1


def print_json(value: Any) -> None:
    """Print ``value`` as indented JSON (the documented, stable output format)."""
    json.dump(value, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


def fail(message: str) -> int:
    """Print a refusal for the officer on stderr and return the refused exit status."""
    print(f"countersign: {message}", file=sys.stderr)
    return EXIT_REFUSED
