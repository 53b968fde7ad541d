"""A registry on a PostgreSQL server: created only by ``registry init``, revision checked, refusals."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from countersign.cli import main
from countersign.errors import RegistryTooNew, RegistryUnreachable, RegistryUnreadable
from countersign.services.audit.trail import EventDraft, append_events
from countersign.services.storage.database import Database
from countersign.services.storage.server import keyring_entry, shown_server
from tests.helpers.postgres import PostgresServer
from tests.helpers.registry import raw_connection


def test_an_empty_database_is_refused_naming_registry_init(postgres: PostgresServer) -> None:
    url = postgres.new_database()
    with pytest.raises(RegistryUnreadable, match="countersign registry init --db URL"):
        Database.open(url)
    with raw_connection(url) as connection:
        tables = connection.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchone()
    assert tables == (0,)


def test_registry_init_creates_the_schema_and_opening_checks_it(
    postgres: PostgresServer, capsys: pytest.CaptureFixture[str]
) -> None:
    url = postgres.new_database()
    assert main(["--db", url, "registry", "init"]) == 0
    assert "Created the registry PostgreSQL postgres@" in capsys.readouterr().out
    assert main(["registry", "init", "--db", url]) == 0  # again: nothing to do
    assert "is already a registry; its schema is up to date" in capsys.readouterr().out
    Database.open(url).dispose()
    with raw_connection(url) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
        connection.commit()
    with pytest.raises(RegistryTooNew, match="schema revision 9999"):
        Database.open(url)


def test_another_programs_database_is_refused_and_left_alone(postgres: PostgresServer) -> None:
    url = postgres.new_database()
    with raw_connection(url) as connection:
        connection.execute("CREATE TABLE invoices (id integer)")
        connection.commit()
    with pytest.raises(RegistryUnreadable, match="not a Countersign registry"):
        Database.open(url, create=True)


def test_the_trigger_refuses_to_change_the_trail(registry_on_server: Database) -> None:
    with registry_on_server.write() as session:
        append_events(session, [EventDraft("test.event", "thing", "1", "officer", {})])
    for statement in ("UPDATE audit_events SET actor = 'mallory'", "DELETE FROM audit_events"):
        with (
            pytest.raises(RegistryUnreadable, match=r"append-only: (UPDATE|DELETE) refused"),
            registry_on_server.write() as session,
        ):
            session.execute(text(statement))
    with raw_connection(registry_on_server.url) as connection:
        assert connection.execute("SELECT actor FROM audit_events").fetchall() == [("officer",)]


def test_a_password_in_the_url_is_refused() -> None:
    with pytest.raises(RegistryUnreadable, match="plain text"):
        Database.open("postgresql://officer:s3cret@db.example/registry")


def test_an_unreachable_server_is_a_sentence(tmp_path: Path) -> None:
    url = f"postgresql://officer@/registry?host={tmp_path}"
    with pytest.raises(RegistryUnreachable, match="could not be made") as refused:
        Database.open(url)
    assert "s3cret" not in str(refused.value)


def test_keyring_entry_is_per_server_and_user() -> None:
    url = make_url("postgresql://ana@db.example:5433/registry?sslmode=verify-full")
    assert keyring_entry(url) == ("countersign-postgresql", "ana@db.example:5433")
    assert shown_server(url) == "ana@db.example:5433/registry"


@pytest.fixture
def registry_on_server(postgres: PostgresServer) -> Iterator[Database]:
    database = Database.open(postgres.new_database(template="registry_template"))
    yield database
    database.dispose()
