"""Opening the registry database: where it lives, migrations, sessions, errors.

The default registry is a SQLite file in the user's data folder.  ``--db``
or ``COUNTERSIGN_DB`` choose another file or a SQLAlchemy URL.  Opening a
registry brings its schema up to date with Alembic; a registry written by a
newer Countersign, a file that is not a registry, a locked file or a full disk
each give an error the officer can act on.
"""

from __future__ import annotations

import datetime
import getpass
import importlib.resources
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlalchemy.orm import Session

from countersign.errors import (
    DiskFull,
    RegistryError,
    RegistryLocked,
    RegistryTooNew,
    RegistryUnreadable,
)
from countersign.services.storage import dialect
from countersign.services.storage.locations import (
    APP_NAME,
    REGISTRY_FILE,
    data_dir,
    default_registry_path,
    registry_url,
)
from countersign.services.storage.registry_file import check_registry_file, folder_is_read_only

__all__ = [
    "APP_NAME",
    "REGISTRY_FILE",
    "Database",
    "data_dir",
    "default_registry_path",
    "migration_head",
    "os_user",
    "registry_url",
    "utc_now",
]

_REVISION_LINE = re.compile(
    r"""^(revision|down_revision)[ \t]*(?::[^=\n]*)?=[ \t]*(?:["']([\w.-]+)["']|None)[ \t]*$""",
    re.MULTILINE,
)


def migration_head() -> str | None:
    """The newest schema revision, read from the migration scripts without importing Alembic.

    None when the scripts do not say plainly (a merge, a line not understood):
    the caller then asks Alembic.
    """
    revisions: set[str] = set()
    parents: set[str] = set()
    folder = importlib.resources.files("countersign.migrations") / "versions"
    for entry in folder.iterdir():
        if not entry.name.endswith(".py") or entry.name == "__init__.py":
            continue
        found = {m.group(1): m.group(2) for m in _REVISION_LINE.finditer(entry.read_text("utf-8"))}
        if not found.get("revision") or "down_revision" not in found:
            return None
        revisions.add(found["revision"])
        if found["down_revision"]:
            parents.add(found["down_revision"])
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 and parents <= revisions else None


def utc_now() -> str:
    """The current time as stored in the registry: ISO-8601 UTC with microseconds."""
    now = datetime.datetime.now(datetime.UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def os_user() -> str:
    """The operating-system account running Countersign, recorded as the actor."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


class Database:
    """An open registry: the engine, its location, and sessions to read and write."""

    def __init__(self, engine: Engine, url: str) -> None:
        self.engine = engine
        self.url = url

    @property
    def location(self) -> str:
        """Where the registry is, for the status bar and messages (no password shown)."""
        url = make_url(self.url)
        if url.get_backend_name() == "sqlite":
            return url.database or ":memory:"
        return url.render_as_string(hide_password=True)

    @classmethod
    def open(cls, db: str | None = None, *, create: bool = True) -> Database:
        """Open and migrate the registry named by ``db``; make a new one only if ``create``.

        A registry file is looked at read-only first (see
        :mod:`countersign.services.storage.registry_file`): a file that is not
        a registry is refused untouched, and without ``create`` a missing path
        is refused rather than made into an empty registry.
        """
        url = registry_url(db)
        try:
            parsed = make_url(url)
        except ArgumentError:
            raise RegistryUnreadable(f"{url!r} is neither a file path nor a database URL") from None
        backend = parsed.get_backend_name()
        if backend == "sqlite":
            if parsed.database and parsed.database != ":memory:":
                path = Path(parsed.database)
                check_registry_file(path, create=create)
                try:
                    path.parent.mkdir(parents=True, exist_ok=True)
                except OSError as error:
                    raise RegistryUnreadable(
                        f"cannot create the registry folder {path.parent}: {error.strerror}"
                    ) from None
            engine = create_engine(url)
            dialect.configure_sqlite(engine)
        elif backend == "postgresql":
            raise RegistryUnreadable(
                "PostgreSQL registries are not supported by this version of Countersign yet; "
                "use a SQLite file (--db PATH)"
            )
        else:
            raise RegistryUnreadable(
                f"unsupported registry database {backend!r}; use a SQLite file"
            )
        database = cls(engine, url)
        database.migrate()
        return database

    def migrate(self) -> None:
        """Bring the schema up to date; refuse files that are not (or are newer) registries."""
        if self._schema_is_current():
            # The usual case at start-up, answered without importing Alembic (a third of
            # a second before the window can paint).
            return
        from alembic import command
        from alembic.config import Config
        from alembic.runtime.migration import MigrationContext
        from alembic.script import ScriptDirectory

        config = Config()
        config.set_main_option("script_location", "countersign:migrations")
        script = ScriptDirectory.from_config(config)
        with self.translate_errors(), self.engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
            if tables and "alembic_version" not in tables:
                raise RegistryUnreadable(
                    f"{self.location} is a database but not a Countersign registry "
                    f"(it has tables {', '.join(sorted(tables)[:5])}); choose another file"
                )
            current = MigrationContext.configure(connection).get_current_revision()
            connection.rollback()
            known = {revision.revision for revision in script.walk_revisions()}
            if current is not None and current not in known:
                raise RegistryTooNew(
                    f"{self.location} was written by a newer version of Countersign "
                    f"(schema revision {current}); update Countersign to open it"
                )
            if current == script.get_current_head():
                return
        with (
            self.translate_errors(),
            self.engine.connect().execution_options(write=True) as connection,
        ):
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            connection.commit()

    def _schema_is_current(self) -> bool:
        """Whether the registry is at the newest revision; False when unsure (Alembic decides)."""
        head = migration_head()
        if head is None:
            return False
        try:
            with self.engine.connect() as connection:
                current = connection.exec_driver_sql("SELECT version_num FROM alembic_version")
                revisions = [str(row[0]) for row in current]
                connection.rollback()
        except DBAPIError:
            return False  # no such table, locked, not a database: the full path says which
        return revisions == [head]

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading; it never writes."""
        with self.translate_errors(), Session(self.engine, expire_on_commit=False) as session:
            yield session
            session.rollback()

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction: committed whole when the block ends, or rolled back whole."""
        bind = self.engine.execution_options(write=True)
        with self.translate_errors(), Session(bind, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    @contextmanager
    def translate_errors(self) -> Iterator[None]:
        """Turn database failures the officer can act on into :class:`RegistryError`."""
        try:
            yield
        except RegistryError:
            raise
        except (DBAPIError, sqlite3.Error) as error:
            officer_error = self._officer_error(error)
            if officer_error is None:
                raise
            raise officer_error from error

    def _folder_read_only(self) -> bool:
        url = make_url(self.url)
        if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
            return False
        return folder_is_read_only(Path(url.database))

    def _officer_error(self, error: BaseException) -> RegistryError | None:
        message = str(getattr(error, "orig", error)).lower()
        where = self.location
        if "locked" in message or "busy" in message:
            return RegistryLocked(
                f"the registry {where} is locked by another program; close it and try again"
            )
        if "disk is full" in message or "database or disk is full" in message:
            return DiskFull(
                f"the disk holding {where} is full; nothing was written. Free space and retry"
            )
        if ("unable to open" in message or "readonly" in message) and self._folder_read_only():
            return RegistryUnreadable(
                f"the folder holding the registry {where} is read-only; a registry needs to "
                "write beside its file (its -wal and -shm files): choose a writable folder"
            )
        if "not a database" in message or "malformed" in message or "unable to open" in message:
            return RegistryUnreadable(
                f"{where} cannot be opened as a Countersign registry ({message.strip()})"
            )
        if "readonly" in message or "read-only" in message:
            return RegistryUnreadable(f"the registry {where} is read-only; nothing was written")
        if isinstance(error, OperationalError | sqlite3.OperationalError):
            return RegistryUnreadable(f"the registry {where} could not be used: {message.strip()}")
        return None
