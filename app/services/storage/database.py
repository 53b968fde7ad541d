"""Opening the registry database: where it lives, migrations, sessions, errors.

The default registry is a SQLite file in the user's data folder.  ``--db``
or ``COUNTERSIGN_DB`` choose another file or a SQLAlchemy URL, among them a
PostgreSQL server's (``postgresql://USER@HOST/DB``, see
:mod:`countersign.services.storage.server`), whose registry is created only
by ``registry init``, never on opening.  Opening a registry brings its schema
up to date with Alembic; a registry written by a
newer Countersign, a file that is not a registry, a locked file or a full disk
each give an error the officer can act on.
"""

from __future__ import annotations

import datetime
import getpass
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
    RegistryUnreachable,
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
from countersign.services.storage.registry_file import (
    check_registry_file,
    folder_is_read_only,
    migration_head,
)
from countersign.services.storage.server import PasswordPrompt, server_engine, shown_server
from countersign.services.storage.wal import Checkpointer

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


def utc_now() -> str:
    """The current time as stored in the registry: ISO-8601 UTC with microseconds."""
    now = datetime.datetime.now(datetime.UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def utc_today() -> datetime.date:
    """Today's date in UTC: the day an approval's expiry is judged on unless another is asked.

    Every judgement of expiry reads the day through this one function (called as
    ``database.utc_today()``), so that a test can stand on another day.
    """
    return datetime.datetime.now(datetime.UTC).date()


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
        self.created = False
        """Whether opening it made the registry (its schema) where there was none."""
        self._checkpointer = _checkpointer(engine)

    @property
    def on_server(self) -> bool:
        """Whether the registry is on a database server (PostgreSQL) rather than a file."""
        return self.engine.dialect.name == "postgresql"

    @property
    def location(self) -> str:
        """Where the registry is, for the status bar and messages (no password shown)."""
        url = make_url(self.url)
        if url.get_backend_name() == "sqlite":
            return url.database or ":memory:"
        if url.get_backend_name() == "postgresql":
            return f"PostgreSQL {shown_server(url)}"
        return url.render_as_string(hide_password=True)

    @classmethod
    def open(
        cls,
        db: str | None = None,
        *,
        create: bool = True,
        initialise: bool = False,
        ask_password: PasswordPrompt | None = None,
    ) -> Database:
        """Open and migrate the registry named by ``db``; make a new one only if ``create``.

        A registry file is looked at read-only first (see
        :mod:`countersign.services.storage.registry_file`): a file that is not
        a registry is refused untouched, and without ``create`` a missing path
        is refused rather than made into an empty registry.  On a PostgreSQL
        server a registry is made only with ``initialise`` (``registry
        init``): an empty database is otherwise refused, naming the command.
        ``ask_password`` is asked when the server wants a password that
        neither libpq's files nor the keyring hold.
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
            engine = server_engine(parsed, ask_password)
            dialect.configure_postgresql(engine)
        else:
            raise RegistryUnreadable(
                f"unsupported registry database {backend!r}; use a SQLite file "
                "or a PostgreSQL server (postgresql://USER@HOST/DB)"
            )
        database = cls(engine, url)
        try:
            database.migrate(create=initialise or backend == "sqlite")
        except BaseException:
            engine.dispose()
            raise
        return database

    def migrate(self, *, create: bool = True) -> None:
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
            if not tables and not create:
                raise RegistryUnreadable(
                    f"{self.location} holds no Countersign registry yet; create it with "
                    f"countersign registry init --db URL"
                )
            self.created = not tables
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
        """Close every pooled connection (once the writes so far are in the registry file)."""
        if self._checkpointer is not None:
            self._checkpointer.close()
            self._checkpointer = _checkpointer(self.engine)  # should it be used again
        self.engine.dispose()

    def settle(self) -> None:
        """Wait until the writes so far are copied into the registry file and on disk.

        A SQLite registry's writes are copied from its write-ahead log by a thread
        of its own after each write transaction (see :mod:`~countersign.services.storage.wal`);
        PostgreSQL's server does its own.
        """
        if self._checkpointer is not None:
            self._checkpointer.settle()

    def __enter__(self) -> Database:
        """Used as a context manager, the registry's connections are closed when the block ends."""
        return self

    def __exit__(self, *_exc: object) -> None:
        self.dispose()

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
        if self._checkpointer is not None:
            self._checkpointer.after_write()

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
        if self.on_server:
            return _server_error(error, str(getattr(error, "orig", error)), where)
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


def _checkpointer(engine: Engine) -> Checkpointer | None:
    """The thread that checkpoints a SQLite registry file (none for memory or a server)."""
    url = engine.url
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Checkpointer(engine)


_LOST = (
    "server closed the connection",
    "connection refused",
    "could not connect",
    "connection is closed",
    "terminating connection",
    "the connection is lost",
    "consuming input failed",
    "no such file or directory",
    "could not translate host name",
    "timeout expired",
    "ssl",
)


def _server_error(error: BaseException, said: str, where: str) -> RegistryError | None:
    """The officer's message for a PostgreSQL failure; None for a bug (to the crash path)."""
    first_line = said.strip().splitlines()[0] if said.strip() else "no reason given"
    message = said.lower()
    if "lock timeout" in message:
        return RegistryLocked(
            f"the registry {where} is busy with another officer's change; try again"
        )
    if "password authentication failed" in message or "no password supplied" in message:
        return RegistryUnreachable(f"the server refused the login to {where}: {first_line}")
    if "does not exist" in message and "database" in message:
        return RegistryUnreadable(f"{where}: {first_line}; ask the server's administrator")
    if any(word in message for word in ("permission denied", "must be owner", "append-only")):
        return RegistryUnreadable(f"the registry {where} refused the change: {first_line}")
    if "could not extend file" in message or "no space left" in message:
        return DiskFull(f"the server holding {where} is out of disk space; nothing was written")
    if any(phrase in message for phrase in _LOST) or getattr(
        error, "connection_invalidated", False
    ):
        return RegistryUnreachable(
            f"the connection to the registry server {where} was lost or could not be made "
            f"({first_line}); nothing half-done was kept. Check the network and retry"
        )
    if isinstance(error, OperationalError):
        return RegistryUnreachable(f"the registry server {where} could not be used: {first_line}")
    return None
