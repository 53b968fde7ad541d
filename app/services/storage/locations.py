"""Where the registry is: what ``--db`` names, ``COUNTERSIGN_DB``, or the default file.

Kept apart from :mod:`countersign.services.storage.database` (which re-exports these names) so
that the workstation can name the registry it is opening in its start-up
window before SQLAlchemy has been imported.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import platformdirs

APP_NAME = "countersign"
REGISTRY_FILE = "registry.sqlite3"


def data_dir() -> Path:
    """The folder where Countersign keeps the officer's registry and exports."""
    return platformdirs.user_data_path(APP_NAME, appauthor=False)


def default_registry_path() -> Path:
    """The registry used when neither ``--db`` nor ``COUNTERSIGN_DB`` says otherwise."""
    return data_dir() / REGISTRY_FILE


def registry_url(db: str | None = None) -> str:
    """The SQLAlchemy URL for ``db`` (a path or URL), ``COUNTERSIGN_DB``, or the default."""
    chosen = db or os.environ.get("COUNTERSIGN_DB") or str(default_registry_path())
    if "://" in chosen:
        return chosen
    return f"sqlite:///{Path(chosen).expanduser().resolve()}"


def registry_file(db: str | None = None) -> Path | None:
    """The SQLite file the registry ``db`` names; None for a server, memory, or a URL with options."""
    url = registry_url(db)
    scheme, _, rest = url.partition("://")
    if scheme != "sqlite" or "?" in rest or not rest.startswith("/") or rest == "/:memory:":
        return None
    return Path(rest.removeprefix("/"))


def shown_location(db: str | None = None) -> str:
    """Where the registry ``db`` names is, in words for the officer: a file's path, else the URL.

    A password in the URL is never shown.  This is how the start-up window names
    the registry; once open, :attr:`countersign.services.storage.database.Database.location` says it.
    """
    url = registry_url(db)
    scheme, _, rest = url.partition("://")
    if scheme.partition("+")[0] == "sqlite":
        # sqlite:///relative, sqlite:////absolute, sqlite:// (in memory), then ?options.
        return rest.removeprefix("/").partition("?")[0] or ":memory:"
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))
