"""One place builds the services: the window, the commands, tests and benchmarks use it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import countersign
from countersign.errors import RegistryUnreadable
from countersign.services.identities.keystore import PBKDF2_ITERATIONS
from countersign.services.workstation import ServiceOptions, build_services, open_services
from tests.helpers.keyring_memory import MemoryKeyring
from tests.helpers.registry import native_card, write_card
from tests.helpers.signoff import PASSPHRASE

APP = Path(countersign.__file__).resolve().parent
REPO = APP.parent

SERVICE_CLASSES = {
    "Registry",
    "Importer",
    "Identities",
    "Keystore",
    "Checklists",
    "Reviews",
    "Reports",
}


def test_open_services_wires_every_service_to_one_registry_and_keyring(tmp_path: Path) -> None:
    backend = MemoryKeyring()
    with open_services(
        str(tmp_path / "registry.sqlite3"), ServiceOptions(keyring=backend, actor="olga")
    ) as services:
        db = services.database
        assert services.registry.database is db
        assert services.importer.database is db
        assert services.checklists.database is db
        assert services.identities.database is db
        assert services.reviews.identities is services.identities
        assert services.reports.identities is services.identities
        card = write_card(tmp_path, "card.json", native_card("credit-scorer", "1.0"))
        assert services.importer.import_file(card).ok
        assert services.registry.count_models() == 1
        person = services.identities.create(
            "Olga Officer", "olga@example.org", "officer", PASSPHRASE
        )
        # The key went into the keyring given, not the machine's.
        assert any(person.fingerprint in user for _service, user in backend.entries)
        path = Path(db.location)
    with open_services(str(path), ServiceOptions(keyring=MemoryKeyring())) as again:
        assert again.registry.count_models() == 1
        assert [i.email for i in again.identities.list_all()] == ["olga@example.org"]


def test_the_actor_given_is_recorded_as_the_actor(tmp_path: Path) -> None:
    with open_services(
        str(tmp_path / "r.sqlite3"), ServiceOptions(keyring=MemoryKeyring(), actor="olga")
    ) as s:
        assert s.importer.actor == s.identities.actor == s.checklists.actor == "olga"


def test_keys_get_the_workstations_rounds_unless_told_otherwise(tmp_path: Path) -> None:
    with open_services(str(tmp_path / "r.sqlite3"), ServiceOptions(keyring=MemoryKeyring())) as s:
        assert s.identities.keystore.rounds == PBKDF2_ITERATIONS == 600_000
        cheap = build_services(
            s.database, ServiceOptions(keyring=MemoryKeyring(), key_rounds=1_000)
        )
        assert cheap.identities.keystore.rounds == 1_000


def test_build_services_over_an_open_registry_shares_it(tmp_path: Path) -> None:
    with open_services(
        str(tmp_path / "r.sqlite3"), ServiceOptions(keyring=MemoryKeyring())
    ) as first:
        second = build_services(first.database, ServiceOptions(keyring=MemoryKeyring()))
        assert second.database is first.database


def test_a_registry_that_cannot_be_opened_is_refused_in_words(tmp_path: Path) -> None:
    not_a_registry = tmp_path / "notes.sqlite3"
    not_a_registry.write_text("not a database", encoding="utf-8")
    with pytest.raises(RegistryUnreadable):
        open_services(str(not_a_registry))


def _constructed(path: Path) -> list[str]:
    """The service classes (and ``Database.open``) that a source file builds itself."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id in SERVICE_CLASSES:
            found.append(f"{path.relative_to(REPO)}:{node.lineno} {func.id}(")
        if (
            isinstance(func, ast.Attribute)
            and func.attr == "open"
            and isinstance(func.value, ast.Name)
            and func.value.id == "Database"
        ):
            found.append(f"{path.relative_to(REPO)}:{node.lineno} Database.open(")
    return found


def test_views_commands_and_benchmarks_never_build_services_themselves() -> None:
    folders = [APP / "views", APP / "commands", REPO / "benchmarks"]
    built = [
        hit for folder in folders for path in folder.rglob("*.py") for hit in _constructed(path)
    ]
    assert not built, built
