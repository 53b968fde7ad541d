"""A team registry into which a laptop copy's work was merged, as the window tests read it."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from countersign.services.importing.importer import Importer
from countersign.services.registry_copy import copy_between
from countersign.services.storage.database import Database
from tests.helpers.registry import native_card, write_card


def laptop_work_merged(tmp_path: Path, laptop_versions: Sequence[str]) -> Database:
    """The team registry, open: churn-model 1.0 imported, copied to a laptop that imports
    churn-model ``laptop_versions``, other-model 1.0 imported by the team meanwhile, then
    the laptop merged back (its imports, their supersessions, one merge event)."""
    team, laptop = str(tmp_path / "team.sqlite3"), str(tmp_path / "laptop.sqlite3")
    db = Database.open(team)
    importer = Importer(db, actor="team")
    importer.import_file(write_card(tmp_path, "a.json", native_card("churn-model", "1.0")))
    copy_between(team, laptop)
    offline = Database.open(laptop)
    for number, version in enumerate(laptop_versions):
        card = write_card(tmp_path, f"b{number + 1}.json", native_card("churn-model", version))
        Importer(offline, actor="laptop").import_file(card)
    offline.dispose()
    importer.import_file(write_card(tmp_path, "c.json", native_card("other-model", "1.0")))
    copy_between(laptop, team)
    return db
