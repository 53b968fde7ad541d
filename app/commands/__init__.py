"""What each ``countersign`` subcommand does, one module per group of commands."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from app.commands import audit, bundles, cards

COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "import": cards.import_files,
    "models": cards.list_models,
    "versions": cards.list_versions,
    "show": cards.show,
    "bundle": bundles.bundle,
    "audit": audit.audit,
}
