"""A registry file is looked at read-only before anything writes to it.

The red-team's cases: another program's database, refused, was still switched
to WAL mode (its header bytes changed); a zero-byte file silently became a
registry; a mistyped ``--db`` for a read command made folders and an empty
registry; a read-only folder said only "unable to open database file".
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from pathlib import Path

import pytest

from countersign.cli import main
from countersign.errors import RegistryUnreadable
from countersign.services.storage import database as database_module
from countersign.services.storage.database import Database
from countersign.services.storage.registry_file import RegistryMissing


def _foreign(path: Path) -> bytes:
    raw = sqlite3.connect(path)
    raw.execute("CREATE TABLE invoices (id INTEGER)")
    raw.execute("INSERT INTO invoices VALUES (1)")
    raw.commit()
    raw.close()
    return path.read_bytes()


@pytest.mark.parametrize("create", [True, False])
def test_a_foreign_database_is_refused_untouched(tmp_path: Path, create: bool) -> None:
    path = tmp_path / "invoices.sqlite3"
    before = _foreign(path)
    assert before[18:20] == b"\x01\x01"  # rollback journal, not WAL
    with pytest.raises(RegistryUnreadable, match=r"not a Countersign registry.*left untouched"):
        Database.open(str(path), create=create)
    assert path.read_bytes() == before  # header bytes and all: no WAL switch
    assert sorted(p.name for p in tmp_path.iterdir()) == ["invoices.sqlite3"]


@pytest.mark.parametrize("create", [True, False])
def test_a_zero_byte_file_is_no_registry(tmp_path: Path, create: bool) -> None:
    path = tmp_path / "empty.sqlite3"
    path.touch()
    with pytest.raises(
        RegistryUnreadable, match=r"empty\.sqlite3 is an empty file, not a registry"
    ):
        Database.open(str(path), create=create)
    assert path.stat().st_size == 0


def test_a_missing_path_is_refused_without_making_folders(tmp_path: Path) -> None:
    path = tmp_path / "typo" / "deeper" / "registry.sqlite3"
    with pytest.raises(RegistryMissing, match=r"there is no registry at .*registry init"):
        Database.open(str(path), create=False)
    assert not (tmp_path / "typo").exists()
    Database.open(str(path), create=True).dispose()  # import and `registry init` may
    assert path.exists()


def test_read_commands_refuse_a_mistyped_db_and_import_creates_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "mistyped" / "registry.sqlite3"
    for argv in (["models"], ["audit", "--verify"], ["identity", "list"], ["checklists"]):
        assert main(["--db", str(path), *argv]) == 1
        err = capsys.readouterr().err
        assert err.startswith(f"countersign: there is no registry at {path}; check the path")
        assert "Traceback" not in err
    assert not path.parent.exists()
    assert main(["--db", str(path), "registry", "init"]) == 0
    assert f"Created the registry {path}" in capsys.readouterr().out
    assert main(["registry", "init", "--db", str(path)]) == 0
    assert "is already a registry" in capsys.readouterr().out
    assert main(["--db", str(path), "models"]) == 0


def test_a_file_that_is_not_sqlite_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(b"SQLite format 2\x00 but not really")
    with pytest.raises(RegistryUnreadable, match="not a SQLite database"):
        Database.open(str(path))
    assert path.read_bytes() == b"SQLite format 2\x00 but not really"


def _open_as_nobody(location: str) -> str:
    """Open the registry ``location`` in a child process that dropped root; its error message."""
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        os.close(read)
        message = "opened"
        try:
            os.setgid(65534)
            os.setuid(65534)  # nobody: folder permissions apply again
            Database.open(location)
        except RegistryUnreadable as error:
            message = str(error)
        except BaseException as error:
            message = f"{type(error).__name__}: {error}"
        os.write(write, message.encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        message = pipe.read().decode()
    os.waitpid(child, 0)
    return message


def test_a_read_only_folder_is_named(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        # Root writes anywhere: the registry is opened by a child that is not root, in a
        # folder it can reach (pytest's own temporary folders are private to root).
        reachable = Path(tempfile.mkdtemp())
        try:
            reachable.chmod(0o755)
            folder = reachable / "locked"
            folder.mkdir(mode=0o555)
            message = _open_as_nobody(str(folder / "registry.sqlite3"))
            assert f"the folder {folder} is read-only" in message, message
        finally:
            shutil.rmtree(reachable)
        return
    folder = tmp_path / "locked"
    folder.mkdir(mode=0o555)
    try:
        with pytest.raises(RegistryUnreadable, match=f"the folder {folder} is read-only"):
            Database.open(str(folder / "registry.sqlite3"))
    finally:
        folder.chmod(0o755)


def test_an_existing_registry_in_a_read_only_folder_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Root ignores folder permissions, so the folder is made read-only at the OS boundary.
    path = tmp_path / "registry.sqlite3"
    Database.open(str(path)).dispose()
    database = Database.open(str(path), create=False)
    monkeypatch.setattr(database_module, "folder_is_read_only", lambda _path: True)
    error = database._officer_error(sqlite3.OperationalError("unable to open database file"))
    assert error is not None
    assert str(error).startswith(f"the folder holding the registry {path} is read-only")
    database.dispose()
