"""registry copy: an officer's SQLite registry into the team's PostgreSQL, verified, idempotent."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from countersign.cli import main
from countersign.services.audit.trail import verify_chain
from countersign.services.identities.identities import Pkcs12File
from countersign.services.integrity.registry_check import verify_registry
from countersign.services.registry import Registry
from countersign.services.registry_copy import CopyRefused, copy_between
from countersign.services.reviews.signoff_verification import verify_signoffs
from countersign.services.storage.database import Database
from countersign.services.trust.anchors import TrustAnchors
from countersign.services.workstation import ServiceOptions, open_services
from tests.helpers.keyring_memory import TEST_ROUNDS, MemoryKeyring, installed
from tests.helpers.postgres import PostgresServer
from tests.helpers.registry import raw_connection, row_counts
from tests.helpers.signoff import (
    PASSPHRASE,
    Workbench,
    issued_pkcs12,
    medium_card,
    table_counts,
    workbench,
)

ANA, OLGA = "ana@example.org", "olga@example.org"


@pytest.fixture
def laptop(tmp_path: Path) -> Iterator[Workbench]:
    """An officer's SQLite registry with two cards, one signed off."""
    with workbench(tmp_path) as made:
        made.import_card(medium_card())
        made.import_card(medium_card("churn-model", "2.0"))
        made.person(ANA, "approver")
        made.sign(ANA, comment="Complete.")
        yield made


@pytest.fixture
def team(postgres: PostgresServer) -> str:
    """The team's registry on PostgreSQL, made by registry init (the template)."""
    return postgres.new_database(template="registry_template")


def test_copy_lands_verified_and_a_second_copy_changes_nothing(
    laptop: Workbench, team: str, capsys: pytest.CaptureFixture[str]
) -> None:
    source = str(laptop.path)
    assert main(["registry", "copy", source, team]) == 0
    said = capsys.readouterr().out
    assert "Copied" in said and "verified on arrival" in said
    assert row_counts(team) == row_counts(laptop.path)
    assert table_counts(team) == table_counts(laptop.path)
    with raw_connection(team) as connection:  # analysed: the planner knows the words' counts
        analysed = connection.execute(
            "SELECT DISTINCT tablename FROM pg_stats WHERE tablename IN ('card_search', 'models')"
        ).fetchall()
    assert sorted(analysed) == [("card_search",), ("models",)]
    assert main(["registry", "copy", source, team]) == 0
    assert "Nothing to copy" in capsys.readouterr().out
    database = Database.open(team)
    try:
        with database.read() as session:
            assert verify_chain(session).ok and verify_signoffs(session).ok
        registry = Registry(database)
        assert [hit.model for hit in registry.search("churn")] == ["churn-model"]
        assert registry.model("credit-scorer").status == "approved"
    finally:
        database.dispose()


def test_work_done_after_a_copy_is_brought_over_and_new_rows_can_follow(
    laptop: Workbench, team: str
) -> None:
    copy_between(str(laptop.path), team)
    laptop.import_card(medium_card("fraud-model", "1.0"))
    report = copy_between(str(laptop.path), team)
    assert report.inserted["card_versions"] == 1
    (laptop.folder / "team").mkdir()
    with workbench(laptop.folder / "team", team) as bench:  # ids continue on the server
        bench.import_card(medium_card("fourth-model", "1.0"))
        assert row_counts(team)["card_versions"] == 4


def test_a_source_that_does_not_verify_is_refused_and_nothing_copied(
    laptop: Workbench, team: str
) -> None:
    with raw_connection(laptop.path) as connection:
        connection.execute("UPDATE signatures SET comment = 'Complete!'")
        connection.commit()
    before = row_counts(team)
    with pytest.raises(CopyRefused, match=r"the source .* does not verify, nothing was copied"):
        copy_between(str(laptop.path), team)
    assert row_counts(team) == before


def test_the_same_model_version_with_other_content_is_refused_by_name(
    laptop: Workbench, team: str, tmp_path: Path
) -> None:
    (tmp_path / "other").mkdir()
    with workbench(tmp_path / "other", team) as other:
        other.import_card(medium_card("churn-model", "2.0", license="mit"))
    before = row_counts(team)
    with pytest.raises(CopyRefused, match=r"same model version.*: churn-model 2\.0"):
        copy_between(str(laptop.path), team)
    assert row_counts(team) == before


def test_a_registry_started_on_its_own_is_merged_from_the_first_event(
    laptop: Workbench, team: str, tmp_path: Path
) -> None:
    (tmp_path / "other").mkdir()
    with workbench(tmp_path / "other", team) as other:
        other.import_card(medium_card("someone-elses-model", "1.0"))
    report = copy_between(str(laptop.path), team)
    assert report.merged == row_counts(laptop.path)["audit_events"] and report.fork == 0
    assert "Merged" in report.describe()
    database = Database.open(team)
    try:
        registry = Registry(database)
        assert registry.model("credit-scorer").status == "approved"
        assert registry.model("someone-elses-model").status == "submitted"
        with database.read() as session:
            assert verify_chain(session).ok and verify_signoffs(session).ok
    finally:
        database.dispose()


def test_a_registry_founded_by_another_officer_is_refused(
    laptop: Workbench, team: str, tmp_path: Path
) -> None:
    (tmp_path / "other").mkdir()
    with workbench(tmp_path / "other", team) as other:
        other.person("olga@example.org", "officer")
        other.import_card(medium_card("someone-elses-model", "1.0"))
    before = row_counts(team)
    with pytest.raises(
        CopyRefused,
        match=r"the merge into .* does not verify, nothing was copied: .*founded the registry "
        r"again while olga@example.org was its officer",
    ):
        copy_between(str(laptop.path), team)
    assert row_counts(team) == before


def test_a_fresh_registry_of_the_same_officer_credential_is_merged(
    team: str, tmp_path: Path
) -> None:
    credential = tmp_path / "olga.p12"
    credential.write_bytes(issued_pkcs12(OLGA, b"p12 password", common_name="Olga Officer")[0])
    with installed(MemoryKeyring()) as backend:
        assert isinstance(backend, MemoryKeyring)
        for name, db in (("team", team), ("laptop", str(tmp_path / "laptop.sqlite3"))):
            options = ServiceOptions(keyring=backend, actor=name, key_rounds=TEST_ROUNDS)
            (tmp_path / name).mkdir()
            with open_services(db, options) as services:
                bench = Workbench(tmp_path / name, services, backend)
                bench.identities.import_pkcs12(
                    Pkcs12File(credential, "p12 password"), PASSPHRASE, "officer"
                )
                bench.founder = bench.identities.unlock(OLGA, PASSPHRASE)
                bench.import_card(medium_card(f"{name}-model", "1.0"))
                if name == "laptop":
                    bench.person(ANA, "approver")
                    bench.sign(ANA, model="laptop-model", comment="Signed offline.")
    report = copy_between(str(tmp_path / "laptop.sqlite3"), team)
    assert report.fork == 0 and report.merged > 0
    database = Database.open(team)
    try:
        registry = Registry(database)
        assert registry.model("laptop-model").status == "approved"
        assert registry.model("team-model").status == "submitted"
        with database.read() as session:
            check = verify_registry(session, TrustAnchors())
            assert check.ok, [*check.lines()]
    finally:
        database.dispose()
