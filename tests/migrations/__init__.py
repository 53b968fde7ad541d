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


def migrate(path: Path, revision: str, *, down: bool = False) -> None:
    """Upgrade (or with ``down`` downgrade) the SQLite registry at ``path`` to ``revision``."""
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import create_engine

    engine = create_engine(f"sqlite:///{path}")
    config = Config()
    config.set_main_option("script_location", "countersign:migrations")
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)
    engine.dispose()
