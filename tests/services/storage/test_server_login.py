"""Logging in to a server that wants a password, and over TLS: a real server, real libpq.

The server here lets the tests' own user in on its Unix socket (to set up),
and ``ana`` only with a SCRAM password: on the socket, and on 127.0.0.1 only
over TLS (``hostssl``) with a certificate from a test CA.  Every way the
README names for the password is tried (the keyring, ``~/.pgpass``, the
prompt), and none of them leaves the password in the registry or in a message.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy import make_url, text

from countersign.errors import RegistryUnreachable
from countersign.services.identities.memory_keyring import MemoryKeyring
from countersign.services.storage.database import Database
from countersign.services.storage.server import keyring_entry, store_password
from tests.helpers.keyring_memory import installed
from tests.helpers.postgres import Access, PostgresServer, unavailable

PASSWORD = "correct horse 9 battery"
USER = "ana"


def _certificate(
    subject: str, key: ec.EllipticCurvePrivateKey, issuer: tuple[str, ec.EllipticCurvePrivateKey]
) -> x509.Certificate:
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer[0])]))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
    )
    if subject == issuer[0]:
        builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=0), True)
    else:
        names = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
        builder = builder.add_extension(x509.SubjectAlternativeName(names), False)
    return builder.sign(issuer[1], hashes.SHA256())


def _pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


class GuardedServer:
    """The server, its CA's certificate file, and a CA that did not sign it."""

    def __init__(self, folder: Path) -> None:
        ca_key, server_key, other_key = (ec.generate_private_key(ec.SECP256R1()) for _ in "abc")
        ca = _certificate("Test CA", ca_key, ("Test CA", ca_key))
        server_certificate = _certificate("localhost", server_key, ("Test CA", ca_key))
        key_pem = server_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        self.ca_file = folder / "ca.pem"
        self.ca_file.write_bytes(_pem(ca))
        self.other_ca_file = folder / "other-ca.pem"
        self.other_ca_file.write_bytes(
            _pem(_certificate("Other CA", other_key, ("Other CA", other_key)))
        )
        hba = (
            f"local all {USER} scram-sha-256",
            f"hostssl all {USER} 127.0.0.1/32 scram-sha-256",
        )
        self.server = PostgresServer(Access(hba=hba, tls=(_pem(server_certificate), key_pem)))
        self.server.execute(f"CREATE ROLE {USER} LOGIN PASSWORD '{PASSWORD}'")
        self.server.execute(f"CREATE DATABASE team OWNER {USER}")

    def socket_url(self) -> str:
        return f"postgresql://{USER}@/team?host={self.server.socket_dir}&port={self.server.port}"

    def tls_url(self, ca_file: Path, mode: str = "verify-full") -> str:
        return (
            f"postgresql://{USER}@127.0.0.1:{self.server.port}/team"
            f"?sslmode={mode}&sslrootcert={ca_file}"
        )


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GuardedServer]:
    try:
        made = GuardedServer(tmp_path_factory.mktemp("guarded"))
    except (OSError, RuntimeError, LookupError, subprocess.SubprocessError) as error:
        unavailable(str(error) or type(error).__name__)
    try:
        yield made
    finally:
        made.server.stop()


@pytest.fixture(autouse=True)
def no_password_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """libpq finds no ~/.pgpass or service file but the ones a test writes."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "pgpass"))
    monkeypatch.setenv("PGSERVICEFILE", str(tmp_path / "pg_service.conf"))
    monkeypatch.delenv("PGPASSWORD", raising=False)
    return tmp_path


def _open(url: str, **options: object) -> Database:
    return Database.open(url, initialise=True, **options)  # type: ignore[arg-type]


def test_with_no_password_anywhere_the_refusal_names_where_it_looked(
    guarded: GuardedServer,
) -> None:
    with installed(MemoryKeyring()), pytest.raises(RegistryUnreachable) as refused:
        _open(guarded.socket_url())
    said = str(refused.value)
    assert "asks for a password" in said
    assert ".pgpass" in said and "keyring" in said and f"{USER}@" in said


def test_the_keyring_entry_logs_in_and_the_password_is_kept_nowhere_else(
    guarded: GuardedServer,
) -> None:
    url = guarded.socket_url()
    with installed(MemoryKeyring()) as keyring:
        store_password(make_url(url), PASSWORD)
        database = _open(url)
        try:
            with database.read() as session:
                assert session.execute(text("SELECT current_user")).scalar() == USER
                rows = session.execute(text("SELECT details_json FROM audit_events")).scalars()
                assert all(PASSWORD not in row for row in rows)
        finally:
            database.dispose()
    assert keyring.get_password(*keyring_entry(make_url(url))) == PASSWORD


def test_a_prompted_password_logs_in_and_is_asked_once(guarded: GuardedServer) -> None:
    asked: list[str] = []

    def prompt(server: str) -> str:
        asked.append(server)
        return PASSWORD

    with installed(MemoryKeyring()):
        database = _open(guarded.socket_url(), ask_password=prompt)
        try:
            for _ in range(3):
                with database.read() as session:
                    session.execute(text("SELECT 1"))
        finally:
            database.dispose()
    assert len(asked) == 1
    assert PASSWORD not in asked[0] and asked[0].startswith(f"{USER}@")


def test_a_wrong_password_is_a_sentence_that_does_not_repeat_it(guarded: GuardedServer) -> None:
    with installed(MemoryKeyring()), pytest.raises(RegistryUnreachable) as refused:
        _open(guarded.socket_url(), ask_password=lambda _server: "not the password")
    said = str(refused.value)
    assert "refused the login" in said and "password authentication failed" in said
    assert "not the password" not in said


def test_the_command_line_logs_in_with_a_pgpass_file(
    guarded: GuardedServer, no_password_files: Path
) -> None:
    pgpass = no_password_files / "pgpass"
    pgpass.write_text(f"*:*:*:{USER}:{PASSWORD}\n", encoding="utf-8")
    pgpass.chmod(0o600)
    environment = {**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    url = guarded.socket_url()
    for command in (["registry", "init", "--db", url], ["--db", url, "models"]):
        done = subprocess.run(
            [sys.executable, "-m", "countersign", *command],
            capture_output=True,
            text=True,
            env=environment,
            check=False,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        assert PASSWORD not in done.stdout + done.stderr


def test_tls_options_pass_through_and_the_session_is_encrypted(guarded: GuardedServer) -> None:
    url = guarded.tls_url(guarded.ca_file)
    with installed(MemoryKeyring()):
        store_password(make_url(url), PASSWORD)
        database = _open(url)
        try:
            with database.read() as session:
                encrypted = session.execute(
                    text("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
                ).scalar()
        finally:
            database.dispose()
    assert encrypted is True


def test_a_server_certificate_from_another_ca_is_refused_in_words(guarded: GuardedServer) -> None:
    url = guarded.tls_url(guarded.other_ca_file)
    with installed(MemoryKeyring()):
        store_password(make_url(url), PASSWORD)
        with pytest.raises(RegistryUnreachable) as refused:
            _open(url)
    said = str(refused.value)
    assert "certificate verify failed" in said
    assert "Traceback" not in said and PASSWORD not in said


def test_without_tls_the_server_lets_no_one_in(guarded: GuardedServer) -> None:
    url = guarded.tls_url(guarded.ca_file, mode="disable")
    with installed(MemoryKeyring()):
        store_password(make_url(url), PASSWORD)
        with pytest.raises(RegistryUnreachable) as refused:
            _open(url)
    assert "no pg_hba.conf entry" in str(refused.value)
