"""``countersign identity``: create, import-p12, list, export-cert, passphrase, grant, retire."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from countersign.commands.context import services_for
from countersign.commands.output import EXIT_OK, fail, print_json
from countersign.commands.passphrase import (
    NEW_PASSPHRASE_ENV,
    PKCS12_PASSWORD_ENV,
    ask_passphrase,
)
from countersign.services.identities.identities import (
    Identities,
    IdentityInfo,
    Pkcs12File,
    role_label,
)


def identity(args: argparse.Namespace) -> int:
    """Run one ``identity`` action."""
    identities = services_for(args).identities
    action = args.identity_command
    if action == "create":
        return _create(identities, args)
    if action == "import-p12":
        return _import_p12(identities, args)
    if action == "list":
        return _list(identities, args)
    if action == "export-cert":
        return _export(identities, args)
    if action == "passphrase":
        return _change_passphrase(identities, args)
    if action == "grant":
        return _grant(identities, args)
    return _retire(identities, args)


def _create(identities: Identities, args: argparse.Namespace) -> int:
    identities.keystore.backend  # noqa: B018  (no keyring: refuse before asking anything)
    passphrase = ask_passphrase(f"New passphrase for {args.email}: ", confirm=True)
    created = identities.create(args.name, args.email, args.role or "", passphrase)
    _print_made("created", created, identities)
    return EXIT_OK


def _import_p12(identities: Identities, args: argparse.Namespace) -> int:
    identities.keystore.backend  # noqa: B018  (no keyring: refuse before asking anything)
    password = ask_passphrase(
        f"Password of {args.file.name} (empty if none): ", PKCS12_PASSWORD_ENV
    )
    passphrase = ask_passphrase("New Countersign passphrase for this identity: ", confirm=True)
    imported = identities.import_pkcs12(
        Pkcs12File(args.file, password or None, name=args.name, email=args.email),
        passphrase,
        args.role or "",
    )
    _print_made("imported", imported, identities)
    if imported.chain_pem:
        print(f"  issued by  {imported.issuer} (chain kept)")
    return EXIT_OK


def _print_made(what: str, made: IdentityInfo, identities: Identities) -> None:
    print(f"{what} identity {made.name} <{made.email}> ({role_label(made.role)})")
    print(f"  certificate SHA-256 {made.fingerprint}")
    print(f"  valid {made.not_before} to {made.not_after}")
    print(f"  private key in the keyring {identities.keystore.describe()}, under that fingerprint")


def _list(identities: Identities, args: argparse.Namespace) -> int:
    every = identities.list_all(include_retired=not args.active)
    if args.json:
        print_json([identity_json(i) for i in every])
        return EXIT_OK
    if not every:
        print("No identities yet. Create one with `countersign identity create`.")
        return EXIT_OK
    for i in every:
        state = "active" if i.active else f"retired {(i.retired_at or '')[:10]}"
        print(
            f"{i.email:<32} {role_label(i.role):<11} {state:<18} until {i.not_after[:10]}  "
            f"{i.fingerprint[:16]}…  {i.name}"
        )
    return EXIT_OK


def identity_json(i: IdentityInfo) -> dict[str, Any]:
    """The documented JSON of one identity (``identity list --json``)."""
    return {
        "name": i.name,
        "email": i.email,
        "role": i.role,
        "active": i.active,
        "fingerprint": i.fingerprint,
        "subject": i.subject,
        "issuer": i.issuer,
        "source": i.source,
        "not_before": i.not_before,
        "not_after": i.not_after,
        "created_at": i.created_at,
        "retired_at": i.retired_at,
        "retired_reason": i.retired_reason,
    }


def _export(identities: Identities, args: argparse.Namespace) -> int:
    pem = identities.certificate_pem(args.email, chain=args.chain)
    if args.output is None:
        sys.stdout.write(pem)
        return EXIT_OK
    try:
        args.output.write_text(pem, encoding="ascii")
    except OSError as error:  # a full disk says no file name of its own
        return fail(f"{args.output}: cannot be written ({error.strerror or error})")
    print(f"wrote the certificate of {args.email} to {args.output}", file=sys.stderr)
    return EXIT_OK


def _change_passphrase(identities: Identities, args: argparse.Namespace) -> int:
    identities.keystore.backend  # noqa: B018  (no keyring: refuse before asking anything)
    old = ask_passphrase(f"Current passphrase for {args.email}: ")
    new = ask_passphrase("New passphrase: ", NEW_PASSPHRASE_ENV, confirm=True)
    changed = identities.change_passphrase(args.email, old, new)
    print(f"changed the passphrase of {changed.email}")
    return EXIT_OK


def _grant(identities: Identities, args: argparse.Namespace) -> int:
    identities.get(args.identity)  # unknown officer: refused before the passphrase
    identities.get(args.email)
    passphrase = ask_passphrase(f"Passphrase for {args.identity}: ")
    officer = identities.unlock(args.identity, passphrase)
    granted = identities.grant(args.email, args.role, officer)
    print(f"granted: {granted.email} is now {granted.role}, signed by {officer.identity.email}")
    return EXIT_OK


def _retire(identities: Identities, args: argparse.Namespace) -> int:
    signer_email = args.identity or args.email
    identities.get(signer_email)
    passphrase = ask_passphrase(f"Passphrase for {signer_email} (signs the retirement): ")
    signer = identities.unlock(signer_email, passphrase)
    retired, removed = identities.retire(args.email, args.reason or "", signer=signer)
    print(f"retired the identity of {retired.email}: it can no longer sign")
    print("  its earlier signatures still verify against the certificate kept in the registry")
    if removed:
        print("  its private key was removed from this computer's keyring")
    return EXIT_OK
