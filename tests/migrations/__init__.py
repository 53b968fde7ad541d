"""Tests of the registry's Alembic migrations, each from a registry written at an older revision."""

from __future__ import annotations

from pathlib import Path


def head_revision() -> str:
    """The newest revision the migrations reach: what an upgraded registry must stand at."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", "countersign:migrations")
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None
    return head


def migrate(place: Path | str, revision: str, *, down: bool = False) -> None:
    """Upgrade (or with ``down`` downgrade) the registry at ``place`` to ``revision``.

    ``place``: a SQLite file, or a ``postgresql://`` URL (as ``--db`` takes it).
    """
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import create_engine, make_url

    if isinstance(place, str) and place.startswith("postgresql"):
        url = make_url(place).set(drivername="postgresql+psycopg")
    else:
        url = make_url(f"sqlite:///{place}")
    engine = create_engine(url)
    config = Config()
    config.set_main_option("script_location", "countersign:migrations")
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)
    engine.dispose()
