"""Tests of the registry's Alembic migrations, each from a registry written at an older revision."""

from __future__ import annotations


def head_revision() -> str:
    """The newest revision the migrations reach: what an upgraded registry must stand at."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", "countersign:migrations")
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None
    return head
