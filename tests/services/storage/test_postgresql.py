"""A registry on a PostgreSQL server: created only by ``registry init``, revision checked, refusals."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from countersign.cli import main
from countersign.errors import RegistryTooNew, RegistryUnreachable, RegistryUnreadable
from countersign.services.audit.trail import EventDraft, append_events, verify_chain
from countersign.services.importing.importer import Importer
from countersign.services.storage import dialect
from countersign.services.storage.database import Database
from countersign.services.storage.server import keyring_entry, shown_server
from tests.helpers.postgres import PostgresServer
from tests.helpers.registry import native_card, raw_connection, write_card


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


def test_the_search_index_takes_any_text_through_copy(registry_on_server: Database) -> None:
    body = "tab\there \\N back\\slash 'quote' \"double\"\nnewline \u00e9t\u00e9 \\.\nend"
    with registry_on_server.write() as session:
        session.execute(
            text(
                "INSERT INTO models (name, team, risk_tier, created_at, last_activity, "
                "latest_version, status, version_count) "
                "VALUES ('m', 't', '', 'x', 'x', '1', 'submitted', 1)"
            )
        )
        session.execute(
            text(
                "INSERT INTO card_versions (id, model_id, version, seq, canonical_json, sha256, "
                "original, original_name, source_format, status, imported_at, imported_by) "
                "VALUES (7, 1, '1', 1, '{}', 'ab', '', 'c.json', 'native-json', 'submitted', "
                "'x', 'u')"
            )
        )
        dialect.index_card_versions(
            session.connection(), [dialect.SearchRow(7, "scorer-x", "1.0", "Risk", body)]
        )
    with raw_connection(registry_on_server.url) as connection:
        stored = connection.execute("SELECT body FROM card_search").fetchall()
    assert stored == [(body,)]
    with registry_on_server.read() as session:
        for word in ("slash", "newline", "été", "end", "scorer x"):
            found = dialect.search_card_versions(session.connection(), word, 5)
            assert [match.card_version_id for match in found] == [7], word


def test_indexing_a_card_version_that_is_not_there_fails_as_the_driver_would(
    registry_on_server: Database,
) -> None:
    row = dialect.SearchRow(404, "ghost", "1.0", "Risk", "nothing here")
    with (
        pytest.raises(DBAPIError, match="card_search_card_version_id_fkey"),
        registry_on_server.write() as session,
    ):
        dialect.index_card_versions(session.connection(), [row])
    with raw_connection(registry_on_server.url) as connection:
        assert connection.execute("SELECT count(*) FROM card_search").fetchone() == (0,)


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


def _readme_sql() -> list[str]:
    """The README's role set-up for a team registry: its two SQL blocks, as written there."""
    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## A team registry on PostgreSQL", 1)[1]
    return re.findall(r"```sql\n(.*?)```", section, flags=re.DOTALL)


def _run(url: str, script: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        for statement in script.split(";"):
            code = "\n".join(line.split("--")[0] for line in statement.splitlines()).strip()
            if code:
                connection.execute(code.encode())


def test_the_readmes_roles_let_officers_only_insert_into_and_read_the_trail(
    postgres: PostgresServer, tmp_path: Path
) -> None:
    before_init, after_init = _readme_sql()
    on_server, in_database = before_init.split("\\connect countersign")
    _run(postgres.url("postgres"), on_server)
    owner = f"postgresql://countersign_owner@/countersign?host={postgres.socket_dir}"
    officer = f"postgresql://ana@/countersign?host={postgres.socket_dir}"
    _run(postgres.url("countersign"), in_database)
    assert main(["registry", "init", "--db", owner]) == 0
    _run(postgres.url("countersign"), after_init)
    card = write_card(tmp_path, "card.json", native_card("credit-scorer", "1.0"))
    database = Database.open(officer)
    try:
        assert Importer(database, actor="ana").import_file(card).landed
        for statement in (
            "UPDATE audit_events SET actor = 'mallory'",
            "ALTER TABLE audit_events DISABLE TRIGGER USER",
            "UPDATE alembic_version SET version_num = '0001'",
        ):
            with (
                pytest.raises(RegistryUnreadable, match="refused the change"),
                database.write() as session,
            ):
                session.execute(text(statement))
        with database.read() as session:
            assert verify_chain(session).ok
    finally:
        database.dispose()
