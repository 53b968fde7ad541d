"""Opening registries: creation, migrations, and files that are not ours."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine

from countersign.errors import RegistryTooNew, RegistryUnreadable
from countersign.services.registry import Registry
from countersign.services.storage.database import Database, migration_head, registry_url


def test_new_registry_is_sqlite_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    db = Database.open(str(tmp_path / "r.sqlite3"))
    with db.read() as session:
        connection = session.connection()
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    raw = sqlite3.connect(tmp_path / "r.sqlite3")
    config = Config()
    config.set_main_option("script_location", "app:migrations")
    head = ScriptDirectory.from_config(config).get_current_head()
    assert raw.execute("SELECT version_num FROM alembic_version").fetchone() == (head,)


def test_env_variable_chooses_the_registry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COUNTERSIGN_DB", str(tmp_path / "env.sqlite3"))
    assert registry_url(None) == f"sqlite:///{tmp_path / 'env.sqlite3'}"
    assert registry_url("sqlite:////x/y.db") == "sqlite:////x/y.db"


def test_registry_created_at_first_revision_is_upgraded_with_its_data(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    engine = create_engine(f"sqlite:///{path}")
    config = Config()
    config.set_main_option("script_location", "app:migrations")
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
    raw = sqlite3.connect(path)
    raw.execute("PRAGMA foreign_keys = ON")
    raw.execute(
        "INSERT INTO models (id, name, team, risk_tier, created_at, last_activity) "
        "VALUES (1, 'legacy-scorer', 'Risk', 'low', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')"
    )
    card = (
        '{"format":"countersign-card","format_version":1,"model_details":{"name":"legacy-scorer"},'
    )
    card += '"intended_use":{"text":"Ranking invoices by payment risk"}}'
    raw.execute(
        "INSERT INTO card_versions (model_id, version, seq, canonical_json, sha256, original, "
        "original_name, source_format, status, imported_at, imported_by) VALUES "
        "(1, '1.0', 1, ?, 'ab', x'00', 'card.json', 'native-json', 'approved', 't', 'u')",
        (card,),
    )
    raw.commit()
    raw.close()
    engine.dispose()

    db = Database.open(str(path))
    registry = Registry(db)
    model = registry.model("legacy-scorer")
    assert (model.latest_version, model.status, model.version_count) == ("1.0", "approved", 1)
    hits = registry.search("invoic")
    assert [hit.model for hit in hits] == ["legacy-scorer"]


def test_registry_from_a_newer_countersign_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite3"
    Database.open(str(path)).dispose()
    raw = sqlite3.connect(path)
    raw.execute("UPDATE alembic_version SET version_num = '9999'")
    raw.commit()
    raw.close()
    with pytest.raises(RegistryTooNew, match="newer version of Countersign"):
        Database.open(str(path))


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite3"
    path.write_bytes(b"these are my notes, not a database" * 200)
    with pytest.raises(RegistryUnreadable, match="cannot be opened as a Countersign registry"):
        Database.open(str(path))
    assert path.read_bytes().startswith(b"these are my notes")


def test_someone_elses_database_is_not_migrated(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite3"
    raw = sqlite3.connect(path)
    raw.execute("CREATE TABLE invoices (id INTEGER)")
    raw.commit()
    raw.close()
    with pytest.raises(RegistryUnreadable, match="not a Countersign registry"):
        Database.open(str(path))
    tables = sqlite3.connect(path).execute("SELECT name FROM sqlite_master").fetchall()
    assert tables == [("invoices",)]


def test_migration_head_is_read_without_alembic() -> None:
    config = Config()
    config.set_main_option("script_location", "app:migrations")
    assert migration_head() == ScriptDirectory.from_config(config).get_current_head()


def test_opening_an_up_to_date_registry_does_not_import_alembic(tmp_path: Path) -> None:
    path = tmp_path / "r.sqlite3"
    Database.open(str(path)).dispose()
    # A fresh interpreter: this one has Alembic loaded already.
    script = (
        "import sys; from countersign.services.storage.database import Database; "
        f"Database.open({str(path)!r}).dispose(); print('alembic' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "False"


def test_an_unknown_revision_still_goes_to_alembic(tmp_path: Path) -> None:
    path = tmp_path / "r.sqlite3"
    Database.open(str(path)).dispose()
    raw = sqlite3.connect(path)
    with raw:
        raw.execute("UPDATE alembic_version SET version_num = 'no-such-revision'")
    raw.close()
    # The quick check sees a revision it does not know and hands over to Alembic, which refuses.
    with pytest.raises(RegistryTooNew):
        Database.open(str(path))
