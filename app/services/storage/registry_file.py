"""Checking a SQLite registry file before anything opens it for writing.

Opening a SQLite file for writing is not harmless: the registry's connections
switch it to WAL mode, which rewrites bytes of the file's header.  So a file
is looked at first, read-only: a missing path or an empty file is no
registry (only ``import``, ``registry init`` and the window, after asking,
create one), and a file that is not SQLite, or another program's database, is
refused untouched.
"""

from __future__ import annotations

import importlib.resources
import os
import re
import sqlite3
from pathlib import Path
from urllib.parse import quote

from countersign.errors import RegistryUnreadable
from countersign.plain_files import open_plain

SQLITE_HEADER = b"SQLite format 3\x00"

CREATE_HINT = "`countersign registry init --db PATH` creates a new one"


class RegistryMissing(RegistryUnreadable):
    """No registry at the path given, and this command does not create one."""


def check_registry_file(path: Path, *, create: bool) -> None:
    """Refuse ``path`` unless it is a registry, or absent and ``create`` allows making one.

    Nothing here writes: an existing file is read through a read-only
    connection.  A file that may be a Countersign registry (SQLite, with an
    ``alembic_version`` table or no tables at all) passes.
    """
    if path.is_dir():
        raise RegistryUnreadable(f"{path} is a folder, not a registry file; name a file in it")
    if not path.exists():
        if not create:
            raise RegistryMissing(f"there is no registry at {path}; check the path ({CREATE_HINT})")
        _check_folder_writable(path)
        return
    try:
        with open_plain(path) as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as error:
        raise RegistryUnreadable(f"{path} cannot be read: {error.strerror or error}") from None
    if not header:
        raise RegistryUnreadable(
            f"{path} is an empty file, not a registry; remove it or choose another path "
            f"({CREATE_HINT})"
        )
    if header != SQLITE_HEADER:
        raise RegistryUnreadable(
            f"{path} cannot be opened as a Countersign registry (it is not a SQLite "
            "database); choose another file"
        )
    tables = _tables_read_only(path)
    if tables and "alembic_version" not in tables:
        raise RegistryUnreadable(
            f"{path} is a database but not a Countersign registry "
            f"(it has tables {', '.join(sorted(tables)[:5])}); it was left untouched"
        )


def _check_folder_writable(path: Path) -> None:
    """Refuse to create a registry in a folder that exists but cannot be written."""
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not os.access(folder, os.W_OK | os.X_OK):
        raise RegistryUnreadable(
            f"cannot create the registry {path}: the folder {folder} is read-only"
        )


def _tables_read_only(path: Path) -> set[str] | None:
    """The file's table names through a read-only connection; None when it cannot say."""
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"
    try:
        connection = sqlite3.connect(uri, uri=True)
    except sqlite3.Error:
        return None
    try:
        rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {str(row[0]) for row in rows}
    except sqlite3.DatabaseError as error:
        if "not a database" in str(error) or "malformed" in str(error):
            raise RegistryUnreadable(
                f"{path} is not a Countersign registry ({error}); choose another file"
            ) from None
        return None  # locked, or WAL files it cannot read: the full open says what is wrong
    finally:
        connection.close()


def folder_is_read_only(path: Path) -> bool:
    """Whether the folder holding ``path`` exists and cannot be written."""
    folder = path.parent
    return folder.is_dir() and not os.access(folder, os.W_OK | os.X_OK)


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
