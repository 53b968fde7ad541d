"""The team's Python API: ``from countersign import create_model_card``, as the README shows it."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from countersign.services.importing.importer import Importer
from countersign.services.storage.database import Database

REPO = Path(__file__).resolve().parents[1]


def _readme_example() -> tuple[str, str]:
    """The README's pipeline example and the output it documents."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("### From a training pipeline", 1)[1]
    match = re.search(r"```python\n(.*?)```\n\nprints[^\n]*\n\n```text\n(.*?)```", section, re.S)
    assert match is not None, "the README's example or its output is missing"
    return match.group(1), match.group(2)


def test_import_countersign_stays_light() -> None:
    code = (
        "import sys, countersign\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('pydantic', 'sqlalchemy', 'yaml', 'PySide6'))\n"
        "assert not heavy, heavy\n"
        "assert callable(countersign.create_model_card)\n"
        "assert 'pydantic' in sys.modules\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_readme_example_runs_as_written_and_its_card_imports_clean(tmp_path: Path) -> None:
    code, documented = _readme_example()
    assert "create_model_card(model_info)\n" in code
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == documented
    card = tmp_path / "ImageClassifier.json"
    database = Database.open(str(tmp_path / "registry.sqlite3"))
    report = Importer(database, actor="pipeline").import_file(card)
    assert report.ok and report.landed
    assert [(c.model, c.version, c.warnings) for c in report.plan.cards] == [
        ("ImageClassifier", "1.0", [])
    ]


def test_unknown_names_are_still_attribute_errors() -> None:
    import countersign

    try:
        countersign.no_such_thing  # type: ignore[attr-defined]  # noqa: B018
    except AttributeError as error:
        assert "no_such_thing" in str(error)
    else:
        raise AssertionError("countersign.no_such_thing should not exist")
