"""The ``countersign`` command: the workstation by default, subcommands for headless work.

Exit status: 0 done, 1 refused or invalid (the reason on stderr), 2 wrong usage,
141 when the reader of the output closed it early (``| head``), quietly.
``COUNTERSIGN_DB`` stands for ``--db``.
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import importlib.util
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from countersign import __version__
from countersign.commands.output import fail
from countersign.models.vocabulary import Decision, DraftFormat, Role

_JSON_HELP = "print JSON (the documented, stable format) instead of text"

_ROLE_CHOICES = [role.value for role in Role]
"""What ``--role`` accepts: the stored words (argparse shows a choice by its repr)."""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = argparse.ArgumentParser(
        prog="countersign",
        description="Review workstation for model governance. With no command, opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"countersign {__version__}")
    _add_window_options(parser)
    parser.add_argument(
        "--self-check",
        action="store_true",
        help="check this installation (registry, keyring, fonts, Qt platform) and say so in words",
    )
    # The Qt half of --self-check, run by it in a child process; not for people.
    parser.add_argument("--self-check-qt", action="store_true", help=argparse.SUPPRESS)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add_commands in (
        _add_import_commands,
        _add_listing_commands,
        _add_audit_commands,
        _add_registry_commands,
        _add_identity_commands,
        _add_trust_commands,
        _add_checklist_commands,
        _add_review_command,
        _add_report_commands,
        _add_card_commands,
        _add_stage_commands,
        _add_officer_commands,
        _add_gate_commands,
        _add_policy_commands,
        _add_attest_command,
        _add_desk_commands,
    ):
        add_commands(commands)
    return parser


def _add_import_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``import`` and ``bundle create``: cards into the registry, and the team's bundles."""
    imp = commands.add_parser("import", help="import bundles or loose card files")
    imp.add_argument(
        "files", nargs="+", type=Path, metavar="FILE", help="bundles (.cardbundle) or card files"
    )
    imp.add_argument("--model", help="model name, for a loose card that does not say")
    imp.add_argument(
        "--version", dest="card_version", help="version, for a loose card that does not say"
    )
    imp.add_argument("--team", help="team that sent a loose card")
    imp.add_argument("--json", action="store_true", help="print the report as JSON")

    bundle = commands.add_parser("bundle", help="work with card bundles")
    bundle_commands = bundle.add_subparsers(dest="bundle_command", metavar="ACTION", required=True)
    create = bundle_commands.add_parser("create", help="write a bundle from a folder of cards")
    create.add_argument("folder", type=Path, metavar="DIR", help="folder of cards and attachments")
    create.add_argument(
        "-o", "--output", type=Path, required=True, metavar="FILE", help="the bundle to write"
    )
    create.add_argument("--team", required=True, metavar="NAME", help="the team sending the cards")
    create.add_argument("--version", dest="card_version", help="version for cards that do not say")
    create.add_argument("--sign-key", type=Path, metavar="KEY.pem", help="team signing key (PEM)")
    create.add_argument("--sign-cert", type=Path, metavar="CERT.pem", help="its certificate (PEM)")
    create.add_argument(
        "--artifact",
        type=Path,
        action="append",
        metavar="FILE",
        help="a model file the card describes (its SHA-256 goes into the signed manifest)",
    )
    create.add_argument(
        "--model-signature",
        type=Path,
        action="append",
        metavar="FILE",
        help="the team's OpenSSF model signature of those files (model_signing sign key …)",
    )


def _add_listing_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``models``, ``versions``, ``show`` and ``diff``: reading the registry's cards."""
    models = commands.add_parser("models", help="list the models in the registry")
    models.add_argument("--json", action="store_true", help=_JSON_HELP)

    versions = commands.add_parser("versions", help="list the card versions of a model")
    versions.add_argument("model", metavar="MODEL", help="the model's name")
    versions.add_argument("--json", action="store_true", help=_JSON_HELP)

    _add_search_command(commands)

    show = commands.add_parser("show", help="show a card version (the newest by default)")
    show.add_argument(
        "reference", metavar="MODEL[@VERSION]", help="a model (its newest version) or one version"
    )
    show.add_argument("--json", action="store_true", help=_JSON_HELP)

    diff = commands.add_parser("diff", help="what changed between two card versions of a model")
    diff.add_argument("model", metavar="MODEL", help="the model's name")
    diff.add_argument("old_version", metavar="V1", help="the older card version")
    diff.add_argument("new_version", metavar="V2", help="the newer card version")
    diff.add_argument("--json", action="store_true", help="every change as JSON")
    diff.add_argument(
        "--ignore-whitespace", action="store_true", help="changes in spacing alone do not count"
    )
    diff.add_argument(
        "--whole-card", action="store_true", help="end with a diff of the whole rendered card"
    )


def _add_audit_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``audit`` (listing and ``--verify``) and ``audit checkpoint``."""
    audit = commands.add_parser("audit", help="list the audit trail, or verify it")
    audit.add_argument("--json", action="store_true", help=_JSON_HELP)
    audit.add_argument(
        "--verify",
        action="store_true",
        help="walk the hash chain, signed acts and every row against its event; exit 1 if broken",
    )
    audit.add_argument("--model", help="only the events of this model")
    audit.add_argument(
        "--trust",
        type=Path,
        action="append",
        metavar="CERT.pem",
        help="with --verify: also trust this officer's or issuer's certificate (repeatable)",
    )
    audit.add_argument(
        "--checkpoint", type=Path, metavar="FILE", help="with --verify: a checkpoint kept elsewhere"
    )
    audit_actions = audit.add_subparsers(dest="audit_command", metavar="ACTION")
    checkpoint = audit_actions.add_parser(
        "checkpoint", help="sign the trail's head into a file to keep elsewhere"
    )
    checkpoint.add_argument(
        "-o", "--output", type=Path, required=True, metavar="FILE", help="the checkpoint file"
    )
    checkpoint.add_argument(
        "--identity", required=True, metavar="EMAIL", help="the officer who signs it"
    )


def _add_registry_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``registry init``, ``registry password`` and ``registry copy``."""
    registry = commands.add_parser(
        "registry", help="make a new registry (on a PostgreSQL server too), keep its password"
    )
    registry_actions = registry.add_subparsers(
        dest="registry_command", metavar="ACTION", required=True
    )
    init = registry_actions.add_parser(
        "init", help="create an empty registry (no other command creates one, except import)"
    )
    init.add_argument(
        "--db", dest="registry_db", metavar="PATH|URL", help="where (default: as for every command)"
    )
    password = registry_actions.add_parser(
        "password", help="keep a PostgreSQL server's password for --db's user in the OS keyring"
    )
    password.add_argument(
        "--db", dest="registry_db", metavar="URL", help="the server (postgresql://USER@HOST/DB)"
    )
    copy = registry_actions.add_parser(
        "copy",
        help="copy a registry into another (a SQLite file into the team's PostgreSQL), "
        "verifying the audit chain and every sign-off before and on arrival",
    )
    copy.add_argument("source", metavar="SRC", help="the registry to copy (file path or URL)")
    copy.add_argument("target", metavar="DST", help="where to copy it (file path or URL)")


def _add_attest_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``attest``: an officer's signed in-toto approval attestation of a card version."""
    attest = commands.add_parser(
        "attest",
        help="write an officer-signed in-toto attestation (DSSE) of an approval for a stage",
    )
    attest.add_argument("reference", metavar="MODEL@VERSION", help="the approved card version")
    attest.add_argument("--stage", required=True, metavar="STAGE", help="the stage approved for")
    attest.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        metavar="FILE",
        help="the envelope to write (the certificate goes beside it: X.json -> X.pem)",
    )
    attest.add_argument("--identity", required=True, metavar="EMAIL", help="the officer who signs")


def _date(text: str) -> datetime.date:
    """A ``YYYY-MM-DD`` date argument (wrong usage otherwise)."""
    try:
        if len(text) == 10:  # fromisoformat also takes 20261205 and 2026-W49
            return datetime.date.fromisoformat(text)
    except ValueError:
        pass
    raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a date; write it as YYYY-MM-DD")


def _add_stage_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``stages`` (and ``stages set``) and ``status``: the deployment stages and where a model is."""
    stages = commands.add_parser("stages", help="the registry's deployment stages, in order")
    stages.add_argument("--json", action="store_true", help=_JSON_HELP)
    stage_actions = stages.add_subparsers(dest="stages_command", metavar="ACTION")
    set_stages = stage_actions.add_parser("set", help="set the stages (before the first review)")
    set_stages.add_argument(
        "names", nargs="+", metavar="NAME", help="the stages in order (e.g. staging production)"
    )

    status = commands.add_parser(
        "status", help="per stage, the approved version and what is in review"
    )
    status.add_argument("model", metavar="MODEL", help="the model's name")
    status.add_argument(
        "--as-of", type=_date, metavar="DATE", help="judge expiry on this day (YYYY-MM-DD)"
    )
    status.add_argument("--json", action="store_true", help=_JSON_HELP)


def _add_officer_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``classify`` and ``revoke``: an officer's signed risk tier and withdrawn approvals."""
    classify = commands.add_parser("classify", help="an officer's signed risk classification")
    classify.add_argument(
        "reference", metavar="MODEL[@VERSION]", help="the card version (the newest by default)"
    )
    classify.add_argument(
        "--tier",
        required=True,
        choices=["low", "medium", "high", "critical"],
        help="the risk tier decided",
    )
    classify.add_argument(
        "--reason", required=True, metavar="TEXT", help="why this tier (signed and audited)"
    )
    classify.add_argument(
        "--identity", required=True, metavar="EMAIL", help="the officer who signs the decision"
    )

    revoke = commands.add_parser("revoke", help="revoke a version's approval for a stage (officer)")
    revoke.add_argument("reference", metavar="MODEL@VERSION", help="the approved card version")
    revoke.add_argument(
        "--stage", required=True, metavar="STAGE", help="the stage the approval is withdrawn for"
    )
    revoke.add_argument("--reason", required=True, metavar="TEXT", help="why (signed and audited)")
    revoke.add_argument(
        "--identity", required=True, metavar="EMAIL", help="the officer who signs the revocation"
    )


def _add_gate_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``revocations export`` and ``gate``: what a deployment pipeline asks."""
    revocations = commands.add_parser("revocations", help="export the signed revocations")
    revocation_actions = revocations.add_subparsers(
        dest="revocations_command", metavar="ACTION", required=True
    )
    export = revocation_actions.add_parser("export", help="write every revocation (signed acts)")
    export.add_argument("-o", "--output", type=Path, metavar="FILE", help="default: stdout")

    gate = commands.add_parser(
        "gate", help="may this version go to this stage? exit 0 yes, 1 no, 2 wrong usage"
    )
    gate.add_argument(
        "reference",
        nargs="?",
        metavar="MODEL@VERSION",
        help="the card version to deploy (from the registry; not with --evidence)",
    )
    gate.add_argument("--stage", required=True, metavar="STAGE", help="the stage to deploy to")
    gate.add_argument(
        "--evidence",
        type=Path,
        metavar="PATH",
        help="a published folder, a signed report PDF or an approval attestation (.intoto.json)",
    )
    gate.add_argument(
        "--trust", type=Path, action="append", metavar="CERT.pem", help="trusted signer or issuer"
    )
    gate.add_argument("--artifact", type=Path, metavar="FILE", help="the model file to deploy")
    gate.add_argument("--artifact-sha256", metavar="HEX", help="its SHA-256 instead of the file")
    gate.add_argument(
        "--revocations", type=Path, metavar="FILE", help="from `countersign revocations export`"
    )
    gate.add_argument(
        "--as-of",
        type=_date,
        metavar="DATE",
        help="check on this day (YYYY-MM-DD; default today): an approval expired by then fails",
    )
    gate.add_argument("--json", action="store_true", help=_JSON_HELP)


def _add_desk_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``queue``: the home screen's lists (countersign.commands.desk)."""
    queue = commands.add_parser(
        "queue",
        help="what waits for you and what is approved where (the home screen's lists)",
        description="The lists of the window's home screen: versions to review, rounds "
        "awaiting your signature (your identities are those whose keys this keyring holds), "
        "changes requested awaiting the team, what is approved for each stage, and recent "
        "imports with warnings. Each list gives its total and its first rows.",
    )
    queue.add_argument("--json", action="store_true", help=_JSON_HELP)
    queue.add_argument(
        "--limit",
        type=_list_limit,
        default=QUEUE_ROWS,
        metavar="N",
        help=f"rows of each list at most (default {QUEUE_ROWS}); totals are always given",
    )


QUEUE_ROWS = 50
"""Rows of each list ``queue`` prints unless ``--limit`` says otherwise."""


def _list_limit(text: str) -> int:
    """``--limit``: a whole number from 1 to 100,000."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 1 <= value <= 100_000:
        raise argparse.ArgumentTypeError(f"{value} is not from 1 to 100000")
    return value


def _add_search_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    search = commands.add_parser(
        "search",
        help="search the text of every card version: current versions first, with a snippet",
    )
    search.add_argument(
        "words", nargs="+", metavar="WORD", help="words to find, each as a prefix (all must match)"
    )
    search.add_argument(
        "--limit", type=int, default=20, metavar="N", help="show the N best (default 20)"
    )
    search.add_argument("--json", action="store_true", help=_JSON_HELP)


def _add_policy_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``policy show`` and ``policy import``: the metric policy (directions and targets)."""
    policy = commands.add_parser(
        "policy", help="the metric policy: which way is better for each metric, or its target"
    )
    actions = policy.add_subparsers(dest="policy_command", metavar="ACTION", required=True)
    show = actions.add_parser("show", help="the terms in force, shipped and imported")
    show.add_argument("--json", action="store_true", help=_JSON_HELP)
    imp = actions.add_parser("import", help="validate and store a policy file (YAML) as a version")
    imp.add_argument("file", type=Path, metavar="FILE.yaml", help="the policy (YAML)")


def _add_card_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``card new`` and ``card check``: the team's side, writing and checking a card file."""
    card = commands.add_parser("card", help="write a card from model info, or check a card file")
    actions = card.add_subparsers(dest="card_command", metavar="ACTION", required=True)
    new = actions.add_parser("new", help="write a card file from model info (YAML or JSON)")
    new.add_argument(
        "--from",
        dest="info",
        type=Path,
        required=True,
        metavar="INFO.yaml|INFO.json",
        help="the model info (the keys create_model_card takes)",
    )
    new.add_argument(
        "-o", "--output", type=Path, required=True, metavar="FILE", help="the card file to write"
    )
    new.add_argument(
        "--format",
        choices=[draft_format.value for draft_format in DraftFormat],
        help="default: what FILE's name says (.md: huggingface, .json: native), else native",
    )
    new.add_argument(
        "--template", default="standard", metavar="ID[@VERSION]|FILE", help=argparse.SUPPRESS
    )
    check = actions.add_parser(
        "check", help="what a reviewer will ask of a card file; exit 1 if a required item fails"
    )
    check.add_argument(
        "file", type=Path, metavar="FILE", help="a card file of any supported format"
    )
    check.add_argument(
        "--template",
        default="standard",
        metavar="ID[@VERSION]|FILE",
        help="checklist template: shipped id, a template file, or one in --db (default standard)",
    )
    check.add_argument("--json", action="store_true", help=_JSON_HELP)


def _add_identity_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``identity``: reviewer identities, their keys, certificates and roles."""
    ident = commands.add_parser("identity", help="reviewer identities (key in the OS keyring)")
    actions = ident.add_subparsers(dest="identity_command", metavar="ACTION", required=True)
    create = actions.add_parser("create", help="make a key and a self-signed two-year certificate")
    create.add_argument("--name", required=True, help="the reviewer's full name")
    create.add_argument("--email", required=True, help="the reviewer's e-mail address")
    create.add_argument(
        "--role",
        choices=_ROLE_CHOICES,
        help="only 'officer', for a new registry's first identity; others are granted",
    )
    p12 = actions.add_parser("import-p12", help="take a key and certificate issued as PKCS#12")
    p12.add_argument("file", type=Path, metavar="FILE", help="the PKCS#12 (.p12, .pfx) file")
    p12.add_argument(
        "--role",
        choices=_ROLE_CHOICES,
        help="only 'officer', for a new registry's first identity; others are granted",
    )
    p12.add_argument("--email", help="only for a certificate that names no e-mail address")
    p12.add_argument("--name", help="instead of the certificate's common name")
    listing = actions.add_parser("list", help="list identities")
    listing.add_argument("--json", action="store_true", help=_JSON_HELP)
    listing.add_argument("--active", action="store_true", help="leave out retired identities")
    export = actions.add_parser("export-cert", help="write an identity's certificate (PEM)")
    export.add_argument("email", metavar="EMAIL", help="the identity's e-mail address")
    export.add_argument("-o", "--output", type=Path, metavar="FILE", help="default: stdout")
    export.add_argument("--chain", action="store_true", help="add the issuing certificates")
    change = actions.add_parser("passphrase", help="change the passphrase of an identity's key")
    change.add_argument("email", metavar="EMAIL", help="the identity's e-mail address")
    retire = actions.add_parser("retire", help="retire an identity: it can no longer sign")
    retire.add_argument("email", metavar="EMAIL", help="the identity's e-mail address")
    retire.add_argument("--reason", metavar="TEXT", help="why, for the audit trail")
    retire.add_argument(
        "--identity", metavar="OFFICER_EMAIL", help="who signs the retirement (default: EMAIL)"
    )
    grant = actions.add_parser("grant", help="grant an identity a role (signed by an officer)")
    grant.add_argument("email", metavar="EMAIL", help="the identity granted the role")
    grant.add_argument("--role", required=True, choices=_ROLE_CHOICES, help="the role granted")
    grant.add_argument(
        "--identity", required=True, metavar="OFFICER_EMAIL", help="the officer who signs it"
    )


def _add_trust_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``trust``: the certificates this workstation trusts, outside any registry."""
    trusted = commands.add_parser(
        "trust", help="certificates this workstation trusts, kept outside any registry"
    )
    trust_actions = trusted.add_subparsers(dest="trust_command", metavar="ACTION", required=True)
    pin = trust_actions.add_parser("pin", help="trust a registry identity's certificate here")
    pin.add_argument("email", metavar="EMAIL", help="the identity whose certificate is trusted")
    pin.add_argument("--yes", action="store_true", help="the fingerprint was checked: do not ask")
    add = trust_actions.add_parser("add", help="trust a certificate file (an officer or issuer)")
    add.add_argument("file", type=Path, metavar="CERT.pem", help="the certificate (PEM)")
    add.add_argument("--label", help="who it is (default: the file name)")
    add.add_argument(
        "--team",
        metavar="TEAM",
        help="a team's model-signing certificate: checks OpenSSF model signatures in the "
        "team's bundles, vouches for no sign-off",
    )
    trust_list = trust_actions.add_parser("list", help="the certificates trusted here")
    trust_list.add_argument("--json", action="store_true", help=_JSON_HELP)
    untrust = trust_actions.add_parser("remove", help="stop trusting a certificate")
    untrust.add_argument("fingerprint", metavar="FINGERPRINT", help="its SHA-256, or a prefix")


def _add_checklist_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``checklists`` and ``checklist show|import``: the checklist templates."""
    templates = commands.add_parser("checklists", help="list the checklist templates")
    templates.add_argument("--json", action="store_true", help=_JSON_HELP)
    template = commands.add_parser("checklist", help="show or import a checklist template")
    template_actions = template.add_subparsers(
        dest="checklist_command", metavar="ACTION", required=True
    )
    show = template_actions.add_parser("show", help="a template's items, with their ids")
    show.add_argument(
        "template", metavar="ID[@VERSION]", help="template id (its newest version) or one version"
    )
    show.add_argument("--json", action="store_true", help=_JSON_HELP)
    imp = template_actions.add_parser("import", help="validate and store a template (YAML)")
    imp.add_argument("file", type=Path, metavar="FILE", help="the template (YAML)")


def _add_review_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``review``: a signed sign-off of a card version (or its dry run)."""
    review = commands.add_parser(
        "review",
        help="sign off a card version against a checklist (--dry-run: check without signing)",
    )
    review.add_argument("reference", metavar="MODEL@VERSION", help="the card version signed off")
    review.add_argument(
        "--template",
        required=True,
        metavar="ID[@VERSION]",
        help="the checklist template reviewed against (`countersign checklists` lists them)",
    )
    review.add_argument(
        "--responses",
        type=Path,
        metavar="FILE.yaml",
        help="the answers: each checklist item id -> {answer: pass|fail|na, note: text}",
    )
    review.add_argument(
        "--decision",
        choices=[decision.value for decision in Decision],
        help="the decision signed",
    )
    review.add_argument("--comment", metavar="TEXT", help="a comment signed with the decision")
    review.add_argument(
        "--condition",
        action="append",
        default=[],
        metavar="TEXT",
        help="a condition the approval carries (repeatable; signed; one short line each)",
    )
    review.add_argument(
        "--re-review",
        action="store_true",
        help="open a new round for a stage already approved (an officer; the approval is "
        "suspended until the round decides) or whose approval expired",
    )
    review.add_argument(
        "--expires",
        metavar="DATE",
        help="the last day the approval holds (YYYY-MM-DD, UTC; signed; the checklist may "
        "require one)",
    )
    review.add_argument(
        "--identity", metavar="EMAIL", help="who signs (the key's passphrase is asked)"
    )
    review.add_argument("--json", action="store_true", help=_JSON_HELP)
    review.add_argument(
        "--dry-run",
        action="store_true",
        help="sign and store nothing: show the automatic checks' results and every problem of "
        "the responses file at once (exit 1 if any); --responses, --decision and --identity "
        "are then optional",
    )
    review.add_argument(
        "--stage", metavar="STAGE", help="the stage (default: the first not yet approved)"
    )


def _add_report_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``export-pdf``, ``verify`` and ``publish``: signed review reports."""
    export = commands.add_parser(
        "export-pdf", help="write the signed review report of a card version"
    )
    export.add_argument("reference", metavar="MODEL@VERSION", help="the card version reported")
    export.add_argument(
        "-o", "--output", type=Path, required=True, metavar="FILE.pdf", help="the report to write"
    )
    export.add_argument("--identity", required=True, metavar="EMAIL", help="who signs the report")

    check = commands.add_parser("verify", help="check a signed report: signature, sign-offs, card")
    check.add_argument("file", type=Path, metavar="FILE.pdf", help="the report to check")
    check.add_argument(
        "--trust",
        type=Path,
        action="append",
        metavar="CERT.pem",
        help="also trust this signer or issuing certificate (repeatable)",
    )
    check.add_argument("--json", action="store_true", help=_JSON_HELP)

    publish = commands.add_parser(
        "publish", help="write an approved card version, its signed report and sign-offs to DIR"
    )
    publish.add_argument("reference", metavar="MODEL@VERSION", help="the approved card version")
    publish.add_argument(
        "-o", "--output", type=Path, required=True, metavar="DIR", help="the folder to write"
    )
    source = publish.add_mutually_exclusive_group()
    source.add_argument("--identity", metavar="EMAIL", help="sign a fresh report as EMAIL")
    source.add_argument(
        "--report", type=Path, metavar="FILE.pdf", help="a report exported since the approval"
    )
    publish.add_argument(
        "--trust", type=Path, action="append", metavar="CERT.pem", help="to check --report"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    # Qt's own options (-platform xcb, -style Fusion…) are the window's, handed to Qt.
    arguments, qt_arguments = split_qt_options(sys.argv[1:] if argv is None else argv)
    # `countersign FILE...` (how the desktop opens a .cardbundle) is the window with
    # those files in the import preview; argparse cannot mix that with subcommands.
    parser = build_window_parser() if _names_files(arguments) else build_parser()
    args = parser.parse_args(arguments)
    if qt_arguments and args.command is not None:
        parser.error(f"Qt's options ({' '.join(qt_arguments)}) are for the window only")
    if args.self_check_qt:
        if desktop_problem():
            return fail(desktop_problem())
        from countersign.views.platform_probe import main as probe_qt

        return probe_qt()
    if args.self_check:
        return _dispatch_module("self_check", "self_check", args)
    if args.command is None:
        return _run_workstation(args, qt_arguments)
    # Imported here, not at the top: nothing of the models may hold back the window.
    from countersign.commands.terminal import safe_output

    with safe_output():
        return _run_command(args)


def _run_command(args: argparse.Namespace) -> int:
    """Run one subcommand; the officer's errors become a sentence on stderr and exit 1."""
    from countersign.errors import CountersignError

    try:
        status = _dispatch(args)
        sys.stdout.flush()  # a closed pipe shows here, not at exit
        return status
    except BrokenPipeError:
        # `countersign audit | head`: the reader has what it wanted. Nothing more is
        # written, and the exit status is the one a shell gives a command cut off so.
        _silence_stdout()
        return EXIT_CLOSED_PIPE
    except CountersignError as error:
        return fail(str(error))
    except OSError as error:
        # A folder that cannot be written, a full disk, a file that went away: the officer
        # can act on these, so they get a sentence, not a traceback.
        where = f"{error.filename}: " if error.filename else ""
        return fail(f"{where}{error.strerror or error}")
    except KeyboardInterrupt:
        print("countersign: interrupted; nothing half-written was kept", file=sys.stderr)
        return 130


EXIT_CLOSED_PIPE = 141
"""Exit status when the reader of the output went away (128 + SIGPIPE, as a shell reports it)."""


def _silence_stdout() -> None:
    """Point standard output at the null device, so that the exit flush does not fail again."""
    import os

    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, sys.stdout.fileno())
    finally:
        os.close(null)


_COMMANDS: dict[str, tuple[str, str]] = {
    "import": ("cards", "import_files"),
    "models": ("cards", "list_models"),
    "versions": ("cards", "list_versions"),
    "show": ("cards", "show"),
    "search": ("search", "search"),
    "diff": ("diff", "diff"),
    "bundle": ("bundles", "bundle"),
    "audit": ("audit", "audit"),
    "identity": ("identity", "identity"),
    "trust": ("trust", "trust"),
    "checklists": ("checklists", "list_checklists"),
    "checklist": ("checklists", "checklist"),
    "review": ("review", "review"),
    "export-pdf": ("reports", "export_pdf"),
    "verify": ("reports", "verify"),
    "registry": ("registry", "registry"),
    "publish": ("reports", "publish"),
    "card": ("card_drafts", "card"),
    "stages": ("deployment", "stages"),
    "status": ("deployment", "status"),
    "classify": ("deployment", "classify"),
    "revoke": ("deployment", "revoke"),
    "revocations": ("deployment", "revocations"),
    "gate": ("deployment", "gate"),
    "policy": ("policy", "policy"),
    "attest": ("attestation", "attest"),
    "queue": ("desk", "queue"),
}
"""Subcommand -> (module in countersign.commands, function), imported only when it runs."""


def _dispatch(args: argparse.Namespace) -> int:
    module_name, function_name = _COMMANDS[args.command]
    return _dispatch_module(module_name, function_name, args)


def _dispatch_module(module_name: str, function_name: str, args: argparse.Namespace) -> int:
    from countersign.commands.context import command_run

    module = importlib.import_module(f"countersign.commands.{module_name}")
    command: Callable[[argparse.Namespace], int] = getattr(module, function_name)
    # Every registry the command opens is closed when it ends, however it ends.
    with command_run():
        return command(args)


def _add_window_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db", metavar="PATH|URL", help="registry file or SQLAlchemy URL (env COUNTERSIGN_DB)"
    )
    parser.add_argument(
        "--demo", action="store_true", help="open a throwaway copy of the demo registry"
    )


def build_window_parser() -> argparse.ArgumentParser:
    """The parser of ``countersign [--db PATH|URL] [--demo] FILE...``: the window, importing FILEs."""
    parser = argparse.ArgumentParser(
        prog="countersign",
        description="Open the workstation with FILEs (bundles or cards) in the import preview.",
    )
    _add_window_options(parser)
    parser.add_argument(
        "files", nargs="+", type=Path, metavar="FILE", help="bundles or cards to preview for import"
    )
    parser.set_defaults(command=None, self_check=False, self_check_qt=False)
    return parser


def _names_files(arguments: Sequence[str]) -> bool:
    """Whether the first argument that is no option is a file rather than a subcommand."""
    tokens = iter(arguments)
    for token in tokens:
        if token == "--db":
            next(tokens, None)
        elif token == "--":
            first = next(tokens, None)
            return first is not None and first not in _COMMANDS
        elif not token.startswith("-"):
            if token in _COMMANDS:
                return False
            return Path(token).exists() or any(mark in token for mark in "./\\")
    return False


QT_OPTIONS_WITH_VALUE = frozenset(
    {
        "-platform",
        "-platformpluginpath",
        "-platformtheme",
        "-plugin",
        "-qwindowgeometry",
        "-qwindowtitle",
        "-qwindowicon",
        "-style",
        "-stylesheet",
        "-display",
        "-geometry",
        "-session",
    }
)
"""Qt's standard command-line options that take a value (``-style Fusion``, ``-style=Fusion``)."""

QT_FLAGS = frozenset({"-reverse", "-nograb", "-dograb", "-sync", "-widgetcount"})
"""Qt's standard command-line options that stand alone."""


def split_qt_options(arguments: Sequence[str]) -> tuple[list[str], list[str]]:
    """``arguments`` less Qt's standard options, and those options, for the window's QApplication."""
    ours: list[str] = []
    qt: list[str] = []
    tokens = iter(arguments)
    for token in tokens:
        if token == "--":
            ours.append(token)
            ours.extend(tokens)
            break
        name = token.split("=", 1)[0]
        if name in QT_OPTIONS_WITH_VALUE:
            qt.append(token)
            if "=" not in token:
                value = next(tokens, None)
                if value is not None:
                    qt.append(value)
        elif token in QT_FLAGS:
            qt.append(token)
        else:
            ours.append(token)
    return ours, qt


def display_problem(qt_arguments: Sequence[str]) -> str:
    """Why the window cannot open here (no display to show it on), or ``""``."""
    if not sys.platform.startswith("linux"):
        return ""
    if os.environ.get("QT_QPA_PLATFORM") or any(
        arg.split("=", 1)[0] == "-platform" for arg in qt_arguments
    ):
        return ""
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return ""
    return (
        "there is no display to open the window on (neither DISPLAY nor WAYLAND_DISPLAY is "
        "set). Run Countersign in a desktop session, or set QT_QPA_PLATFORM=offscreen to run "
        "the window without one; the subcommands (countersign --help) need no display."
    )


DESKTOP_MISSING = (
    "the window needs Qt (PySide6), which this installation does not have: it is "
    "Countersign's light install, for pipelines. Install countersign[desktop] for the window "
    "(pip install 'countersign[desktop]'; in a checkout, bash scripts/run.sh). The subcommands "
    "(countersign --help), gate and verify among them, work as they are."
)
"""What ``countersign`` (the window) says where PySide6 is not installed."""


def desktop_problem() -> str:
    """Why the window cannot open in this installation (no PySide6), or ``""``."""
    return DESKTOP_MISSING if importlib.util.find_spec("PySide6") is None else ""


def _run_workstation(args: argparse.Namespace, qt_arguments: Sequence[str] = ()) -> int:
    problem = desktop_problem() or display_problem(qt_arguments)
    if problem:
        return fail(problem)
    from countersign.views.application import run_workstation

    files: list[Path] = getattr(args, "files", None) or []
    return int(
        run_workstation(db=args.db, demo=args.demo, open_files=files, qt_arguments=qt_arguments)
    )


if __name__ == "__main__":
    sys.exit(main())
