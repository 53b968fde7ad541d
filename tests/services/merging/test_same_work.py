"""registry copy when both registries did the same work on a model: the same bundle imported on
each side merges (the destination's rows stand, the source's events are kept verbatim and
verify); any other act of the source on that model is still refused by name (issue 15)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from countersign.cli import main
from countersign.services.audit.trail import verify_chain
from countersign.services.deployment.records import GateQuestion
from countersign.services.registry_copy import CopyRefused, copy_between
from countersign.services.storage.database import Database
from tests.helpers.registry import raw_connection, row_counts
from tests.helpers.signoff import Workbench, medium_card, table_counts
from tests.services.merging.sides import ANA, registry_problems, team_and_laptop

SAMPLES = Path(__file__).parents[3] / "resources" / "samples"


@dataclass
class Both:
    """The team's registry and a laptop copy of it; each imported credit-scorer 1.1 since."""

    team: Workbench
    laptop: Workbench
    team_db: str
    laptop_db: str


@pytest.fixture
def both(tmp_path: Path, registry_db: str) -> Iterator[Both]:
    """Team (SQLite, then PostgreSQL) and a SQLite laptop, both importing the same card since."""
    with team_and_laptop(tmp_path, registry_db) as (team, laptop):
        laptop.import_card(medium_card("fraud-model", "1.0"))
        laptop.import_card(medium_card("credit-scorer", "1.1"))
        team.import_card(medium_card("credit-scorer", "1.1"))
        yield Both(team, laptop, registry_db, str(tmp_path / "laptop.sqlite3"))


def test_the_same_import_on_both_sides_merges_and_verifies(both: Both) -> None:
    report = copy_between(both.laptop_db, both.team_db)
    assert report.merged == 4, (
        report.describe()
    )  # fraud-model: made, imported; 1.1: imported, superseding 1.0
    assert report.inserted == {"models": 1, "card_versions": 1}, report.describe()
    assert registry_problems(both.team_db) == []
    statuses = both.team.statuses()
    assert statuses["fraud-model@1.0"] == statuses["credit-scorer@1.1"] == "submitted"
    assert statuses["credit-scorer@1.0"] == "superseded"
    where = both.team_db if both.team_db.startswith("postgresql") else Path(both.team_db)
    with raw_connection(where) as c:
        versions = c.execute(
            "SELECT COUNT(*) FROM card_versions c JOIN models m ON m.id = c.model_id "
            "WHERE m.name = 'credit-scorer'"
        ).fetchone()[0]
        imports = c.execute(
            "SELECT COUNT(*) FROM merged_events WHERE action = 'card_version.imported' "
            "AND model_name = 'credit-scorer'"
        ).fetchone()[0]
    assert versions == 2 and imports == 1  # not doubled; the source's import kept verbatim
    before = row_counts(both.team_db), table_counts(both.team_db)
    assert "Nothing to copy" in copy_between(both.laptop_db, both.team_db).describe()
    assert (row_counts(both.team_db), table_counts(both.team_db)) == before


def test_the_destinations_later_work_on_the_same_model_stands(both: Both) -> None:
    both.team.sign(ANA, model="credit-scorer", version="1.1", stage="staging", comment="Fine.")
    assert both.team.statuses()["credit-scorer@1.1"] == "approved"
    copy_between(both.laptop_db, both.team_db)
    # the merged import of 1.1 is walked after the team's approval: the approval stands
    assert registry_problems(both.team_db) == []
    assert both.team.statuses()["credit-scorer@1.1"] == "approved"
    assert both.team.services.deployment.gate("credit-scorer", "1.1", GateQuestion("staging")).ok


def test_a_different_act_of_the_source_on_that_model_is_still_refused(both: Both) -> None:
    both.laptop.sign(ANA, model="credit-scorer", version="1.1", stage="staging", comment="Ok.")
    before = row_counts(both.team_db), table_counts(both.team_db)
    with pytest.raises(
        CopyRefused, match=r"both registries worked on the same models.*: credit-scorer; nothing"
    ):
        copy_between(both.laptop_db, both.team_db)
    assert (row_counts(both.team_db), table_counts(both.team_db)) == before


def test_a_version_only_the_source_imported_is_still_refused(both: Both) -> None:
    both.laptop.import_card(medium_card("credit-scorer", "1.2"))
    before = row_counts(both.team_db), table_counts(both.team_db)
    with pytest.raises(CopyRefused, match=r"same models.*: credit-scorer; nothing"):
        copy_between(both.laptop_db, both.team_db)
    assert (row_counts(both.team_db), table_counts(both.team_db)) == before


@pytest.mark.parametrize("registry_db", ["sqlite"], indirect=True)
def test_an_edited_merged_duplicate_import_is_named(both: Both) -> None:
    copy_between(both.laptop_db, both.team_db)
    with raw_connection(Path(both.team_db)) as connection:
        connection.execute("DROP TRIGGER merged_events_no_update")
        (seq,) = connection.execute(
            "SELECT id FROM merged_events WHERE action = 'card_version.imported' "
            "AND model_name = 'credit-scorer'"
        ).fetchone()
        connection.execute(
            "UPDATE merged_events SET details_json = replace(details_json, '\"1.1\"', '\"1.9\"') "
            "WHERE id = ?",
            (seq,),
        )
    database = Database.open(both.team_db)
    try:
        with database.read() as session:
            chain = verify_chain(session)
    finally:
        database.dispose()
    assert not chain.ok
    assert f"merged event {seq}: its content no longer matches its hash" in chain.reason


@pytest.mark.parametrize("registry_db", ["sqlite"], indirect=True)
def test_the_same_bundle_imported_on_both_sides_merges_through_the_command_line(
    tmp_path: Path, registry_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    bundles = {}
    for sample in ("01-retail-credit-risk-r1", "07-retail-credit-risk-r2", "02-payments-risk-r1"):
        bundles[sample] = str(tmp_path / f"{sample}.cardbundle")
        made = ["bundle", "create", str(SAMPLES / sample), "-o", bundles[sample], "--team", "T"]
        assert main(made) == 0
    laptop = str(tmp_path / "laptop.sqlite3")
    assert main(["--db", registry_db, "import", bundles["01-retail-credit-risk-r1"]]) == 0
    assert main(["registry", "copy", registry_db, laptop]) == 0
    assert main(["--db", laptop, "import", bundles["02-payments-risk-r1"]]) == 0
    for db in (laptop, registry_db):
        assert main(["--db", db, "import", bundles["07-retail-credit-risk-r2"]]) == 0
    capsys.readouterr()
    assert main(["registry", "copy", laptop, registry_db]) == 0
    assert "Merged 6 events" in capsys.readouterr().out
    assert main(["--db", registry_db, "audit", "--verify"]) == 0
    assert "6 events of work merged" in capsys.readouterr().out
    assert main(["--db", registry_db, "status", "card-fraud-detector"]) == 0
    assert "4.2        staging not requested" in capsys.readouterr().out
    assert main(["registry", "copy", laptop, registry_db]) == 0
    assert "Nothing to copy" in capsys.readouterr().out
