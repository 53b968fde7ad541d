"""The ``countersign`` command: the workstation by default, subcommands for headless work.

Exit status: 0 done, 1 refused or invalid (the reason on stderr), 2 wrong usage.
``COUNTERSIGN_DB`` stands for ``--db``.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from app import __version__
from app.commands.output import fail
from app.formats.base import InputRefused
from app.services.errors import CountersignError


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = argparse.ArgumentParser(
        prog="countersign",
        description="Review workstation for model governance. With no command, opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"countersign {__version__}")
    parser.add_argument(
        "--db", metavar="PATH|URL", help="registry file or SQLAlchemy URL (env COUNTERSIGN_DB)"
    )
    parser.add_argument(
        "--demo", action="store_true", help="open a throwaway copy of the demo registry"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    imp = commands.add_parser("import", help="import bundles or loose card files")
    imp.add_argument("files", nargs="+", type=Path, metavar="FILE")
    imp.add_argument("--model", help="model name, for a loose card that does not say")
    imp.add_argument(
        "--version", dest="card_version", help="version, for a loose card that does not say"
    )
    imp.add_argument("--team", help="team that sent a loose card")
    imp.add_argument("--json", action="store_true", help="print the report as JSON")

    bundle = commands.add_parser("bundle", help="work with card bundles")
    bundle_commands = bundle.add_subparsers(dest="bundle_command", metavar="ACTION", required=True)
    create = bundle_commands.add_parser("create", help="write a bundle from a folder of cards")
    create.add_argument("folder", type=Path, metavar="DIR")
    create.add_argument("-o", "--output", type=Path, required=True, metavar="FILE")
    create.add_argument("--team", required=True, metavar="NAME")
    create.add_argument("--version", dest="card_version", help="version for cards that do not say")
    create.add_argument("--sign-key", type=Path, metavar="KEY.pem", help="team signing key (PEM)")
    create.add_argument("--sign-cert", type=Path, metavar="CERT.pem", help="its certificate (PEM)")

    models = commands.add_parser("models", help="list the models in the registry")
    models.add_argument("--json", action="store_true")

    versions = commands.add_parser("versions", help="list the card versions of a model")
    versions.add_argument("model", metavar="MODEL")
    versions.add_argument("--json", action="store_true")

    show = commands.add_parser("show", help="show a card version (the newest by default)")
    show.add_argument("reference", metavar="MODEL[@VERSION]")
    show.add_argument("--json", action="store_true")

    audit = commands.add_parser("audit", help="list the audit trail, or verify it")
    audit.add_argument("--json", action="store_true")
    audit.add_argument(
        "--verify", action="store_true", help="walk the hash chain; exit 1 if broken"
    )
    audit.add_argument("--model", help="only the events of this model")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        return _run_workstation(args)
    try:
        return _dispatch(args)
    except (CountersignError, InputRefused) as error:
        return fail(str(error))
    except KeyboardInterrupt:
        print("countersign: interrupted; nothing half-written was kept", file=sys.stderr)
        return 130


_COMMANDS: dict[str, tuple[str, str]] = {
    "import": ("cards", "import_files"),
    "models": ("cards", "list_models"),
    "versions": ("cards", "list_versions"),
    "show": ("cards", "show"),
    "bundle": ("bundles", "bundle"),
    "audit": ("audit", "audit"),
}
"""Subcommand -> (module in app.commands, function), imported only when it runs."""


def _dispatch(args: argparse.Namespace) -> int:
    module_name, function_name = _COMMANDS[args.command]
    module = importlib.import_module(f"app.commands.{module_name}")
    command: Callable[[argparse.Namespace], int] = getattr(module, function_name)
    return command(args)


def _run_workstation(args: argparse.Namespace) -> int:
    from app.views.application import run_workstation

    return int(run_workstation(db=args.db, demo=args.demo))


if __name__ == "__main__":
    sys.exit(main())
