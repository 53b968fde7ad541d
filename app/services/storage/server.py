"""Connecting to a registry on a PostgreSQL server, with no password ever kept in plain text.

A ``postgresql://USER@HOST/DB`` URL names the server, the database and the
user; libpq's own options (``sslmode``, ``sslrootcert``, ``service``, ``host``
for a Unix socket folder…) pass through as query parameters.  The password
never comes from the URL, the registry or the window's settings: libpq finds
it in a service file or ``~/.pgpass`` by itself; failing that, it is read from
the operating system's keyring (service :data:`KEYRING_SERVICE`, one entry per
server and user, see :func:`keyring_entry`); failing that, the caller's prompt
asks for it (the command line when it has a terminal, the window's dialog).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL

from countersign.errors import RegistryUnreachable, RegistryUnreadable

KEYRING_SERVICE = "countersign-postgresql"
"""The keyring service under which server passwords are kept."""

PasswordPrompt = Callable[[str], str | None]
"""Asks the officer for the password of the server and user named; None when they decline."""

_NEEDS_PASSWORD = ("no password supplied", "password authentication failed")


def keyring_entry(url: URL) -> tuple[str, str]:
    """The keyring's (service, user name) for ``url``'s server and user: one entry per pair.

    The user name is ``USER@HOST:PORT`` so that the same login on two servers
    keeps two passwords.
    """
    host = url.host or str(url.query.get("host", "")) or "localhost"
    port = url.port or 5432
    return KEYRING_SERVICE, f"{url.username or ''}@{host}:{port}"


def server_engine(url: URL, ask_password: PasswordPrompt | None = None) -> Engine:
    """An engine for the PostgreSQL registry at ``url`` (psycopg 3), the password found lazily.

    A URL carrying a password is refused: it would sit in plain text in shell
    histories and settings.
    """
    if url.password is not None:
        service, user = keyring_entry(url)
        raise RegistryUnreadable(
            "a password in the registry URL would be kept in plain text; remove it and keep "
            f"it in ~/.pgpass, a libpq service file, or the keyring (service {service!r}, "
            f"user {user!r}: countersign registry password --db URL)"
        )
    try:
        import psycopg  # noqa: F401
    except ImportError:
        raise RegistryUnreadable(
            "PostgreSQL registries need psycopg 3: pip install 'countersign[postgresql]'"
        ) from None
    engine = create_engine(
        url.set(drivername="postgresql+psycopg"), pool_pre_ping=True, pool_size=2
    )
    found: dict[str, str] = {}

    @event.listens_for(engine, "do_connect")
    def _on_do_connect(
        _dialect: Any, _record: Any, cargs: tuple[Any, ...], cparams: dict[str, Any]
    ) -> Any:
        import psycopg

        if "password" in found:
            cparams["password"] = found["password"]
            return None
        try:
            return psycopg.connect(*cargs, **cparams)
        except psycopg.OperationalError as error:
            if not any(phrase in str(error) for phrase in _NEEDS_PASSWORD):
                raise
        password = stored_password(url)
        if password is None and ask_password is not None:
            password = ask_password(shown_server(url))
        if password is None:
            service, user = keyring_entry(url)
            raise RegistryUnreachable(
                f"the server {shown_server(url)} asks for a password and none was found in "
                f"~/.pgpass, a service file or the keyring (service {service!r}, user {user!r})"
            )
        found["password"] = password
        cparams["password"] = password
        return None

    return engine


def stored_password(url: URL) -> str | None:
    """The password the keyring holds for ``url``'s server and user, or None."""
    try:
        import keyring
        from keyring.errors import KeyringError
    except ImportError:
        return None
    try:
        return keyring.get_password(*keyring_entry(url))
    except KeyringError:
        return None


def store_password(url: URL, password: str) -> None:
    """Keep ``password`` in the keyring for ``url``'s server and user."""
    import keyring

    keyring.set_password(*keyring_entry(url), password)


def shown_server(url: URL) -> str:
    """``user@host:port/database`` for messages and the window's title: never a password."""
    host = url.host or str(url.query.get("host", "")) or "localhost"
    port = f":{url.port}" if url.port else ""
    user = f"{url.username}@" if url.username else ""
    return f"{user}{host}{port}/{url.database or ''}"
