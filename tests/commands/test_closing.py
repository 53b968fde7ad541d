"""Issue 15: every command group, run in-process, closes the registry it opened.

On both a SQLite file and a PostgreSQL server, on success and on refusal: a
registry left open is a psycopg connection for the garbage collector (a
``ResourceWarning``, an error under this suite's ``filterwarnings``) or a SQLite
handle; the autouse tracker of ``tests/commands/conftest.py`` names either.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from countersign.cli import main
from countersign.services.reviews.checklists import built_in_templates
from tests.helpers.closing import registries_closed
from tests.helpers.keyring_memory import MemoryKeyring
from tests.helpers.registry import write_card
from tests.helpers.signoff import PASSPHRASE, cli_identities, medium_card

OLGA, ANA, BEA = "olga@example.org", "ana@example.org", "bea@example.org"
MODEL = "triage-classifier"


def _files(folder: Path) -> dict[str, Path]:
    cards = folder / "cards"
    cards.mkdir()
    unrated = {"risk_rating": ""}  # staging takes the standard checklist's one approval
    write_card(cards, "triage.json", medium_card(MODEL, "1.0").model_copy(update=unrated))
    later = write_card(folder, "later.json", medium_card(MODEL, "1.1").model_copy(update=unrated))
    items = next(t for t in built_in_templates() if t.id == "standard").items
    responses = folder / "standard.yaml"
    responses.write_text("".join(f"{i.id}: {{answer: pass, note: Checked.}}\n" for i in items))
    return {"cards": cards, "later": later, "responses": responses}


def _steps(folder: Path, files: dict[str, Path]) -> list[tuple[list[str], int]]:
    """Each command group once or more, with the exit status each must end with."""
    at = f"{MODEL}@1.1"  # the newest, the one a review takes
    bundle, report = str(folder / "triage.cardbundle"), str(folder / "report.pdf")
    olga, ana = ["--identity", OLGA], ["--identity", ANA]
    review = ["review", at, "--stage", "staging", "--template", "standard"]
    review += ["--responses", str(files["responses"]), "--decision", "approve"]
    return [
        (["registry", "init"], 0),
        (["bundle", "create", str(files["cards"]), "-o", bundle, "--team", "ED"], 0),
        (["import", bundle, str(files["later"])], 0),
        (["models"], 0),
        (["versions", MODEL], 0),
        (["show", at, "--json"], 0),
        (["show", "no-such-model"], 1),
        (["search", "loan"], 0),
        (["diff", MODEL, "1.0", "1.1"], 0),
        (["diff", MODEL, "1.0", "7.0"], 1),
        (["identity", "create", "--name", "Bea", "--email", BEA], 0),
        (["identity", "list"], 0),
        (["identity", "export-cert", OLGA, "-o", str(folder / "olga.pem")], 0),
        (["trust", "pin", OLGA], 1),  # asks to compare the fingerprint first
        (["trust", "pin", OLGA, "--yes"], 0),
        (["checklists"], 0),
        (["checklist", "show", "standard"], 0),
        (["policy", "show"], 0),
        (["stages"], 0),
        (["classify", MODEL, "--tier", "high", "--reason", "Triage.", *ana], 1),
        ([*review, *ana], 0),
        ([*review, "--identity", "nobody@example.org"], 1),
        (["status", MODEL], 0),
        (["queue"], 0),
        (["gate", at, "--stage", "staging"], 0),
        (["gate", at, "--stage", "production"], 1),
        (["export-pdf", at, "-o", report, *ana], 0),
        (["verify", report], 0),
        (["attest", at, "--stage", "staging", "-o", str(folder / "a.intoto.json"), *olga], 0),
        (["publish", at, "-o", str(folder / "published"), *olga], 0),
        (["revoke", at, "--stage", "staging", "--reason", "Drift.", *olga], 0),
        (["revocations", "export", "-o", str(folder / "revocations.json")], 0),
        (["card", "check", str(files["later"]), "--template", "team-minimum"], 1),
        (["audit"], 0),
        (["audit", "--verify"], 0),
        (["registry", "copy", "SOURCE", str(folder / "copy.sqlite3")], 0),
    ]


NO_REGISTRY = {"bundle", "verify"}
"""The command groups of these steps that never open the registry."""


@pytest.mark.filterwarnings("error::ResourceWarning")
@pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning")
def test_every_command_group_closes_its_registry(
    registry_db: str,
    memory_keyring: MemoryKeyring,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("COUNTERSIGN_DB", registry_db)
    monkeypatch.setenv("COUNTERSIGN_PASSPHRASE", PASSPHRASE)
    files = _files(tmp_path)
    for step, status in _steps(tmp_path, files):
        if step[:2] == ["identity", "create"]:
            cli_identities(registry_db, memory_keyring, [(OLGA, "officer"), (ANA, "approver")])
        argv = [registry_db if word == "SOURCE" else word for word in step]
        try:
            # Each step's registries are closed when it returns; a psycopg connection
            # dropped open warns at the collection inside, failing the step.
            with registries_closed(monkeypatch) as opened:
                assert main(argv) == status, capsys.readouterr()
        except AssertionError as error:
            raise AssertionError(f"countersign {' '.join(step)}: {error}") from error
        assert opened or step[0] in NO_REGISTRY, f"countersign {' '.join(step)} opened nothing"
    capsys.readouterr()
