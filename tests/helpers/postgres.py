"""A throwaway PostgreSQL server for the tests: started once per session, Unix socket only.

The server runs from the Debian ``postgresql`` package's binaries in a
temporary folder, as the ``postgres`` user when the tests run as root
(``initdb`` refuses root).  It listens on no TCP port, only on a socket in
that folder.  Each test gets its own database, copied from a template that
``registry init`` migrated once, so a test costs a ``CREATE DATABASE``.

Under CI (``CI=true``) a missing PostgreSQL fails the run; elsewhere the
PostgreSQL half of the parametrised tests skips, saying why.
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

_SEARCH = [
    *sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True),
    Path("/usr/local/bin"),
    Path("/usr/bin"),
]


def find_binaries() -> Path | None:
    """The folder holding ``initdb`` and ``pg_ctl`` (newest Debian version first), or None."""
    for folder in _SEARCH:
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    found = shutil.which("pg_ctl")
    return Path(found).parent if found else None


def _as_server_user(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "postgres", "--", *command]


def unavailable(reason: str) -> None:
    """Fail under CI, skip elsewhere: PostgreSQL must never be silently left out of CI."""
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(f"PostgreSQL is required in CI: {reason}", pytrace=False)
    pytest.skip(f"no PostgreSQL server for the tests: {reason}")


@dataclass(frozen=True)
class Access:
    """How a server lets clients in, beyond the trusted Unix socket of the tests' own user.

    ``hba`` lines go before the socket's ``trust`` line of ``pg_hba.conf``;
    ``tls`` (certificate and key, PEM) turns on TLS on a TCP port of 127.0.0.1.
    """

    hba: tuple[str, ...] = ()
    tls: tuple[bytes, bytes] | None = None


class PostgresServer:
    """One running server in a temporary folder; :meth:`new_database` hands out databases."""

    def __init__(self, access: Access | None = None) -> None:
        binaries = find_binaries()
        if binaries is None:
            raise FileNotFoundError("initdb and pg_ctl not found (apt-get install postgresql)")
        self.binaries = binaries
        self.folder = Path(tempfile.mkdtemp(prefix="countersign-pg-"))
        self.data = self.folder / "data"
        self.socket_dir = self.folder
        self.user = "postgres" if os.geteuid() == 0 else os.environ.get("USER", "postgres")
        self.port = 5432
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        self.folder.chmod(0o755)
        self._names = itertools.count(1)
        self._run(
            [
                str(binaries / "initdb"),
                "-D",
                str(self.data),
                "-U",
                self.user,
                "--auth=trust",
                "--no-sync",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ]
        )
        options = (
            f"-c unix_socket_directories='{self.socket_dir}' "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=60 -c shared_buffers=32MB"
        )
        options += self._open_to(access) if access else " -c listen_addresses=''"
        self._run(
            [
                str(binaries / "pg_ctl"),
                "-D",
                str(self.data),
                "-l",
                str(self.folder / "server.log"),
                "-o",
                options,
                "-w",
                "start",
            ]
        )

    def _open_to(self, access: Access) -> str:
        """Write ``access`` into the data folder; the server options that go with it."""
        trusted = f"local all {self.user} trust"
        self._write("pg_hba.conf", "\n".join([*access.hba, trusted, ""]).encode())
        if access.tls is None:
            return " -c listen_addresses=''"
        with socket.socket() as probe:  # a free port, given back just before the server takes it
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self._write("server.crt", access.tls[0])
        self._write("server.key", access.tls[1])
        return f" -c listen_addresses=127.0.0.1 -c port={self.port} -c ssl=on"

    def _write(self, name: str, data: bytes) -> None:
        path = self.data / name
        path.write_bytes(data)
        path.chmod(0o600)
        if os.geteuid() == 0:
            shutil.chown(path, "postgres", "postgres")

    def _run(self, command: list[str]) -> None:
        done = subprocess.run(
            _as_server_user(command), capture_output=True, text=True, check=False, timeout=120
        )
        if done.returncode != 0:
            raise RuntimeError(f"{command[0]} failed: {done.stderr.strip() or done.stdout.strip()}")

    def url(self, database: str) -> str:
        """The SQLAlchemy URL of ``database`` on this server, over its Unix socket."""
        port = f"&port={self.port}" if self.port != 5432 else ""
        return f"postgresql://{self.user}@/{database}?host={self.socket_dir}{port}"

    def execute(self, statement: str) -> None:
        """Run one statement on the maintenance database (autocommit)."""
        import psycopg

        with psycopg.connect(
            dbname="postgres",
            user=self.user,
            host=str(self.socket_dir),
            port=self.port,
            autocommit=True,
        ) as connection:
            connection.execute(statement.encode())

    def new_database(self, template: str | None = None) -> str:
        """A new empty database (or a copy of ``template``); returns its URL."""
        name = f"registry_{next(self._names)}"
        clause = f" TEMPLATE {template}" if template else ""
        self.execute(f"CREATE DATABASE {name}{clause}")
        return self.url(name)

    def stop(self) -> None:
        """Stop the server and remove its folder."""
        self._run([str(self.binaries / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"])
        shutil.rmtree(self.folder, ignore_errors=True)
